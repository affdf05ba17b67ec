package proc

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "s")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRun(t *testing.T) {
	p := script(t, "echo out; echo err >&2; read x; echo \"in=$x env=$FOO\"; exit ${1:-0}\n")
	out, err := Run(context.Background(), Cmd{Argv: []string{p}, Env: []string{"FOO=bar"}, Stdin: strings.NewReader("hello\n")})
	if err != nil || string(out) != "out\nerr\nin=hello env=bar\n" {
		t.Errorf("Run = %q, %v", out, err)
	}
	out, err = Run(context.Background(), Cmd{Argv: []string{p, "3"}})
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 || LastLine(out) != "in= env=" {
		t.Errorf("exit 3: %q, %v", out, err)
	}
	if _, err := Run(context.Background(), Cmd{Argv: []string{filepath.Join(t.TempDir(), "none")}}); err == nil {
		t.Error("a missing program must fail")
	}
	if _, err := Run(context.Background(), Cmd{}); err == nil {
		t.Error("no argv must fail")
	}
}

// TestRunKillsGroup: on timeout the program and its children die, and
// the error says so (the child holding the pipe does not hold Run up).
func TestRunKillsGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	p := script(t, "sleep 60 & echo $! >"+pidFile+"\nwait\n")
	ctx, cancel := context.WithTimeoutCause(context.Background(), 300*time.Millisecond, errors.New("too slow"))
	defer cancel()
	_, err := Run(ctx, Cmd{Argv: []string{p}})
	if err == nil || !strings.Contains(err.Error(), "killed process group") || !strings.Contains(err.Error(), "too slow") {
		t.Fatalf("err = %v", err)
	}
	b, _ := os.ReadFile(pidFile)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file: %q", b)
	}
	// The grandchild got SIGKILL with its group: its pidfd turns readable
	// when it has exited (bounded wait, no sleep).
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return // gone already
	}
	if err != nil {
		t.Skipf("SKIPPING the grandchild check: pidfd_open: %v", err)
	}
	defer unix.Close(fd)
	if n, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 10000); n != 1 || err != nil {
		t.Errorf("child %d of the killed script still runs (poll %d, %v)", pid, n, err)
	}
}

func TestTail(t *testing.T) {
	var tl Tail
	tl.Write([]byte(strings.Repeat("a", MaxOutput)))
	tl.Write([]byte("end"))
	if tl.Len() != MaxOutput || !strings.HasSuffix(tl.String(), "aend") {
		t.Errorf("tail len %d", tl.Len())
	}
	if got := LastLine([]byte("one\ntwo\n\n")); got != "two" {
		t.Errorf("LastLine = %q", got)
	}
	if got := LastLine(nil); got != "" {
		t.Errorf("LastLine(nil) = %q", got)
	}
}

func TestEnvironLeavesSystemdOut(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "/run/systemd/notify")
	t.Setenv("WATCHDOG_USEC", "1000")
	t.Setenv("UNDERSTUDY_PROC_TEST", "kept")
	env := Environ()
	for _, kv := range env {
		if strings.HasPrefix(kv, "NOTIFY_SOCKET=") || strings.HasPrefix(kv, "WATCHDOG_USEC=") {
			t.Errorf("Environ passes %s on", kv)
		}
	}
	if !slices.Contains(env, "UNDERSTUDY_PROC_TEST=kept") {
		t.Error("Environ dropped an ordinary variable")
	}
}
