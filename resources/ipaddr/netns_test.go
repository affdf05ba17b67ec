package ipaddr

import (
	"errors"
	"log/slog"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/netnstest"
	"github.com/understudy-ha/understudy/resources/internal/labtest"
)

// testNS is a namespace with va (192.0.2.1/24, 2001:db8::1/64) joined to
// vb in a peer namespace.
func testNS(t *testing.T) (*netnstest.NS, *Manager) {
	t.Helper()
	a, b := netnstest.New(t), netnstest.New(t)
	netnstest.Veth(t, a, "va", b, "vb")
	a.IP(t, "addr", "add", "192.0.2.1/24", "dev", "va")
	a.IP(t, "addr", "add", "2001:db8::1/64", "dev", "va", "nodad")
	return a, New(Options{Handle: a.Handle, NetNS: a.Path, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
}

func spec(t *testing.T, s string) config.IPSpec {
	t.Helper()
	sp, err := config.ParseIPSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// vips lists the floating addresses on va as `ip -o addr` shows them,
// reduced to "ADDR/BITS [brd B] [flags]".
func vips(t *testing.T, ns *netnstest.NS) []string {
	t.Helper()
	var out []string
	re := regexp.MustCompile(`inet6? (\S+)( brd \S+)? scope global( secondary)?( nodad)?`)
	for _, l := range strings.Split(ns.IP(t, "-o", "addr", "show", "dev", "va"), "\n") {
		m := re.FindStringSubmatch(l)
		if m == nil || m[1] == "192.0.2.1/24" || m[1] == "2001:db8::1/64" {
			continue
		}
		out = append(out, strings.TrimSpace(m[1]+m[2]+m[3]+m[4]))
	}
	slices.Sort(out)
	return out
}

func TestNetnsHoldReleaseAdopt(t *testing.T) {
	ns, m := testNS(t)
	tests := []struct {
		spec, want string
	}{
		{"192.0.2.100", "192.0.2.100/24 brd 192.0.2.255 secondary"},                   // iface and bits from the route
		{"192.0.2.101/24/va/192.0.2.255", "192.0.2.101/24 brd 192.0.2.255 secondary"}, // all given
		{"192.0.2.102/24/va", "192.0.2.102/24 brd 192.0.2.255 secondary"},
		{"192.0.2.103//va", "192.0.2.103/24 brd 192.0.2.255 secondary"}, // bits from va's route
		{"2001:db8::100", "2001:db8::100/64 nodad"},
		{"2001:db8::101/64/va", "2001:db8::101/64 nodad"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			sp := spec(t, tc.spec)
			h, err := m.Hold(sp)
			if err != nil || h.Adopted {
				t.Fatalf("Hold = %+v, %v; want added", h, err)
			}
			if got := vips(t, ns); !slices.Equal(got, []string{tc.want}) {
				t.Errorf("after Hold: %q, want %q", got, tc.want)
			}
			if h, err = m.Hold(sp); err != nil || !h.Adopted || h.Link.Name != "va" {
				t.Errorf("second Hold = %+v, %v; want adopted on va", h, err)
			}
			removed, err := m.Release(sp)
			if err != nil || len(removed) != 1 {
				t.Errorf("Release = %v, %v; want one removed", removed, err)
			}
			if got := vips(t, ns); len(got) != 0 {
				t.Errorf("after Release: %q, want none", got)
			}
			if removed, err = m.Release(sp); err != nil || len(removed) != 0 {
				t.Errorf("second Release = %v, %v; want nothing, no error", removed, err)
			}
		})
	}
}

func TestNetnsAdoptAtStartup(t *testing.T) {
	ns, _ := testNS(t)
	ns.IP(t, "addr", "add", "192.0.2.100/24", "dev", "va")
	m := New(Options{Handle: ns.Handle, NetNS: ns.Path}) // a restarted daemon
	h, err := m.Hold(spec(t, "192.0.2.100"))
	if err != nil || !h.Adopted || h.Prefix.String() != "192.0.2.100/24" {
		t.Errorf("Hold = %+v, %v; want adopted 192.0.2.100/24", h, err)
	}
}

func TestNetnsResolveErrors(t *testing.T) {
	_, m := testNS(t)
	if _, err := m.Hold(spec(t, "192.0.2.100/24/lo")); err != nil {
		t.Errorf("explicit interface and bits need no route: %v", err)
	}
	if _, err := m.Hold(spec(t, "192.0.2.110//lo")); !errors.Is(err, ErrNoRoute) {
		t.Errorf("no route on lo: err = %v, want ErrNoRoute", err)
	}
	if _, err := m.Resolve(config.IPSpec{Addr: netip.MustParseAddr("2001:db9::1")}); !errors.Is(err, ErrNoRoute) {
		t.Errorf("uncovered IPv6: err = %v, want ErrNoRoute", err)
	}
	if _, err := m.Resolve(spec(t, "2001:db8::5//va")); err != nil {
		t.Errorf("covered on va: %v", err)
	}
	if _, err := m.Hold(spec(t, "192.0.2.5/24/nosuch0")); err == nil || !strings.Contains(err.Error(), "nosuch0") {
		t.Errorf("missing interface: err = %v, want one naming nosuch0", err)
	}
}

// TestNetnsPromoteSecondaries reproduces the trap of DEPENDENCIES.md §3
// with plain ip(8), then shows Release avoiding it.
func TestNetnsPromoteSecondaries(t *testing.T) {
	ns, m := testNS(t)
	// No node address in 192.0.2.128/25: the first VIP there is primary.
	ns.IP(t, "addr", "add", "192.0.2.150/25", "dev", "va")
	ns.IP(t, "addr", "add", "192.0.2.151/25", "dev", "va")
	ns.IP(t, "addr", "del", "192.0.2.150/25", "dev", "va")
	if got := vips(t, ns); len(got) != 0 {
		t.Skipf("SKIPPING: the kernel promoted the secondary (promote_secondaries already 1?): %q", got)
	}

	if _, err := m.Hold(spec(t, "192.0.2.160/25/va")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Hold(spec(t, "192.0.2.161/25/va")); err != nil {
		t.Fatal(err)
	}
	if got, want := vips(t, ns), []string{"192.0.2.160/25 brd 192.0.2.255", "192.0.2.161/25 brd 192.0.2.255 secondary"}; !slices.Equal(got, want) {
		t.Fatalf("held %q, want %q", got, want)
	}
	if _, err := m.Release(spec(t, "192.0.2.160/25/va")); err != nil {
		t.Fatal(err)
	}
	if got, want := vips(t, ns), []string{"192.0.2.161/25 brd 192.0.2.255"}; !slices.Equal(got, want) {
		t.Errorf("after releasing the primary: %q, want %q (promoted)", got, want)
	}
	if v, err := procSysctl(ns.Path, "va", "promote_secondaries", nil); err != nil || v != "1" {
		t.Errorf("promote_secondaries = %q, %v; want 1", v, err)
	}
}

// plant puts a resolution into the cache as if Lookup had made it now.
func plant(m *Manager, spec config.IPSpec, a Address) {
	m.cache.mu.Lock()
	defer m.cache.mu.Unlock()
	if m.cache.entries == nil {
		m.cache.entries = map[config.IPSpec]cached{}
	}
	m.cache.entries[spec] = cached{a, m.cache.gen}
}

// TestNetnsLookupCache: once Watch runs, Lookup answers from the cache
// until a link or a connected route changes; without Watch it always
// resolves.
func TestNetnsLookupCache(t *testing.T) {
	ns, m := testNS(t)
	sp := spec(t, "192.0.2.100")
	real, err := m.Resolve(sp)
	if err != nil || real.Link.Name != "va" || real.Prefix.Bits() != 24 {
		t.Fatalf("Resolve = %v, %v; want /24 on va", real, err)
	}
	fake := real
	fake.Prefix = netip.PrefixFrom(sp.Addr, 28)
	plant(m, sp, fake)
	if got, _ := m.Lookup(sp); got.Prefix.Bits() != 24 {
		t.Errorf("without Watch, Lookup = %v; want resolved afresh", got)
	}

	if err := m.Watch(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	plant(m, sp, fake)
	if got, _ := m.Lookup(sp); got.Prefix.Bits() != 28 {
		t.Fatalf("Lookup = %v; want the cached /28", got)
	}
	// Neither a gateway route nor the floating addresses of a takeover
	// (their routes go to the local table) change what Resolve reads.
	ns.IP(t, "route", "add", "198.51.100.0/24", "via", "192.0.2.2")
	for _, s := range []string{"192.0.2.101", "2001:db8::101"} {
		if _, err := m.Hold(spec(t, s)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if got, _ := m.Lookup(sp); got.Prefix.Bits() != 28 {
		t.Errorf("after a gateway route and a takeover, Lookup = %v; want still the cached /28", got)
	}
	// A longer connected route on another interface does.
	b := netnstest.New(t)
	netnstest.Veth(t, ns, "vc", b, "vd")
	ns.IP(t, "addr", "add", "192.0.2.65/26", "dev", "vc")
	labtest.Eventually(t, "Lookup follows the new connected route", func() bool {
		got, err := m.Lookup(sp)
		return err == nil && got.Link.Name == "vc" && got.Prefix.Bits() == 26
	})
	// A link that goes away takes its resolutions with it.
	vcAddr, _ := m.Lookup(sp)
	ns.IP(t, "link", "del", "vc")
	labtest.Eventually(t, "Lookup forgets the deleted link", func() bool {
		got, err := m.Lookup(sp)
		return err == nil && got.Link.Name == "va" && got.Link.Index != vcAddr.Link.Index
	})
}

// TestNetnsHoldStaleLink: a prepared resolution naming an interface that
// no longer exists is not used blindly: Hold resolves again.
func TestNetnsHoldStaleLink(t *testing.T) {
	ns, m := testNS(t)
	if err := m.Watch(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	sp := spec(t, "192.0.2.100")
	stale, err := m.Lookup(sp)
	if err != nil {
		t.Fatal(err)
	}
	stale.Link.Index = 9999 // gone, before the event says so
	plant(m, sp, stale)
	h, err := m.Hold(sp)
	if err != nil || h.Link.Name != "va" || h.Link.Index == 9999 {
		t.Fatalf("Hold with a stale interface = %+v, %v; want added on va", h, err)
	}
	if got := vips(t, ns); !slices.Equal(got, []string{"192.0.2.100/24 brd 192.0.2.255 secondary"}) {
		t.Errorf("after Hold: %q", got)
	}
}
