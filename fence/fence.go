package fence

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/proc"
)

// Options configure a Fencer.
type Options struct {
	// Stonith is the stonith(8) program. Default config.StonithProgram.
	Stonith string
	// Env is the base environment of the programs; nil means the
	// daemon's own (proc.Environ).
	Env []string
	// TempDir is where the parameters of a stonith_host line are written
	// for stonith -F, in a file only root can read, for as long as the
	// attempt runs. Default os.TempDir().
	TempDir string
}

// method is one way to fence a node: a fence command, or one stonith
// device.
type method struct {
	desc    string
	command []string              // the fence command, without the node
	device  *config.StonithDevice // or a stonith device
}

// Fencer fences the peers of one node, as its configuration says. It
// holds no state between calls and is safe for concurrent use.
type Fencer struct {
	local   string
	methods []method
	action  config.FenceAction
	timeout time.Duration
	opts    Options
}

// New returns how local fences its peers under cfg: its fence command,
// or the stonith devices it may use (stonith lines, and stonith_host
// lines naming * or local), in ha.cf order. Nil when local does not
// fence: then a dead peer's groups are taken without fencing, as
// heartbeat does without STONITH.
func New(cfg *config.Config, local string, opts Options) *Fencer {
	f := &Fencer{local: local, action: cfg.Settings.Fence.Action, timeout: cfg.Settings.Fence.Timeout, opts: opts}
	if f.opts.Stonith == "" {
		f.opts.Stonith = config.StonithProgram
	}
	if f.opts.TempDir == "" {
		f.opts.TempDir = os.TempDir()
	}
	if c := cfg.Settings.Fence.Command; len(c) > 0 {
		f.methods = append(f.methods, method{desc: "fence command " + c[0], command: c})
	}
	for _, d := range cfg.Stonith {
		if d.UsableBy(local) {
			f.methods = append(f.methods, method{desc: fmt.Sprintf("stonith %s (%s line %d)", d.Type, config.HACFFile, d.Line), device: &d})
		}
	}
	if len(f.methods) == 0 {
		return nil
	}
	return f
}

// Methods describes the ways the Fencer tries, in order.
func (f *Fencer) Methods() []string {
	out := make([]string, len(f.methods))
	for i, m := range f.methods {
		out[i] = m.desc
	}
	return out
}

// Attempt is one program run to fence a node.
type Attempt struct {
	// Method is the fence command or stonith device, as Methods says.
	Method string
	// Output is the last line the program wrote ("" if none).
	Output string
	// Err is nil when the program exited 0: the node is fenced. Else
	// why not: its exit status, the timeout, or why it could not run.
	Err error
}

// Result is the outcome of Fence.
type Result struct {
	Node string
	// Attempts are the programs run, in order; when the node is fenced
	// the last one did it.
	Attempts []Attempt
}

// OK reports whether the node is fenced.
func (r Result) OK() bool {
	return len(r.Attempts) > 0 && r.Attempts[len(r.Attempts)-1].Err == nil
}

// String says in one line what happened, for the log.
func (r Result) String() string {
	if r.OK() {
		a := r.Attempts[len(r.Attempts)-1]
		return fmt.Sprintf("node %s fenced by %s", r.Node, a.Method)
	}
	var why []string
	for _, a := range r.Attempts {
		s := fmt.Sprintf("%s: %v", a.Method, a.Err)
		if a.Output != "" {
			s += fmt.Sprintf(" (last line: %q)", a.Output)
		}
		why = append(why, s)
	}
	if len(why) == 0 {
		why = append(why, "nothing was tried")
	}
	return fmt.Sprintf("fencing node %s failed: %s", r.Node, strings.Join(why, "; "))
}

// Fence fences node: it runs each method in turn until one exits 0. Each
// run is bounded by [fence] timeout, after which its process group is
// killed; ctx ends them all early (an operator confirmed by hand, the
// daemon stops).
func (f *Fencer) Fence(ctx context.Context, node string) Result {
	r := Result{Node: node}
	for _, m := range f.methods {
		if ctx.Err() != nil {
			break
		}
		a := f.attempt(ctx, m, node)
		r.Attempts = append(r.Attempts, a)
		if a.Err == nil {
			break
		}
	}
	return r
}

func (f *Fencer) attempt(ctx context.Context, m method, node string) Attempt {
	a := Attempt{Method: m.desc}
	var argv []string
	if m.device != nil {
		var cleanup func()
		var err error
		argv, cleanup, err = f.stonithArgv(*m.device, node)
		if err != nil {
			a.Err = err
			return a
		}
		defer cleanup()
	} else {
		argv = append(append([]string{}, m.command...), node)
	}
	env := f.opts.Env
	if env == nil {
		env = proc.Environ()
	}
	env = append(append([]string{}, env...), "UNDERSTUDY_NODE="+node, "UNDERSTUDY_LOCAL_NODE="+f.local,
		"UNDERSTUDY_FENCE_ACTION="+string(f.action))
	tctx, cancel := context.WithTimeoutCause(ctx, f.timeout, fmt.Errorf("no answer within %s", f.timeout))
	defer cancel()
	out, err := proc.Run(tctx, proc.Cmd{Argv: argv, Env: env})
	a.Output = proc.LastLine(out)
	var exit *exec.ExitError
	switch {
	case err == nil:
	case tctx.Err() != nil:
		a.Err = fmt.Errorf("%w; process group killed", context.Cause(tctx))
	case errors.As(err, &exit):
		a.Err = fmt.Errorf("%s %s", argv[0], exit.ProcessState)
	default:
		a.Err = err
	}
	return a
}

// stonithArgv is the stonith(8) command line that fences node with d. A
// stonith_host line's parameters go to stonith in a file (-F) rather
// than on the command line (-p), where every user could read them in
// the process list; cleanup removes the file.
func (f *Fencer) stonithArgv(d config.StonithDevice, node string) ([]string, func(), error) {
	argv := []string{f.opts.Stonith, "-t", d.Type}
	cleanup := func() {}
	if d.ConfigFile != "" {
		argv = append(argv, "-F", d.ConfigFile)
	} else {
		file, err := os.CreateTemp(f.opts.TempDir, "understudy-stonith-*") // mode 0600
		if err != nil {
			return nil, nil, fmt.Errorf("stonith parameters: %w", err)
		}
		cleanup = func() { os.Remove(file.Name()) }
		_, err = file.WriteString(strings.Join(d.Params, " ") + "\n")
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("stonith parameters: %w", err)
		}
		argv = append(argv, "-F", file.Name())
	}
	return append(argv, "-T", string(f.action), node), cleanup, nil
}
