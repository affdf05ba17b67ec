package transport

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Framing says which encoding of a message a link carries.
type Framing uint8

const (
	// Datagram links (UDP) carry one frame per datagram, in either
	// encoding; heartbeat 3.0.6 sends netstring (spec 4.5).
	Datagram Framing = iota
	// Stream links (serial) carry classic text frames in a byte stream
	// (spec 4.11): heartbeat converts every message to classic text for
	// them.
	Stream
)

func (f Framing) String() string {
	if f == Stream {
		return "stream"
	}
	return "datagram"
}

// Outbound is one message in the encodings the links need.
type Outbound struct {
	// Packet goes on Datagram links: the netstring frame.
	Packet []byte
	// Text goes on Stream links: the same message as a classic frame.
	// Nil means Packet, which must then be classic itself.
	Text []byte
}

func (o Outbound) frame(f Framing) []byte {
	if f == Stream && o.Text != nil {
		return o.Text
	}
	return o.Packet
}

// ErrNoLinks is returned by Fanout.Send when there is no link to send on.
var ErrNoLinks = errors.New("no links")

// LinkStats are one link's counters since it joined its Fanout, for
// status and metrics.
type LinkStats struct {
	// Link is the link's name, Medium the medium in words (empty for a
	// link given to Add).
	Link, Medium string
	// Open says whether the link is open now; false while it waits to
	// be reopened.
	Open bool
	// Queued is how many frames wait to be sent now.
	Queued int
	// Sent counts frames the link took; Errors, sends that failed
	// (each also reported in Status when it changes the link's state).
	Sent, Errors uint64
	// Dropped counts frames dropped, oldest first, because the queue
	// was full: the link took frames more slowly than they came.
	Dropped uint64
	// Unsent counts frames not queued because the link was not open.
	Unsent uint64
	// Opens counts successful opens (1 for a link that never failed);
	// OpenErrors, failed attempts to open or reopen it.
	Opens, OpenErrors uint64
	// LastErr is the latest send or open error, and LastErrAt when it
	// happened; nil and zero if there was none.
	LastErr   error
	LastErrAt time.Time
}

// Fanout sends every outbound message on every link, as heartbeat does
// (spec 4.1), and closes them together. Each link sends from its own
// goroutine, through a queue of sendQueue frames that drops its oldest
// frame when full, so Send never waits for a link and a stuck link
// delays neither the caller nor the other links. Links of configured
// media (see OpenAll) that fail to open, or fail later, are reopened in
// the background. Safe for concurrent use.
type Fanout struct {
	mu      sync.Mutex
	members []*member
	closed  bool
}

// NewFanout returns an empty Fanout.
func NewFanout() *Fanout { return &Fanout{} }

// Add adds a link carrying the given framing; it is not reopened if it
// fails. After Close it closes l and returns an error wrapping
// ErrClosed.
func (f *Fanout) Add(l Link, framing Framing) error {
	m := newMember(l.Name(), "", framing)
	m.link, m.stats.Opens = l, 1
	if err := f.add(m); err != nil {
		l.Close()
		return fmt.Errorf("add %s to fan-out: %w", l.Name(), err)
	}
	return nil
}

// add starts m and adds it, unless f is closed.
func (f *Fanout) add(m *member) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return ErrClosed
	}
	m.wg.Go(m.run)
	f.members = append(f.members, m)
	return nil
}

// Names lists the links' names in the order they were added. Several
// media can share a name.
func (f *Fanout) Names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	names := make([]string, len(f.members))
	for i, m := range f.members {
		names[i] = m.name
	}
	return names
}

// Send queues m on every link, in the encoding each carries, and
// returns without waiting for any of them: a link busy with an earlier
// frame keeps the newest sendQueue frames and drops older ones, and a
// link that is not open skips it (both counted in Stats). How sends went
// is told by Stats and by Status events, not by Send, which fails only
// after Close (ErrClosed) or without links (ErrNoLinks). The frames are
// kept until sent: the caller must not change them afterwards.
func (f *Fanout) Send(m Outbound) error {
	f.mu.Lock()
	members, closed := f.members, f.closed
	f.mu.Unlock()
	switch {
	case closed:
		return fmt.Errorf("fan-out send: %w", ErrClosed)
	case len(members) == 0:
		return fmt.Errorf("fan-out send: %w", ErrNoLinks)
	}
	for _, l := range members {
		l.enqueue(m.frame(l.framing))
	}
	return nil
}

// Stats returns every link's counters, in the order of Names.
func (f *Fanout) Stats() []LinkStats {
	f.mu.Lock()
	members := f.members
	f.mu.Unlock()
	out := make([]LinkStats, len(members))
	for i, m := range members {
		out[i] = m.snapshot()
	}
	return out
}

// Close closes every link and stops reopening them; no frame or status
// is delivered by them after it returns, so the caller may then close
// the shared channels. Frames still queued are not sent.
func (f *Fanout) Close() error {
	f.mu.Lock()
	members := f.members
	f.members, f.closed = nil, true
	f.mu.Unlock()
	var errs []error
	for _, m := range members {
		errs = append(errs, m.close())
	}
	return errors.Join(errs...)
}
