package transport

import (
	"errors"
	"fmt"
	"sync"
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

// ErrNoLinks is returned by Fanout.Send when there is no link to send on.
var ErrNoLinks = errors.New("no links")

// Fanout sends every outbound message on every link, as heartbeat does
// (spec 4.1), and closes them together. Safe for concurrent use.
type Fanout struct {
	mu     sync.Mutex
	links  []member
	closed bool
}

type member struct {
	link    Link
	framing Framing
}

// NewFanout returns an empty Fanout.
func NewFanout() *Fanout { return &Fanout{} }

// Add adds a link carrying the given framing. After Close it closes l
// and returns an error wrapping ErrClosed.
func (f *Fanout) Add(l Link, framing Framing) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		l.Close()
		return fmt.Errorf("add %s to fan-out: %w", l.Name(), ErrClosed)
	}
	f.links = append(f.links, member{l, framing})
	return nil
}

// Names lists the links' names in the order they were added. Several
// media can share a name.
func (f *Fanout) Names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	names := make([]string, len(f.links))
	for i, m := range f.links {
		names[i] = m.link.Name()
	}
	return names
}

// Send sends m on every link at the same time and waits for all of them,
// so it takes as long as the slowest link's bounded Send, not their sum.
// A link that fails does not stop the others; the result joins every
// link's error (nil if all succeeded).
func (f *Fanout) Send(m Outbound) error {
	f.mu.Lock()
	links := f.links
	closed := f.closed
	f.mu.Unlock()
	switch {
	case closed:
		return fmt.Errorf("fan-out send: %w", ErrClosed)
	case len(links) == 0:
		return fmt.Errorf("fan-out send: %w", ErrNoLinks)
	}
	errs := make([]error, len(links))
	var wg sync.WaitGroup
	for i, l := range links[1:] {
		wg.Go(func() { errs[i+1] = l.send(m) })
	}
	errs[0] = links[0].send(m)
	wg.Wait()
	return errors.Join(errs...)
}

func (l member) send(m Outbound) error {
	if l.framing == Stream && m.Text != nil {
		return l.link.Send(m.Text)
	}
	return l.link.Send(m.Packet)
}

// Close closes every link; no frame or status is delivered by them after
// it returns, so the caller may then close the shared channels.
func (f *Fanout) Close() error {
	f.mu.Lock()
	links := f.links
	f.links, f.closed = nil, true
	f.mu.Unlock()
	var errs []error
	for _, l := range links {
		errs = append(errs, l.link.Close())
	}
	return errors.Join(errs...)
}
