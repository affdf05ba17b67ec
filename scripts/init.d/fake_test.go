package initd

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/resources"
)

// fakeUnderstudy stands in for the binary: it records each call in
// $FAKE_DIR/calls (and the environment variables it got in
// $FAKE_DIR/env); "daemon" runs until SIGTERM (then sleeps
// $FAKE_RELEASE seconds, as if releasing groups); "status" answers while
// the daemon runs; marker files in $FAKE_DIR make check or the daemon
// fail, or the daemon ignore SIGTERM.
const fakeUnderstudy = `#!/bin/sh
echo "$*" >>"$FAKE_DIR/calls"
echo "$1 ${UNDERSTUDY_HA_DIR-unset} ${UNDERSTUDY_SOCKET-unset}" >>"$FAKE_DIR/env"
case $1 in
check)
	if [ -e "$FAKE_DIR/check-fails" ]; then echo "ha.cf:3: error: bad directive"; exit 1; fi
	exit 0 ;;
status)
	[ -e "$FAKE_DIR/up" ] || { echo "understudy status: no daemon" >&2; exit 1; }
	if case " $* " in *" --json "*) true ;; *) false ;; esac; then cat "$FAKE_DIR/status.json"; else echo "understudy test on node1: active"; fi
	exit 0 ;;
daemon)
	if [ -e "$FAKE_DIR/daemon-fails" ]; then echo "understudy: no heartbeat link could be opened" >&2; exit 1; fi
	trap 'echo hup >>"$FAKE_DIR/calls"' HUP
	if [ -e "$FAKE_DIR/ignore-term" ]; then
		trap 'echo term-ignored >>"$FAKE_DIR/calls"' TERM
	else
		trap 'echo term >>"$FAKE_DIR/calls"; rm -f "$FAKE_DIR/up"; sleep "${FAKE_RELEASE:-0}"; echo released >>"$FAKE_DIR/calls"; exit 0' TERM
	fi
	touch "$FAKE_DIR/up"
	while :; do sleep 1 & wait $!; done ;;
esac
exit 2
`

// env is one test's machine: a configuration directory, a run
// directory and the fake binary.
type env struct {
	t                         *testing.T
	dir, fake, run, conf, out string
	extra                     []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, dir: dir, fake: filepath.Join(dir, "fake"), run: filepath.Join(dir, "run"),
		conf: filepath.Join(dir, "ha.d"), out: filepath.Join(dir, "understudy.out")}
	for _, d := range []string{e.fake, e.conf, filepath.Join(dir, "bin")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e.write(filepath.Join(dir, "bin", "understudy"), fakeUnderstudy, 0o755)
	e.write(filepath.Join(e.conf, "ha.cf"), "node node1 node2\nbcast eth0\ndeadtime 10\n", 0o644)
	st := control.Status{Node: "node1", Version: "test", Cluster: cluster.Snapshot{Self: "node1", Groups: []cluster.GroupStatus{
		{Key: "192.0.2.10", Preferred: "node1", State: "running", Owner: "node1"},
		{Key: "httpd", Preferred: "node2", State: "stopped", Owner: "node2"},
		{Key: "192.0.2.30", Preferred: "node2", State: "running", Owner: "node1"},
	}}, Groups: []resources.GroupStatus{{Key: "httpd"}}}
	js, err := json.MarshalIndent(st, "", "  ") // as understudy status --json prints it
	if err != nil {
		t.Fatal(err)
	}
	e.write(filepath.Join(e.fake, "status.json"), string(js)+"\n", 0o644)
	t.Cleanup(e.killDaemon)
	return e
}

func (e *env) write(path, text string, mode os.FileMode) {
	e.t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) mark(name string) { e.write(filepath.Join(e.fake, name), "", 0o644) }
func (e *env) unmark(name string) {
	if err := os.Remove(filepath.Join(e.fake, name)); err != nil {
		e.t.Fatal(err)
	}
}

// shell is dash when present: the script must not need bash.
func shell() string {
	if p, err := exec.LookPath("dash"); err == nil {
		return p
	}
	return "sh"
}

// do runs the init script with action; it returns the output and the
// exit status. Every run is bounded.
func (e *env) do(action string) (string, int) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, shell(), "understudy", action)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"FAKE_DIR=" + e.fake,
		"UNDERSTUDY_BIN=" + filepath.Join(e.dir, "bin", "understudy"),
		"UNDERSTUDY_HA_DIR=" + e.conf,
		"UNDERSTUDY_RUNDIR=" + e.run,
		"UNDERSTUDY_OUT=" + e.out,
		"UNDERSTUDY_DEFAULTS=" + filepath.Join(e.dir, "no-defaults"),
		"UNDERSTUDY_START_TIMEOUT=10",
		"UNDERSTUDY_STOP_TIMEOUT=10",
		"UNDERSTUDY_RESTART_WAIT=0",
		"UNDERSTUDY_SKIP_ROOT_CHECK=1",
		"UNDERSTUDY_NO_LSB=1",
	}, e.extra...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit) && ctx.Err() == nil:
		return string(out), exit.ExitCode()
	}
	e.t.Fatalf("init script %s: %v\n%s", action, err, out)
	return "", 0
}

// expect runs action and checks its exit status and that its output
// holds each of want.
func (e *env) expect(action string, code int, want ...string) string {
	e.t.Helper()
	out, got := e.do(action)
	if got != code {
		e.t.Errorf("%s: exit %d, want %d\n%s", action, got, code, out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			e.t.Errorf("%s: output lacks %q:\n%s", action, w, out)
		}
	}
	return out
}

// pid is the pid file's content, 0 if there is none.
func (e *env) pid() int {
	b, err := os.ReadFile(filepath.Join(e.run, "understudy.pid"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// calls lists the fake's calls so far.
func (e *env) calls() []string {
	b, _ := os.ReadFile(filepath.Join(e.fake, "calls"))
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func (e *env) count(prefix string) int {
	n := 0
	for _, c := range e.calls() {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

// eventually waits (at most 5 s) for cond.
func (e *env) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s; calls: %q", what, e.calls())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive: the process runs and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return pid > 0 && syscall.Kill(pid, 0) == nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z'
}

// killDaemon kills the daemon this test started, if it still runs.
func (e *env) killDaemon() {
	pid := e.pid()
	cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if pid > 0 && alive(pid) && strings.Contains(string(cmdline), e.dir) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}
