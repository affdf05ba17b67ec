package monitor

import (
	"errors"
	"net/netip"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// Spec is one monitor made ready to run on this node.
type Spec struct {
	config.Monitor
	// Addr is the address probed by network kinds and told to a script
	// (UNDERSTUDY_ADDRESS), resolved by the caller from Monitor.Where:
	// the group's floating address, this node's own address
	// (LocalAddress), or Monitor.Address. A network probe without one
	// fails.
	Addr netip.Addr
	// Source, when valid, is the local address network probes are sent
	// from; otherwise the kernel chooses.
	Source netip.Addr
}

// same reports whether a and b run the same probe.
func (a Spec) same(b Spec) bool {
	return a.Addr == b.Addr && a.Source == b.Source && a.Monitor.SameProbe(b.Monitor)
}

// Result is what one probe found. A monitor is named by its group and
// name, which config keeps unique.
type Result struct {
	Group string
	Name  string
	// OK is true when the service answered as it should.
	OK bool
	// Err says why not; nil when OK. errors.Is(Err, ErrTimeout) for a
	// probe that ran out of time.
	Err error
	// Reason is Err's text, or "" when OK.
	Reason string
	// At is when the probe started; Latency how long it took.
	At      time.Time
	Latency time.Duration
}

// ErrTimeout is wrapped by the Err of a probe that did not finish within
// the monitor's timeout.
var ErrTimeout = errors.New("timeout")
