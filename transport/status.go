package transport

import (
	"errors"
	"sync"
)

// reporter tracks one link's state and delivers changes to Options.Status
// from its own goroutine, so that Send (often called by the same loop
// that consumes Status) and the readers never block on the consumer.
// Changes that happen while the consumer lags are merged: it always gets
// the latest state, and never the same state twice in a row.
type reporter struct {
	base Status // Link and Medium
	out  chan<- Status
	done <-chan struct{}
	kick chan struct{} // capacity 1: "state changed"
	// broken (capacity 1) is signalled when the link meets an error that
	// only reopening it can cure (device gone, I/O error); the Fanout
	// member that opened the link reopens it. Nobody listens for a link
	// opened on its own.
	broken chan struct{}

	mu      sync.Mutex
	openErr error // latest open attempt failed (Fanout members only)
	sendErr error // latest send outcome
	recvErr error // latest receive outcome
	cur     Status
	set     bool
}

func newReporter(link, medium string, out chan<- Status, done <-chan struct{}) *reporter {
	return &reporter{
		base:   Status{Link: link, Medium: medium},
		out:    out,
		done:   done,
		kick:   make(chan struct{}, 1),
		broken: make(chan struct{}, 1),
	}
}

// sent and received record the outcome of a send or a receive; they
// never block. The link is up while the latest send and the latest
// receive both worked (a link that works one way and not the other is
// down, not flapping), and down with the latest error otherwise.
func (r *reporter) sent(err error)     { r.update(&r.sendErr, err) }
func (r *reporter) received(err error) { r.update(&r.recvErr, err) }

// opened reports Up for a link just opened: the outcomes of an earlier
// open of the same medium no longer count.
func (r *reporter) opened() {
	if r == nil || r.out == nil {
		return
	}
	r.mu.Lock()
	r.sendErr, r.recvErr = nil, nil
	r.mu.Unlock()
	r.update(&r.openErr, nil)
}

// openFailed reports a failed open (down, with err as the cause).
func (r *reporter) openFailed(err error) { r.update(&r.openErr, err) }

// broke asks for the link to be reopened; it never blocks.
func (r *reporter) broke() {
	select {
	case r.broken <- struct{}{}:
	default: // already asked
	}
}

func (r *reporter) update(slot *error, err error) {
	if r == nil || r.out == nil {
		return
	}
	r.mu.Lock()
	*slot = err
	up := r.openErr == nil && r.sendErr == nil && r.recvErr == nil
	changed := !r.set || r.cur.Up != up
	if changed {
		r.cur = r.base
		r.cur.Up, r.cur.Err, r.set = up, err, true
		if !up && err == nil { // recovered one way, still down the other
			r.cur.Err = errors.Join(r.openErr, r.sendErr, r.recvErr)
		}
	}
	r.mu.Unlock()
	if changed {
		select {
		case r.kick <- struct{}{}:
		default: // a delivery is pending already; it will read the new state
		}
	}
}

// run delivers state changes until done is closed.
func (r *reporter) run() {
	var last Status
	delivered := false
	for {
		select {
		case <-r.done:
			return
		case <-r.kick:
		}
		r.mu.Lock()
		st := r.cur
		r.mu.Unlock()
		if delivered && st.Up == last.Up {
			continue // flapped back before the consumer saw the change
		}
		select {
		case r.out <- st:
			last, delivered = st, true
		case <-r.done:
			return
		}
	}
}

// start launches run on wg if there is a consumer.
func (r *reporter) start(wg *sync.WaitGroup) {
	if r.out == nil {
		return
	}
	wg.Go(r.run)
}
