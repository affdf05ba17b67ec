package fence

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// script writes an executable shell script and returns its path.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fence-program")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// cfgWith is a configuration with the given fence command and stonith
// devices; timeout is the [fence] timeout.
func cfgWith(command []string, timeout time.Duration, devices ...config.StonithDevice) *config.Config {
	c := &config.Config{Settings: config.DefaultSettings()}
	c.Settings.Fence.Command = command
	c.Settings.Fence.Timeout = timeout
	c.Stonith = devices
	return c
}

func TestNew(t *testing.T) {
	if f := New(cfgWith(nil, time.Second), "node1", Options{}); f != nil {
		t.Errorf("nothing configured, but a Fencer: %v", f.Methods())
	}
	devs := []config.StonithDevice{
		{Line: 3, Host: "node2", Type: "external/ipmi", Params: []string{"node1"}},
		{Line: 4, Host: "*", Type: "null", Params: []string{"node2"}},
		{Line: 5, Host: "node1", Type: "meatware", Params: []string{"node2"}},
	}
	want := []string{"stonith null (ha.cf line 4)", "stonith meatware (ha.cf line 5)"}
	if got := New(cfgWith(nil, time.Second, devs...), "node1", Options{}).Methods(); !reflect.DeepEqual(got, want) {
		t.Errorf("node1 methods %q, want %q", got, want)
	}
	if f := New(cfgWith(nil, time.Second, devs[0]), "node1", Options{}); f != nil {
		t.Errorf("a device for node2 only, but node1 fences: %v", f.Methods())
	}
	if got := New(cfgWith([]string{"/usr/local/sbin/fence-node", "-x"}, time.Second), "node1", Options{}).Methods(); !reflect.DeepEqual(got, []string{"fence command /usr/local/sbin/fence-node"}) {
		t.Errorf("command methods %q", got)
	}
}

func TestFenceCommand(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "record")
	prog := script(t, `echo "$@ $UNDERSTUDY_NODE $UNDERSTUDY_LOCAL_NODE $UNDERSTUDY_FENCE_ACTION $KEEP" > `+rec+`
echo "resetting $1 via the PDU" >&2
echo "outlet 4 off"; echo
`)
	c := cfgWith([]string{prog, "--lab"}, 10*time.Second)
	c.Settings.Fence.Action = config.FenceOff
	f := New(c, "node1", Options{Env: []string{"KEEP=kept", "PATH=/usr/bin:/bin"}})
	r := f.Fence(context.Background(), "node2")
	if !r.OK() || len(r.Attempts) != 1 || r.Attempts[0].Output != "outlet 4 off" || r.String() != "node node2 fenced by fence command "+prog {
		t.Fatalf("result %+v: %s", r, r)
	}
	b, _ := os.ReadFile(rec)
	if got := strings.TrimSpace(string(b)); got != "--lab node2 node2 node1 off kept" {
		t.Errorf("the program saw %q", got)
	}
}

func TestFenceFails(t *testing.T) {
	prog := script(t, "echo trying; echo 'PDU 192.0.2.200 unreachable' >&2; exit 3\n")
	r := New(cfgWith([]string{prog}, 10*time.Second), "node1", Options{}).Fence(context.Background(), "node2")
	if r.OK() || len(r.Attempts) != 1 || r.Attempts[0].Output != "PDU 192.0.2.200 unreachable" ||
		!strings.Contains(r.Attempts[0].Err.Error(), "exit status 3") {
		t.Fatalf("result %+v", r)
	}
	if s := r.String(); !strings.HasPrefix(s, "fencing node node2 failed: fence command "+prog+": ") || !strings.Contains(s, `(last line: "PDU 192.0.2.200 unreachable")`) {
		t.Errorf("String() = %s", s)
	}
	missing := New(cfgWith([]string{"/nonexistent/fence"}, 10*time.Second), "node1", Options{}).Fence(context.Background(), "node2")
	if missing.OK() || missing.Attempts[0].Err == nil {
		t.Errorf("a missing program fenced: %+v", missing)
	}
}

// dead reports whether pid is gone or a zombie.
func dead(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] == "Z"
}

// waitDead waits, boundedly, for pid to be gone.
func waitDead(t *testing.T, pid int) {
	t.Helper()
	for i := 0; !dead(pid) && i < 500; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !dead(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("process %d still runs", pid)
	}
}

// TestFenceTimeout: a program that hangs is killed, with what it
// started, at the timeout; the next device is tried. The stand-in for
// stonith(8) hangs for type "hangs" and succeeds for "works".
func TestFenceTimeout(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child")
	fake := script(t, `case "$2" in
hangs) sleep 100 & echo $! > `+pidFile+`; echo waiting for the PDU; wait;;
works) echo "$7" off;;
esac
`)
	// 2s leave a loaded machine time to start the shell and let it
	// write; the test does not depend on when the kill comes.
	c := cfgWith(nil, 2*time.Second,
		config.StonithDevice{Line: 1, Host: "*", Type: "hangs"}, config.StonithDevice{Line: 2, Host: "*", Type: "works"})
	r := New(c, "node1", Options{Stonith: fake}).Fence(context.Background(), "node2")
	if !r.OK() || len(r.Attempts) != 2 || !strings.Contains(r.Attempts[0].Err.Error(), "no answer within 2s; process group killed") ||
		r.Attempts[0].Output != "waiting for the PDU" || r.String() != "node node2 fenced by stonith works (ha.cf line 2)" {
		t.Fatalf("result %+v", r.Attempts)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	waitDead(t, pid)
}

func TestFenceCancelled(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	prog := script(t, "echo $$ > "+pidFile+"\nexec sleep 100\n")
	f := New(cfgWith([]string{prog}, time.Hour), "node1", Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result)
	go func() { done <- f.Fence(ctx, "node2") }()
	for i := 0; i < 500; i++ {
		if b, _ := os.ReadFile(pidFile); len(b) > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel() // an operator confirmed by hand
	r := <-done
	if r.OK() || !strings.Contains(r.Attempts[0].Err.Error(), "context canceled") {
		t.Errorf("result %+v", r)
	}
	if r := f.Fence(ctx, "node2"); len(r.Attempts) != 0 || r.OK() {
		t.Errorf("a cancelled context still ran %+v", r)
	}
}

// TestStonithArgv: the stonith(8) command line, and the parameter file
// of a stonith_host line, readable by its owner only and removed after.
func TestStonithArgv(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "record")
	fake := script(t, `echo "$@" > `+rec+`
while [ $# -gt 0 ]; do if [ "$1" = -F ]; then stat -c %a "$2" >> `+rec+`; cat "$2" >> `+rec+`; echo "$2" >> `+rec+`; fi; shift; done
`)
	tmp := t.TempDir()
	c := cfgWith(nil, 10*time.Second, config.StonithDevice{Line: 7, Host: "node1", Type: "external/ipmi", Params: []string{"node2", "192.0.2.52", "admin", "s3cret", "lanplus"}})
	c.Settings.Fence.Action = config.FenceOff
	r := New(c, "node1", Options{Stonith: fake, TempDir: tmp}).Fence(context.Background(), "node2")
	if !r.OK() {
		t.Fatalf("result %s", r)
	}
	b, _ := os.ReadFile(rec)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "-t external/ipmi -F "+tmp+"/understudy-stonith-") || !strings.HasSuffix(lines[0], " -T off node2") ||
		lines[1] != "600" || lines[2] != "node2 192.0.2.52 admin s3cret lanplus" {
		t.Errorf("stonith saw:\n%s", b)
	}
	if len(lines) == 4 {
		if _, err := os.Stat(lines[3]); err == nil {
			t.Errorf("parameter file %s left behind", lines[3])
		}
	}
	c = cfgWith(nil, 10*time.Second, config.StonithDevice{Line: 7, Host: "*", Type: "baytech", ConfigFile: "/etc/ha.d/baytech.cfg"})
	New(c, "node1", Options{Stonith: fake}).Fence(context.Background(), "node2")
	if b, _ := os.ReadFile(rec); !strings.HasPrefix(string(b), "-t baytech -F /etc/ha.d/baytech.cfg -T reset node2\n") {
		t.Errorf("stonith line: stonith saw %q", b)
	}
}
