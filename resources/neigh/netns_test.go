package neigh

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/internal/netnstest"
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

// TestNetnsProbe: one address, free, then claimed by the peer, then
// held by ourselves; a cancelled probe and an IPv6 one are errors.
func TestNetnsProbe(t *testing.T) {
	p := newPair(t)
	vip := netip.MustParseAddr("192.0.2.100")
	pr := Prober{NetNS: p.a.Path, Wait: 30 * time.Millisecond}
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
	t.Logf("free: probe took %v (wait %v)", elapsed, pr.Wait)

	p.b.IP(t, "addr", "add", "192.0.2.100/24", "dev", "vb")
	pr.Wait = 2 * time.Second // generous; the answer ends the probe early
	mac, elapsed, err = one(context.Background(), vip)
	if err != nil || !bytes.Equal(mac, p.macB) {
		t.Fatalf("peer holds %s: claimed by %v, %v; want in use by %s", vip, mac, err, p.macB)
	}
	t.Logf("in use: answered by %s after %v", mac, elapsed)
	if elapsed >= pr.Wait {
		t.Errorf("probe waited the whole %v although answered", pr.Wait)
	}

	// An address we hold ourselves is not a conflict with ourselves.
	p.a.IP(t, "addr", "add", "192.0.2.101/24", "dev", "va")
	pr.Wait = 30 * time.Millisecond
	if mac, _, err = one(context.Background(), netip.MustParseAddr("192.0.2.101")); err != nil || mac != nil {
		t.Errorf("own address: claimed by %v, %v; want free", mac, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pr.Wait = 2 * time.Second
	if _, _, err := one(ctx, netip.MustParseAddr("192.0.2.102")); err == nil {
		t.Error("cancelled context: probe succeeded")
	}
	if _, _, err := one(context.Background(), netip.MustParseAddr("2001:db8::1")); !errorsIs(err, ErrProbeUnsupported) {
		t.Errorf("IPv6 probe: err = %v, want ErrProbeUnsupported", err)
	}
}

// TestNetnsProbeAll: several addresses, one socket and one wait; only
// those another host holds are reported, each with its MAC.
func TestNetnsProbeAll(t *testing.T) {
	p := newPair(t)
	p.b.IP(t, "addr", "add", "192.0.2.110/24", "dev", "vb")
	p.b.IP(t, "addr", "add", "192.0.2.112/24", "dev", "vb")
	var ips []netip.Addr
	for i := 110; i < 120; i++ {
		ips = append(ips, netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}))
	}
	pr := Prober{NetNS: p.a.Path, Wait: 200 * time.Millisecond}
	claims, elapsed, err := pr.ProbeAll(context.Background(), p.linkA, ips)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 2 || !bytes.Equal(claims[ips[0]], p.macB) || !bytes.Equal(claims[ips[2]], p.macB) {
		t.Fatalf("claims = %v, want .110 and .112 by %s", claims, p.macB)
	}
	t.Logf("10 addresses probed in %v (wait %v)", elapsed, pr.Wait)
	// All wanted addresses claimed: the probe ends before the wait.
	pr.Wait = 2 * time.Second
	claims, elapsed, err = pr.ProbeAll(context.Background(), p.linkA, ips[:1])
	if err != nil || len(claims) != 1 || elapsed >= pr.Wait {
		t.Errorf("one claimed address: %v after %v, %v", claims, elapsed, err)
	}
}
