package neigh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeReceiver counts what the watches listen to.
type fakeReceiver struct {
	mu      sync.Mutex
	v4, nd  int
	groups  map[string]int
	failure error
}

func (f *fakeReceiver) use(ifindex int, v4 bool, groups []netip.Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v4 {
		f.v4++
	}
	if len(groups) > 0 {
		f.nd++
	}
	for _, g := range groups {
		f.groups[fmt.Sprintf("%d %s", ifindex, g)]++
	}
	return nil
}

func (f *fakeReceiver) done(ifindex int, v4 bool, groups []netip.Addr) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v4 {
		f.v4--
	}
	if len(groups) > 0 {
		f.nd--
	}
	for _, g := range groups {
		k := fmt.Sprintf("%d %s", ifindex, g)
		if f.groups[k]--; f.groups[k] == 0 {
			delete(f.groups, k)
		}
	}
}

func (f *fakeReceiver) err(v4, v6 bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failure
}

func (f *fakeReceiver) close() error { return nil }

// idle reports whether nothing listens any more.
func (f *fakeReceiver) idle() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.v4 == 0 && f.nd == 0 && len(f.groups) == 0
}

func (f *fakeSender) SendIPv6(ifindex int, dst net.HardwareAddr, packet []byte) error {
	n, err := ParseND(packet)
	if err != nil {
		return err
	}
	return f.record(fmt.Sprintf("dad if=%d %s to %s", ifindex, n.Target, dst))
}

func fakeProber(wait time.Duration, rate int) (*Prober, *fakeSender, *fakeReceiver) {
	fs, fr := &fakeSender{start: time.Now()}, &fakeReceiver{groups: map[string]int{}}
	return newProber(ProberOptions{Sender: fs, Wait: wait, MaxRate: rate}, fr), fs, fr
}

var peerMAC = net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x02}

// verdictAfter runs w.Verdict and returns how much virtual time it took.
func verdictAfter(t *testing.T, w *Watch) (map[netip.Addr]net.HardwareAddr, time.Duration, error) {
	t.Helper()
	t0 := time.Now()
	claims, err := w.Verdict(context.Background())
	return claims, time.Since(t0), err
}

// TestWatchVerdictTiming: the verdict of a fresh watch takes Wait; of a
// watch that ran Wait, nothing; of a younger one, the remainder.
func TestWatchVerdictTiming(t *testing.T) {
	const wait = 10 * time.Millisecond
	for _, tc := range []struct {
		ran, want time.Duration
	}{
		{0, wait}, // unprepared: the whole probe time
		{4 * time.Millisecond, 6 * time.Millisecond}, // the remainder
		{wait, 0}, // prepared: at once
		{time.Second + 3*time.Millisecond, 0},
	} {
		t.Run(tc.ran.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, fs, fr := fakeProber(wait, 0)
				w, err := p.Watch(testLink, []netip.Addr{testV4, testV6}, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(tc.ran)
				claims, took, err := verdictAfter(t, w)
				if err != nil || len(claims) != 0 || took != tc.want {
					t.Errorf("verdict after %v: %v, %v after %v; want free after %v", tc.ran, claims, err, took, tc.want)
				}
				synctest.Wait() // a repeat due at this instant goes out
				rounds := 1 + int((tc.ran+took)/wait)
				if got := len(fs.log()); got != 2*rounds {
					t.Errorf("sent %d probes, want %d rounds of 2 (one every %v): %q", got, rounds, wait, fs.log())
				}
				w.Stop()
				if !fr.idle() {
					t.Errorf("stopped watch still listened to: %+v", fr)
				}
			})
		})
	}
}

// TestWatchClaims: what counts as a claim, and that one ends the wait.
func TestWatchClaims(t *testing.T) {
	arp := func(op uint16, mac net.HardwareAddr, sip netip.Addr) func(*Prober) {
		b, _ := ARP{Op: op, SenderMAC: mac, SenderIP: sip, TargetIP: sip}.Marshal()
		return func(p *Prober) { p.arpFrame(testLink.Index, b) }
	}
	na := func(src net.HardwareAddr, tlla net.HardwareAddr, target netip.Addr) func(*Prober) {
		b := ndPacket(TypeNA, target, netip.MustParseAddr("ff02::1"), target, tlla)
		return func(p *Prober) { p.ndFrame(testLink.Index, src, b) }
	}
	ns := func(src net.HardwareAddr, from, target netip.Addr) func(*Prober) {
		dst, _ := SolicitedNode(target)
		b := ndPacket(TypeNS, from, dst, target, nil)
		return func(p *Prober) { p.ndFrame(testLink.Index, src, b) }
	}
	lower := net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x00} // below testMAC
	other := netip.MustParseAddr("192.0.2.99")
	tests := []struct {
		name  string
		frame func(*Prober)
		claim string // "ADDR MAC", or "" for none
	}{
		{"ARP reply", arp(OpReply, peerMAC, testV4), "192.0.2.100 " + peerMAC.String()},
		{"gratuitous ARP", arp(OpRequest, peerMAC, testV4), "192.0.2.100 " + peerMAC.String()},
		{"our own ARP", arp(OpReply, testMAC, testV4), ""},
		{"ARP for another address", arp(OpReply, peerMAC, other), ""},
		{"ARP probe of another host", arp(OpRequest, peerMAC, netip.IPv4Unspecified()), ""},
		{"NA with its MAC", na(peerMAC, lower, testV6), "2001:db8::100 " + lower.String()},
		{"NA without a MAC option", na(peerMAC, nil, testV6), "2001:db8::100 " + peerMAC.String()},
		{"our own NA", na(testMAC, testMAC, testV6), ""},
		{"NS resolving the address", ns(peerMAC, netip.MustParseAddr("2001:db8::2"), testV6), ""},
		{"DAD probe, lower MAC", ns(lower, netip.IPv6Unspecified(), testV6), "2001:db8::100 " + lower.String()},
		{"DAD probe, higher MAC", ns(peerMAC, netip.IPv6Unspecified(), testV6), ""},
		{"frame on another interface", func(p *Prober) {
			b, _ := ARP{Op: OpReply, SenderMAC: peerMAC, SenderIP: testV4, TargetIP: testV4}.Marshal()
			p.arpFrame(testLink.Index+1, b)
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const wait = 10 * time.Millisecond
				p, _, _ := fakeProber(wait, 0)
				w, err := p.Watch(testLink, []netip.Addr{testV4, testV6}, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				defer w.Stop()
				time.Sleep(time.Millisecond)
				tc.frame(p)
				claims, took, err := verdictAfter(t, w)
				if err != nil {
					t.Fatal(err)
				}
				var got string
				for ip, mac := range claims {
					got = ip.String() + " " + mac.String()
				}
				if got != tc.claim || len(claims) > 1 || took != wait-time.Millisecond {
					t.Errorf("claims %v after %v; want %q after %v", claims, took, tc.claim, wait-time.Millisecond)
				}
			})
		})
	}

	synctest.Test(t, func(t *testing.T) {
		p, _, _ := fakeProber(time.Second, 0)
		w, _ := p.Watch(testLink, []netip.Addr{testV4}, time.Minute)
		defer w.Stop()
		arp(OpReply, peerMAC, testV4)(p)
		if claims, took, err := verdictAfter(t, w); err != nil || len(claims) != 1 || took != 0 {
			t.Errorf("every address claimed: %v, %v after %v; want the claim at once", claims, err, took)
		}
	})
}

// ndPacket builds a valid ND packet (with its checksum) for the tests.
func ndPacket(typ uint8, src, dst, target netip.Addr, ll net.HardwareAddr) []byte {
	msg := make([]byte, nsLen, nsLen+8)
	msg[0] = typ
	if typ == TypeNA {
		msg[4] = naOverride
	}
	t16 := target.As16()
	copy(msg[8:], t16[:])
	if ll != nil {
		opt := byte(1)
		if typ == TypeNA {
			opt = 2
		}
		msg = append(msg, opt, 1)
		msg = append(msg, ll...)
	}
	b := make([]byte, ipv6HeaderLen, ipv6HeaderLen+len(msg))
	b[0], b[5], b[6], b[7] = 0x60, byte(len(msg)), 58, 255
	s16, d16 := src.As16(), dst.As16()
	copy(b[8:24], s16[:])
	copy(b[24:40], d16[:])
	b = append(b, msg...)
	c := icmpv6Checksum(b[8:24], b[24:40], b[40:])
	b[42], b[43] = byte(c>>8), byte(c)
	return b
}

// TestWatchEnds: a watch ends by itself at its maximum age, and then
// neither probes nor listens; its verdict says so.
func TestWatchEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, fs, fr := fakeProber(10*time.Millisecond, 0)
		w, err := p.Watch(testLink, []netip.Addr{testV6}, 95*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if n := len(fs.log()); n != 10 {
			t.Errorf("sent %d probes, want 10 (at 0, 10, ... 90ms): %q", n, fs.log())
		}
		if !fr.idle() {
			t.Errorf("expired watch still listened to: %+v", fr)
		}
		if _, err := w.Verdict(context.Background()); !errors.Is(err, ErrWatchEnded) {
			t.Errorf("verdict of an expired watch: %v; want ErrWatchEnded", err)
		}
		w.Stop() // no-op
	})
}

// TestWatchErrors: a failing first round is Watch's error; a receiver
// that failed and an ended ctx are the verdict's.
func TestWatchErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, fs, fr := fakeProber(10*time.Millisecond, 0)
		boom := errors.New("no such device")
		fs.fail = func(int) error { return boom }
		if _, err := p.Watch(testLink, []netip.Addr{testV4}, time.Minute); !errors.Is(err, boom) {
			t.Errorf("Watch with a failing send: %v; want %v", err, boom)
		}
		if !fr.idle() {
			t.Errorf("failed watch still listened to: %+v", fr)
		}
		fs.fail = nil
		if _, err := p.Watch(testLink, []netip.Addr{netip.IPv4Unspecified().Prev()}, time.Minute); err == nil {
			t.Error("Watch of an invalid address: no error")
		}

		w, _ := p.Watch(testLink, []netip.Addr{testV4}, time.Minute)
		fr.failure = errors.New("read ARP: boom")
		if _, err := w.Verdict(context.Background()); err == nil {
			t.Error("verdict with a failed receiver: no error")
		}
		fr.failure = nil
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		defer cancel()
		if _, err := w.Verdict(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("verdict cut short: %v; want the context's error", err)
		}
		w.Stop()
	})
}

// TestWatchRateLimit: repeated rounds of many watches stay within
// MaxRate; a watch whose repeats fell behind sends a round for its
// verdict and waits Wait for it.
func TestWatchRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const wait = 10 * time.Millisecond
		p, fs, _ := fakeProber(wait, 100)
		var ws []*Watch
		for i := range 20 {
			w, err := p.Watch(testLink, []netip.Addr{netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)})}, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			ws = append(ws, w)
		}
		time.Sleep(time.Second)
		// 20 first rounds, then at most 100 a second (plus the 10 of the
		// budget's initial burst).
		if n := len(fs.log()); n > 20+100+10 || n < 100 {
			t.Errorf("sent %d probes in 1s, want about 120 (rate 100/s)", n)
		}
		stale := 0
		for _, w := range ws {
			w.mu.Lock()
			if time.Since(w.last) > 2*wait {
				stale++
			}
			w.mu.Unlock()
		}
		if stale == 0 {
			t.Fatal("no watch fell behind; the test proves nothing")
		}
		for _, w := range ws {
			w.mu.Lock()
			behind := time.Since(w.last) > 2*wait
			w.mu.Unlock()
			_, took, err := verdictAfter(t, w)
			if err != nil || (behind && took != wait) || took > wait {
				t.Errorf("verdict of a watch behind %v: %v after %v; want %v", behind, err, took, wait)
			}
			w.Stop()
		}
	})
}
