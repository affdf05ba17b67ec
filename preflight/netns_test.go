package preflight

import (
	"context"
	"net/netip"
	"slices"
	"testing"

	"github.com/understudy-ha/understudy/internal/netnstest"
)

// hostsOnly is a real machine whose resolver answers from a table: the
// test sends no DNS query from the root namespace.
type hostsOnly struct {
	Machine
	hosts map[string][]netip.Addr
}

func (h hostsOnly) LookupHost(ctx context.Context, name string) ([]netip.Addr, error) {
	return fake{hosts: h.hosts}.LookupHost(ctx, name)
}

// TestNetlinkMachine reads a scratch namespace through netlink: its
// interfaces, their addresses with the flags that tell a held floating
// address from the machine's own, and its connected routes; then Run
// judges a configuration against it.
func TestNetlinkMachine(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP(t, "link", "add", "eth0", "type", "veth", "peer", "name", "peer0")
	ns.IP(t, "link", "set", "peer0", "up")
	ns.IP(t, "link", "set", "eth0", "up")
	ns.IP(t, "addr", "add", "192.0.2.1/24", "dev", "eth0")
	ns.IP(t, "addr", "add", "192.0.2.10/24", "dev", "eth0")                 // as a floating address held: secondary
	ns.IP(t, "-6", "addr", "add", "2001:db8::1/64", "dev", "eth0", "nodad") // as Understudy adds one
	ns.IP(t, "route", "add", "198.51.100.0/24", "via", "192.0.2.254")       // not connected: has a gateway

	m := Netlink(ns.Handle)
	ifaces, err := m.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ifaces, func(i Interface) bool { return i.Name == "eth0" })
	if i < 0 {
		t.Fatalf("no eth0 among %+v", ifaces)
	}
	want := map[netip.Prefix]Addr{
		p("192.0.2.1/24"):   {Prefix: p("192.0.2.1/24")},
		p("192.0.2.10/24"):  {Prefix: p("192.0.2.10/24"), Secondary: true},
		p("2001:db8::1/64"): {Prefix: p("2001:db8::1/64"), NoDAD: true},
	}
	for _, a := range ifaces[i].Addrs {
		if w, ok := want[a.Prefix]; ok {
			if a != w {
				t.Errorf("address %+v, want %+v", a, w)
			}
			delete(want, a.Prefix)
		}
	}
	if len(want) != 0 {
		t.Errorf("eth0 lacks %v: %+v", want, ifaces[i].Addrs)
	}
	routes, err := m.Routes()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Route{{p("192.0.2.0/24"), "eth0"}, {p("2001:db8::/64"), "eth0"}} {
		if !slices.Contains(routes, r) {
			t.Errorf("routes %+v lack %+v", routes, r)
		}
	}
	if slices.ContainsFunc(routes, func(r Route) bool { return r.Dst == p("198.51.100.0/24") }) {
		t.Errorf("a route through a gateway is listed as connected: %+v", routes)
	}

	cfg := load(t, "node node1 node2\nbcast eth0\nserial /dev/null\nbcast eth9\nauto_failback on\nlogfacility daemon\n",
		"node1 192.0.2.10 192.0.2.1 198.51.100.20 2001:db8::1 2001:db8::20\n")
	res := Run(cfg, Options{Node: "node1", Machine: hostsOnly{Machine: m, hosts: map[string][]netip.Addr{"node2": {a("192.0.2.2")}}}})
	expect(t, cfg.Dir, res.Diagnostics,
		"ha.cf:4 bcast names interface eth9, which this machine does not have",
		"haresources:1 floating address 192.0.2.1 is an address of this machine (on eth0)",
		"haresources:1 floating address 198.51.100.20 has no interface to go on")
}
