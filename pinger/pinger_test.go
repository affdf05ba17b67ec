package pinger

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/understudy-ha/understudy/config"
	"golang.org/x/net/icmp"
)

// The Pinger runs on a fake network inside a synctest bubble, so every
// instant asserted is exact virtual time.

// fakeNet answers echo requests for the addresses it is told to, at
// once or after a delay, possibly from another address.
type fakeNet struct {
	t  testing.TB
	mu sync.Mutex
	// answer says how each address answers; absent: silence.
	answer map[netip.Addr]answer
	// sent records every request: destination and when.
	sent []sentReq
	// unreachable addresses fail at WriteTo.
	unreachable map[netip.Addr]bool
}

type answer struct {
	delay time.Duration
	from  netip.Addr // invalid: the address asked
	// foreign sends, besides, another program's reply from the same
	// address (another identifier).
	foreign bool
}

type sentReq struct {
	to netip.Addr
	at time.Time
}

func newFakeNet(t testing.TB) *fakeNet {
	return &fakeNet{t: t, answer: map[netip.Addr]answer{}, unreachable: map[netip.Addr]bool{}}
}

func (n *fakeNet) set(a netip.Addr, an answer, on bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if on {
		n.answer[a] = an
	} else {
		delete(n.answer, a)
	}
}

// fakeConn is one socket of the fake network.
type fakeConn struct {
	net    *fakeNet
	v6     bool
	inbox  chan packet
	closed chan struct{}
	once   sync.Once
}

type packet struct {
	b    []byte
	from netip.Addr
}

func (n *fakeNet) conns() map[bool]packetConn {
	mk := func(v6 bool) *fakeConn {
		return &fakeConn{net: n, v6: v6, inbox: make(chan packet, 256), closed: make(chan struct{})}
	}
	return map[bool]packetConn{true: mk(false), false: mk(true)}
}

func (c *fakeConn) ReadFrom(b []byte) (int, net.Addr, error) {
	select {
	case p := <-c.inbox:
		return copy(b, p.b), ipAddr(p.from), nil
	case <-c.closed:
		return 0, nil, net.ErrClosed
	}
}

func (c *fakeConn) WriteTo(b []byte, dst net.Addr) (int, error) {
	ip := dst.(*net.IPAddr)
	to, _ := netip.AddrFromSlice(ip.IP)
	to = to.WithZone(ip.Zone)
	if to.Is4() == c.v6 {
		c.net.t.Errorf("request to %s on the v6=%v socket", to, c.v6)
	}
	n := c.net
	n.mu.Lock()
	n.sent = append(n.sent, sentReq{to, time.Now()})
	an, ok := n.answer[to]
	unreachable := n.unreachable[to]
	n.mu.Unlock()
	if unreachable {
		return 0, errors.New("sendto: network is unreachable")
	}
	if !ok {
		return len(b), nil
	}
	from := an.from
	if !from.IsValid() {
		from = to
	}
	rep := echoReply(n.t, b, c.v6)
	deliver := func() {
		select {
		case c.inbox <- packet{rep, from}:
		case <-c.closed:
		}
	}
	if an.foreign {
		m, _ := icmp.ParseMessage(map[bool]int{false: protoICMP, true: protoICMPv6}[c.v6], rep)
		m.Body.(*icmp.Echo).ID++
		other, _ := m.Marshal(nil)
		c.inbox <- packet{other, from}
	}
	if an.delay > 0 {
		time.AfterFunc(an.delay, deliver)
	} else {
		deliver()
	}
	return len(b), nil
}

func (c *fakeConn) SetWriteDeadline(time.Time) error { return nil }

func (c *fakeConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

// nextEvent waits for the next event and checks it came at its own time.
func nextEvent(t *testing.T, p *Pinger) Event {
	t.Helper()
	e, ok := <-p.Events()
	if !ok {
		t.Fatal("events closed")
	}
	if !e.At.Equal(time.Now()) {
		t.Errorf("event %+v delivered at %v", e, time.Now())
	}
	return e
}

func TestPinger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		since := func(e Event) time.Duration { return e.At.Sub(start) }
		n := newFakeNet(t)
		n.set(addrA, answer{}, true)
		n.set(addrG6, answer{}, true)
		p := start_(t, n, testNodes[:3])
		defer p.Stop()
		want := func(what string, name string, st Status, after time.Duration, addr netip.Addr) {
			t.Helper()
			e := nextEvent(t, p)
			if e.Name != name || e.Status != st || since(e) != after || e.Addr != addr {
				t.Errorf("%s: event %s %s after %v from %v; want %s %s after %v from %v", what, e.Name, e.Status, since(e), e.Addr, name, st, after, addr)
			}
		}
		// A (IPv4) and the group's IPv6 member answer the first round;
		// their replies come on two sockets, in either order.
		e1, e2 := nextEvent(t, p), nextEvent(t, p)
		if e1.Name > e2.Name {
			e1, e2 = e2, e1
		}
		if evs([]Event{e1, e2}) != evs([]Event{{Name: "192.0.2.1", Status: Up, At: e1.At, Addr: addrA}, {Name: "uplink", Status: Up, At: e1.At, Addr: addrG6}}) || since(e1) != 0 || since(e2) != 0 {
			t.Errorf("first round: %+v, %+v", e1, e2)
		}
		want("B is silent", "192.0.2.2", Dead, 3*time.Second, netip.Addr{})

		time.Sleep(7*time.Second + 500*time.Millisecond) // 10.5s: cut A
		n.set(addrA, answer{}, false)
		want("A's last reply came at 10s", "192.0.2.1", Dead, 13*time.Second, netip.Addr{})
		time.Sleep(7*time.Second + 500*time.Millisecond) // 20.5s: A back
		n.set(addrA, answer{}, true)
		want("A back at the next round", "192.0.2.1", Up, 21*time.Second, addrA)

		time.Sleep(9*time.Second + 500*time.Millisecond) // 30.5s: the group's only answering member goes silent
		n.set(addrG6, answer{}, false)
		want("group silent", "uplink", Dead, 33*time.Second, netip.Addr{})
		n.set(addrG4, answer{}, true)
		want("the other member brings the group back", "uplink", Up, 34*time.Second, addrG4)

		// Every address got one request per second, on the second.
		n.mu.Lock()
		count := map[netip.Addr]int{}
		for _, s := range n.sent {
			if d := s.at.Sub(start); d%time.Second != 0 {
				t.Errorf("request to %s at %v, off the beat", s.to, d)
			}
			count[s.to]++
		}
		n.mu.Unlock()
		for _, a := range []netip.Addr{addrA, addrB, addrG4, addrG6} {
			if count[a] != 35 { // rounds at 0s, 1s, ... 34s
				t.Errorf("%d requests to %s by 34s, want 35", count[a], a)
			}
		}
		snap := p.Snapshot()
		if len(snap) != 3 || snap[0].Status != Up || snap[1].Status != Dead || snap[2].Status != Up ||
			!snap[2].Members[0].Answering || snap[2].Members[1].Answering || CountUp(snap) != 2 {
			t.Errorf("snapshot at 34s: %+v", snap)
		}
	})
}

// start_ starts a Pinger on the fake network: 1s rounds, deadping 3s.
func start_(t *testing.T, n *fakeNet, nodes []config.PingNode) *Pinger {
	t.Helper()
	return start(nodes, Options{Interval: time.Second, Deadping: 3 * time.Second}, n.conns(), time.Now())
}

// TestPingerIgnores: answers from another address, another program's
// echoes, and replies later than deadping keep a node dead.
func TestPingerIgnores(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		n := newFakeNet(t)
		n.set(addrA, answer{from: netip.MustParseAddr("192.0.2.9")}, true)
		n.set(addrB, answer{delay: 3 * time.Second}, true)
		n.set(addrG4, answer{foreign: true, from: netip.MustParseAddr("198.51.100.2")}, true)
		n.set(addrG6, answer{delay: 2999 * time.Millisecond}, true)
		p := start_(t, n, testNodes[:3])
		got := map[string]Event{}
		for range 3 {
			e := nextEvent(t, p)
			got[e.Name] = e
		}
		for name, want := range map[string]time.Duration{"192.0.2.1": 3 * time.Second, "192.0.2.2": 3 * time.Second} {
			if e := got[name]; e.Status != Dead || e.At.Sub(start) != want {
				t.Errorf("%s: %+v, want dead after %v", name, e, want)
			}
		}
		// A reply 2.999s late is within deadping: the group is up then.
		if e := got["uplink"]; e.Status != Up || e.At.Sub(start) != 2999*time.Millisecond {
			t.Errorf("uplink: %+v, want up after 2.999s", e)
		}
		time.Sleep(20 * time.Second)
		if s := p.Snapshot(); s[0].Status != Dead || s[1].Status != Dead {
			t.Errorf("after 20s: %+v", s)
		}
		p.Stop()
		p.Stop() // twice is fine
		if _, ok := <-p.Events(); ok {
			t.Error("events not closed by Stop")
		}
	})
}

// TestPingerSlowReader: a reader that does not read loses no node's
// latest status, and the Pinger goes on meanwhile.
func TestPingerSlowReader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newFakeNet(t)
		n.set(addrA, answer{}, true)
		n.unreachable[addrB] = true
		p := start_(t, n, testNodes[:2])
		defer p.Stop()
		time.Sleep(10*time.Second + 500*time.Millisecond) // A up at 0; B dead at 3
		n.set(addrA, answer{}, false)
		time.Sleep(10 * time.Second) // A dead at 13
		n.set(addrA, answer{}, true)
		time.Sleep(10 * time.Second) // A up at 21
		e1, e2 := <-p.Events(), <-p.Events()
		if e1.Name != "192.0.2.1" || e1.Status != Up || e1.At.Sub(e2.At) != 18*time.Second || e2.Name != "192.0.2.2" || e2.Status != Dead {
			t.Errorf("events after 30s unread: %+v, %+v", e1, e2)
		}
		synctest.Wait()
		select {
		case e := <-p.Events():
			t.Errorf("a third event: %+v", e)
		default:
		}
		if s := p.Snapshot(); s[1].Members[0].Err != "sendto: network is unreachable" {
			t.Errorf("send error not in the snapshot: %+v", s[1])
		}
	})
}

func TestNewRefuses(t *testing.T) {
	for _, o := range []Options{{}, {Interval: time.Second, Deadping: time.Second}, {Interval: -1, Deadping: time.Second}} {
		if _, err := New(testNodes, o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
	if os.Geteuid() != 0 {
		if _, err := New(testNodes, Options{Interval: time.Second, Deadping: 3 * time.Second}); err == nil {
			t.Error("New without CAP_NET_RAW opened a raw socket")
		}
	}
}
