package monitor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/understudy-ha/understudy/internal/proc"
)

// prober runs probes; it holds what the caller gave for script and
// status monitors.
type prober struct {
	status func(ctx context.Context, group string) error
	env    []string
}

// script runs a script monitor's command: exit 0 is up.
func (p *prober) script(ctx context.Context, s Spec) error {
	out, err := proc.Run(ctx, proc.Cmd{Argv: s.Command, Env: p.scriptEnv(s)})
	if err == nil {
		return nil
	}
	if line := proc.LastLine(out); line != "" {
		return fmt.Errorf("%s: %w: %s", s.Command[0], err, line)
	}
	return fmt.Errorf("%s: %w", s.Command[0], err)
}

// scriptEnv is the base environment with UNDERSTUDY_* set for this
// monitor, and none inherited.
func (p *prober) scriptEnv(s Spec) []string {
	base := p.env
	if base == nil {
		base = os.Environ()
	}
	var env []string
	for _, kv := range base {
		if !strings.HasPrefix(kv, "UNDERSTUDY_") {
			env = append(env, kv)
		}
	}
	env = append(env, "UNDERSTUDY_GROUP="+s.Group, "UNDERSTUDY_MONITOR="+s.Name)
	if s.Addr.IsValid() {
		env = append(env, "UNDERSTUDY_ADDRESS="+s.Addr.String())
	}
	return env
}

var errNoStatus = errors.New("cannot ask the resource scripts: no status function given")
