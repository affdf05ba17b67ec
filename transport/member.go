package transport

import (
	"context"
	"errors"
	"sync"
	"time"
)

// sendQueue is how many frames wait for a link that is busy sending.
// Heartbeats go out once per keepalive and each replaces the last, so
// a short queue is right: a stuck serial line at keepalive 50 ms and a
// 500 ms send timeout would hold ten, the oldest of them useless.
const sendQueue = 8

// Reopening a failed link: the first attempt after retryMin, each next
// one after twice the wait, at most retryMax. A link that stayed open
// for retryMax starts again from retryMin when it fails.
const (
	retryMin = 100 * time.Millisecond
	retryMax = 5 * time.Second
)

// member is one link of a Fanout: a bounded queue and the goroutine
// that sends from it, counters, and, for a configured medium, the
// reopening of the link when it fails to open or breaks.
type member struct {
	name, medium string
	framing      Framing

	// For a configured medium (nil/zero for a link given to Add): open
	// opens the link with opts (which carry st and the ctx that cancel
	// cancels), in the namespace ns for UDP media.
	open   func(Options) (Link, error)
	opts   Options
	st     *reporter
	ns     *netns
	cancel context.CancelFunc

	kick chan struct{} // capacity 1: frames queued
	done chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	link    Link // nil while not open
	closed  bool
	q       [sendQueue][]byte // ring: n frames from head
	head, n int
	stats   LinkStats // counters only; the rest is filled in by snapshot
}

func newMember(name, medium string, framing Framing) *member {
	return &member{name: name, medium: medium, framing: framing,
		kick: make(chan struct{}, 1), done: make(chan struct{})}
}

// enqueue queues frame; it never blocks.
func (m *member) enqueue(frame []byte) {
	m.mu.Lock()
	switch {
	case m.closed:
		m.mu.Unlock()
		return
	case m.link == nil:
		m.stats.Unsent++
		m.mu.Unlock()
		return
	case m.n == len(m.q):
		m.q[m.head] = nil
		m.head = (m.head + 1) % len(m.q)
		m.n--
		m.stats.Dropped++
	}
	m.q[(m.head+m.n)%len(m.q)] = frame
	m.n++
	m.mu.Unlock()
	select {
	case m.kick <- struct{}{}:
	default: // the sender has been told already
	}
}

// pop takes the oldest queued frame.
func (m *member) pop() ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n == 0 {
		return nil, false
	}
	f := m.q[m.head]
	m.q[m.head] = nil
	m.head = (m.head + 1) % len(m.q)
	m.n--
	return f, true
}

// broken is signalled when the open link needs reopening; nil (never
// ready) for a link given to Add.
func (m *member) broken() <-chan struct{} {
	if m.st == nil {
		return nil
	}
	return m.st.broken
}

// run sends queued frames until close, and reopens the link with
// backoff whenever it is not open.
func (m *member) run() {
	wait, openedAt := retryMin, time.Now()
	for {
		m.mu.Lock()
		l := m.link
		m.mu.Unlock()
		if l == nil {
			if m.open == nil || !sleepUnlessClosed(m.done, wait) {
				<-m.done
				return
			}
			wait = min(2*wait, retryMax)
			if m.reopen() {
				openedAt = time.Now()
			}
			continue
		}
		select {
		case <-m.done:
			return
		case <-m.kick:
			m.drain(l)
		case <-m.broken():
			m.takeDown(l)
			if time.Since(openedAt) >= retryMax {
				wait = retryMin
			}
		}
	}
}

// drain sends the queued frames on l, one at a time, until the queue is
// empty, l breaks or the member closes.
func (m *member) drain(l Link) {
	for !isClosed(m.done) && len(m.broken()) == 0 {
		frame, ok := m.pop()
		if !ok {
			return
		}
		err := l.Send(frame)
		m.mu.Lock()
		switch {
		case err == nil:
			m.stats.Sent++
		case !errors.Is(err, ErrClosed):
			m.stats.Errors++
			m.stats.LastErr, m.stats.LastErrAt = err, time.Now()
		}
		m.mu.Unlock()
	}
}

// reopen opens the link again, in its namespace.
func (m *member) reopen() bool {
	var l Link
	var err error
	if nerr := m.ns.do(func() { l, err = m.open(m.opts) }); nerr != nil {
		err = nerr
	}
	return m.record(l, err)
}

// record takes the outcome of an open and says whether the link is
// open. A failure is counted and reported as the link's state (Status
// merges repeats, so a link that keeps failing is reported down once).
func (m *member) record(l Link, err error) bool {
	m.mu.Lock()
	if err != nil {
		m.stats.OpenErrors++
		m.stats.LastErr, m.stats.LastErrAt = err, time.Now()
		m.mu.Unlock()
		m.st.openFailed(err)
		return false
	}
	if m.closed {
		m.mu.Unlock()
		l.Close()
		return false
	}
	m.link = l
	m.stats.Opens++
	m.mu.Unlock()
	return true
}

// takeDown closes a broken link; frames queued for it are dropped as
// unsent.
func (m *member) takeDown(l Link) {
	m.mu.Lock()
	if m.link == l {
		m.link = nil
	}
	for m.n > 0 {
		m.q[m.head] = nil
		m.head = (m.head + 1) % len(m.q)
		m.n--
		m.stats.Unsent++
	}
	m.mu.Unlock()
	l.Close()
	select {
	case <-m.broken(): // a second complaint of the link just closed
	default:
	}
}

func (m *member) snapshot() LinkStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.stats
	s.Link, s.Medium = m.name, m.medium
	s.Open, s.Queued = m.link != nil, m.n
	return s
}

// close closes the link and stops the member's goroutines.
func (m *member) close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	l := m.link
	m.link = nil
	m.mu.Unlock()
	close(m.done)
	if m.cancel != nil {
		m.cancel()
	}
	var err error
	if l != nil {
		err = l.Close()
	}
	m.wg.Wait()
	m.ns.close()
	return err
}
