package neigh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"sync"
	"time"
)

// ErrWatchEnded is what Verdict returns for a watch that was stopped, or
// that outlived its maximum age, before it could judge.
var ErrWatchEnded = errors.New("neigh: probe watch ended")

var errStopped = errors.New("stopped")

// DefaultMaxProbeRate bounds, in packets per second, the repeated probes
// of every watch of a Prober together (ProberOptions.MaxRate).
const DefaultMaxProbeRate = 1000

// ProbeSender puts probes on a link. *Conn is the real one.
type ProbeSender interface {
	// SendARP broadcasts an ARP body on interface ifindex.
	SendARP(ifindex int, body []byte) error
	// SendIPv6 sends a whole IPv6 packet to Ethernet address dst.
	SendIPv6(ifindex int, dst net.HardwareAddr, packet []byte) error
}

// ProberOptions configure a Prober.
type ProberOptions struct {
	// NetNS is the network namespace to listen in ("" = the daemon's own).
	NetNS string
	// Sender sends the probes. Required.
	Sender ProbeSender
	// Wait is how long a round of probes is given to be answered, and how
	// often a watch repeats its round (config ip.probe_time).
	Wait time.Duration
	// MaxRate bounds the repeated rounds of all watches together, in
	// probe packets per second; 0 means DefaultMaxProbeRate. A first
	// round, or one a verdict needs, always goes out at once.
	MaxRate int
}

// receiver is what a Prober listens through: the sockets of
// listen_linux.go, or a test's fake, which feed Prober.arpFrame and
// Prober.ndFrame.
type receiver interface {
	// use starts the delivery of ARP (v4) and of neighbour discovery for
	// the solicited-node groups (IPv6) on interface ifindex; done ends
	// what use started.
	use(ifindex int, v4 bool, groups []netip.Addr) error
	done(ifindex int, v4 bool, groups []netip.Addr)
	// err is a failure that leaves ARP (v4) or ND (v6) unheard.
	err(v4, v6 bool) error
	close() error
}

// Prober asks the LAN whether another host holds addresses, before
// this node takes them over (the split-brain guard): RFC 5227 ARP probes
// for IPv4, duplicate address detection solicitations (RFC 4862) for
// IPv6. Its sockets are opened once (NewProber) and serve every watch.
// Its methods are safe for concurrent use.
type Prober struct {
	opts ProberOptions
	recv receiver

	mu      sync.Mutex
	watches map[*Watch]struct{}
	tokens  float64 // rate budget of repeated probes, in packets
	refill  time.Time
}

func newProber(opts ProberOptions, recv receiver) *Prober {
	if opts.MaxRate <= 0 {
		opts.MaxRate = DefaultMaxProbeRate
	}
	return &Prober{opts: opts, recv: recv, watches: map[*Watch]struct{}{},
		tokens: float64(opts.MaxRate) / 10, refill: time.Now()}
}

// Close ends every watch and closes the sockets.
func (p *Prober) Close() error {
	p.mu.Lock()
	ws := make([]*Watch, 0, len(p.watches))
	for w := range p.watches {
		ws = append(ws, w)
	}
	p.mu.Unlock()
	for _, w := range ws {
		w.Stop()
	}
	return p.recv.close()
}

// ProbeAll sends one round of probes for ips on link, listens Wait (or
// until every address was claimed, or ctx ends) and returns the
// addresses another host claimed, with that host's MAC (see Watch for
// what counts as a claim), and how long it listened. A probe that ctx
// cut short is an error: "no answer yet" is not "free". What to do about
// an address in use is the caller's decision.
func (p *Prober) ProbeAll(ctx context.Context, link Link, ips []netip.Addr) (map[netip.Addr]net.HardwareAddr, time.Duration, error) {
	w, err := p.Watch(link, ips, max(time.Minute, 4*p.opts.Wait))
	if err != nil {
		return nil, 0, err
	}
	defer w.Stop()
	claims, err := w.Verdict(ctx)
	return claims, time.Since(w.start), err
}

// Watch starts watching ips on link: a round of probes (one per
// address) goes out before it returns, and again every Wait until Stop,
// or until maxAge has passed, when the watch ends by itself. Until then
// it listens for claims of the addresses by another host (any MAC but
// link's):
//   - IPv4: an ARP request or reply whose sender IP is the address (an
//     answer to the probe, or a gratuitous ARP);
//   - IPv6: a neighbour advertisement for the address (an answer, or an
//     unsolicited one), or another host's duplicate address detection
//     probe for it: of two hosts probing for one address at once, the
//     one with the lower MAC goes ahead and the other counts the probe
//     as a claim, so that both do not refuse (nor both take) it.
//
// ARP probes of other hosts are not claims.
func (p *Prober) Watch(link Link, ips []netip.Addr, maxAge time.Duration) (*Watch, error) {
	w := &Watch{p: p, link: link, maxAge: maxAge, want: map[netip.Addr]bool{},
		claims: map[netip.Addr]net.HardwareAddr{}, wake: make(chan struct{})}
	for _, ip := range ips {
		ip = ip.Unmap()
		pr := probe{ip: ip}
		var err error
		if ip.Is4() {
			pr.body, err = ARPProbe(link.MAC, ip)
			w.v4 = true
		} else {
			pr.body, err = DADProbe(ip)
			var group netip.Addr
			group, pr.dst = SolicitedNode(ip)
			w.groups = append(w.groups, group)
		}
		if err != nil {
			return nil, fmt.Errorf("probe %s on %s: %w", ip, link.Name, err)
		}
		w.probes, w.want[ip] = append(w.probes, pr), true
	}
	if len(w.probes) == 0 {
		return nil, fmt.Errorf("probe on %s: no address", link.Name)
	}
	// Listen before the probes go out, so that no answer is missed.
	if err := p.recv.use(link.Index, w.v4, w.groups); err != nil {
		return nil, fmt.Errorf("probe on %s: %w", link.Name, err)
	}
	p.mu.Lock()
	p.watches[w] = struct{}{}
	p.mu.Unlock()
	w.start = time.Now()
	if err := w.round(); err != nil {
		w.Stop()
		return nil, err
	}
	p.charge(len(w.probes))
	w.mu.Lock()
	w.timer = time.AfterFunc(p.opts.Wait, w.repeat)
	w.mu.Unlock()
	return w, nil
}

// probe is one prepared probe packet.
type probe struct {
	ip   netip.Addr
	body []byte
	dst  net.HardwareAddr // IPv6: the solicited-node MAC; nil: ARP
}

// Watch is a running probe of some addresses on one link; see
// Prober.Watch and Verdict.
type Watch struct {
	p      *Prober
	link   Link
	want   map[netip.Addr]bool
	v4     bool
	groups []netip.Addr // solicited-node groups of the IPv6 addresses
	probes []probe
	start  time.Time
	maxAge time.Duration

	repeating  sync.Mutex // held by the timer's callback
	mu         sync.Mutex
	prev, last time.Time // when the last two whole rounds went out
	claims     map[netip.Addr]net.HardwareAddr
	ended      error         // why it ended; nil while it runs
	wake       chan struct{} // closed and replaced at every change
	timer      *time.Timer
}

// Started is when the watch's first round went out.
func (w *Watch) Started() time.Time { return w.start }

// Running reports whether the watch has not ended (stopped, or past
// its maximum age).
func (w *Watch) Running() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ended == nil
}

// Claims returns the claims seen so far.
func (w *Watch) Claims() map[netip.Addr]net.HardwareAddr {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.claims)
}

// Verdict waits until the watch can judge, and returns the claims seen
// since it started. It can judge once every address was claimed, or
// when a whole round of probes went out between 2×Wait and Wait ago: a
// round that was given Wait to be answered and is not older than
// 2×Wait. A watch that has run Wait, repeating its round every Wait,
// has one at once; a younger one waits for the remainder of Wait; one
// whose repeats fell behind (the rate limit, a loaded machine) waits
// for its round in flight, or sends one now and waits Wait.
//
// It returns early, with the claims seen so far and an error, when ctx
// ends (cut short: "no answer yet" is not "free"), when the watch ends
// (ErrWatchEnded), when a round cannot be sent, or when the socket that
// hears the answers failed. The watch goes on until Stop.
func (w *Watch) Verdict(ctx context.Context) (map[netip.Addr]net.HardwareAddr, error) {
	wait := w.p.opts.Wait
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		w.mu.Lock()
		claims, ended, last, wake := maps.Clone(w.claims), w.ended, w.last, w.wake
		now := time.Now()
		ready := judges(w.prev, now, wait) || judges(last, now, wait)
		w.mu.Unlock()
		switch {
		case len(claims) == len(w.want):
			return claims, nil
		case ended != nil:
			return claims, fmt.Errorf("%s: %w", w, ended)
		}
		if err := w.p.recv.err(w.v4, len(w.groups) > 0); err != nil {
			return claims, fmt.Errorf("%s: cannot hear answers: %w", w, err)
		}
		if ready {
			return claims, nil
		}
		if now.Sub(last) >= wait { // the last round is stale: a new one
			if err := w.round(); err != nil {
				return claims, err
			}
			w.p.charge(len(w.probes))
			continue
		}
		t.Reset(last.Add(wait).Sub(now))
		select {
		case <-ctx.Done():
			cause := context.Cause(ctx)
			return claims, fmt.Errorf("%s: cut short after %v: %w", w, time.Since(w.start).Round(time.Microsecond), cause)
		case <-t.C:
		case <-wake:
		}
	}
}

// judges reports whether a round sent at r can judge at now.
func judges(r, now time.Time, wait time.Duration) bool {
	return !r.IsZero() && now.Sub(r) >= wait && now.Sub(r) <= 2*wait
}

// Stop ends the watch (if it has not ended) and stops listening for it;
// when it returns, no probe of the watch is going out.
func (w *Watch) Stop() {
	w.end(errStopped)
	w.repeating.Lock() // a repeated round in flight ends first
	w.repeating.Unlock()
}

func (w *Watch) String() string {
	if len(w.probes) == 1 {
		return fmt.Sprintf("probe %s on %s", w.probes[0].ip, w.link.Name)
	}
	return fmt.Sprintf("probe %d addresses on %s", len(w.probes), w.link.Name)
}

func (w *Watch) end(reason error) {
	w.mu.Lock()
	if w.ended != nil {
		w.mu.Unlock()
		return
	}
	w.ended = fmt.Errorf("%w: %w", ErrWatchEnded, reason)
	if w.timer != nil {
		w.timer.Stop()
	}
	w.notify()
	w.mu.Unlock()
	w.p.mu.Lock()
	delete(w.p.watches, w)
	w.p.mu.Unlock()
	w.p.recv.done(w.link.Index, w.v4, w.groups)
}

// notify wakes Verdict; w.mu must be held.
func (w *Watch) notify() {
	close(w.wake)
	w.wake = make(chan struct{})
}

// round sends one probe per address and records when it went out.
func (w *Watch) round() error {
	for _, pr := range w.probes {
		var err error
		if pr.dst == nil {
			err = w.p.opts.Sender.SendARP(w.link.Index, pr.body)
		} else {
			err = w.p.opts.Sender.SendIPv6(w.link.Index, pr.dst, pr.body)
		}
		if err != nil {
			return fmt.Errorf("probe %s on %s: send: %w", pr.ip, w.link.Name, err)
		}
	}
	w.mu.Lock()
	w.prev, w.last = w.last, time.Now()
	w.notify()
	w.mu.Unlock()
	return nil
}

// repeat is the watch's timer: the next round, within the rate budget,
// or the end of the watch at maxAge.
func (w *Watch) repeat() {
	w.repeating.Lock()
	defer w.repeating.Unlock()
	w.mu.Lock()
	ended := w.ended != nil
	w.mu.Unlock()
	if ended {
		return
	}
	if age := time.Since(w.start); age >= w.maxAge {
		w.end(fmt.Errorf("expired after %v", age.Round(time.Millisecond)))
		return
	}
	next := w.p.opts.Wait
	if d := w.p.budget(len(w.probes)); d > 0 {
		next = d
	} else {
		// A failed round is not counted; Verdict sends its own if it
		// needs one, and reports the failure.
		_ = w.round()
	}
	w.mu.Lock()
	if w.ended == nil {
		w.timer.Reset(next)
	}
	w.mu.Unlock()
}

// claim records that mac answers for ip.
func (w *Watch) claim(ip netip.Addr, mac net.HardwareAddr) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, seen := w.claims[ip]; !w.want[ip] || seen || w.ended != nil {
		return
	}
	w.claims[ip] = bytes.Clone(mac)
	w.notify()
}

// budget returns 0 and charges n packets if the rate budget allows a
// repeated round now; otherwise how long until it does.
func (p *Prober) budget(n int) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	rate := float64(p.opts.MaxRate)
	p.refillLocked(rate)
	if p.tokens < 0 {
		return time.Duration(-p.tokens/rate*float64(time.Second)) + time.Millisecond
	}
	p.tokens -= float64(n)
	return 0
}

// charge takes n packets that went out regardless from the budget.
func (p *Prober) charge(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refillLocked(float64(p.opts.MaxRate))
	p.tokens -= float64(n)
}

func (p *Prober) refillLocked(rate float64) {
	now := time.Now()
	p.tokens = min(p.tokens+now.Sub(p.refill).Seconds()*rate, rate/10)
	p.refill = now
}

// arpFrame takes an ARP body received on interface ifindex.
func (p *Prober) arpFrame(ifindex int, body []byte) {
	a, err := ParseARP(body)
	if err != nil {
		return
	}
	p.each(ifindex, func(w *Watch) {
		if !bytes.Equal(a.SenderMAC, w.link.MAC) {
			w.claim(a.SenderIP, a.SenderMAC)
		}
	})
}

// ndFrame takes an IPv6 packet received on interface ifindex from
// Ethernet address src.
func (p *Prober) ndFrame(ifindex int, src net.HardwareAddr, packet []byte) {
	n, err := ParseND(packet)
	if err != nil {
		return
	}
	mac := src
	switch {
	case n.Type == TypeNA && n.LinkAddr != nil:
		mac = n.LinkAddr
	case n.Type == TypeNA, n.DAD():
	default:
		return // a node resolving the address is not claiming it
	}
	p.each(ifindex, func(w *Watch) {
		if bytes.Equal(src, w.link.MAC) || bytes.Equal(mac, w.link.MAC) {
			return
		}
		if n.DAD() && bytes.Compare(src, w.link.MAC) > 0 {
			return // a simultaneous probe: the lower MAC, ours, goes ahead
		}
		w.claim(n.Target, mac)
	})
}

// each runs f for every running watch on interface ifindex.
func (p *Prober) each(ifindex int, f func(*Watch)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for w := range p.watches {
		if w.link.Index == ifindex {
			f(w)
		}
	}
}
