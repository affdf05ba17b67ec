package daemon

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/resources"
)

// actuator carries out acquisitions and releases; *resources.Actuator is
// the real one (resources.New), a test's fake another.
type actuator interface {
	// Acquire takes g: the split-brain guard, then its resources left to
	// right. A refusal of the guard matches resources.ErrAddressInUse.
	Acquire(ctx context.Context, g config.Group) error
	// Release gives g up, right to left.
	Release(ctx context.Context, g config.Group) error
	// Restart restarts g in place: its scripts stopped right to left
	// and started left to right, its addresses kept.
	Restart(ctx context.Context, g config.Group) error
	// CheckScripts is a status monitor's probe: nil when every script
	// of g says it runs.
	CheckScripts(ctx context.Context, g config.Group) error
	// Snapshot is the state of the groups, for status.
	Snapshot() []resources.GroupStatus
	// SetConfig applies a reload to the operations to come.
	SetConfig(*config.Config)
	// Close releases what the actuator holds, after the last operation.
	Close()
}

// ops runs resource operations in goroutines and reports each on done.
type ops struct {
	act  actuator
	cfg  *config.Config
	done chan cluster.OpDone
	// started holds the definition each group was started with, so that
	// a reload that changes a running group stops what actually runs.
	// Only the loop touches cfg and started.
	started map[string]config.Group
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
}

func newOps(cfg *config.Config, act actuator) *ops {
	o := &ops{act: act, cfg: cfg, done: make(chan cluster.OpDone, 64), started: map[string]config.Group{}}
	o.ctx, o.cancel = context.WithCancel(context.Background())
	return o
}

func (o *ops) acquire(key string) {
	g, _ := o.cfg.Group(key)
	o.started[key] = g
	o.run(key, cluster.Acquire, func(ctx context.Context) error { return guardRefusal(o.act.Acquire(ctx, g)) })
}

func (o *ops) release(key string) {
	g := o.running(key)
	o.run(key, cluster.Release, func(ctx context.Context) error { return o.act.Release(ctx, g) })
}

// restart restarts in place what runs of the group with key.
func (o *ops) restart(key string) {
	g := o.running(key)
	o.run(key, cluster.Restart, func(ctx context.Context) error { return o.act.Restart(ctx, g) })
}

// running is the definition the group with key was started with, or
// the configured one.
func (o *ops) running(key string) config.Group {
	g, ok := o.started[key]
	if !ok {
		g, _ = o.cfg.Group(key)
	}
	return g
}

func (o *ops) run(key string, op cluster.Op, f func(context.Context) error) {
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		err := f(o.ctx)
		o.done <- cluster.OpDone{Now: time.Now(), Group: key, Op: op, Err: err}
	}()
}

// guardRefusal is the one place where the split-brain guard's refusal
// (resources.ErrAddressInUse, which resources may not spell as the
// cluster's) becomes cluster.ErrAddressInUse, what the state machine
// retries every deadtime. The text is the guard's.
func guardRefusal(err error) error {
	if errors.Is(err, resources.ErrAddressInUse) {
		return addressInUse{err}
	}
	return err
}

// addressInUse is a guard's refusal as the state machine knows it.
type addressInUse struct{ error }

func (e addressInUse) Is(target error) bool { return target == cluster.ErrAddressInUse }
func (e addressInUse) Unwrap() error        { return e.error }

// setConfig takes the group definitions of a reload for the operations
// to come, and hands the reload to the actuator.
func (o *ops) setConfig(cfg *config.Config) {
	o.cfg = cfg
	o.act.SetConfig(cfg)
}

// wait lets running operations finish.
func (o *ops) wait() { o.wg.Wait() }

func (o *ops) close() {
	o.cancel()
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-o.done:
			case <-done:
				return
			}
		}
	}()
	o.wg.Wait()
	close(done)
	o.act.Close()
}

// snapshot is the actuator's view for status.
func (o *ops) snapshot() []resources.GroupStatus { return o.act.Snapshot() }
