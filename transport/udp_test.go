package transport_test

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/netnstest"
	"github.com/understudy-ha/understudy/transport"
)

// Every UDP test runs between two network namespaces made for it (see
// internal/netnstest), joined by a veth pair created inside them, with
// addresses from 192.0.2.0/24 only. Nothing is sent in the root
// namespace: every link is opened on a thread switched into its
// namespace, and its sockets stay there.

const (
	link  = "hb0"
	ipA   = "192.0.2.1"
	ipB   = "192.0.2.2"
	group = "239.192.0.42"
)

type pair struct{ A, B *netnstest.NS }

// newPair makes namespaces A (192.0.2.1/24 on hb0) and B (192.0.2.2/24
// on hb0), like the heartbeat lab (heartbeat-spec 8.2).
func newPair(t *testing.T) pair {
	t.Helper()
	p := pair{A: netnstest.New(t), B: netnstest.New(t)}
	netnstest.Veth(t, p.A, link, p.B, link)
	p.A.IP(t, "addr", "add", ipA+"/24", "brd", "+", "dev", link)
	p.B.IP(t, "addr", "add", ipB+"/24", "brd", "+", "dev", link)
	return p
}

// inNS runs f inside ns (see netnstest.NS.Do).
func inNS(t *testing.T, ns *netnstest.NS, f func()) {
	t.Helper()
	if err := ns.Do(func() error { f(); return nil }); err != nil {
		t.Fatalf("enter namespace %s: %v", ns.Name, err)
	}
}

type udpEnd struct {
	link   *transport.UDP
	frames chan transport.Frame
	status chan transport.Status
}

func openUDP(t *testing.T, ns *netnstest.NS, m config.Medium, o transport.Options) *udpEnd {
	t.Helper()
	e := &udpEnd{frames: make(chan transport.Frame, 64), status: make(chan transport.Status, 16)}
	if o.Frames == nil {
		o.Frames = e.frames
	}
	o.Status = e.status
	var err error
	inNS(t, ns, func() { e.link, err = transport.OpenUDP(m, o) })
	if err != nil {
		t.Fatalf("OpenUDP(%s) in %s: %v", m, ns.Name, err)
	}
	t.Cleanup(func() { e.link.Close() })
	return e
}

var (
	addrA = netip.MustParseAddr(ipA)
	addrB = netip.MustParseAddr(ipB)
)

// deliver sends data from one end until the other end receives it (at
// most 50 tries, 100 ms apart), skipping other frames, and returns it.
func deliver(t *testing.T, from, to *udpEnd, data []byte) transport.Frame {
	t.Helper()
	for range 50 {
		if err := from.link.Send(data); err != nil {
			t.Fatalf("Send: %v", err)
		}
		timeout := time.After(100 * time.Millisecond)
	drain:
		for {
			select {
			case f := <-to.frames:
				if bytes.Equal(f.Data, data) {
					return f
				}
			case <-timeout:
				break drain
			}
		}
	}
	t.Fatalf("%q never arrived", data)
	return transport.Frame{}
}

func checkFrom(t *testing.T, f transport.Frame, want netip.Addr, port int) {
	t.Helper()
	if f.Link != link || f.From.Addr() != want || int(f.From.Port()) == port {
		t.Errorf("frame %+v: want link %s, from %s and an ephemeral port (not %d)", f, link, want, port)
	}
}

func TestUDPBcast(t *testing.T) {
	p := newPair(t)
	m := config.Medium{Type: config.Bcast, Iface: link, Port: 694}
	a, b := openUDP(t, p.A, m, transport.Options{}), openUDP(t, p.B, m, transport.Options{})
	checkFrom(t, deliver(t, a, b, classic("a")), addrA, 694)
	checkFrom(t, deliver(t, b, a, classic("b")), addrB, 694)
	// A node hears its own broadcasts (heartbeat-spec 4.1).
	checkFrom(t, deliver(t, a, a, classic("a-self")), addrA, 694)
	closeWithin(t, a.link)
	closeWithin(t, b.link)
	checkNoLinkGoroutines(t)
}

func TestUDPUcast(t *testing.T) {
	p := newPair(t)
	ma := config.Medium{Type: config.Ucast, Iface: link, Peer: ipB, Port: 694}
	// B names its peer by host name, through the injected resolver.
	mb := config.Medium{Type: config.Ucast, Iface: link, Peer: "node1", Port: 694}
	resolve := func(_ context.Context, network, host string) ([]netip.Addr, error) {
		if network != "ip4" || host != "node1" {
			return nil, errors.New("unexpected lookup")
		}
		return []netip.Addr{addrA}, nil
	}
	a := openUDP(t, p.A, ma, transport.Options{})
	b := openUDP(t, p.B, mb, transport.Options{Resolve: resolve})
	checkFrom(t, deliver(t, a, b, classic("a")), addrA, 694)
	checkFrom(t, deliver(t, b, a, classic("b")), addrB, 694)
}

func TestUDPMcast(t *testing.T) {
	p := newPair(t)
	m := config.Medium{Type: config.Mcast, Iface: link, Group: netip.MustParseAddr(group), Port: 694, TTL: 1}
	loopOn := m
	loopOn.Loop = true
	a, b := openUDP(t, p.A, loopOn, transport.Options{}), openUDP(t, p.B, m, transport.Options{})
	checkFrom(t, deliver(t, a, b, classic("a")), addrA, 694)
	checkFrom(t, deliver(t, a, a, classic("a-self")), addrA, 694) // loop 1
	// Loop 0: B sends x, then A answers y once x arrived. B's own x,
	// had it been looped back, would be queued before y.
	x, y := classic("b-x"), classic("a-y")
	checkFrom(t, deliver(t, b, a, x), addrB, 694)
	for f := deliver(t, a, b, y); ; f = recvFrame(t, b.frames) {
		if bytes.Equal(f.Data, x) {
			t.Fatal("B heard its own multicast with loop 0")
		}
		if bytes.Equal(f.Data, y) {
			break
		}
	}
}

// Heartbeat lab: bcast, ucast and mcast on one interface; the receive
// sockets share port 694 and all frames arrive under the link name hb0.
func TestUDPMediaShareInterfaceAndPort(t *testing.T) {
	p := newPair(t)
	bc := config.Medium{Type: config.Bcast, Iface: link, Port: 694}
	uc := config.Medium{Type: config.Ucast, Iface: link, Peer: ipA, Port: 694}
	frames := make(chan transport.Frame, 64)
	a1 := openUDP(t, p.A, bc, transport.Options{Frames: frames})
	a2 := openUDP(t, p.A, config.Medium{Type: config.Ucast, Iface: link, Peer: ipB, Port: 694}, transport.Options{Frames: frames})
	a1.frames, a2.frames = frames, frames
	b := openUDP(t, p.B, uc, transport.Options{})
	checkFrom(t, deliver(t, b, a1, classic("ucast")), addrB, 694)
	checkFrom(t, deliver(t, a1, b, classic("bcast")), addrA, 694)
}

// TestUDPStatusDownAndUp: with the interface down, Send fails and the
// link is reported down; once it is up again the next Send reports up.
func TestUDPStatusDownAndUp(t *testing.T) {
	p := newPair(t)
	m := config.Medium{Type: config.Bcast, Iface: link, Port: 694}
	a := openUDP(t, p.A, m, transport.Options{})
	if st := recvStatus(t, a.status, true); st.Link != link || st.Medium != m.String() {
		t.Errorf("initial status %+v", st)
	}
	p.A.IP(t, "link", "set", link, "down")
	err := a.link.Send(classic("x"))
	if err == nil {
		t.Fatal("Send on a down interface succeeded")
	}
	st := recvStatus(t, a.status, false)
	t.Logf("down: Send: %v; status: %+v", err, st)
	if st.Err == nil {
		t.Error("down status without an error")
	}
	p.A.IP(t, "link", "set", link, "up")
	var ok bool
	for range 50 { // the interface may take a moment to carry traffic again
		if ok = a.link.Send(classic("y")) == nil; ok {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !ok {
		t.Fatal("Send still failing after the interface came back up")
	}
	recvStatus(t, a.status, true)
}

// TestUDPCloseWithUndrainedFrames: the reader is blocked handing a frame
// to a consumer that does not read; Close must still return.
func TestUDPCloseWithUndrainedFrames(t *testing.T) {
	p := newPair(t)
	m := config.Medium{Type: config.Ucast, Iface: link, Peer: ipB, Port: 694}
	a := openUDP(t, p.A, m, transport.Options{Frames: make(chan transport.Frame)}) // nobody reads it
	mb := m
	mb.Peer = ipA
	b := openUDP(t, p.B, mb, transport.Options{})
	for range 3 {
		if err := b.link.Send(classic("b")); err != nil {
			t.Fatal(err)
		}
	}
	waitForStack(t, "(*UDP).read") // the reader exists; it is blocked on the frame or the socket
	took := closeWithin(t, a.link)
	t.Logf("Close with an undrained consumer returned after %v", took)
	closeWithin(t, b.link)
	checkNoLinkGoroutines(t)
	if err := a.link.Send(classic("late")); !errors.Is(err, transport.ErrClosed) {
		t.Errorf("Send after Close: %v, want ErrClosed", err)
	}
}

func TestUDPOpenErrors(t *testing.T) {
	p := newPair(t)
	frames := make(chan transport.Frame)
	for _, tt := range []struct {
		name string
		m    config.Medium
	}{
		{"missing interface", config.Medium{Type: config.Bcast, Iface: "nosuch0", Port: 694}},
		{"no broadcast address on lo", config.Medium{Type: config.Bcast, Iface: "lo", Port: 694}},
		{"ucast to an IPv6 peer", config.Medium{Type: config.Ucast, Iface: link, Peer: "2001:db8::1", Port: 694}},
		{"port 0", config.Medium{Type: config.Bcast, Iface: link}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			inNS(t, p.A, func() {
				var l *transport.UDP
				if l, err = transport.OpenUDP(tt.m, transport.Options{Frames: frames}); err == nil {
					l.Close()
				}
			})
			if err == nil {
				t.Fatalf("OpenUDP(%s) succeeded", tt.m)
			}
			t.Logf("%v", err)
		})
	}
}

func TestUDPSendTooLarge(t *testing.T) {
	p := newPair(t)
	m := config.Medium{Type: config.Bcast, Iface: link, Port: 694}
	a := openUDP(t, p.A, m, transport.Options{})
	if err := a.link.Send(make([]byte, 65508)); !errors.Is(err, transport.ErrTooLarge) {
		t.Errorf("Send of 65508 bytes: %v, want ErrTooLarge", err)
	}
}
