package resources

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/resources/internal/labtest"
)

// labActuator is New in node a of a two-namespace lab (a and b), probe
// time 30ms, announcements count times interval apart.
func labActuator(t *testing.T, count int, interval time.Duration) (*Actuator, node, node) {
	t.Helper()
	a, b := newLab(t, 1, time.Millisecond)
	cfg := &config.Config{Dir: t.TempDir(), Settings: config.DefaultSettings()}
	cfg.Settings.IP.ProbeTime = 30 * time.Millisecond
	cfg.Settings.IP.GARPCount, cfg.Settings.IP.GARPInterval = count, interval
	act, err := New(cfg, "node1", Options{Logger: testLogger(t), NetNS: a.ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(act.Close)
	return act, a, b
}

// TestNetnsGuardIPv6: the guard probes IPv6 floating addresses as it
// does IPv4 ones: the peer holding one refuses the group with its MAC,
// alone or in a mixed group; nobody holding them lets the group through,
// and the addresses are usable at once (not tentative).
func TestNetnsGuardIPv6(t *testing.T) {
	act, a, b := labActuator(t, 1, 10*time.Millisecond)
	ctx := context.Background()
	labtest.AddV6(t, b.ns, "2001:db8::150/64", "vb")
	for _, tokens := range [][]string{{"2001:db8::150"}, {"192.0.2.150", "2001:db8::150"}, {"2001:db8::150/64/va", "192.0.2.151"}} {
		g := group(t, "node1", tokens...)
		var ce *ClaimError
		err := act.Acquire(ctx, g)
		if !errors.As(err, &ce) || len(ce.Claims) != 1 || ce.Claims[0].Addr.String() != "2001:db8::150" || ce.Claims[0].MAC.String() != b.mac {
			t.Errorf("Acquire %q while the peer holds 2001:db8::150 = %v; want refused, claimed by %s", tokens, err, b.mac)
		}
	}
	if out := a.ns.IP(t, "addr", "show", "dev", "va"); strings.Contains(out, "::150") || strings.Contains(out, ".15") {
		t.Errorf("a refused group left addresses behind:\n%s", out)
	}

	g := group(t, "node1", "192.0.2.160", "2001:db8::160")
	if err := act.Acquire(ctx, g); err != nil {
		t.Fatalf("Acquire with nobody holding the addresses = %v", err)
	}
	out := a.ns.IP(t, "-6", "-o", "addr", "show", "dev", "va", "to", "2001:db8::160")
	if !strings.Contains(out, "2001:db8::160/64 scope global nodad") || strings.Contains(out, "tentative") {
		t.Errorf("2001:db8::160 not added usable (nodad, not tentative):\n%s", out)
	}
}

// TestNetnsPrepared: a prepared group is judged from everything its
// watch saw: a peer that answered while it ran refuses the group even if
// it is silent by Acquire; Unprepare forgets that, and an Acquire then
// probes afresh.
func TestNetnsPrepared(t *testing.T) {
	act, _, b := labActuator(t, 1, 10*time.Millisecond)
	ctx := context.Background()
	g := group(t, "node1", "192.0.2.170", "2001:db8::170")
	labtest.AddV6(t, b.ns, "2001:db8::170/64", "vb")
	act.Prepare(g)
	time.Sleep(100 * time.Millisecond) // a few rounds
	b.ns.IP(t, "addr", "del", "2001:db8::170/64", "dev", "vb")
	if err := act.Acquire(ctx, g); !errors.Is(err, ErrAddressInUse) || !strings.Contains(err.Error(), b.mac) {
		t.Errorf("Acquire after the prepared watch saw the peer answer = %v; want ErrAddressInUse by %s", err, b.mac)
	}

	b.ns.IP(t, "addr", "add", "192.0.2.170/24", "dev", "vb")
	act.Prepare(g)
	time.Sleep(100 * time.Millisecond)
	b.ns.IP(t, "addr", "del", "192.0.2.170/24", "dev", "vb")
	act.Unprepare(g.Key) // its heartbeats came back
	if err := act.Acquire(ctx, g); err != nil {
		t.Errorf("Acquire after Unprepare, nobody holding the addresses = %v; want taken", err)
	}

	g2 := group(t, "node1", "192.0.2.171")
	act.Prepare(g2)
	time.Sleep(50 * time.Millisecond)
	if err := act.Acquire(ctx, g2); err != nil {
		t.Errorf("Acquire of a prepared group nobody holds = %v; want taken", err)
	}
}

// TestNetnsAnnounce: a client whose neighbour entries for the floating
// addresses point at another MAC (the peer that held them during a
// split brain) is put right by Announce; addresses not held here are not
// announced.
func TestNetnsAnnounce(t *testing.T) {
	act, a, b := labActuator(t, 2, 20*time.Millisecond)
	ctx := context.Background()
	g := group(t, "node1", "192.0.2.180", "2001:db8::180", "192.0.2.181")
	if err := act.Acquire(ctx, g); err != nil {
		t.Fatal(err)
	}
	if _, err := act.runner.opts.Addresses.(*IPHandler).opts.Addresses.Release(*g.Resources[2].IP); err != nil {
		t.Fatal(err) // an operator removed one behind the daemon's back
	}
	time.Sleep(100 * time.Millisecond) // the takeover's burst is over
	const stale = "02:00:00:00:de:ad"
	for _, vip := range []string{"192.0.2.180", "2001:db8::180"} {
		b.ns.IP(t, "neigh", "replace", vip, "lladdr", stale, "dev", "vb", "nud", "stale")
	}
	got, err := act.Announce(g)
	if want := []netip.Addr{netip.MustParseAddr("192.0.2.180"), netip.MustParseAddr("2001:db8::180")}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Announce = %v, %v; want %v", got, err, want)
	}
	for _, vip := range []string{"192.0.2.180", "2001:db8::180"} {
		labtest.Eventually(t, "client's entry for "+vip+" points at "+a.mac, func() bool {
			return strings.Contains(b.ns.IP(t, "neigh", "show", vip, "dev", "vb"), a.mac)
		})
	}
	if err := act.Release(ctx, g); err != nil {
		t.Fatal(err)
	}
	if got, err := act.Announce(g); err != nil || len(got) != 0 {
		t.Errorf("Announce after Release = %v, %v; want nothing", got, err)
	}
}
