package resources

import (
	"context"
	"fmt"

	"github.com/understudy-ha/understudy/config"
)

// Restart restarts group g in place, as a service monitor's on_fail =
// "restart" asks: its resources that are not addresses are stopped
// right to left, then started left to right; its addresses stay up all
// along (clients are refused for a moment, not sent elsewhere). Errors
// are those of Stop and Start: a stop that fails ends the restart there
// (what stands to its left still runs); a start that fails stops again
// what the restart started, right to left, addresses excepted. Either
// way the group is then the cluster's to fail here, which releases it
// (Stop) as a whole.
func (r *Runner) Restart(ctx context.Context, g config.Group) error {
	unlock, err := r.lock(ctx, g.Key)
	if err != nil {
		return err
	}
	defer unlock()
	r.log.Info("restarting resource group in place, addresses kept", "group", g.Key)
	if err := r.stopRange(ctx, g, len(g.Resources)-1, notAddress); err != nil {
		return err
	}
	for i, res := range g.Resources {
		if !notAddress(res) {
			continue
		}
		if err := r.startOne(ctx, g, i); err != nil {
			rb := r.stopRange(context.WithoutCancel(ctx), g, i, notAddress)
			return &ResourceError{Op: "start", Group: g.Key, Resource: res.Token, Err: err, Rollback: rb}
		}
	}
	r.log.Info("resource group restarted in place", "group", g.Key)
	return nil
}

// notAddress selects the resources a restart in place stops and starts.
func notAddress(res config.Resource) bool { return !res.Native() }

// CheckScripts asks each script resource of g (its addresses left out)
// for its status, as a status monitor does, without recording the
// answers: nil when every one runs, else an error naming the first that
// does not, or cannot tell. It waits for an operation on g that runs
// (ctx bounds the wait), and is an error for a group without scripts.
func (r *Runner) CheckScripts(ctx context.Context, g config.Group) error {
	unlock, err := r.lock(ctx, g.Key)
	if err != nil {
		return err
	}
	defer unlock()
	n := 0
	for _, res := range g.Resources {
		if res.Native() {
			continue
		}
		n++
		running, err := r.status(ctx, res)
		switch {
		case err != nil:
			return &ResourceError{Op: "status", Group: g.Key, Resource: res.Token, Err: err}
		case !running:
			return fmt.Errorf("resource %s is not running (its status)", res.Token)
		}
	}
	if n == 0 {
		return fmt.Errorf("group %s has no resource script to ask", g.Key)
	}
	return nil
}

// Restart restarts group g in place (see Runner.Restart): the
// non-address resources stopped right to left and started left to
// right, its addresses untouched. g must be the definition it was
// acquired with.
func (a *Actuator) Restart(ctx context.Context, g config.Group) error {
	return a.runner.Restart(ctx, g)
}

// CheckScripts is a status monitor's probe of g: nil when every script
// resource of g says it runs (see Runner.CheckScripts).
func (a *Actuator) CheckScripts(ctx context.Context, g config.Group) error {
	return a.runner.CheckScripts(ctx, g)
}
