package admin

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// maxSources bounds the rate limiter's table.
const maxSources = 4096

// limiter counts failed logins per source: each source may fail burst
// times, and the allowance refills at burst per window. A source with no
// allowance left is refused before its password is even looked at.
type limiter struct {
	burst  float64
	window time.Duration
	now    func() time.Time

	mu sync.Mutex
	m  map[string]*bucket
}

type bucket struct {
	tokens float64
	// last is when tokens was brought up to date; lastFail the last
	// failure.
	last, lastFail time.Time
	// told: the refusal of this source was logged; reset when it may try
	// again, so that a flood gives one log line, not one per attempt.
	told bool
}

func newLimiter(burst int, window time.Duration) *limiter {
	return &limiter{burst: float64(max(burst, 1)), window: window, now: time.Now, m: map[string]*bucket{}}
}

// sourceKey names the source of a request by its address: the IPv4
// address, or the IPv6 /64 (one host usually has a whole /64).
func sourceKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// refill brings b up to date; called with l.mu held.
func (l *limiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(l.burst, b.tokens+l.burst*float64(d)/float64(l.window))
		b.last = now
	}
	if b.tokens >= 1 {
		b.told = false
	}
}

// Allow reports whether src may try to log in, and, when it may not,
// how long until it may and whether this refusal is the first since it
// ran out (the one to log).
func (l *limiter) Allow(src string) (ok bool, wait time.Duration, first bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.m[src]
	if !found {
		return true, 0, false
	}
	l.refill(b, l.now())
	if b.tokens >= 1 {
		return true, 0, false
	}
	wait = time.Duration((1 - b.tokens) * float64(l.window) / l.burst)
	first, b.told = !b.told, true
	return false, wait.Round(time.Second) + time.Second, first
}

// Fail takes one attempt from src's allowance.
func (l *limiter) Fail(src string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.m[src]
	if !ok {
		if len(l.m) >= maxSources {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.m[src] = b
	}
	l.refill(b, now)
	b.tokens = max(b.tokens-1, 0)
	b.lastFail = now
}

// prune forgets full buckets (sources that have not failed lately) and,
// if the table is still full, the one idle longest.
func (l *limiter) prune(now time.Time) {
	var oldest string
	for k, b := range l.m {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.m, k)
		} else if oldest == "" || b.lastFail.Before(l.m[oldest].lastFail) {
			oldest = k
		}
	}
	if len(l.m) >= maxSources {
		delete(l.m, oldest)
	}
}
