package resources

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// DefaultStopRetries is heartbeat's HA_STOPRETRYMAX: a failed stop is
// retried this many times, StopRetryInterval apart.
const DefaultStopRetries = 10

// RunnerOptions configure a Runner.
type RunnerOptions struct {
	// Scripts handles every resource that is not a native IP address.
	Scripts Handler
	// Addresses handles native IP resources (IPaddr, IPaddr2, bare IP).
	Addresses Handler
	// Timeout bounds each start, stop and status call (config
	// resources.timeout). Zero means 60s.
	Timeout time.Duration
	// StopRetries is how often a failed stop is retried before the
	// runner asks status and gives up (heartbeat: DefaultStopRetries).
	// Zero means no retry.
	StopRetries int
	// StopRetryInterval is the pause between stop attempts. Zero means 1s.
	StopRetryInterval time.Duration
	// Logger gets one line per state change. Nil discards.
	Logger *slog.Logger
}

// Runner takes and releases groups. Operations on one group never
// overlap: a second Start, Stop or Status of the same group waits for
// the first (or for its ctx). Different groups run in parallel.
type Runner struct {
	opts    RunnerOptions
	log     *slog.Logger
	timeout error // the cause of a call's timeout

	mu     sync.Mutex
	locks  map[string]chan struct{}
	states map[string][]ResourceStatus
}

// NewRunner returns a Runner. It does no I/O.
func NewRunner(opts RunnerOptions) *Runner {
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.StopRetryInterval <= 0 {
		opts.StopRetryInterval = time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{opts: opts, log: log.With("component", "resources"),
		timeout: fmt.Errorf("timed out after %v (resources.timeout): %w", opts.Timeout, context.DeadlineExceeded),
		locks:   map[string]chan struct{}{}, states: map[string][]ResourceStatus{}}
}

// ResourceError is a group operation that failed at one resource.
type ResourceError struct {
	// Op is "start", "stop" or "status".
	Op       string
	Group    string
	Resource string
	Err      error
	// Rollback is what went wrong stopping the group after a failed
	// start; nil when the rollback succeeded.
	Rollback error
}

func (e *ResourceError) Error() string {
	s := fmt.Sprintf("%s group %s: resource %s: %v", e.Op, e.Group, e.Resource, e.Err)
	if e.Rollback != nil {
		s += fmt.Sprintf("; and stopping the group again failed: %v", e.Rollback)
	}
	return s
}

func (e *ResourceError) Unwrap() error { return e.Err }

// lock serialises operations on one group.
func (r *Runner) lock(ctx context.Context, key string) (func(), error) {
	r.mu.Lock()
	ch, ok := r.locks[key]
	if !ok {
		ch = make(chan struct{}, 1)
		r.locks[key] = ch
	}
	r.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("group %s is busy: %w", key, context.Cause(ctx))
	}
}

func (r *Runner) handler(res config.Resource) (Handler, error) {
	h := r.opts.Scripts
	if res.Native() {
		h = r.opts.Addresses
	}
	if h == nil {
		return nil, fmt.Errorf("no handler for resource %s", res.Token)
	}
	return h, nil
}

// call runs one handler call under the timeout.
func (r *Runner) call(ctx context.Context, res config.Resource, f func(context.Context, Handler) error) error {
	h, err := r.handler(res)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, r.opts.Timeout, r.timeout)
	defer cancel()
	return f(ctx, h)
}

// status asks one resource whether it runs, under the timeout.
func (r *Runner) status(ctx context.Context, res config.Resource) (running bool, err error) {
	err = r.call(ctx, res, func(ctx context.Context, h Handler) (err error) {
		running, err = h.Status(ctx, res)
		return err
	})
	return running, err
}

// set records the state of resource i of group g.
func (r *Runner) set(g config.Group, i int, st State, adopted bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rs := r.states[g.Key]
	if len(rs) != len(g.Resources) {
		rs = make([]ResourceStatus, len(g.Resources))
		r.states[g.Key] = rs
	}
	for j := range rs {
		rs[j].Token = g.Resources[j].Token
	}
	rs[i].State, rs[i].Adopted, rs[i].Err, rs[i].Since = st, adopted, "", time.Now()
	if err != nil {
		rs[i].Err = err.Error()
	}
}

// Snapshot returns the last known state of every group the runner has
// touched, for a status view.
func (r *Runner) Snapshot() []GroupStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]GroupStatus, 0, len(r.states))
	for k, rs := range r.states {
		out = append(out, GroupStatus{Key: k, Resources: append([]ResourceStatus(nil), rs...)})
	}
	sortGroups(out)
	return out
}

// Status asks every resource of g whether it runs, left to right, and
// records the answers. A resource whose status cannot be told is
// reported Unknown with its error; the first such error is returned too.
func (r *Runner) Status(ctx context.Context, g config.Group) (GroupStatus, error) {
	unlock, err := r.lock(ctx, g.Key)
	if err != nil {
		return GroupStatus{}, err
	}
	defer unlock()
	var errs []error
	for i, res := range g.Resources {
		running, err := r.status(ctx, res)
		switch {
		case err != nil:
			r.set(g, i, Unknown, false, err)
			errs = append(errs, &ResourceError{Op: "status", Group: g.Key, Resource: res.Token, Err: err})
		case running:
			r.set(g, i, Running, false, nil)
		default:
			r.set(g, i, Stopped, false, nil)
		}
	}
	return r.groupStatus(g.Key), errors.Join(errs...)
}

func (r *Runner) groupStatus(key string) GroupStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return GroupStatus{Key: key, Resources: append([]ResourceStatus(nil), r.states[key]...)}
}
