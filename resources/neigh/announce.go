package neigh

import (
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"
)

// Sender puts announcement bodies on a link. *Conn is the real one.
type Sender interface {
	// SendARP broadcasts an ARP body on interface ifindex.
	SendARP(ifindex int, body []byte) error
	// SendNA sends an ICMPv6 body from src to ff02::1 on interface ifindex.
	SendNA(ifindex int, src netip.Addr, body []byte) error
}

// AnnouncerOptions configure an Announcer.
type AnnouncerOptions struct {
	// Sender sends the packets. Required.
	Sender Sender
	// Count is the number of rounds (config ip.garp_count); a round is a
	// gratuitous ARP request and reply for IPv4, one unsolicited NA for
	// IPv6. Values below 1 mean 1.
	Count int
	// Interval is the pause between rounds (config ip.garp_interval).
	Interval time.Duration
	// Logger receives a warning when a background round fails. Nil
	// discards.
	Logger *slog.Logger
}

// Announcer announces addresses: the first round at once, the rest in
// the background, so that taking over a group is not held up by the
// burst (heartbeat's IPaddr runs send_arp in the background too,
// heartbeat-spec §2.6).
type Announcer struct {
	opts AnnouncerOptions
	log  *slog.Logger

	mu     sync.Mutex
	bursts map[netip.Addr]chan struct{} // closed to cancel
	wg     sync.WaitGroup
}

// NewAnnouncer returns an Announcer. It does no I/O.
func NewAnnouncer(opts AnnouncerOptions) *Announcer {
	opts.Count = max(opts.Count, 1)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Announcer{opts: opts, log: log.With("component", "announce"), bursts: map[netip.Addr]chan struct{}{}}
}

// Announce sends the first round for ip on link now and returns its
// error; the remaining Count-1 rounds follow in the background, Interval
// apart, unless Cancel or Close stops them. Announcing an address whose
// burst is still running restarts the burst.
func (a *Announcer) Announce(link Link, ip netip.Addr) error {
	bodies, err := roundBodies(link, ip)
	if err != nil {
		return err
	}
	if err := a.round(link, ip, bodies); err != nil {
		return err
	}
	if a.opts.Count == 1 {
		return nil
	}
	done := make(chan struct{})
	a.mu.Lock()
	if old, ok := a.bursts[ip]; ok {
		close(old)
	}
	a.bursts[ip] = done
	a.wg.Add(1)
	a.mu.Unlock()
	go a.burst(link, ip, bodies, done)
	return nil
}

// roundBodies builds the packets of one round.
func roundBodies(link Link, ip netip.Addr) ([][]byte, error) {
	if ip.Is6() && !ip.Is4In6() {
		na, err := UnsolicitedNA(link.MAC, ip)
		return [][]byte{na}, err
	}
	req, err := GARPRequest(link.MAC, ip.Unmap())
	if err != nil {
		return nil, err
	}
	rep, err := GARPReply(link.MAC, ip.Unmap())
	return [][]byte{req, rep}, err
}

func (a *Announcer) round(link Link, ip netip.Addr, bodies [][]byte) error {
	for _, b := range bodies {
		var err error
		if ip.Is6() && !ip.Is4In6() {
			err = a.opts.Sender.SendNA(link.Index, ip, b)
		} else {
			err = a.opts.Sender.SendARP(link.Index, b)
		}
		if err != nil {
			return fmt.Errorf("announce %s on %s: %w", ip, link.Name, err)
		}
	}
	return nil
}

func (a *Announcer) burst(link Link, ip netip.Addr, bodies [][]byte, done chan struct{}) {
	defer a.wg.Done()
	defer a.forget(ip, done)
	t := time.NewTimer(a.opts.Interval)
	defer t.Stop()
	for i := 1; i < a.opts.Count; i++ {
		select {
		case <-done:
			return
		case <-t.C:
		}
		if err := a.round(link, ip, bodies); err != nil {
			a.log.Warn("announcement failed", "addr", ip, "link", link.Name, "round", i+1, "err", err)
		}
		t.Reset(a.opts.Interval)
	}
}

func (a *Announcer) forget(ip netip.Addr, done chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bursts[ip] == done {
		delete(a.bursts, ip)
	}
}

// Cancel stops a background burst for ip, if one runs; heartbeat's
// IPaddr stop likewise kills a running send_arp. It does not wait.
func (a *Announcer) Cancel(ip netip.Addr) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if done, ok := a.bursts[ip]; ok {
		close(done)
		delete(a.bursts, ip)
	}
}

// Close cancels every burst and waits for them to end.
func (a *Announcer) Close() {
	a.mu.Lock()
	for ip, done := range a.bursts {
		close(done)
		delete(a.bursts, ip)
	}
	a.mu.Unlock()
	a.wg.Wait()
}

// Wait waits until every background burst has ended, cancelled or not.
func (a *Announcer) Wait() { a.wg.Wait() }
