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
// heartbeat-spec §2.6). One goroutine sends the later rounds of every
// burst; it runs while a burst does.
type Announcer struct {
	opts AnnouncerOptions
	log  *slog.Logger

	sending sync.Mutex // held while a background round goes out
	mu      sync.Mutex
	bursts  map[netip.Addr]*burst
	running bool           // the scheduler goroutine runs
	kick    chan struct{}  // wakes the scheduler: a burst came or went
	pending sync.WaitGroup // one per burst
	sched   sync.WaitGroup // the scheduler
}

// burst is the rest of an address's announcements.
type burst struct {
	link   Link
	ip     netip.Addr
	bodies [][]byte
	left   int       // rounds still to send
	next   time.Time // when the next one is due
}

// NewAnnouncer returns an Announcer. It does no I/O.
func NewAnnouncer(opts AnnouncerOptions) *Announcer {
	opts.Count = max(opts.Count, 1)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Announcer{opts: opts, log: log.With("component", "announce"), bursts: map[netip.Addr]*burst{},
		kick: make(chan struct{}, 1)}
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
	b := &burst{link: link, ip: ip, bodies: bodies, left: a.opts.Count - 1, next: time.Now().Add(a.opts.Interval)}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pending.Add(1)
	if _, ok := a.bursts[ip]; ok {
		a.pending.Done() // the burst it replaces
	}
	a.bursts[ip] = b
	if !a.running {
		a.running = true
		a.sched.Add(1)
		go a.run()
	}
	a.wake()
	return nil
}

// wake pokes the scheduler; a.mu must be held.
func (a *Announcer) wake() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// roundBodies builds the packets of one round.
func roundBodies(link Link, ip netip.Addr) ([][]byte, error) {
	if isIPv6(ip) {
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
		if isIPv6(ip) {
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

// run sends the rounds that fall due, until no burst is left.
func (a *Announcer) run() {
	defer a.sched.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		a.mu.Lock()
		if len(a.bursts) == 0 {
			a.running = false
			a.mu.Unlock()
			return
		}
		now := time.Now()
		var due *burst
		next := now.Add(time.Hour)
		for _, b := range a.bursts {
			if !b.next.After(now) {
				due = b
				break
			}
			if b.next.Before(next) {
				next = b.next
			}
		}
		a.mu.Unlock()
		if due != nil {
			a.send(due)
			continue
		}
		t.Reset(next.Sub(now))
		select {
		case <-t.C:
		case <-a.kick:
		}
	}
}

// send sends b's next round, unless it was cancelled or replaced
// meanwhile, and schedules the one after.
func (a *Announcer) send(b *burst) {
	a.sending.Lock()
	defer a.sending.Unlock()
	a.mu.Lock()
	current := a.bursts[b.ip] == b
	a.mu.Unlock()
	if !current {
		return
	}
	round := a.opts.Count - b.left + 1
	if err := a.round(b.link, b.ip, b.bodies); err != nil {
		a.log.Warn("announcement failed", "addr", b.ip, "link", b.link.Name, "round", round, "err", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bursts[b.ip] != b {
		return
	}
	if b.left--; b.left == 0 {
		delete(a.bursts, b.ip)
		a.pending.Done()
		return
	}
	b.next = b.next.Add(a.opts.Interval)
}

// Cancel stops the background burst for ip, if one runs; heartbeat's
// IPaddr stop likewise kills a running send_arp. When it returns, no
// round for ip is going out.
func (a *Announcer) Cancel(ip netip.Addr) {
	a.mu.Lock()
	if _, ok := a.bursts[ip]; ok {
		delete(a.bursts, ip)
		a.pending.Done()
		a.wake()
	}
	a.mu.Unlock()
	a.sending.Lock() // a round in flight ends first
	a.sending.Unlock()
}

// Close cancels every burst and waits for the background sender to end.
func (a *Announcer) Close() {
	a.mu.Lock()
	for ip := range a.bursts {
		delete(a.bursts, ip)
		a.pending.Done()
	}
	a.wake()
	a.mu.Unlock()
	a.sched.Wait()
}

// Wait waits until every background burst has ended, cancelled or not.
func (a *Announcer) Wait() { a.pending.Wait() }
