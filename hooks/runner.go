package hooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/proc"
)

// errStopping ends the runs still going when Close's time is up.
var errStopping = errors.New("the hooks are closing")

// DefaultQueue is how many events each hook keeps waiting.
const DefaultQueue = 64

// Options configure a Runner.
type Options struct {
	// Hooks are the [[hook]] sections to run.
	Hooks []config.Hook
	// Node is this node's name, the LocalNode of every event.
	Node string
	// Env is the base environment of the programs; nil means the
	// daemon's own (os.Environ). UNDERSTUDY_* variables are replaced.
	Env []string
	// Queue is how many events each hook keeps waiting. Default
	// DefaultQueue.
	Queue int
	// Logger gets a line for each run that fails and each burst of
	// dropped events. Nil discards.
	Logger *slog.Logger
}

// Runner runs the hooks. Notify and Dropped are safe from any goroutine.
type Runner struct {
	node    string
	env     []string
	log     *slog.Logger
	workers []*worker
	dropped atomic.Uint64
	// kill ends every run at once (Close's deadline has passed).
	killCtx context.Context
	kill    context.CancelCauseFunc
	wg      sync.WaitGroup
}

// worker runs one hook's events, in order.
type worker struct {
	hook config.Hook
	max  int
	wake chan struct{}

	mu       sync.Mutex
	queue    []Event
	closing  bool
	dropping uint64 // events dropped since the queue was last empty
}

// New returns a Runner with one goroutine per hook, waiting for events.
// It runs nothing until Notify.
func New(opts Options) *Runner {
	if opts.Queue <= 0 {
		opts.Queue = DefaultQueue
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Runner{node: opts.Node, log: log.With("component", "hooks")}
	for _, kv := range env {
		if !strings.HasPrefix(kv, "UNDERSTUDY_") {
			r.env = append(r.env, kv)
		}
	}
	r.killCtx, r.kill = context.WithCancelCause(context.Background())
	for _, h := range opts.Hooks {
		w := &worker{hook: h, max: opts.Queue, wake: make(chan struct{}, 1)}
		r.workers = append(r.workers, w)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.work(w)
		}()
	}
	return r
}

// Notify queues ev for every hook that wants it and returns at once.
// When a hook's queue is full its oldest event is dropped and counted.
// After Close, events are dropped and counted.
func (r *Runner) Notify(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	ev.LocalNode = r.node
	for _, w := range r.workers {
		if !w.hook.Wants(string(ev.Kind)) {
			continue
		}
		w.mu.Lock()
		switch {
		case w.closing:
			r.dropped.Add(1)
		case len(w.queue) >= w.max:
			if w.dropping == 0 {
				r.log.Warn("hook queue full: dropping the oldest events", "hook", name(w.hook), "event", w.queue[0].Kind)
			}
			w.queue = append(w.queue[1:], ev)
			w.dropping++
			r.dropped.Add(1)
		default:
			w.queue = append(w.queue, ev)
		}
		w.mu.Unlock()
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// Dropped is how many events were dropped so far, over every hook.
func (r *Runner) Dropped() uint64 { return r.dropped.Load() }

// Close stops taking events and runs those queued until ctx ends; then
// it kills the runs in flight and drops (and counts) what is left. It
// returns when every goroutine of the Runner has ended.
func (r *Runner) Close(ctx context.Context) {
	for _, w := range r.workers {
		w.mu.Lock()
		w.closing = true
		w.mu.Unlock()
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			r.kill(errStopping)
		case <-done:
		}
	}()
	r.wg.Wait()
	close(done)
	r.kill(errStopping)
}

// work runs w's events until Close.
func (r *Runner) work(w *worker) {
	for {
		w.mu.Lock()
		if r.killCtx.Err() != nil {
			r.dropped.Add(uint64(len(w.queue)))
			w.queue = nil
		}
		if len(w.queue) == 0 {
			if w.dropping > 0 {
				r.log.Warn("hook events dropped: the hook did not keep up", "hook", name(w.hook), "dropped", w.dropping)
				w.dropping = 0
			}
			closing := w.closing
			w.mu.Unlock()
			if closing {
				return
			}
			<-w.wake
			continue
		}
		ev := w.queue[0]
		w.queue = w.queue[1:]
		w.mu.Unlock()
		r.run(w.hook, ev)
	}
}

// run runs the hook's program once for ev, bounded by its timeout.
func (r *Runner) run(h config.Hook, ev Event) {
	ctx, cancel := context.WithTimeoutCause(r.killCtx, h.Timeout, fmt.Errorf("timed out after %s (hook timeout)", h.Timeout))
	defer cancel()
	env := append(append([]string(nil), r.env...), ev.Environ()...)
	start := time.Now()
	out, err := proc.Run(ctx, proc.Cmd{Argv: h.Program, Env: env, Stdin: bytes.NewReader(ev.JSON())})
	if err != nil {
		r.log.Warn("hook failed", "hook", name(h), "event", ev.Kind, "group", ev.Group, "node", ev.Node,
			"err", err, "output", proc.LastLine(out), "took", time.Since(start))
		return
	}
	r.log.Debug("hook ran", "hook", name(h), "event", ev.Kind, "took", time.Since(start))
}

// name is how logs name a hook: its program.
func name(h config.Hook) string {
	if len(h.Program) == 0 {
		return "(no program)"
	}
	return h.Program[0]
}
