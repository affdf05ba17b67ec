package resources

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestGuardPolicy is the split-brain guard's policy, case by case (see
// Guard): what is probed, and what a claim, a probe error and an ended
// context mean for the group.
func TestGuardPolicy(t *testing.T) {
	const mac1, mac2 = "02:00:00:00:00:01", "02:00:00:00:00:02"
	probeErr := errors.New("bind AF_PACKET socket to interface 7: no such device")
	tests := []struct {
		name    string
		tokens  []string
		claims  map[string]string
		err     error
		cancel  bool
		asked   []string // the probe calls, or none
		want    error    // errors.Is target; nil: take the group
		claimed string   // the ClaimError's text after "LAN: "
		warn    string   // a warning the guard must log; "": none
	}{
		{name: "no claim", tokens: []string{"192.0.2.10", "httpd"},
			asked: []string{"probe 192.0.2.10"}},
		{name: "claim found", tokens: []string{"192.0.2.10", "192.0.2.11/24/eth0", "httpd"}, claims: map[string]string{"192.0.2.11": mac1},
			asked: []string{"probe 192.0.2.10 192.0.2.11/24/eth0"}, want: ErrAddressInUse, claimed: "192.0.2.11 answered by " + mac1},
		{name: "claims in group order", tokens: []string{"192.0.2.12", "192.0.2.10", "192.0.2.11"}, claims: map[string]string{"192.0.2.10": mac2, "192.0.2.12": mac1},
			asked: []string{"probe 192.0.2.12 192.0.2.10 192.0.2.11"}, want: ErrAddressInUse,
			claimed: "192.0.2.12 answered by " + mac1 + ", 192.0.2.10 answered by " + mac2},
		{name: "probe error: fail open, logged", tokens: []string{"192.0.2.10", "httpd"}, err: probeErr,
			asked: []string{"probe 192.0.2.10"}, warn: "taking the addresses it could not judge anyway"},
		{name: "claim wins over a probe error", tokens: []string{"192.0.2.10/24/eth0", "192.0.2.20/24/eth1"}, claims: map[string]string{"192.0.2.10": mac1}, err: probeErr,
			asked: []string{"probe 192.0.2.10/24/eth0 192.0.2.20/24/eth1"}, want: ErrAddressInUse, claimed: "192.0.2.10 answered by " + mac1, warn: "partly failed"},
		{name: "mixed IPv4/IPv6: IPv6 probed too", tokens: []string{"2001:db8::10", "192.0.2.10", "2001:db8::11/64/eth0"}, claims: map[string]string{"2001:db8::10": mac1},
			asked: []string{"probe 2001:db8::10 192.0.2.10 2001:db8::11/64/eth0"}, want: ErrAddressInUse, claimed: "2001:db8::10 answered by " + mac1},
		{name: "IPv6 only", tokens: []string{"2001:db8::10", "httpd"},
			asked: []string{"probe 2001:db8::10"}},
		{name: "scripts only: nothing to probe", tokens: []string{"httpd", "Filesystem::/dev/sda1::/data"}},
		{name: "context cancelled: not taken", tokens: []string{"192.0.2.10"}, cancel: true,
			asked: []string{"probe 192.0.2.10"}, want: context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			calls := &callLog{}
			g := NewGuard(&fakeProber{log: calls, claims: tc.claims, err: tc.err}, slog.New(slog.NewTextHandler(&logs, nil)))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				cancel()
			}
			err := g.Check(ctx, group(t, "node1", tc.tokens...))
			calls.check(t, probedAndStopped(tc.asked...)...)
			if tc.want == nil && err != nil {
				t.Fatalf("Check = %v; want the group taken", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Check = %v; want an error matching %v", err, tc.want)
			}
			var ce *ClaimError
			if isClaim := errors.As(err, &ce); isClaim != (tc.claimed != "") {
				t.Fatalf("Check = %v: a *ClaimError is %v, want %v", err, isClaim, tc.claimed != "")
			}
			if ce != nil {
				if want := "address still in use on the LAN: " + tc.claimed; ce.Error() != want || ce.Group != tc.tokens[0] {
					t.Errorf("claim: group %q, %q; want group %q, %q", ce.Group, ce.Error(), tc.tokens[0], want)
				}
			}
			if tc.cancel && errors.Is(err, ErrAddressInUse) {
				t.Errorf("cancelled: %v must not read as a claim (the state machine would retry it)", err)
			}
			warns := strings.Count(logs.String(), "level=WARN")
			switch {
			case tc.warn == "" && warns > 0:
				t.Errorf("unexpected warning:\n%s", logs.String())
			case tc.warn != "" && (warns != 1 || !strings.Contains(logs.String(), tc.warn) || !strings.Contains(logs.String(), probeErr.Error())):
				t.Errorf("want one warning saying %q with the probe's error; log:\n%s", tc.warn, logs.String())
			}
		})
	}
}

// probedAndStopped is the calls of unprepared checks: each watch
// started, then stopped once judged.
func probedAndStopped(asked ...string) []string {
	var out []string
	for _, a := range asked {
		out = append(out, a, "stop "+strings.TrimPrefix(a, "probe "))
	}
	return out
}

// TestGuardPrepared: Prepare starts the watch that Check then uses up;
// a second Prepare keeps it; Unprepare stops it; a changed group or an
// ended watch gets a new one; a claim seen by a prepared watch refuses.
func TestGuardPrepared(t *testing.T) {
	const mac1 = "02:00:00:00:00:01"
	ctx := context.Background()
	g := group(t, "node1", "192.0.2.10", "2001:db8::10", "httpd")
	newGuard := func(claims map[string]string) (*Guard, *fakeProber, *callLog) {
		calls := &callLog{}
		p := &fakeProber{log: calls, claims: claims}
		return NewGuard(p, testLogger(t)), p, calls
	}

	gd, _, calls := newGuard(nil)
	gd.Prepare(g)
	gd.Prepare(g) // still running: kept
	if err := gd.Check(ctx, g); err != nil {
		t.Errorf("Check of a prepared group = %v; want taken", err)
	}
	if err := gd.Check(ctx, g); err != nil { // used up: unprepared now
		t.Errorf("second Check = %v; want taken", err)
	}
	calls.check(t, "probe 192.0.2.10 2001:db8::10", "stop 192.0.2.10 2001:db8::10", "probe 192.0.2.10 2001:db8::10", "stop 192.0.2.10 2001:db8::10")

	gd, _, calls = newGuard(nil)
	gd.Prepare(g)
	gd.Unprepare(g.Key)
	gd.Unprepare(g.Key)                    // no-op
	gd.Prepare(group(t, "node1", "httpd")) // no address: nothing to prepare
	calls.check(t, "probe 192.0.2.10 2001:db8::10", "stop 192.0.2.10 2001:db8::10")

	gd, _, calls = newGuard(nil)
	gd.Prepare(g)
	changed := group(t, "node1", "192.0.2.10", "192.0.2.11", "httpd")
	if err := gd.Check(ctx, changed); err != nil {
		t.Errorf("Check of a redefined group = %v; want taken", err)
	}
	calls.check(t, "probe 192.0.2.10 2001:db8::10", "stop 192.0.2.10 2001:db8::10", "probe 192.0.2.10 192.0.2.11", "stop 192.0.2.10 192.0.2.11")

	gd, p, calls := newGuard(nil)
	gd.Prepare(g)
	p.last().expired = true // past its maximum age
	gd.Prepare(g)           // ended: replaced
	p.last().expired = true
	if err := gd.Check(ctx, g); err != nil {
		t.Errorf("Check after the prepared watch ended = %v; want taken after a fresh probe", err)
	}
	calls.check(t, "probe 192.0.2.10 2001:db8::10", "probe 192.0.2.10 2001:db8::10", "stop 192.0.2.10 2001:db8::10",
		"stop 192.0.2.10 2001:db8::10", "probe 192.0.2.10 2001:db8::10", "stop 192.0.2.10 2001:db8::10")

	gd, p, _ = newGuard(map[string]string{"2001:db8::10": mac1})
	gd.Prepare(g)
	p.last().expired = true // claims seen before it ended still count
	if err := gd.Check(ctx, g); !errors.Is(err, ErrAddressInUse) {
		t.Errorf("Check of a group whose prepared watch saw a claim = %v; want ErrAddressInUse", err)
	}

	gd, _, calls = newGuard(nil)
	gd.Prepare(g)
	gd.Close()
	calls.check(t, "probe 192.0.2.10 2001:db8::10", "stop 192.0.2.10 2001:db8::10")
}

// TestGuardDeadtime: prepared watches are bounded by 2 x deadtime, at
// least DefaultWatchAge.
func TestGuardDeadtime(t *testing.T) {
	gd, p := NewGuard(nil, nil), &fakeProber{log: &callLog{}}
	gd.probe = p
	g := group(t, "node1", "192.0.2.10")
	for _, tc := range []struct{ deadtime, want time.Duration }{
		{0, DefaultWatchAge}, {100 * time.Millisecond, DefaultWatchAge}, {30 * time.Second, time.Minute},
	} {
		gd.SetDeadtime(tc.deadtime)
		gd.Prepare(g)
		if got := p.last().maxAge; got != tc.want {
			t.Errorf("deadtime %v: watch bounded by %v, want %v", tc.deadtime, got, tc.want)
		}
		gd.Unprepare(g.Key)
	}
}

// TestGuardWithoutProber: a guard with nothing to probe with lets every
// group through.
func TestGuardWithoutProber(t *testing.T) {
	if err := NewGuard(nil, nil).Check(context.Background(), group(t, "node1", "192.0.2.10")); err != nil {
		t.Errorf("Check = %v; want nil", err)
	}
}
