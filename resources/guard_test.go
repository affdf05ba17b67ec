package resources

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
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
		{name: "mixed IPv4/IPv6: IPv6 not probed", tokens: []string{"2001:db8::10", "192.0.2.10", "2001:db8::11/64/eth0"}, claims: map[string]string{"2001:db8::10": mac1},
			asked: []string{"probe 192.0.2.10"}},
		{name: "IPv6 only: nothing to probe", tokens: []string{"2001:db8::10", "httpd"}},
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
			calls.check(t, tc.asked...)
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

// TestGuardWithoutProber: a guard with nothing to probe with lets every
// group through.
func TestGuardWithoutProber(t *testing.T) {
	if err := NewGuard(nil, nil).Check(context.Background(), group(t, "node1", "192.0.2.10")); err != nil {
		t.Errorf("Check = %v; want nil", err)
	}
}
