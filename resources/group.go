package resources

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// Start takes group g: its resources are started left to right, each
// call bounded by the timeout. A resource that already runs is adopted.
// When one fails, the group is rolled back: that resource and every one
// before it are stopped, right to left (the failed one too, since a
// start that failed or timed out may have done half its work; heartbeat
// stops the whole group). The error is a *ResourceError naming the
// resource; for scripts it wraps a *ScriptError with argv, exit status
// and output.
func (r *Runner) Start(ctx context.Context, g config.Group) error {
	unlock, err := r.lock(ctx, g.Key)
	if err != nil {
		return err
	}
	defer unlock()
	r.log.Info("acquiring resource group", "group", g.Key, "preferred", g.Node)
	for i, res := range g.Resources {
		if err := r.startOne(ctx, g, i); err != nil {
			rb := r.stopRange(context.WithoutCancel(ctx), g, i, nil)
			return &ResourceError{Op: "start", Group: g.Key, Resource: res.Token, Err: err, Rollback: rb}
		}
	}
	r.log.Info("resource group acquired", "group", g.Key)
	return nil
}

// startOne starts resource i of g, or adopts it when it runs already.
func (r *Runner) startOne(ctx context.Context, g config.Group, i int) error {
	res := g.Resources[i]
	r.set(g, i, Starting, false, nil)
	var adopted bool
	err := r.call(ctx, res, func(ctx context.Context, h Handler) (err error) {
		adopted, err = h.Start(ctx, res)
		return err
	})
	if err != nil {
		r.set(g, i, Failed, false, err)
		r.log.Warn("resource failed to start, giving the group up", "group", g.Key, "resource", res.Token, "err", err)
		return err
	}
	r.set(g, i, Running, adopted, nil)
	if adopted {
		r.log.Info("resource already running, adopted", "group", g.Key, "resource", res.Token)
	}
	return nil
}

// Stop releases group g: its resources are stopped right to left. A
// failed stop is retried (RunnerOptions.StopRetries); if it still fails, status
// is asked: a resource that says it is not running is taken as stopped
// (its script is not LSB-compliant, as heartbeat warns), one that still
// runs ends the release there, leaving the resources to its left (the
// address, typically) held, so no other node can take them while the
// service may still run here. The caller decides what then (heartbeat
// reboots). Stopping a stopped group succeeds.
func (r *Runner) Stop(ctx context.Context, g config.Group) error {
	unlock, err := r.lock(ctx, g.Key)
	if err != nil {
		return err
	}
	defer unlock()
	r.log.Info("releasing resource group", "group", g.Key, "preferred", g.Node)
	if err := r.stopRange(ctx, g, len(g.Resources)-1, nil); err != nil {
		return err
	}
	r.log.Info("resource group released", "group", g.Key)
	return nil
}

// stopRange stops resources last..0 of g, right to left; when only is
// not nil, only those it selects.
func (r *Runner) stopRange(ctx context.Context, g config.Group, last int, only func(config.Resource) bool) error {
	for i := last; i >= 0; i-- {
		res := g.Resources[i]
		if only != nil && !only(res) {
			continue
		}
		r.set(g, i, Stopping, false, nil)
		if err := r.stopOne(ctx, g, res); err != nil {
			r.set(g, i, Failed, false, err)
			return &ResourceError{Op: "stop", Group: g.Key, Resource: res.Token, Err: err}
		}
		r.set(g, i, Stopped, false, nil)
	}
	return nil
}

// stopOne stops one resource with retries, then judges by status.
func (r *Runner) stopOne(ctx context.Context, g config.Group, res config.Resource) error {
	stop := func(ctx context.Context, h Handler) error { return h.Stop(ctx, res) }
	err := r.call(ctx, res, stop)
	for n := 0; err != nil && n < r.opts.StopRetries; n++ {
		r.log.Info("retrying failed stop", "group", g.Key, "resource", res.Token, "attempt", n+2, "err", err)
		select {
		case <-ctx.Done():
			return errors.Join(err, context.Cause(ctx))
		case <-time.After(r.opts.StopRetryInterval):
		}
		err = r.call(ctx, res, stop)
	}
	if err == nil {
		return nil
	}
	running, serr := r.status(ctx, res)
	if serr == nil && !running {
		r.log.Warn("stop failed but status says stopped; the resource script is probably not LSB-compliant: it must succeed on a stop when already stopped",
			"group", g.Key, "resource", res.Token, "err", err)
		return nil
	}
	r.log.Error("resource stop failed and it may still run", "group", g.Key, "resource", res.Token, "err", err)
	return err
}

func sortGroups(gs []GroupStatus) {
	slices.SortFunc(gs, func(a, b GroupStatus) int { return cmp.Compare(a.Key, b.Key) })
}
