package admin

import (
	"strconv"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	l := newLimiter(3, time.Minute)
	l.now = func() time.Time { return now }
	src := "192.0.2.7"
	for i := range 3 {
		if ok, _, _ := l.Allow(src); !ok {
			t.Fatalf("attempt %d refused", i)
		}
		l.Fail(src)
	}
	ok, wait, first := l.Allow(src)
	if ok || !first || wait != 21*time.Second {
		t.Fatalf("after 3 failures: %v %v %v", ok, wait, first)
	}
	if _, _, first := l.Allow(src); first {
		t.Error("second refusal reported as first")
	}
	if ok, _, _ := l.Allow("192.0.2.8"); !ok {
		t.Error("another source refused")
	}
	now = now.Add(20 * time.Second) // one attempt refilled
	if ok, _, _ := l.Allow(src); !ok {
		t.Fatal("not refilled after a third of the window")
	}
	l.Fail(src)
	if ok, _, first := l.Allow(src); ok || !first {
		t.Error("refusal after a refill is logged again")
	}
	now = now.Add(time.Hour)
	for range 3 {
		l.Fail(src)
	}
	if ok, _, _ := l.Allow(src); ok {
		t.Error("refill above the burst")
	}
}

func TestLimiterBounded(t *testing.T) {
	l := newLimiter(2, time.Minute)
	for i := range maxSources + 100 {
		l.Fail("198.51.100." + strconv.Itoa(i%250) + "/" + strconv.Itoa(i))
	}
	if len(l.m) > maxSources {
		t.Errorf("table holds %d sources", len(l.m))
	}
}

func TestSourceKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7:4000":            "192.0.2.7",
		"[::ffff:192.0.2.7]:4000":   "192.0.2.7",
		"[2001:db8:1:2:3::9]:4000":  "2001:db8:1:2::/64",
		"[2001:db8:1:2:ff::1]:4000": "2001:db8:1:2::/64",
		"[fe80::1%eth0]:1":          "fe80::/64",
		"pipe":                      "pipe",
	} {
		if got := sourceKey(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
