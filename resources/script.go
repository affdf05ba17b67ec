package resources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/understudy-ha/understudy/config"
)

// ScriptError is a failed script call. It names the resource, the argv,
// the exit status and the end of the output.
type ScriptError struct {
	Resource string
	Argv     []string
	// ExitStatus is the exit status, or -1 when the script did not exit
	// (killed, or could not be run).
	ExitStatus int
	// Output is the last lines of stdout and stderr.
	Output string
	Err    error
}

func (e *ScriptError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource %s: running %q failed", e.Resource, e.Argv)
	if e.ExitStatus >= 0 {
		fmt.Fprintf(&b, " with exit status %d", e.ExitStatus)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Output != "" {
		fmt.Fprintf(&b, "; output ends: %s", e.Output)
	}
	return b.String()
}

func (e *ScriptError) Unwrap() error { return e.Err }

// outputTailLines is how many lines of output a ScriptError keeps.
const outputTailLines = 5

// ScriptOptions configure Scripts.
type ScriptOptions struct {
	// Dir is the configuration directory (/etc/ha.d); scripts are looked
	// up as config.Env.Resolve says: Dir/resource.d, Lookup.InitDir, Lookup.LibDir.
	Dir string
	// Lookup finds scripts (config.SystemEnv for the real machine).
	Lookup config.Env
	// Env is the scripts' environment, from ScriptEnv.Environ.
	Env []string
	// Logger gets each call at Info and its output at Debug. Nil discards.
	Logger *slog.Logger
}

// Scripts is the Handler for resources carried out by scripts.
type Scripts struct {
	opts ScriptOptions
	run  commandRunner
	log  *slog.Logger
	env  atomic.Pointer[[]string] // opts.Env, until setEnv
}

var _ Handler = (*Scripts)(nil)

// NewScripts returns a Scripts running real processes. It does no I/O.
func NewScripts(opts ScriptOptions) *Scripts {
	return newScripts(opts, osCommandRunner{})
}

func newScripts(opts ScriptOptions, run commandRunner) *Scripts {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Scripts{opts: opts, run: run, log: log.With("component", "scripts")}
	s.env.Store(&opts.Env)
	return s
}

// setEnv gives the calls to come a new environment (a reload); a call
// that runs keeps the one it started with.
func (s *Scripts) setEnv(env []string) { s.env.Store(&env) }

// argv resolves the script and builds `path ARGS... op`.
func (s *Scripts) argv(r config.Resource, op string) ([]string, error) {
	h, err := s.opts.Lookup.Resolve(s.opts.Dir, r)
	if err != nil {
		return nil, fmt.Errorf("resource %s: %w", r.Token, err)
	}
	return append(append([]string{h.Path}, r.Args...), op), nil
}

// Start runs `script ARGS... status` and, unless that says running (then
// the resource is adopted), `script ARGS... start`, which must exit 0.
// That is heartbeat's takegroup (heartbeat-spec §2.5).
func (s *Scripts) Start(ctx context.Context, r config.Resource) (bool, error) {
	running, err := s.Status(ctx, r)
	if err != nil {
		return false, err
	}
	if running {
		return true, nil
	}
	return false, s.call(ctx, r, "start")
}

// Stop runs `script ARGS... stop`, which must exit 0, also when the
// resource is already stopped (LSB).
func (s *Scripts) Stop(ctx context.Context, r config.Resource) error {
	return s.call(ctx, r, "stop")
}

// Status runs `script ARGS... status` and judges its stdout with
// StatusRunning; the exit status is ignored. An error means the script
// could not be run or timed out.
func (s *Scripts) Status(ctx context.Context, r config.Resource) (bool, error) {
	argv, err := s.argv(r, "status")
	if err != nil {
		return false, err
	}
	out, err := s.run.output(ctx, *s.env.Load(), argv...)
	if err != nil && exitStatus(err) < 0 {
		return false, scriptError(r, argv, out, err)
	}
	s.log.Debug("status output", "resource", r.Token, "output", string(out))
	return StatusRunning(out), nil
}

func (s *Scripts) call(ctx context.Context, r config.Resource, op string) error {
	argv, err := s.argv(r, op)
	if err != nil {
		return err
	}
	s.log.Info("running resource script", "resource", r.Token, "argv", argv)
	out, err := s.run.run(ctx, *s.env.Load(), argv...)
	if len(out) > 0 {
		s.log.Debug("script output", "resource", r.Token, "op", op, "output", string(out))
	}
	if err != nil {
		return scriptError(r, argv, out, err)
	}
	return nil
}

func scriptError(r config.Resource, argv []string, out []byte, err error) *ScriptError {
	e := &ScriptError{Resource: r.Token, Argv: argv, ExitStatus: exitStatus(err), Output: tail(out, outputTailLines), Err: err}
	if e.ExitStatus >= 0 {
		e.Err = nil // the exit status says it all
	}
	return e
}

// exitStatus returns the exit status carried by err (*exec.ExitError, or
// a fake with the same method), or -1 when the process did not exit.
func exitStatus(err error) int {
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return -1
}

// tail returns the last n lines of b, joined with " | ".
func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(bytes.ToValidUTF8(b, []byte("?"))), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, " | "))
}
