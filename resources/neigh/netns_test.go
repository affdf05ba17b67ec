package neigh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/internal/netnstest"
	"github.com/understudy-ha/understudy/resources/internal/labtest"
	"golang.org/x/sys/unix"
)

// pair is two namespaces joined by va (in a, 192.0.2.1/24) and vb (in b,
// 192.0.2.2/24).
type pair struct {
	a, b  *netnstest.NS
	linkA Link
	macB  net.HardwareAddr
}

func newPair(t *testing.T) pair {
	t.Helper()
	p := pair{a: netnstest.New(t), b: netnstest.New(t)}
	netnstest.Veth(t, p.a, "va", p.b, "vb")
	p.a.IP(t, "addr", "add", "192.0.2.1/24", "dev", "va")
	p.b.IP(t, "addr", "add", "192.0.2.2/24", "dev", "vb")
	la, err := p.a.Handle.LinkByName("va")
	if err != nil {
		t.Fatal(err)
	}
	lb, err := p.b.Handle.LinkByName("vb")
	if err != nil {
		t.Fatal(err)
	}
	p.linkA = Link{Index: la.Attrs().Index, Name: "va", MAC: la.Attrs().HardwareAddr}
	p.macB = lb.Attrs().HardwareAddr
	return p
}

const staleMAC = "02:00:00:00:de:ad"

func TestNetnsGARPSeenByPeer(t *testing.T) {
	p := newPair(t)
	vip := netip.MustParseAddr("192.0.2.100")
	p.b.IP(t, "neigh", "replace", vip.String(), "lladdr", staleMAC, "dev", "vb", "nud", "stale")
	capture := netnstest.Listen(t, p.b, "vb", unix.ETH_P_ARP)
	conn, err := Dial(p.a.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const count, interval = 3, 50 * time.Millisecond
	a := NewAnnouncer(AnnouncerOptions{Sender: conn, Count: count, Interval: interval})
	defer a.Close()
	t0 := time.Now()
	if err := a.Announce(p.linkA, vip); err != nil {
		t.Fatal(err)
	}
	returned := time.Since(t0)
	wantReq, _ := GARPRequest(p.linkA.MAC, vip)
	wantRep, _ := GARPReply(p.linkA.MAC, vip)
	var at []time.Duration
	for i := range 2 * count {
		f, ok := capture.Next(5 * time.Second)
		if !ok {
			t.Fatalf("frame %d of %d did not arrive within 5s", i+1, 2*count)
		}
		want := wantReq
		if i%2 == 1 {
			want = wantRep
		}
		if !bytes.Equal(f.Data[:ARPLen], want) || !bytes.Equal(f.Src, p.linkA.MAC) {
			t.Errorf("frame %d from %s: %x, want %x from %s", i+1, net.HardwareAddr(f.Src), f.Data, want, p.linkA.MAC)
		}
		at = append(at, f.At.Sub(t0))
	}
	t.Logf("Announce returned after %v; frames seen at %v (rounds %v apart)", returned, at, interval)
	if at[2*count-1] < (count-1)*interval {
		t.Errorf("last frame at %v, before the schedule allows (%v)", at[2*count-1], (count-1)*interval)
	}
	if out := p.b.IP(t, "neigh", "show", vip.String(), "dev", "vb"); !strings.Contains(out, p.linkA.MAC.String()) {
		t.Errorf("peer's neighbour entry not updated to %s:\n%s", p.linkA.MAC, out)
	}
}

func TestNetnsUnsolicitedNASeenByPeer(t *testing.T) {
	p := newPair(t)
	vip := netip.MustParseAddr("2001:db8::100")
	p.a.IP(t, "addr", "add", "2001:db8::100/64", "dev", "va", "nodad")
	p.b.IP(t, "addr", "add", "2001:db8::2/64", "dev", "vb", "nodad")
	p.b.IP(t, "neigh", "replace", vip.String(), "lladdr", staleMAC, "dev", "vb", "nud", "stale")
	capture := netnstest.Listen(t, p.b, "vb", unix.ETH_P_IPV6)
	conn, err := Dial(p.a.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	a := NewAnnouncer(AnnouncerOptions{Sender: conn, Count: 1})
	if err := a.Announce(p.linkA, vip); err != nil {
		t.Fatal(err)
	}
	wantNA, _ := UnsolicitedNA(p.linkA.MAC, vip)
	for range 50 { // skip MLD reports and the like
		f, ok := capture.Next(5 * time.Second)
		if !ok {
			t.Fatal("no neighbour advertisement within 5s")
		}
		if len(f.Data) < 40+NALen || f.Data[6] != unix.IPPROTO_ICMPV6 || f.Data[40] != 136 {
			continue
		}
		hop, dst, body := f.Data[7], netip.AddrFrom16([16]byte(f.Data[24:40])), f.Data[40:]
		if hop != 255 || dst != netip.MustParseAddr("ff02::1") {
			t.Errorf("NA hop limit %d to %s, want 255 to ff02::1", hop, dst)
		}
		body[2], body[3] = 0, 0 // checksum, filled in by the kernel
		if !bytes.Equal(body[:NALen], wantNA) {
			t.Errorf("NA body %x, want %x", body, wantNA)
		}
		break
	}
	if out := p.b.IP(t, "-6", "neigh", "show", vip.String(), "dev", "vb"); !strings.Contains(out, p.linkA.MAC.String()) {
		t.Errorf("peer's neighbour entry not updated to %s:\n%s", p.linkA.MAC, out)
	}
}

// prober opens a Prober in a's namespace, closed at cleanup.
func (p pair) prober(t *testing.T, wait time.Duration) *Prober {
	t.Helper()
	conn, err := Dial(p.a.Path)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := NewProber(ProberOptions{NetNS: p.a.Path, Sender: conn, Wait: wait})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pr.Close(); conn.Close() })
	return pr
}

// TestNetnsProbe: one address, free, then claimed by the peer, then
// held by ourselves; a cancelled probe is an error. IPv4 and IPv6 alike.
func TestNetnsProbe(t *testing.T) {
	p := newPair(t)
	p.a.IP(t, "addr", "add", "2001:db8::1/64", "dev", "va", "nodad")
	p.b.IP(t, "addr", "add", "2001:db8::2/64", "dev", "vb", "nodad")
	for _, tc := range []struct{ vip, own, other, bits string }{
		{"192.0.2.100", "192.0.2.101", "192.0.2.102", "/24"},
		{"2001:db8::100", "2001:db8::101", "2001:db8::102", "/64"},
	} {
		t.Run(tc.vip, func(t *testing.T) {
			vip := netip.MustParseAddr(tc.vip)
			pr := p.prober(t, 30*time.Millisecond)
			one := func(ctx context.Context, ip netip.Addr) (net.HardwareAddr, time.Duration, error) {
				claims, elapsed, err := pr.ProbeAll(ctx, p.linkA, []netip.Addr{ip})
				if len(claims) > 1 {
					t.Errorf("probe of %s: claims %v for addresses not asked about", ip, claims)
				}
				return claims[ip], elapsed, err
			}

			mac, elapsed, err := one(context.Background(), vip)
			if err != nil || mac != nil {
				t.Fatalf("nobody holds %s: claimed by %v, %v; want free", vip, mac, err)
			}
			t.Logf("free: probe took %v (wait %v)", elapsed, pr.opts.Wait)

			if vip.Is4() {
				p.b.IP(t, "addr", "add", tc.vip+tc.bits, "dev", "vb")
			} else {
				labtest.AddV6(t, p.b, tc.vip+tc.bits, "vb")
			}
			pr.opts.Wait = 2 * time.Second // generous; the answer ends the probe early
			mac, elapsed, err = one(context.Background(), vip)
			if err != nil || !bytes.Equal(mac, p.macB) {
				t.Fatalf("peer holds %s: claimed by %v, %v; want in use by %s", vip, mac, err, p.macB)
			}
			t.Logf("in use: answered by %s after %v", mac, elapsed)
			if elapsed >= pr.opts.Wait {
				t.Errorf("probe waited the whole %v although answered", pr.opts.Wait)
			}

			// An address we hold ourselves is not a conflict with ourselves.
			p.a.IP(t, "addr", "add", tc.own+tc.bits, "dev", "va", "nodad")
			pr.opts.Wait = 30 * time.Millisecond
			if mac, _, err = one(context.Background(), netip.MustParseAddr(tc.own)); err != nil || mac != nil {
				t.Errorf("own address: claimed by %v, %v; want free", mac, err)
			}

			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			pr.opts.Wait = 2 * time.Second
			if _, _, err := one(ctx, netip.MustParseAddr(tc.other)); !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled context: %v; want cut short", err)
			}
		})
	}
}

// TestNetnsProbeAll: several addresses of both families, one wait; only
// those another host holds are reported, each with its MAC.
func TestNetnsProbeAll(t *testing.T) {
	p := newPair(t)
	p.a.IP(t, "addr", "add", "2001:db8::1/64", "dev", "va", "nodad")
	p.b.IP(t, "addr", "add", "192.0.2.110/24", "dev", "vb")
	p.b.IP(t, "addr", "add", "192.0.2.112/24", "dev", "vb")
	labtest.AddV6(t, p.b, "2001:db8::111/64", "vb")
	var ips []netip.Addr
	for i := 110; i < 120; i++ {
		ips = append(ips, netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), netip.MustParseAddr(fmt.Sprintf("2001:db8::%d", i)))
	}
	pr := p.prober(t, 200*time.Millisecond)
	claims, elapsed, err := pr.ProbeAll(context.Background(), p.linkA, ips)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"192.0.2.110", "192.0.2.112", "2001:db8::111"}
	var got []string
	for ip, mac := range claims {
		got = append(got, ip.String())
		if !bytes.Equal(mac, p.macB) {
			t.Errorf("%s claimed by %s, want %s", ip, mac, p.macB)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("claims %q, want %q", got, want)
	}
	t.Logf("20 addresses probed in %v (wait %v)", elapsed, pr.opts.Wait)
	// All wanted addresses claimed: the probe ends before the wait.
	pr.opts.Wait = 2 * time.Second
	claims, elapsed, err = pr.ProbeAll(context.Background(), p.linkA, []netip.Addr{ips[0], ips[3]})
	if err != nil || len(claims) != 2 || elapsed >= pr.opts.Wait {
		t.Errorf("two claimed addresses: %v after %v, %v", claims, elapsed, err)
	}
}

// TestNetnsWatch: a watch keeps probing; an address the peer takes
// while it runs is claimed at the next round, and Stop ends it.
func TestNetnsWatch(t *testing.T) {
	p := newPair(t)
	pr := p.prober(t, 20*time.Millisecond)
	vip := netip.MustParseAddr("192.0.2.100")
	w, err := pr.Watch(p.linkA, []netip.Addr{vip}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if claims, err := w.Verdict(context.Background()); err != nil || len(claims) != 0 {
		t.Fatalf("verdict with nobody holding %s: %v, %v", vip, claims, err)
	}
	p.b.IP(t, "addr", "add", "192.0.2.100/24", "dev", "vb")
	labtest.Eventually(t, "the peer's answer", func() bool { return len(w.Claims()) > 0 })
	if claims, err := w.Verdict(context.Background()); err != nil || !bytes.Equal(claims[vip], p.macB) {
		t.Errorf("after the peer took %s: %v, %v; want claimed by %s", vip, claims, err, p.macB)
	}
	w.Stop()
	w, err = pr.Watch(p.linkA, []netip.Addr{netip.MustParseAddr("192.0.2.101")}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	w.Stop()
	if _, err := w.Verdict(context.Background()); !errors.Is(err, ErrWatchEnded) {
		t.Errorf("verdict of a stopped watch: %v; want ErrWatchEnded", err)
	}
}

// TestNetnsSimultaneousDAD: another host's duplicate address detection
// probe for an address being watched is a claim when that host's MAC is
// lower, and ignored when ours is (the lower MAC goes ahead).
func TestNetnsSimultaneousDAD(t *testing.T) {
	p := newPair(t)
	vip := netip.MustParseAddr("2001:db8::100")
	other, err := Dial(p.b.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	dad, _ := DADProbe(vip)
	_, group := SolicitedNode(vip)
	for _, tc := range []struct {
		macA, macB string
		claimed    bool
	}{
		{"02:00:00:00:00:02", "02:00:00:00:00:01", true},
		{"02:00:00:00:00:01", "02:00:00:00:00:02", false},
	} {
		p.a.IP(t, "link", "set", "va", "address", tc.macA)
		p.b.IP(t, "link", "set", "vb", "address", tc.macB)
		link := p.linkA
		link.MAC, _ = net.ParseMAC(tc.macA)
		pr := p.prober(t, 100*time.Millisecond)
		w, err := pr.Watch(link, []netip.Addr{vip}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		lb, _ := p.b.Handle.LinkByName("vb")
		if err := other.SendIPv6(lb.Attrs().Index, group, dad); err != nil {
			t.Fatal(err)
		}
		claims, err := w.Verdict(context.Background())
		w.Stop()
		if err != nil || (claims[vip] != nil) != tc.claimed || (tc.claimed && claims[vip].String() != tc.macB) {
			t.Errorf("us %s, other prober %s: claims %v, %v; want claimed %v", tc.macA, tc.macB, claims, err, tc.claimed)
		}
	}
}
