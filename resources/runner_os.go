package resources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// commandRunner runs resource scripts. It exists so tests can replace
// real processes with a fake, as tailscale's osrouter commandRunner does.
// Both methods run argv with environment env until it exits or ctx ends;
// when ctx ends first the whole process group is killed and the error
// wraps ctx's cause.
type commandRunner interface {
	// run returns stdout and stderr interleaved (start, stop).
	run(ctx context.Context, env []string, argv ...string) ([]byte, error)
	// output returns stdout only; stderr is dropped (status).
	output(ctx context.Context, env []string, argv ...string) ([]byte, error)
}

// maxOutput bounds what is kept of a script's output: the last 64 KiB.
const maxOutput = 64 << 10

// waitDelay is how long, after a script exits (or is killed), we wait for
// its output pipes to close. A daemon a start script leaves behind may
// hold them open; it then sees EPIPE, as under heartbeat it would write
// to the debug log.
const waitDelay = 2 * time.Second

// osCommandRunner runs real processes, each in a process group of its
// own (Setpgid), so that a timeout kills the script and everything it
// started: kill(-pgid, SIGKILL).
type osCommandRunner struct{}

func (osCommandRunner) run(ctx context.Context, env []string, argv ...string) ([]byte, error) {
	var out tailBuffer
	err := runProcess(ctx, env, argv, &out, &out)
	return out.Bytes(), err
}

func (osCommandRunner) output(ctx context.Context, env []string, argv ...string) ([]byte, error) {
	var out tailBuffer
	err := runProcess(ctx, env, argv, &out, nil)
	return out.Bytes(), err
}

func runProcess(ctx context.Context, env, argv []string, stdout, stderr *tailBuffer) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdout = stdout
	if stderr != nil {
		cmd.Stderr = stderr
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// The child is its group's leader: pgid == pid.
		return unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
	}
	cmd.WaitDelay = waitDelay
	err := cmd.Run()
	if ctx.Err() != nil && cmd.ProcessState != nil && !cmd.ProcessState.Success() {
		return fmt.Errorf("killed process group %d: %w", cmd.Process.Pid, context.Cause(ctx))
	}
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		return nil // exited 0; something it left running kept the pipe
	}
	return err
}

// tailBuffer keeps the last maxOutput bytes written to it. It is used
// by one writer at a time (exec serialises Stdout == Stderr writes).
type tailBuffer struct {
	bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > maxOutput {
		p = p[len(p)-maxOutput:]
	}
	if over := t.Len() + len(p) - maxOutput; over > 0 {
		t.Next(over)
	}
	t.Buffer.Write(p)
	return n, nil
}
