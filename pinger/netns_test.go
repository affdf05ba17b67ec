package pinger

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/netnstest"
)

// TestPingerNetns pings a "router" namespace from a "node" namespace over
// a veth pair: IPv4, IPv6 and a link-local IPv6 address with its zone, a
// group with one silent member. Cutting the link makes every ping node
// dead within deadping of the cut; bringing it back makes them up.
func TestPingerNetns(t *testing.T) {
	node, router := netnstest.New(t), netnstest.New(t)
	netnstest.Veth(t, node, "va", router, "vb")
	// Keep the router's global IPv6 address when its link goes down (the
	// kernel drops it otherwise, and it would not come back).
	router.Sysctl(t, "ipv6/conf/vb/keep_addr_on_down", "1")
	node.IP(t, "addr", "add", "192.0.2.1/24", "dev", "va")
	node.IP(t, "addr", "add", "2001:db8::1/64", "dev", "va", "nodad")
	router.IP(t, "addr", "add", "192.0.2.254/24", "dev", "vb")
	router.IP(t, "addr", "add", "2001:db8::fe/64", "dev", "vb", "nodad")
	router.IP(t, "addr", "add", "fe80::fe/64", "dev", "vb", "nodad")

	nodes := []config.PingNode{
		{Name: "192.0.2.254", Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.254")}},
		{Name: "2001:db8::fe", Addrs: []netip.Addr{netip.MustParseAddr("2001:db8::fe")}},
		{Name: "fe80::fe%va", Addrs: []netip.Addr{netip.MustParseAddr("fe80::fe%va")}},
		{Name: "uplink", Group: true, Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.253"), netip.MustParseAddr("192.0.2.254")}},
		{Name: "192.0.2.253", Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.253")}},
	}
	const interval, deadping = 100 * time.Millisecond, 500 * time.Millisecond
	before := runtime.NumGoroutine()
	var p *Pinger
	if err := node.Do(func() (err error) {
		p, err = New(nodes, Options{Interval: interval, Deadping: deadping})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer p.Stop()

	// await reads events until each named node has the status wanted,
	// and returns the events of those nodes. A bound of 10s makes a
	// broken Pinger fail rather than hang; it is not a timing assertion.
	await := func(st Status, names ...string) map[string]Event {
		t.Helper()
		got := map[string]Event{}
		limit := time.After(10 * time.Second)
		for len(got) < len(names) {
			select {
			case e := <-p.Events():
				for _, n := range names {
					if e.Name == n && e.Status == st {
						got[n] = e
					}
				}
			case <-limit:
				t.Fatalf("waiting for %v to be %s: got %v; snapshot %+v", names, st, got, p.Snapshot())
			}
		}
		return got
	}
	all := []string{"192.0.2.254", "2001:db8::fe", "fe80::fe%va", "uplink"}
	await(Up, all...)
	await(Dead, "192.0.2.253")

	router.IP(t, "link", "set", "vb", "down")
	cut := time.Now()
	for n, e := range await(Dead, all...) {
		// Dead is declared deadping after the last reply, which came
		// before the link was down: so at most deadping after that.
		if e.At.After(cut.Add(deadping)) {
			t.Errorf("%s declared dead at cut+%v, deadping is %v", n, e.At.Sub(cut), deadping)
		}
	}
	router.IP(t, "link", "set", "vb", "up")
	// The kernel drops link-local addresses on link down whatever
	// keep_addr_on_down says: put the router's back.
	router.IP(t, "addr", "replace", "fe80::fe/64", "dev", "vb", "nodad")
	await(Up, all...)
	if s := p.Snapshot(); CountUp(s) != 4 || s[4].Status != Dead {
		t.Errorf("snapshot after the link came back: %+v", s)
	}

	p.Stop()
	if _, ok := <-p.Events(); ok {
		t.Error("events not closed by Stop")
	}
	for i := 0; runtime.NumGoroutine() > before && i < 100; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Stop, %d before New", n, before)
	}
}
