package resources

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/netnstest"
	"github.com/understudy-ha/understudy/resources/internal/labtest"
	"github.com/understudy-ha/understudy/resources/ipaddr"
	"github.com/understudy-ha/understudy/resources/neigh"
)

// node is one side of a two-namespace lab: vNAME with 192.0.2.N/24 and
// 2001:db8::N/64, and an IPHandler acting in it.
type node struct {
	ns  *netnstest.NS
	ip  *IPHandler
	ann *neigh.Announcer
	mac string
}

func newLab(tb testing.TB, count int, interval time.Duration) (a, b node) {
	tb.Helper()
	a.ns, b.ns = netnstest.New(tb), netnstest.New(tb)
	netnstest.Veth(tb, a.ns, "va", b.ns, "vb")
	for i, n := range []*node{&a, &b} {
		dev := []string{"va", "vb"}[i]
		n.ns.IP(tb, "addr", "add", fmt.Sprintf("192.0.2.%d/24", i+1), "dev", dev)
		n.ns.IP(tb, "addr", "add", fmt.Sprintf("2001:db8::%d/64", i+1), "dev", dev, "nodad")
		conn, err := neigh.Dial(n.ns.Path)
		if err != nil {
			tb.Fatal(err)
		}
		pr, err := neigh.NewProber(neigh.ProberOptions{NetNS: n.ns.Path, Sender: conn, Wait: 30 * time.Millisecond})
		if err != nil {
			tb.Fatal(err)
		}
		m := ipaddr.New(ipaddr.Options{Handle: n.ns.Handle, NetNS: n.ns.Path})
		if err := m.Watch(); err != nil {
			tb.Fatal(err)
		}
		n.ann = neigh.NewAnnouncer(neigh.AnnouncerOptions{Sender: conn, Count: count, Interval: interval})
		tb.Cleanup(func() { n.ann.Close(); pr.Close(); conn.Close(); m.Close() })
		n.ip = NewIPHandler(IPOptions{
			Addresses: m,
			Announcer: n.ann,
			Prober:    pr,
		})
		l, err := n.ns.Handle.LinkByName(dev)
		if err != nil {
			tb.Fatal(err)
		}
		n.mac = l.Attrs().HardwareAddr.String()
	}
	return a, b
}

func TestNetnsTakeoverAndRelease(t *testing.T) {
	a, b := newLab(t, 3, 20*time.Millisecond)
	b.ns.IP(t, "neigh", "replace", "192.0.2.100", "lladdr", "02:00:00:00:de:ad", "dev", "vb", "nud", "stale")
	b.ns.IP(t, "neigh", "replace", "2001:db8::100", "lladdr", "02:00:00:00:de:ad", "dev", "vb", "nud", "stale")
	r := NewRunner(RunnerOptions{Addresses: a.ip, Logger: testLogger(t)})
	g := group(t, "node1", "192.0.2.100", "2001:db8::100")
	ctx := context.Background()

	guard := NewGuard(b.ip, testLogger(t))
	if err := guard.Check(ctx, g); err != nil {
		t.Fatalf("before takeover, b's guard: %v; want free", err)
	}
	if err := r.Start(ctx, g); err != nil {
		t.Fatal(err)
	}
	out := a.ns.IP(t, "addr", "show", "dev", "va")
	for _, want := range []string{"inet 192.0.2.100/24 brd 192.0.2.255 scope global secondary va", "inet6 2001:db8::100/64 scope global nodad"} {
		if !strings.Contains(out, want) {
			t.Errorf("after Start, va lacks %q:\n%s", want, out)
		}
	}
	a.ann.Wait()
	for _, ip := range []string{"192.0.2.100", "2001:db8::100"} {
		if out := b.ns.IP(t, "neigh", "show", ip, "dev", "vb"); !strings.Contains(out, a.mac) {
			t.Errorf("b's neighbour entry for %s not updated to %s: %s", ip, a.mac, out)
		}
	}
	var ce *ClaimError
	if err := guard.Check(ctx, g); !errors.As(err, &ce) || !errors.Is(err, ErrAddressInUse) || len(ce.Claims) != 2 ||
		ce.Claims[0].Addr.String() != "192.0.2.100" || ce.Claims[0].MAC.String() != a.mac ||
		ce.Claims[1].Addr.String() != "2001:db8::100" || ce.Claims[1].MAC.String() != a.mac {
		t.Errorf("b's guard while a holds the group: %v; want 192.0.2.100 and 2001:db8::100 in use by %s", err, a.mac)
	}

	if err := r.Stop(ctx, g); err != nil {
		t.Fatal(err)
	}
	if out := a.ns.IP(t, "addr", "show", "dev", "va"); strings.Contains(out, "::100") || strings.Contains(out, ".100") {
		t.Errorf("after Stop, va still holds a VIP:\n%s", out)
	}
	if gs, err := r.Status(ctx, g); err != nil || gs.Summary() != "NONE" {
		t.Errorf("status after Stop: %+v, %v", gs, err)
	}
}

// BenchmarkTakeover128 takes over one group of 128 IPv4 VIPs in a
// namespace: every address added and its announcement burst started
// (5 rounds, 200ms apart, the defaults; the rest of each burst runs in
// the background and is cancelled by the untimed Stop).
func BenchmarkTakeover128(b *testing.B) {
	a, _ := newLab(b, 5, 200*time.Millisecond)
	r := NewRunner(RunnerOptions{Addresses: a.ip})
	tokens := make([]string, 128)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("192.0.2.%d", 100+i)
	}
	g := group(b, "node1", tokens...)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if err := r.Start(ctx, g); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := r.Stop(ctx, g); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	if n := strings.Count(a.ns.IP(b, "-4", "addr", "show", "dev", "va"), "inet "); n != 1 {
		b.Errorf("%d IPv4 addresses left on va, want only the node's own", n)
	}
}

// probeAll is the guard's probe of rs, unprepared: watch, verdict, stop.
func probeAll(n node, rs []config.Resource) (map[netip.Addr]net.HardwareAddr, error) {
	w := n.ip.WatchGroup(rs, time.Second)
	defer w.Stop()
	return w.Verdict(context.Background())
}

// BenchmarkProbe128 is the split-brain guard before a takeover of one
// group of 128 IPv4 VIPs (given as IP/bits/iface, as the lab's are):
// resolving each interface, one ARP probe round with its wait (30 ms in
// newLab), which b/op includes, and meanwhile finding which addresses
// are already ours.
func BenchmarkProbe128(b *testing.B) {
	a, _ := newLab(b, 1, 10*time.Millisecond)
	tokens := make([]string, 128)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("192.0.2.%d/24/va", 100+i)
	}
	g := group(b, "node1", tokens...)
	for b.Loop() {
		claims, err := probeAll(a, g.Resources)
		if err != nil || len(claims) != 0 {
			b.Fatalf("probe: %v, %v; want no claims", claims, err)
		}
	}
}

// TestNetnsProbeAllGroup: the probe before a takeover of a group reports
// the addresses another host answers for, with its MAC, IPv4 and IPv6
// alike, but not those assigned here; an address that cannot be
// resolved is an error of its own that does not keep the others from
// being probed.
func TestNetnsProbeAllGroup(t *testing.T) {
	a, b := newLab(t, 1, 10*time.Millisecond)
	b.ns.IP(t, "addr", "add", "192.0.2.150/24", "dev", "vb") // still on the "dead" peer
	labtest.AddV6(t, b.ns, "2001:db8::150/64", "vb")
	a.ns.IP(t, "addr", "add", "192.0.2.151/24", "dev", "va") // ours already
	b.ns.IP(t, "addr", "add", "192.0.2.151/24", "dev", "vb") // ... and, wrongly, the peer's
	g := group(t, "node1", "192.0.2.150/24/va", "192.0.2.151/24/va", "192.0.2.152", "2001:db8::150", "2001:db8::152")
	claims, err := probeAll(a, g.Resources)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 2 || claims[netip.MustParseAddr("192.0.2.150")].String() != b.mac || claims[netip.MustParseAddr("2001:db8::150")].String() != b.mac {
		t.Errorf("claims = %v; want 192.0.2.150 and 2001:db8::150 by %s", claims, b.mac)
	}

	g = group(t, "node1", "192.0.2.150/24/va", "192.0.2.153/24/nosuch")
	claims, err = probeAll(a, g.Resources)
	if err == nil || !strings.Contains(err.Error(), "192.0.2.153/24/nosuch") || len(claims) != 1 {
		t.Errorf("probe with an unknown interface: %v, %v; want the claim and an error naming the resource", claims, err)
	}
}

// TestNetnsActuator: New builds the real graph in a namespace; Acquire
// probes, adds and announces, and refuses a group whose address the peer
// still answers for; Release removes; Close releases the sockets.
func TestNetnsActuator(t *testing.T) {
	a, b := newLab(t, 1, 10*time.Millisecond)
	cfg := &config.Config{Dir: t.TempDir(), Settings: config.DefaultSettings()}
	cfg.Settings.IP.ProbeTime = 30 * time.Millisecond
	act, err := New(cfg, "node1", Options{Logger: testLogger(t), NetNS: a.ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer act.Close()
	ctx := context.Background()
	g := group(t, "node1", "192.0.2.100", "2001:db8::100")
	if err := act.Acquire(ctx, g); err != nil {
		t.Fatal(err)
	}
	if out := a.ns.IP(t, "addr", "show", "dev", "va"); !strings.Contains(out, "192.0.2.100/24") || !strings.Contains(out, "2001:db8::100/64") {
		t.Errorf("after Acquire, va lacks the group's addresses:\n%s", out)
	}

	b.ns.IP(t, "addr", "add", "192.0.2.101/24", "dev", "vb")
	taken := group(t, "node1", "192.0.2.101")
	if err := act.Acquire(ctx, taken); !errors.Is(err, ErrAddressInUse) || !strings.Contains(err.Error(), b.mac) {
		t.Errorf("Acquire of the peer's address = %v; want ErrAddressInUse naming %s", err, b.mac)
	}
	if out := a.ns.IP(t, "addr", "show", "dev", "va"); strings.Contains(out, "192.0.2.101") {
		t.Errorf("the refused address was added:\n%s", out)
	}

	if err := act.Release(ctx, g); err != nil {
		t.Fatal(err)
	}
	if out := a.ns.IP(t, "addr", "show", "dev", "va"); strings.Contains(out, ".100") || strings.Contains(out, "::100") {
		t.Errorf("after Release, va still holds the group's addresses:\n%s", out)
	}
}
