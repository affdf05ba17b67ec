package resources

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestStartStopOrder(t *testing.T) {
	h := newHarness(t, RunnerOptions{})
	g := group(t, "node1", "192.0.2.10", "Filesystem::/dev/sda1::/data1::ext2", "httpd")
	ctx := context.Background()
	if err := h.r.Start(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := h.r.Stop(ctx, g); err != nil {
		t.Fatal(err)
	}
	h.log.check(t,
		"ip add 192.0.2.10",
		"Filesystem /dev/sda1 /data1 ext2 status", "Filesystem /dev/sda1 /data1 ext2 start",
		"httpd status", "httpd start",
		"httpd stop", "Filesystem /dev/sda1 /data1 ext2 stop", "ip del 192.0.2.10")
	snap := h.r.Snapshot()
	if len(snap) != 1 || snap[0].Summary() != "NONE" || snap[0].Resources[2].Token != "httpd" {
		t.Errorf("snapshot after stop: %+v", snap)
	}
}

func TestStartAdoptsRunning(t *testing.T) {
	h := newHarness(t, RunnerOptions{})
	h.run.do["httpd status"] = &behaviour{out: "httpd (pid 99) is running...\n", err: exitError(0)}
	g := group(t, "node1", "httpd")
	if err := h.r.Start(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	h.log.check(t, "httpd status")
	st := h.r.Snapshot()[0].Resources[0]
	if st.State != Running || !st.Adopted {
		t.Errorf("httpd: %+v, want running, adopted", st)
	}
}

func TestStartFailureRollsBack(t *testing.T) {
	h := newHarness(t, RunnerOptions{})
	h.run.do["mysql start"] = &behaviour{out: "line1\nline2\nline3\nline4\nline5\nline6\nERROR: cannot open /var/lib/mysql\n", err: exitError(1)}
	g := group(t, "node1", "192.0.2.10", "Filesystem::/dev/sda1::/data1", "mysql", "httpd")
	err := h.r.Start(context.Background(), g)
	h.log.check(t,
		"ip add 192.0.2.10",
		"Filesystem /dev/sda1 /data1 status", "Filesystem /dev/sda1 /data1 start",
		"mysql status", "mysql start",
		"mysql stop", "Filesystem /dev/sda1 /data1 stop", "ip del 192.0.2.10")
	var re *ResourceError
	var se *ScriptError
	if !errors.As(err, &re) || re.Resource != "mysql" || re.Op != "start" || re.Rollback != nil || !errors.As(err, &se) {
		t.Fatalf("err = %#v, want a *ResourceError for mysql wrapping a *ScriptError", err)
	}
	msg := err.Error()
	for _, want := range []string{"start group 192.0.2.10", "resource mysql", `"/etc/ha.d/resource.d/mysql" "start"`, "exit status 1", "line3 | line4 | line5 | line6 | ERROR: cannot open /var/lib/mysql"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "line2") {
		t.Errorf("error %q keeps more than the last 5 lines", msg)
	}
	snap := h.r.Snapshot()[0]
	if snap.Resources[2].State != Stopped || snap.Resources[3].State != Unknown {
		t.Errorf("after rollback: %+v", snap.Resources)
	}
}

func TestStartTimeoutUnderSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, RunnerOptions{Timeout: 5 * time.Second})
		h.log.timed = true
		h.run.do["slowd start"] = &behaviour{block: time.Hour}
		g := group(t, "node1", "192.0.2.10", "slowd")
		err := h.r.Start(context.Background(), g)
		h.log.check(t, "0s ip add 192.0.2.10", "0s slowd status", "0s slowd start", "5s slowd stop", "5s ip del 192.0.2.10")
		var se *ScriptError
		if !errors.As(err, &se) || se.ExitStatus != -1 || !errors.Is(err, context.DeadlineExceeded) ||
			!strings.Contains(err.Error(), "timed out after 5s") || !strings.Contains(err.Error(), "killed process group") {
			t.Errorf("err = %v, want a timeout naming the kill", err)
		}
	})
}

func TestStopIdempotentAndRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, RunnerOptions{StopRetries: 3, StopRetryInterval: time.Second})
		h.log.timed = true
		g := group(t, "node1", "192.0.2.10", "flaky")
		h.run.do["flaky stop"] = &behaviour{err: exitError(1), times: 2}
		if err := h.r.Stop(context.Background(), g); err != nil {
			t.Fatal(err)
		}
		h.log.check(t, "0s flaky stop", "1s flaky stop", "2s flaky stop", "2s ip del 192.0.2.10")
	})
}

func TestStopFailureNotLSB(t *testing.T) {
	h := newHarness(t, RunnerOptions{})
	h.run.do["oldscript stop"] = &behaviour{err: exitError(1)} // fails even though stopped
	g := group(t, "node1", "192.0.2.10", "oldscript")
	if err := h.r.Stop(context.Background(), g); err != nil {
		t.Fatalf("stop of a stopped non-LSB script: %v", err)
	}
	h.log.check(t, "oldscript stop", "oldscript status", "ip del 192.0.2.10")
}

func TestStopFailureKeepsAddress(t *testing.T) {
	h := newHarness(t, RunnerOptions{})
	h.run.do["stuck stop"] = &behaviour{out: "cannot stop\n", err: exitError(1)}
	h.run.do["stuck status"] = &behaviour{out: "running\n"}
	g := group(t, "node1", "192.0.2.10", "stuck")
	err := h.r.Stop(context.Background(), g)
	var re *ResourceError
	if !errors.As(err, &re) || re.Op != "stop" || re.Resource != "stuck" {
		t.Fatalf("err = %v, want a stop error for stuck", err)
	}
	h.log.check(t, "stuck stop", "stuck status") // the address stays
	snap := h.r.Snapshot()[0]
	if snap.Resources[1].State != Failed || snap.Resources[1].Err == "" {
		t.Errorf("stuck: %+v", snap.Resources[1])
	}
}

func TestGroupSerialisation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, RunnerOptions{})
		h.log.timed = true
		h.run.do["a start"] = &behaviour{block: time.Second}
		h.run.do["b start"] = &behaviour{block: time.Second}
		ga, gb := group(t, "n", "a"), group(t, "n", "b")
		ctx := context.Background()
		done := make(chan error, 3)
		go func() { done <- h.r.Start(ctx, ga) }()
		go func() { done <- h.r.Start(ctx, gb) }()
		synctest.Wait()
		go func() { done <- h.r.Stop(ctx, ga) }() // waits for a's start
		for range 3 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		got := h.log.get()
		if len(got) != 5 || got[4] != "1s a stop" {
			t.Errorf("calls %q: want both starts in parallel (done at 1s) and a's stop after its start", got)
		}
		// A busy group and a cancelled caller.
		h.run.do["a start"] = &behaviour{block: time.Hour}
		bctx, stopBusy := context.WithCancel(ctx)
		go func() { done <- h.r.Start(bctx, ga) }()
		synctest.Wait()
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if _, err := h.r.Status(cctx, ga); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "busy") {
			t.Errorf("status of a busy group: %v", err)
		}
		stopBusy()
		<-done
	})
}

func TestStatus(t *testing.T) {
	h := newHarness(t, RunnerOptions{})
	h.run.do["httpd status"] = &behaviour{out: "OK\n", err: exitError(3)} // exit status ignored
	h.run.do["broken status"] = &behaviour{err: errors.New("fork/exec: permission denied")}
	g := group(t, "node1", "192.0.2.10", "httpd", "broken")
	gs, err := h.r.Status(context.Background(), g)
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("err = %v, want one naming broken", err)
	}
	var got []string
	for _, r := range gs.Resources {
		got = append(got, r.Token+"="+r.State.String())
	}
	if strings.Join(got, " ") != "192.0.2.10=stopped httpd=running broken=unknown" {
		t.Errorf("status %q", got)
	}
	if _, err := NewRunner(RunnerOptions{}).Status(context.Background(), g); err == nil {
		t.Error("runner without handlers: no error")
	}
}
