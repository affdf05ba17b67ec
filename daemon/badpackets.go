package daemon

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"time"

	"github.com/understudy-ha/understudy/transport/session"
)

// Bad-packet logging is bounded so that anyone who can send UDP to the
// heartbeat port cannot fill the disk (issue 17): per interval, each
// source and reason gets its first few packets logged in full, at most a
// few lines go out in all, and what was held back is summed up in one
// line per source and reason at the end of the interval (a bounded
// number of them, then one line for the rest). Counts per reason are
// kept for status, whatever was logged.
const (
	badInterval   = 10 * time.Second
	badPerKey     = 3   // full lines per source and reason per interval
	badPerPeriod  = 20  // full lines per interval in all
	badSummaries  = 10  // summary lines per interval
	badMaxSources = 256 // distinct sources and reasons tracked per interval
)

// badKey is a source and a reason. A frame on a serial link has the
// zero address.
type badKey struct {
	from   netip.Addr
	reason session.Reason
}

// badPackets decides which bad packets are logged. It is not safe for
// concurrent use; only the loop uses it.
type badPackets struct {
	start  time.Time // of the current interval
	logged int       // full lines in this interval
	keys   map[badKey]*badCount
	// overflow counts packets of sources beyond badMaxSources.
	overflow int
	// Total counts every bad packet by reason since the daemon started.
	Total map[session.Reason]uint64
}

type badCount struct {
	logged, held int
}

func newBadPackets() *badPackets {
	return &badPackets{keys: map[badKey]*badCount{}, Total: map[session.Reason]uint64{}}
}

// seen counts one bad packet and reports whether to log it in full.
func (b *badPackets) seen(from netip.Addr, reason session.Reason, now time.Time) bool {
	b.Total[reason]++
	if b.start.IsZero() {
		b.start = now
	}
	k := badKey{from.Unmap(), reason}
	c := b.keys[k]
	if c == nil {
		if len(b.keys) >= badMaxSources {
			b.overflow++
			return false
		}
		c = &badCount{}
		b.keys[k] = c
	}
	if c.logged < badPerKey && b.logged < badPerPeriod {
		c.logged++
		b.logged++
		return true
	}
	c.held++
	return false
}

// flush ends the interval when it is over and returns its summary lines.
func (b *badPackets) flush(now time.Time) []string {
	if b.start.IsZero() || now.Sub(b.start) < badInterval {
		return nil
	}
	var held []badKey
	for k, c := range b.keys {
		if c.held > 0 {
			held = append(held, k)
		}
	}
	slices.SortFunc(held, func(x, y badKey) int { return b.keys[y].held - b.keys[x].held })
	var lines []string
	rest, restKeys := b.overflow, 0
	for i, k := range held {
		if i < badSummaries {
			lines = append(lines, fmt.Sprintf("%d more bad packets (%s) from %s in the last %s, not logged one by one", b.keys[k].held, k.reason, source(k.from), badInterval))
			continue
		}
		rest += b.keys[k].held
		restKeys++
	}
	if b.overflow > 0 {
		restKeys++ // at least one more source, uncounted
	}
	if rest > 0 {
		lines = append(lines, fmt.Sprintf("%d more bad packets from %d or more other sources in the last %s", rest, restKeys, badInterval))
	}
	b.start, b.logged, b.overflow = time.Time{}, 0, 0
	clear(b.keys)
	return lines
}

// counts is a copy of Total by reason name, for status.
func (b *badPackets) counts() map[string]uint64 {
	out := make(map[string]uint64, len(b.Total))
	for _, r := range slices.Sorted(maps.Keys(b.Total)) {
		out[r.String()] = b.Total[r]
	}
	return out
}

func source(a netip.Addr) string {
	if !a.IsValid() {
		return "a serial link"
	}
	return a.String()
}
