package daemon

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/session"
)

// loop is the node's only decision-free loop: events in, actions out.
func (d *daemon) loop(ctx context.Context) error {
	defer d.abandonAnswers()
	timer := time.NewTimer(0)
	defer timer.Stop()
	stopping := ctx.Done()
	var deadline <-chan time.Time
	// The watchdog is pinged from here, so a wedged loop (not just a
	// live process) gets the daemon restarted.
	var watchdog <-chan time.Time
	if d.o.Watchdog != nil && d.o.WatchdogEvery > 0 {
		t := time.NewTicker(d.o.WatchdogEvery)
		defer t.Stop()
		watchdog = t.C
	}
	for {
		var ev cluster.Event
		select {
		case <-stopping:
			stopping = nil
			d.log.Info("shutdown requested: handing groups over")
			// Each group's stop is bounded by the resource timeout, and
			// stops run in parallel.
			deadline = time.After(2*d.cfg.Settings.Resources.Timeout + d.cfg.Deadtime)
			ev = cluster.Shutdown{Now: time.Now()}
		case <-deadline:
			return errShutdownTimeout
		case <-timer.C:
			// Frames that arrived before the tick go first: a tick must
			// not declare dead a peer whose heartbeat is already queued.
			d.drainFrames(ctx)
			d.flushBadPackets()
			ev = cluster.Tick{Now: time.Now()}
		case f := <-d.frames:
			ev = d.frame(f)
		case s := <-d.status:
			d.linkStatus(s)
		case r := <-d.ops.done:
			ev = r
		case r := <-d.mons.results():
			ev = d.monitorResult(r)
		case req := <-d.requests:
			ev = d.control(req)
		case <-d.o.Reload:
			ev, _ = d.reload("SIGHUP")
		case what := <-d.changed:
			ev, _ = d.reload(what)
		case <-watchdog:
			d.o.Watchdog()
		}
		if ev == nil {
			continue
		}
		out := d.node.Step(ev)
		d.apply(ctx, out)
		if out.Exit {
			d.ops.wait()
			d.log.Info("shutdown complete")
			return nil
		}
		resetTimer(timer, time.Until(out.NextTick))
	}
}

func resetTimer(t *time.Timer, d time.Duration) {
	t.Stop()
	select {
	case <-t.C:
	default:
	}
	t.Reset(max(d, 0))
}

// drainFrames feeds every frame already received to the state machine.
func (d *daemon) drainFrames(ctx context.Context) {
	for range cap(d.frames) {
		select {
		case f := <-d.frames:
			if ev := d.frame(f); ev != nil {
				d.apply(ctx, d.node.Step(ev))
			}
		default:
			return
		}
	}
}

// frame decodes one frame into an event, answering protocol requests.
func (d *daemon) frame(f transport.Frame) cluster.Event {
	now := time.Now()
	r, err := d.sess.Decode(f.Data, now)
	d.observeFrame(f, r, err)
	if err != nil {
		// Counted always; logged, within bounds, when log_badpack is on.
		if d.bad.seen(f.From.Addr(), session.ReasonOf(err), now) && d.cfg.LogBadPack {
			d.log.Warn("packet dropped", "link", f.Link, "from", source(f.From.Addr()), "err", err)
		}
		return nil
	}
	if r.Note != "" {
		d.log.Warn(r.Note, "link", f.Link)
	}
	for _, o := range r.Replies {
		d.send(o)
	}
	if !r.Deliver {
		return nil
	}
	return cluster.Recv{Now: now, Link: f.Link, Msg: toCluster(r.Msg), Dup: r.Dup}
}

// flushBadPackets logs the summary of the bad packets not logged one by
// one, once per interval.
func (d *daemon) flushBadPackets() {
	for _, line := range d.bad.flush(time.Now()) {
		if d.cfg.LogBadPack {
			d.log.Warn(line)
		}
	}
}

func (d *daemon) linkStatus(s transport.Status) {
	prev, seen := d.linkUp[s.Medium]
	d.linkUp[s.Medium] = s
	switch {
	case s.Up && (!seen || !prev.Up):
		d.log.Info("link up", "link", s.Link, "medium", s.Medium)
	case !s.Up && (!seen || prev.Up):
		d.log.Warn("link down", "link", s.Link, "medium", s.Medium, "err", s.Err)
	}
}

// apply carries out one Output in its documented order.
func (d *daemon) apply(ctx context.Context, out cluster.Output) {
	for _, t := range out.Transitions {
		d.log.Log(ctx, level(t.Level), t.Reason, transitionAttrs(t)...)
	}
	d.notify(out.Transitions)
	for _, k := range out.Release {
		d.ops.release(k)
	}
	for _, k := range out.Acquire {
		d.ops.acquire(k)
	}
	for _, k := range out.Restart {
		d.ops.restart(k)
	}
	now := time.Now()
	for _, m := range out.Messages {
		o, err := d.sess.Encode(toSession(m), now)
		if err != nil {
			d.log.Error("cannot encode message", "type", m.Type, "err", err)
			continue
		}
		d.send(o)
	}
	d.answer(out.Answers)
	d.applyMonitors(out)
	d.observe(out)
}

func (d *daemon) send(o transport.Outbound) {
	if err := d.links.Send(o); err != nil && !errors.Is(err, transport.ErrClosed) {
		d.log.Debug("send failed on a link", "err", err)
	}
}

// transitionAttrs are a transition's log attributes; an empty from or
// to (an event, not a change of state) is left out.
func transitionAttrs(t cluster.Transition) []any {
	attrs := []any{"kind", t.Kind, "subject", t.Subject}
	if t.From != "" {
		attrs = append(attrs, "from", t.From)
	}
	if t.To != "" {
		attrs = append(attrs, "to", t.To)
	}
	return attrs
}

func level(l string) slog.Level {
	switch l {
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
