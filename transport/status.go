package transport

import "sync"

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

	mu  sync.Mutex
	cur Status
	set bool
}

func newReporter(link, medium string, out chan<- Status, done <-chan struct{}) *reporter {
	return &reporter{
		base: Status{Link: link, Medium: medium},
		out:  out,
		done: done,
		kick: make(chan struct{}, 1),
	}
}

// up and down record the link's state; they never block.
func (r *reporter) up()            { r.update(true, nil) }
func (r *reporter) down(err error) { r.update(false, err) }

func (r *reporter) update(up bool, err error) {
	if r == nil || r.out == nil {
		return
	}
	r.mu.Lock()
	changed := !r.set || r.cur.Up != up
	if changed {
		r.cur = r.base
		r.cur.Up, r.cur.Err, r.set = up, err, true
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
