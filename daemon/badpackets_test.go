package daemon

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/transport/session"
)

func TestBadPacketsBounded(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	attacker := netip.MustParseAddr("192.0.2.66")
	b := newBadPackets()
	full := 0
	// 10k packets a second for a minute from one source, one reason.
	for i := range 600_000 {
		now := t0.Add(time.Duration(i) * 100 * time.Microsecond)
		if b.seen(attacker, session.BadDigest, now) {
			full++
		}
		if i%10_000 == 0 {
			for _, l := range b.flush(now) {
				full++
				if !strings.Contains(l, "192.0.2.66") || !strings.Contains(l, "bad digest") {
					t.Errorf("summary %q does not name the source and the reason", l)
				}
			}
		}
	}
	// 6 intervals of 10 s: 3 full lines and 1 summary each.
	if full > 6*(badPerKey+1) {
		t.Errorf("%d lines for a minute of one flood, want at most %d", full, 6*(badPerKey+1))
	}
	if b.Total[session.BadDigest] != 600_000 {
		t.Errorf("counted %d, want every packet", b.Total[session.BadDigest])
	}
}

func TestBadPacketsSpoofedSources(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	b := newBadPackets()
	lines := 0
	// Every packet from a new address: the per-key allowance must not
	// multiply by the number of sources.
	for i := range 100_000 {
		from := netip.AddrFrom4([4]byte{198, 51, byte(i >> 8), byte(i)})
		if b.seen(from, session.Malformed, t0.Add(time.Duration(i)*time.Microsecond*50)) {
			lines++
		}
	}
	summary := b.flush(t0.Add(badInterval))
	lines += len(summary)
	if lines > badPerPeriod+badSummaries+1 {
		t.Errorf("%d lines in one interval from spoofed sources, want at most %d", lines, badPerPeriod+badSummaries+1)
	}
	if last := summary[len(summary)-1]; !strings.Contains(last, "other sources") {
		t.Errorf("last summary %q does not sum up the other sources", last)
	}
	if n := b.counts()["malformed"]; n != 100_000 {
		t.Errorf("status count %d, want 100000", n)
	}
}

func TestBadPacketsKeysApart(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	b := newBadPackets()
	a, c := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	for i, tc := range []struct {
		from   netip.Addr
		reason session.Reason
		want   bool
	}{
		{a, session.BadDigest, true}, {a, session.BadDigest, true}, {a, session.BadDigest, true},
		{a, session.BadDigest, false}, // a's allowance for that reason is used up
		{a, session.Replay, true},     // another reason of the same source is logged
		{c, session.BadDigest, true},  // another source is logged
		{netip.Addr{}, session.Malformed, true},
	} {
		if got := b.seen(tc.from, tc.reason, t0); got != tc.want {
			t.Errorf("packet %d (%v %v): logged %v, want %v", i, tc.from, tc.reason, got, tc.want)
		}
	}
	if got := b.flush(t0.Add(time.Second)); got != nil {
		t.Errorf("flush before the interval ended: %v", got)
	}
	got := b.flush(t0.Add(badInterval))
	if want := []string{fmt.Sprintf("1 more bad packets (bad digest) from 192.0.2.1 in the last %s, not logged one by one", badInterval)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("summary %q, want %q", got, want)
	}
	if !b.seen(a, session.BadDigest, t0.Add(badInterval)) {
		t.Error("a new interval does not log in full again")
	}
}
