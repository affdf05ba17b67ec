package pinger

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// Options configure a Pinger.
type Options struct {
	// Interval is the time between two rounds of echo requests: ha.cf's
	// keepalive.
	Interval time.Duration
	// Deadping is the silence after which a ping node is Dead: ha.cf's
	// deadping. It must be longer than Interval.
	Deadping time.Duration
}

// packetConn is the part of a socket a Pinger uses; *icmp.PacketConn
// has it, and so do the tests' fakes.
type packetConn interface {
	ReadFrom(b []byte) (int, net.Addr, error)
	WriteTo(b []byte, dst net.Addr) (int, error)
	SetWriteDeadline(t time.Time) error
	Close() error
}

// Pinger sends an ICMP echo request to every address of every ping node
// once per Interval and judges each node Up or Dead from the replies. It
// runs one goroutine for its rounds and one per address family it reads
// (at most three in all), whatever the number of ping nodes.
type Pinger struct {
	opts    Options
	stamp   stamp
	conns   map[bool]packetConn // by "is IPv4"
	replies chan reply
	events  chan Event
	done    chan struct{}
	stop    sync.Once
	wg      sync.WaitGroup

	// Owned by run.
	tr      *tracker
	seq     uint16
	sent    map[uint16]time.Time // sequence numbers of the rounds in the last Deadping
	pending []Event              // events not yet taken, at most one per ping node

	mu   sync.Mutex
	snap []Target
}

// New opens one raw ICMP socket per address family the ping nodes use
// (it needs CAP_NET_RAW, which the daemon has) and starts pinging at
// once. The sockets belong to the network namespace of the calling
// thread.
func New(nodes []config.PingNode, opts Options) (*Pinger, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	conns := map[bool]packetConn{}
	for _, pn := range nodes {
		for _, a := range pn.Addrs {
			if _, ok := conns[a.Is4()]; ok {
				continue
			}
			c, err := listen(a.Is4())
			if err != nil {
				for _, c := range conns {
					c.Close()
				}
				return nil, err
			}
			conns[a.Is4()] = c
		}
	}
	return start(nodes, opts, conns, time.Now()), nil
}

func (o Options) check() error {
	if o.Interval <= 0 || o.Deadping <= o.Interval {
		return fmt.Errorf("pinger: interval %s must be positive and deadping %s longer", o.Interval, o.Deadping)
	}
	return nil
}

// start runs a Pinger on conns.
func start(nodes []config.PingNode, opts Options, conns map[bool]packetConn, now time.Time) *Pinger {
	var r [2 + tokenLen]byte
	rand.Read(r[:])
	p := &Pinger{opts: opts, conns: conns, stamp: stamp{id: binary.BigEndian.Uint16(r[:2]), token: [tokenLen]byte(r[2:])},
		replies: make(chan reply, 64), events: make(chan Event), done: make(chan struct{}),
		tr: newTracker(nodes, opts.Deadping, now), sent: map[uint16]time.Time{}}
	p.snap = p.tr.snapshot(now)
	for is4, c := range conns {
		proto := protoICMPv6
		if is4 {
			proto = protoICMP
		}
		p.wg.Add(1)
		go p.receive(c, proto)
	}
	p.wg.Add(1)
	go p.run(now)
	return p
}

// Events delivers every change of status, in order. A reader that falls
// behind loses no node's latest status: the changes of one ping node not
// yet taken are merged into its latest. It is closed by Stop.
func (p *Pinger) Events() <-chan Event { return p.events }

// Snapshot returns every ping node's state, in the order of the
// configuration.
func (p *Pinger) Snapshot() []Target {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Target, len(p.snap))
	for i, t := range p.snap {
		t.Members = append([]Member(nil), t.Members...)
		out[i] = t
	}
	return out
}

// Stop closes the sockets, waits until every goroutine of the Pinger
// has ended, and closes Events. It may be called more than once.
func (p *Pinger) Stop() {
	p.stop.Do(func() {
		close(p.done)
		for _, c := range p.conns {
			c.Close()
		}
		p.wg.Wait()
		close(p.events)
	})
}

// receive reads c until it is closed, and hands the replies that are
// this Pinger's to run.
func (p *Pinger) receive(c packetConn, proto int) {
	defer p.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// A passing error (no buffer space): pause, unless stopped.
			select {
			case <-p.done:
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		r, ok := p.stamp.parseReply(proto, buf[:n], from)
		if !ok {
			continue
		}
		select {
		case p.replies <- r:
		case <-p.done:
			return
		}
	}
}

// run sends a round of echo requests every Interval from now, judges
// the replies, declares ping nodes Dead at their deadline, and delivers
// the events.
func (p *Pinger) run(now time.Time) {
	defer p.wg.Done()
	nextRound := now
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		var out chan Event
		var ev Event
		if len(p.pending) > 0 {
			out, ev = p.events, p.pending[0]
		}
		select {
		case <-p.done:
			return
		case out <- ev:
			p.pending = p.pending[1:]
			continue
		case r := <-p.replies:
			now = time.Now()
			p.queue(p.tr.tick(now))
			if t, ok := p.sent[r.seq]; ok && now.Sub(t) < p.opts.Deadping {
				p.queue(p.tr.reply(r.from, now))
			}
		case <-timer.C:
			now = time.Now()
			if !now.Before(nextRound) {
				p.round(now)
				nextRound = nextRound.Add(p.opts.Interval)
				if !nextRound.After(now) { // rounds missed (a stopped clock, a suspended machine)
					nextRound = now.Add(p.opts.Interval)
				}
			}
			p.queue(p.tr.tick(now))
		}
		p.publish(now)
		wake := nextRound
		if d, ok := p.tr.next(); ok && d.Before(wake) {
			wake = d
		}
		timer.Reset(wake.Sub(now))
	}
}

// round sends one echo request to every address.
func (p *Pinger) round(now time.Time) {
	p.seq++
	p.sent[p.seq] = now
	for s, t := range p.sent {
		if now.Sub(t) >= p.opts.Deadping {
			delete(p.sent, s)
		}
	}
	for _, c := range p.conns {
		c.SetWriteDeadline(now.Add(p.opts.Interval))
	}
	for _, tg := range p.tr.targets {
		for _, m := range tg.Members {
			_, err := p.conns[m.Addr.Is4()].WriteTo(p.stamp.echoRequest(m.Addr, p.seq), ipAddr(m.Addr))
			p.tr.sendErr(m.Addr, err)
		}
	}
}

func ipAddr(a netip.Addr) *net.IPAddr {
	return &net.IPAddr{IP: a.AsSlice(), Zone: a.Zone()}
}

// queue adds events to those not yet taken, merging each into the one
// of its ping node already waiting.
func (p *Pinger) queue(evs []Event) {
	for _, e := range evs {
		merged := false
		for i := range p.pending {
			if p.pending[i].Name == e.Name {
				p.pending[i], merged = e, true
			}
		}
		if !merged {
			p.pending = append(p.pending, e)
		}
	}
}

func (p *Pinger) publish(now time.Time) {
	s := p.tr.snapshot(now)
	p.mu.Lock()
	p.snap = s
	p.mu.Unlock()
}
