package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Options configure a Scheduler.
type Options struct {
	// Status asks a group's resource scripts for their status, for
	// status monitors: nil when every one runs, else why not. Without
	// it, status monitors fail.
	Status func(ctx context.Context, group string) error
	// Env is the base environment of script monitors; nil means the
	// daemon's own (os.Environ). UNDERSTUDY_* variables are replaced.
	Env []string
	// MaxInFlight bounds the probes running at once; a monitor whose
	// turn comes while that many run waits for one to end. Default 16.
	MaxInFlight int
	// Buffer is the capacity of the results channel. Default 64. When it
	// is full a monitor waits (it does not probe again) until there is
	// room.
	Buffer int
	// Logger gets a line when a monitor starts or stops. Nil discards.
	Logger *slog.Logger
}

// ErrStopped is returned by Set after Stop.
var ErrStopped = errors.New("monitor scheduler stopped")

// Scheduler runs a set of monitors, each every Interval, and reports
// every probe's Result on Results. It counts nothing and decides
// nothing. Its methods are safe to call from any goroutine and never
// wait for a probe.
type Scheduler struct {
	probe   probeFunc
	log     *slog.Logger
	results chan Result
	slots   chan struct{}

	mu      sync.Mutex
	running map[key]*runner
	stopped bool
	wg      sync.WaitGroup
}

type key struct{ group, name string }

// runner is one monitor's goroutine.
type runner struct {
	spec   Spec
	cancel context.CancelFunc
}

// New returns a Scheduler with no monitors. It starts nothing.
func New(opts Options) *Scheduler {
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = 16
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 64
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &prober{status: opts.Status, env: opts.Env}
	s := &Scheduler{log: log.With("component", "monitor"), results: make(chan Result, opts.Buffer),
		slots: make(chan struct{}, opts.MaxInFlight), running: map[key]*runner{}}
	s.probe = p.probe
	return s
}

// Results is where every probe's Result goes, in the order they end. It
// is closed by Stop. A result of a monitor that Set just removed or
// changed may still come: the caller goes by Group and Name and ignores
// monitors it no longer has.
func (s *Scheduler) Results() <-chan Result { return s.results }

// Set makes specs the monitors that run. A monitor already running with
// the same Spec goes on as it was, in its own rhythm; one removed or
// changed is stopped (its probe in flight cancelled); a new one starts.
// The new ones are spread over their interval by their place in specs:
// the i-th of n makes its first probe i/n of an interval from now, so
// that monitors do not all probe at the same instant. Two specs with the
// same group and name, or without a positive interval and timeout, are
// an error, and then nothing changes.
func (s *Scheduler) Set(specs []Spec) error {
	want := map[key]Spec{}
	for _, sp := range specs {
		k := key{sp.Group, sp.Name}
		if _, dup := want[k]; dup {
			return fmt.Errorf("monitor %s of group %s is given twice", sp.Name, sp.Group)
		}
		if sp.Interval <= 0 || sp.Timeout <= 0 {
			return fmt.Errorf("monitor %s of group %s: interval %s and timeout %s must be positive", sp.Name, sp.Group, sp.Interval, sp.Timeout)
		}
		want[k] = sp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return ErrStopped
	}
	for k, r := range s.running {
		if sp, ok := want[k]; !ok || !sp.same(r.spec) {
			r.cancel()
			delete(s.running, k)
			s.log.Info("monitor stopped", "group", k.group, "monitor", k.name)
		}
	}
	now := time.Now()
	for i, sp := range specs {
		k := key{sp.Group, sp.Name}
		if _, ok := s.running[k]; ok {
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		s.running[k] = &runner{spec: sp, cancel: cancel}
		first := now.Add(sp.Interval * time.Duration(i) / time.Duration(len(specs)))
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.loop(ctx, sp, first)
		}()
		s.log.Info("monitor started", "group", sp.Group, "monitor", sp.Name, "kind", sp.Kind, "addr", sp.Addr, "interval", sp.Interval)
	}
	return nil
}

// Stop stops every monitor, waits until their goroutines have ended (a
// probe in flight is cancelled, a script's process group killed) and
// closes Results.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	for k, r := range s.running {
		r.cancel()
		delete(s.running, k)
	}
	s.mu.Unlock()
	s.wg.Wait()
	close(s.results)
}

// RetryInterval is how soon a probe follows a failed one while a failure
// is being confirmed: a quarter of the interval, at least 10 ms.
func RetryInterval(interval time.Duration) time.Duration {
	return max(interval/4, 10*time.Millisecond)
}

// loop probes sp at first, then every Interval after it. A probe that
// starts late (waiting for a slot or for room in Results) does not move
// the rhythm: the probes missed are skipped. After a failure the probes
// that may confirm it (up to Fall in a row) come quicker, every
// RetryInterval, so a dead service is found in about one Interval rather
// than Fall of them; then the rhythm is Interval again.
func (s *Scheduler) loop(ctx context.Context, sp Spec, first time.Time) {
	next := first
	failures := 0
	t := time.NewTimer(time.Until(next))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		res := runProbe(ctx, s.probe, sp)
		<-s.slots
		if ctx.Err() != nil {
			return // stopped or changed: this result is of no use
		}
		select {
		case s.results <- res:
		case <-ctx.Done():
			return
		}
		if res.OK {
			failures = 0
		} else {
			failures++
		}
		if failures > 0 && failures < sp.Fall {
			next = time.Now().Add(RetryInterval(sp.Interval))
		} else {
			next = next.Add(sp.Interval)
			if now := time.Now(); !next.After(now) {
				next = next.Add((now.Sub(next)/sp.Interval + 1) * sp.Interval)
			}
		}
		t.Reset(time.Until(next))
	}
}
