package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestWatchGap(t *testing.T) {
	var out strings.Builder
	t0 := time.Unix(1000, 0)
	w := &watch{out: &out, start: t0}
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	fail := errors.New("refused")
	w.record(at(0), at(0), "", fail) // before the service is up: not a gap
	w.record(at(10), at(10), "node1", nil)
	w.record(at(20), at(20), "node1", nil)
	w.record(at(30), at(30), "", fail)
	w.record(at(80), at(80), "", fail)
	w.record(at(250), at(250), "node2", nil)
	w.record(at(260), at(260), "node2", nil)
	w.record(at(300), at(300), "node1", nil) // a change without failure
	w.summary()
	if w.gap != 230*time.Millisecond || w.gapFrom != "node1" || w.gapTo != "node2" {
		t.Errorf("gap = %v %s->%s, want 230ms node1->node2", w.gap, w.gapFrom, w.gapTo)
	}
	if w.ok != 5 || w.failed != 3 {
		t.Errorf("ok, failed = %d, %d; want 5, 3", w.ok, w.failed)
	}
	got := out.String()
	for _, want := range []string{"answered by node1\n", "no answer: refused", "answered by node2 again, 230.0 ms", "answered by node1 instead of node2", "gap_ms=230.0 from=node1 to=node2 at_s=0.020 ok=5 failed=3\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// Overlapping requests: a failure that completes after a newer request
// succeeded is old news, not an outage.
func TestWatchStaleFailure(t *testing.T) {
	var out strings.Builder
	t0 := time.Unix(1000, 0)
	w := &watch{out: &out, start: t0}
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	w.record(at(0), at(1), "node2", nil)
	w.record(at(20), at(21), "node2", nil)
	w.record(at(10), at(60), "", errors.New("timeout")) // sent before the reply at 21
	w.record(at(70), at(71), "node2", nil)
	w.summary()
	if w.failing || strings.Contains(out.String(), "no answer") {
		t.Errorf("a stale failure was taken for an outage:\n%s", out.String())
	}
	if w.gap != 50*time.Millisecond {
		t.Errorf("gap = %v, want 50ms (21 -> 71)", w.gap)
	}
}

func TestWatchNoGap(t *testing.T) {
	var out strings.Builder
	w := &watch{out: &out, start: time.Now()}
	w.summary()
	if got, want := out.String(), "gap_ms=0.0 from=- to=- at_s=- ok=0 failed=0\n"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
}
