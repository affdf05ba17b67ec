// Package proc runs the programs Understudy starts on its own account
// (script monitors, hooks): each in a process group of its own, so that a
// timeout kills the program and everything it started, with what it
// writes kept, bounded.
package proc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// MaxOutput bounds what is kept of a program's output: the last 16 KiB.
const MaxOutput = 16 << 10

// waitDelay is how long, after the program exits or is killed, Run waits
// for its output pipes to close: something it left running may hold them.
const waitDelay = time.Second

// Cmd is one program to run.
type Cmd struct {
	// Argv is the program, an absolute path, and its arguments.
	Argv []string
	// Env is its whole environment ("NAME=value").
	Env []string
	// Stdin is its standard input; nil means /dev/null.
	Stdin io.Reader
}

// Run runs c until it exits or ctx ends; when ctx ends first, the whole
// process group is killed with SIGKILL and the error wraps ctx's cause.
// It returns the last MaxOutput bytes of stdout and stderr, interleaved.
// A non-zero exit is an *exec.ExitError.
func Run(ctx context.Context, c Cmd) ([]byte, error) {
	if len(c.Argv) == 0 {
		return nil, errors.New("no program to run")
	}
	var out Tail
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Env, c.Stdin, &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// The child leads its own group: pgid == pid.
		return unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
	}
	cmd.WaitDelay = waitDelay
	err := cmd.Run()
	switch {
	case ctx.Err() != nil && cmd.ProcessState != nil && !cmd.ProcessState.Success():
		err = fmt.Errorf("killed process group %d: %w", cmd.Process.Pid, context.Cause(ctx))
	case errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success():
		err = nil // exited 0; something it left running kept the pipe
	}
	return out.Bytes(), err
}

// LastLine returns the last non-blank line of out, shortened to 200
// bytes: what a log line or a status reason can quote of a program.
func LastLine(out []byte) string {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	l := string(bytes.TrimSpace(lines[len(lines)-1]))
	if len(l) > 200 {
		l = l[:200] + "..."
	}
	return l
}

// Tail keeps the last MaxOutput bytes written to it. exec serialises
// writes when Stdout and Stderr are the same writer.
type Tail struct{ bytes.Buffer }

func (t *Tail) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > MaxOutput {
		p = p[len(p)-MaxOutput:]
	}
	if over := t.Len() + len(p) - MaxOutput; over > 0 {
		t.Next(over)
	}
	t.Buffer.Write(p)
	return n, nil
}

// systemdOnly are the variables of the daemon's environment that belong
// to the daemon alone: systemd's notification socket, watchdog and
// socket activation. A program the daemon starts must not inherit them,
// or it could tell systemd things in the daemon's name.
var systemdOnly = []string{"NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=", "LISTEN_FDS=", "LISTEN_PID=", "LISTEN_FDNAMES="}

// Environ is the daemon's environment without what belongs to the daemon
// alone (systemdOnly): the base environment of the programs it starts.
func Environ() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return slices.ContainsFunc(systemdOnly, func(p string) bool { return strings.HasPrefix(kv, p) })
	})
}
