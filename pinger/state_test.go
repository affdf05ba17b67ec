package pinger

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

var (
	addrA  = netip.MustParseAddr("192.0.2.1")
	addrB  = netip.MustParseAddr("192.0.2.2")
	addrG4 = netip.MustParseAddr("198.51.100.1")
	addrG6 = netip.MustParseAddr("2001:db8::1")
	addrLL = netip.MustParseAddr("fe80::1%eth0")
)

// testNodes: two ping nodes, a mixed group, and a group that shares A.
var testNodes = []config.PingNode{
	{Name: "192.0.2.1", Addrs: []netip.Addr{addrA}},
	{Name: "192.0.2.2", Addrs: []netip.Addr{addrB}},
	{Name: "uplink", Group: true, Addrs: []netip.Addr{addrG4, addrG6}},
	{Name: "shared", Group: true, Addrs: []netip.Addr{addrLL, addrA}},
}

// evs writes events as "name status @seconds [addr]".
func evs(es []Event) string {
	var out []string
	for _, e := range es {
		s := fmt.Sprintf("%s %s @%g", e.Name, e.Status, e.At.Sub(t0).Seconds())
		if e.Addr.IsValid() {
			s += " " + e.Addr.String()
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func expect(t *testing.T, what string, got []Event, want string) {
	t.Helper()
	if g := evs(got); g != want {
		t.Errorf("%s: events %q, want %q", what, g, want)
	}
}

func TestTracker(t *testing.T) {
	tr := newTracker(testNodes, 3*time.Second, t0)
	if d, ok := tr.next(); !ok || !d.Equal(at(3)) {
		t.Fatalf("first deadline %v %v, want start+deadping", d, ok)
	}
	expect(t, "nothing before deadping", tr.tick(at(2.999)), "")
	expect(t, "A answers: A and the group that has it come up", tr.reply(addrA, at(0.1)), "192.0.2.1 up @0.1 192.0.2.1, shared up @0.1 192.0.2.1")
	expect(t, "group member answers", tr.reply(addrG6, at(0.2)), "uplink up @0.2 2001:db8::1")
	expect(t, "a second reply changes nothing", tr.reply(addrA, at(1.1)), "")
	expect(t, "B never answered: dead at start+deadping exactly", tr.tick(at(3)), "192.0.2.2 dead @3")
	expect(t, "dead once", tr.tick(at(3.1)), "")
	if d, _ := tr.next(); !d.Equal(at(3.2)) {
		t.Errorf("next deadline %v, want uplink's at 3.2s", d.Sub(t0))
	}
	// The link-local member of "shared" answers; the reply carries no zone.
	expect(t, "zone-less reply", tr.reply(addrLL.WithZone(""), at(3.3)), "")
	expect(t, "late tick declares every overdue node, each at its own deadline", tr.tick(at(10)),
		"192.0.2.1 dead @4.1, uplink dead @3.2, shared dead @6.3")
	expect(t, "the other member of the group brings it back", tr.reply(addrG4, at(11)), "uplink up @11 198.51.100.1")
	expect(t, "B's first answer", tr.reply(addrB, at(12)), "192.0.2.2 up @12 192.0.2.2")
	expect(t, "an address of no node", tr.reply(netip.MustParseAddr("192.0.2.99"), at(12)), "")
	if _, ok := newTracker(nil, time.Second, t0).next(); ok {
		t.Error("no ping nodes, but a deadline")
	}
}

func TestTrackerGroupNeedsAllSilent(t *testing.T) {
	tr := newTracker(testNodes[2:3], 3*time.Second, t0)
	tr.reply(addrG4, at(1))
	tr.reply(addrG6, at(2))
	expect(t, "one member silent past deadping, the other not", tr.tick(at(4.5)), "")
	expect(t, "both silent", tr.tick(at(5)), "uplink dead @5")
}

func TestTrackerSnapshot(t *testing.T) {
	tr := newTracker(testNodes[:3], 3*time.Second, t0)
	tr.reply(addrA, at(1))
	tr.sendErr(addrB, fmt.Errorf("sendto: network is unreachable"))
	tr.tick(at(3))
	s := tr.snapshot(at(3.5))
	if len(s) != 3 || s[0].Status != Up || !s[0].Since.Equal(at(1)) || !s[0].Members[0].Answering ||
		s[1].Status != Dead || !s[1].Since.Equal(at(3)) || s[1].Members[0].Err != "sendto: network is unreachable" ||
		s[2].Status != Dead || s[2].Members[1].Answering || !s[2].Group {
		t.Errorf("snapshot = %+v", s)
	}
	if CountUp(s) != 1 {
		t.Errorf("CountUp = %d, want 1", CountUp(s))
	}
	s[0].Members[0].Addr = addrB // a copy: the tracker is not changed
	if tr.targets[0].Members[0].Addr != addrA {
		t.Error("snapshot shares the tracker's members")
	}
	if s := tr.snapshot(at(4)); s[0].Members[0].Answering {
		t.Error("answering after deadping of silence")
	}
	tr.sendErr(addrB, nil)
	if s := tr.snapshot(at(4)); s[1].Members[0].Err != "" {
		t.Error("the send error stays after a request went out")
	}
}
