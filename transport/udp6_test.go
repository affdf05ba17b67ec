package transport_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/netnstest"
	"github.com/understudy-ha/understudy/transport"
)

// The IPv6 media are tested over the link-local addresses the kernel
// gives the veth ends itself; no IPv6 address is added. DAD is turned off
// in the two namespaces so those addresses are usable at once.

// newPair6 is newPair with usable link-local addresses; it returns them.
func newPair6(t *testing.T) (p pair, llA, llB netip.Addr) {
	t.Helper()
	p = pair{A: netnstest.New(t), B: netnstest.New(t)}
	for _, ns := range []*netnstest.NS{p.A, p.B} {
		ns.Sysctl(t, "ipv6/conf/default/accept_dad", "0")
	}
	netnstest.Veth(t, p.A, link, p.B, link)
	return p, linkLocal(t, p.A), linkLocal(t, p.B)
}

func linkLocal(t *testing.T, ns *netnstest.NS) netip.Addr {
	t.Helper()
	out := ns.IP(t, "-6", "-o", "addr", "show", "dev", link, "scope", "link")
	for f := range strings.FieldsSeq(out) {
		if p, err := netip.ParsePrefix(f); err == nil && p.Addr().IsLinkLocalUnicast() {
			return p.Addr()
		}
	}
	t.Skipf("no IPv6 link-local address on %s in %s (IPv6 disabled?): %q", link, ns.Name, out)
	return netip.Addr{}
}

func TestUDPUcast6LinkLocal(t *testing.T) {
	p, llA, llB := newPair6(t)
	// Peers without a zone: the link adds the interface as the zone.
	a := openUDP(t, p.A, config.Medium{Type: config.Ucast6, Iface: link, Peer: llB.String(), Port: 694}, transport.Options{})
	b := openUDP(t, p.B, config.Medium{Type: config.Ucast6, Iface: link, Peer: llA.String(), Port: 694}, transport.Options{})
	if f := deliver(t, a, b, classic("a6")); f.From.Addr().WithZone("") != llA || f.Link != link {
		t.Errorf("frame %+v, want from %s", f, llA)
	}
	if f := deliver(t, b, a, classic("b6")); f.From.Addr().WithZone("") != llB {
		t.Errorf("frame %+v, want from %s", f, llB)
	}
}

func TestUDPMcast6(t *testing.T) {
	p, llA, _ := newPair6(t)
	m := config.Medium{Type: config.Mcast6, Iface: link, Group: netip.MustParseAddr("ff12::694"), Port: 694, TTL: 1}
	a, b := openUDP(t, p.A, m, transport.Options{}), openUDP(t, p.B, m, transport.Options{})
	if f := deliver(t, a, b, classic("a6")); f.From.Addr().WithZone("") != llA {
		t.Errorf("frame %+v, want from %s", f, llA)
	}
	deliver(t, b, a, classic("b6"))
}
