package resources

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// started is a harness whose group g runs, with the calls of its start
// forgotten.
func started(t *testing.T, tokens ...string) (*harness, []string) {
	t.Helper()
	h := newHarness(t, RunnerOptions{})
	g := group(t, "node1", tokens...)
	if err := h.r.Start(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	h.log.mu.Lock()
	h.log.calls = nil
	h.log.mu.Unlock()
	return h, tokens
}

func (h *harness) holds(a string) bool {
	h.ip.mu.Lock()
	defer h.ip.mu.Unlock()
	return h.ip.held[netip.MustParseAddr(a)]
}

// TestRestartKeepsAddresses: a restart in place stops the scripts right
// to left and starts them left to right; the addresses, wherever they
// stand in the group, are not touched.
func TestRestartKeepsAddresses(t *testing.T) {
	h, toks := started(t, "192.0.2.10", "Filesystem::/dev/sda1::/data1", "httpd", "192.0.2.11")
	g := group(t, "node1", toks...)
	if err := h.r.Restart(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	h.log.check(t, "httpd stop", "Filesystem /dev/sda1 /data1 stop",
		"Filesystem /dev/sda1 /data1 status", "Filesystem /dev/sda1 /data1 start", "httpd status", "httpd start")
	if !h.holds("192.0.2.10") || !h.holds("192.0.2.11") {
		t.Error("an address was let go by a restart in place")
	}
	if s := h.r.Snapshot()[0].Summary(); s != "ALL" {
		t.Errorf("after the restart the group is %s, want ALL running", s)
	}
}

// TestRestartStartFails: a script that does not start again stops what
// the restart started, right to left, addresses kept, and the error
// names it as a start's would.
func TestRestartStartFails(t *testing.T) {
	h, toks := started(t, "192.0.2.10", "Filesystem::/dev/sda1::/data1", "mysql", "httpd")
	g := group(t, "node1", toks...)
	h.run.do["mysql start"] = &behaviour{out: "cannot open /var/lib/mysql\n", err: exitError(1)}
	err := h.r.Restart(context.Background(), g)
	var re *ResourceError
	if !errors.As(err, &re) || re.Op != "start" || re.Resource != "mysql" || re.Rollback != nil {
		t.Fatalf("err = %v, want a start error of mysql with a clean rollback", err)
	}
	h.log.check(t, "httpd stop", "mysql stop", "Filesystem /dev/sda1 /data1 stop",
		"Filesystem /dev/sda1 /data1 status", "Filesystem /dev/sda1 /data1 start", "mysql status", "mysql start",
		"mysql stop", "Filesystem /dev/sda1 /data1 stop")
	if !h.holds("192.0.2.10") {
		t.Error("the address was let go: the cluster releases the group, not the restart")
	}
}

// TestRestartStopFails: a script that will not stop ends the restart
// there: nothing is started, and what stands to its left still runs.
func TestRestartStopFails(t *testing.T) {
	h, toks := started(t, "192.0.2.10", "Filesystem::/dev/sda1::/data1", "stuck")
	g := group(t, "node1", toks...)
	h.run.do["stuck stop"] = &behaviour{out: "cannot stop\n", err: exitError(1)}
	h.run.do["stuck status"] = &behaviour{out: "running\n"}
	err := h.r.Restart(context.Background(), g)
	var re *ResourceError
	if !errors.As(err, &re) || re.Op != "stop" || re.Resource != "stuck" {
		t.Fatalf("err = %v, want a stop error of stuck", err)
	}
	h.log.check(t, "stuck stop", "stuck status")
	if st := h.r.Snapshot()[0].Resources; st[1].State != Running || st[2].State != Failed {
		t.Errorf("after the failed stop: %+v, want Filesystem running and stuck failed", st)
	}
}

// TestCheckScripts: a status monitor's probe asks the scripts only, and
// fails naming the first script that does not run or cannot tell; it
// records nothing in the status view.
func TestCheckScripts(t *testing.T) {
	h, toks := started(t, "192.0.2.10", "Filesystem::/dev/sda1::/data1", "httpd")
	g := group(t, "node1", toks...)
	ctx := context.Background()
	before := h.r.Snapshot()
	h.run.do["Filesystem status"] = &behaviour{out: "running\n"}
	h.run.do["httpd status"] = &behaviour{out: "httpd (pid 7) is running...\n"}
	if err := h.r.CheckScripts(ctx, g); err != nil {
		t.Errorf("every script runs: %v", err)
	}
	h.log.check(t, "Filesystem /dev/sda1 /data1 status", "httpd status")
	h.run.do["httpd status"] = &behaviour{out: "httpd is not running\n", err: exitError(3)}
	if err := h.r.CheckScripts(ctx, g); err == nil || !strings.Contains(err.Error(), "httpd is not running") {
		t.Errorf("httpd stopped: err = %v, want one naming httpd", err)
	}
	h.run.do["httpd status"] = &behaviour{err: errors.New("fork/exec: permission denied")}
	var re *ResourceError
	if err := h.r.CheckScripts(ctx, g); !errors.As(err, &re) || re.Op != "status" || re.Resource != "httpd" {
		t.Errorf("httpd's status cannot run: err = %v, want a status error of httpd", err)
	}
	if after := h.r.Snapshot(); after[0].Resources[2].Since != before[0].Resources[2].Since || after[0].Resources[2].State != Running {
		t.Errorf("a probe changed the status view: %+v -> %+v", before, after)
	}
	if err := h.r.CheckScripts(ctx, group(t, "node1", "192.0.2.20")); err == nil || !strings.Contains(err.Error(), "no resource script") {
		t.Errorf("a group of addresses only: err = %v, want one saying it has no script", err)
	}
}
