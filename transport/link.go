package transport

import (
	"context"
	"errors"
	"net/netip"
	"time"
)

// Link is one heartbeat medium.
type Link interface {
	// Name is the link's name as heartbeat shows it: the interface
	// ("hb0") or the tty path ("/dev/ttyS0").
	Name() string
	// Send puts one frame on the wire. It returns within the link's send
	// timeout; an error that errors.Is os.ErrDeadlineExceeded means the
	// medium did not take the frame in time. After Close it returns an
	// error wrapping ErrClosed. Safe for concurrent use; frames are never
	// interleaved. The frame is not retained.
	Send(frame []byte) error
	// Close stops the link's goroutines and releases its sockets, tty
	// and lock file. It returns promptly, even while a read or a Send is
	// blocked, and no Frame or Status is delivered after it returns.
	// Calling it again returns the first call's result.
	Close() error
}

// Frame is one received frame.
type Frame struct {
	// Link is the name of the link it arrived on.
	Link string
	// From is the sender's address and port on UDP links, the zero
	// value on serial links.
	From netip.AddrPort
	// Data is the frame, owned by the receiver.
	Data []byte
}

// Status is a change of a link's state. A link is up while its latest
// Send and its latest receive both worked, and down otherwise, with Err
// saying why (errors.Is os.ErrDeadlineExceeded for a serial line that
// takes no bytes). Up here says nothing about peers: per-node liveness
// needs decoded messages and is decided above this package.
type Status struct {
	// Link is the link name (see Link.Name); Medium is the configured
	// medium in words ("bcast on hb0, port 694"), because several media
	// can share one link name.
	Link   string
	Medium string
	Up     bool
	Err    error
}

// Errors callers branch on.
var (
	// ErrClosed is returned by Send after Close.
	ErrClosed = errors.New("link closed")
	// ErrNotClassic is returned by a serial Send given a frame that is
	// not one classic ">>>\n" ... "<<<\n" frame.
	ErrNotClassic = errors.New("not a classic text frame")
	// ErrTooLarge is returned for a frame over the size limit.
	ErrTooLarge = errors.New("frame too large")
)

// badMedium marks an open error that no retry can cure: the medium or
// the Options are wrong. OpenAll reports it instead of retrying (it is
// found with errors.As through any wrapping). The message is the
// wrapped error's.
type badMedium struct{ error }

func (e badMedium) Unwrap() error { return e.error }

// MaxFrame is the default size limit of a frame: heartbeat's MAXMSG, the
// same as codec.MaxFrame.
const MaxFrame = 262144

// DefaultSendTimeout bounds one Send (heartbeat's serial write timeout).
// On serial links the time the frame needs on the line at the configured
// baud is added.
const DefaultSendTimeout = 500 * time.Millisecond

// Options are what every link needs besides its config.Medium.
type Options struct {
	// Frames receives every frame read from the link. Required. Links
	// never close it; it may be shared by many links. A reader whose
	// Frames send blocks waits (UDP queues in the socket meanwhile)
	// until Close.
	Frames chan<- Frame
	// Status, if not nil, receives link state changes: Up once the link
	// is open, then one event per change. Delivery never blocks Send or
	// the readers; if the consumer lags, intermediate flaps are merged
	// and the latest state is delivered.
	Status chan<- Status
	// SendTimeout bounds one Send; zero means DefaultSendTimeout (plus
	// the line time of the frame on serial links).
	SendTimeout time.Duration
	// MaxFrame is the largest frame sent or accepted; zero means
	// MaxFrame.
	MaxFrame int
	// LockDir is the directory of serial UUCP lock files; empty means
	// /var/lock. Tests use a temporary directory.
	LockDir string
	// HardwareFlow turns on RTS/CTS on serial links (heartbeat does; a
	// three-wire null-modem cable must not).
	HardwareFlow bool
	// Resolve resolves a ucast peer given as a host name; nil means the
	// system resolver. It is only called from Open.
	Resolve func(ctx context.Context, network, host string) ([]netip.Addr, error)

	// Set by a Fanout member for the links it opens, so that status
	// survives a reopen and Close cancels a slow open.
	st  *reporter       // the medium's reporter; nil: the link makes its own
	ctx context.Context // nil: context.Background()
}

// reporter returns the reporter a link opened with o uses, and whether
// the link owns it (and must start it).
func (o Options) reporter(link, medium string, done <-chan struct{}) (*reporter, bool) {
	if o.st != nil {
		return o.st, false
	}
	return newReporter(link, medium, o.Status, done), true
}

func (o Options) context() context.Context {
	if o.ctx != nil {
		return o.ctx
	}
	return context.Background()
}

func (o Options) maxFrame() int {
	if o.MaxFrame > 0 {
		return o.MaxFrame
	}
	return MaxFrame
}

func (o Options) sendTimeout() time.Duration {
	if o.SendTimeout > 0 {
		return o.SendTimeout
	}
	return DefaultSendTimeout
}
