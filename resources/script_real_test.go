package resources

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// hbtest records how it is called, like the lab script of heartbeat-spec
// §8.2, and keeps its state in a file next to the log.
const hbtest = `#!/bin/sh
d=$(dirname "$0")/..
echo "$(basename "$0") $* cur=$HA_CURHOST dir=$HA_DIR funcs=$HA_FUNCS ocf=$OCF_ROOT foo=$HA_FOO" >> "$d/calls.log"
for op; do :; done
case "$op" in
start) touch "$d/$(basename "$0").up" ;;
stop) rm -f "$d/$(basename "$0").up" ;;
status) if [ -e "$d/$(basename "$0").up" ]; then echo "Running OK"; exit 3; else echo "Resource is stopped"; fi ;;
esac
exit 0
`

// scriptDir makes DIR/resource.d with the given scripts, and returns
// Scripts wired to it.
func scriptDir(t *testing.T, scripts map[string]string) (string, *Scripts) {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "resource.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, "resource.d", name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := ScriptEnv{Base: []string{"PATH=/usr/bin:/bin"}, CurHost: "node1", Dir: dir, Vars: []config.EnvVar{{Name: "FOO", Value: "bar"}}}
	s := NewScripts(ScriptOptions{Dir: dir, Lookup: config.Env{Stat: os.Stat, InitDir: filepath.Join(dir, "init.d")},
		Env: env.Environ(), Logger: testLogger(t)})
	return dir, s
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestRealScripts(t *testing.T) {
	dir, s := scriptDir(t, map[string]string{"hbtest": hbtest, "other": hbtest})
	r := NewRunner(RunnerOptions{Scripts: s, Timeout: 30 * time.Second, Logger: testLogger(t)})
	g := group(t, "node1", "hbtest::alpha::beta", "other")
	ctx := context.Background()
	if err := r.Start(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx, g); err != nil { // again: both adopted
		t.Fatal(err)
	}
	gs, err := r.Status(ctx, g)
	if err != nil || gs.Summary() != "ALL" {
		t.Errorf("status = %+v, %v; want ALL running", gs, err)
	}
	if err := r.Stop(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := r.Stop(ctx, g); err != nil { // stopping a stopped group
		t.Fatal(err)
	}
	env := " cur=node1 dir=" + dir + "/ funcs=" + dir + "//shellfuncs ocf=/usr/lib/ocf foo=bar"
	want := []string{
		"hbtest alpha beta status", "hbtest alpha beta start", "other status", "other start",
		"hbtest alpha beta status", "other status",
		"hbtest alpha beta status", "other status",
		"other stop", "hbtest alpha beta stop",
		"other stop", "hbtest alpha beta stop",
	}
	got := readLines(t, filepath.Join(dir, "calls.log"))
	if len(got) != len(want) {
		t.Fatalf("calls:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if got[i] != want[i]+env {
			t.Errorf("call %d: %q, want %q", i, got[i], want[i]+env)
		}
	}
}

func TestRealScriptFailure(t *testing.T) {
	_, s := scriptDir(t, map[string]string{"bad": "#!/bin/sh\n[ \"$1\" = status ] && exit 0\necho starting\necho 'ERROR: no config' >&2\nexit 3\n"})
	r := NewRunner(RunnerOptions{Scripts: s, Timeout: 30 * time.Second})
	err := r.Start(context.Background(), group(t, "n", "bad"))
	var se *ScriptError
	if !errors.As(err, &se) || se.ExitStatus != 3 || se.Output != "starting | ERROR: no config" {
		t.Fatalf("err = %#v", err)
	}
	if !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "/resource.d/bad\" \"start\"") {
		t.Errorf("message %q", err)
	}
	_, err = s.Status(context.Background(), group(t, "n", "missing").Resources[0])
	if err == nil || !strings.Contains(err.Error(), "cannot locate resource script missing") {
		t.Errorf("missing script: %v", err)
	}
}

// TestRealScriptTimeoutKillsGroup starts a script that starts a child
// sleep and waits; on timeout both must die.
func TestRealScriptTimeoutKillsGroup(t *testing.T) {
	dir, s := scriptDir(t, map[string]string{"hang": "#!/bin/sh\n[ \"$1\" = start ] || exit 0\nsleep 300 &\necho $! > \"$(dirname \"$0\")/../child.pid\"\nwait\n"})
	r := NewRunner(RunnerOptions{Scripts: s, Timeout: 500 * time.Millisecond})
	t0 := time.Now()
	err := r.Start(context.Background(), group(t, "n", "hang"))
	elapsed := time.Since(t0)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "killed process group") {
		t.Fatalf("err = %v, want a timeout that killed the process group", err)
	}
	if elapsed > 60*time.Second {
		t.Errorf("Start returned after %v; the timeout is 500ms", elapsed)
	}
	b, err := os.ReadFile(filepath.Join(dir, "child.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) }) // our own child, by PID, if still there
	if !gone(pid, 10*time.Second) {
		t.Errorf("the script's child sleep (pid %d) survived the timeout", pid)
	}
	t.Logf("timeout 500ms: Start returned after %v (with rollback stop)", elapsed)
}

// gone waits, bounded, until pid no longer runs (absent, or a zombie
// waiting for a reaper).
func gone(pid int, wait time.Duration) bool {
	for end := time.Now().Add(wait); ; time.Sleep(20 * time.Millisecond) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return true
		}
		if f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:])); len(f) > 0 && f[0] == "Z" {
			return true
		}
		if time.Now().After(end) {
			return false
		}
	}
}

// TestRealScriptLeavesDaemon: a start script that leaves a process
// holding its stdout must not hold the group start beyond waitDelay.
func TestRealScriptLeavesDaemon(t *testing.T) {
	dir, s := scriptDir(t, map[string]string{"daemonish": "#!/bin/sh\n[ \"$1\" = status ] && exit 0\nsleep 300 &\necho $! > \"$(dirname \"$0\")/../daemon.pid\"\necho started\nexit 0\n"})
	r := NewRunner(RunnerOptions{Scripts: s, Timeout: 60 * time.Second})
	t0 := time.Now()
	err := r.Start(context.Background(), group(t, "n", "daemonish"))
	elapsed := time.Since(t0)
	if b, rerr := os.ReadFile(filepath.Join(dir, "daemon.pid")); rerr == nil {
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
		if gone(pid, 0) {
			t.Error("the daemon the script left was killed")
		}
	}
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if elapsed > 30*time.Second {
		t.Errorf("start took %v: the left-over process held it", elapsed)
	}
}
