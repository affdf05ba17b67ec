package resources

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// newFakeActuator is New with fake addresses (which probe through the
// fakeProber) and fake scripts, all calls in one log.
func newFakeActuator(t *testing.T, claims map[string]string, probeErr error) (*Actuator, *callLog) {
	t.Helper()
	log := &callLog{}
	run := &fakeRunner{log: log, do: map[string]*behaviour{}, n: map[string]int{}}
	addrs := fakeAddresses{&fakeIP{log: log, held: map[netip.Addr]bool{}}, &fakeProber{log: log, claims: claims, err: probeErr}}
	a, err := New(&config.Config{Dir: "/etc/ha.d", Settings: config.DefaultSettings()}, "node1", Options{
		Logger:    testLogger(t),
		Addresses: addrs,
		Scripts:   newScripts(ScriptOptions{Dir: "/etc/ha.d", Lookup: config.Env{Stat: execStat, InitDir: "/etc/init.d"}}, run),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a, log
}

func TestActuatorAcquireRelease(t *testing.T) {
	a, log := newFakeActuator(t, nil, nil)
	g := group(t, "node1", "192.0.2.10", "2001:db8::10", "httpd")
	ctx := context.Background()
	if err := a.Acquire(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(ctx, g); err != nil {
		t.Fatal(err)
	}
	log.check(t, "probe 192.0.2.10 2001:db8::10", "stop 192.0.2.10 2001:db8::10",
		"ip add 192.0.2.10", "ip add 2001:db8::10", "httpd status", "httpd start",
		"httpd stop", "ip del 2001:db8::10", "ip del 192.0.2.10")
	if s := a.Snapshot(); len(s) != 1 || s[0].Key != "192.0.2.10" || s[0].Summary() != "NONE" {
		t.Errorf("Snapshot = %+v; want the group, stopped", s)
	}
}

// TestActuatorGuardFirst: a claim refuses the group before anything of
// it starts; a probe error does not.
func TestActuatorGuardFirst(t *testing.T) {
	g := group(t, "node1", "192.0.2.10", "httpd")
	a, log := newFakeActuator(t, map[string]string{"192.0.2.10": "02:00:00:00:00:01"}, nil)
	if err := a.Acquire(context.Background(), g); !errors.Is(err, ErrAddressInUse) {
		t.Errorf("Acquire = %v; want ErrAddressInUse", err)
	}
	log.check(t, "probe 192.0.2.10", "stop 192.0.2.10")
	if s := a.Snapshot(); len(s) != 0 {
		t.Errorf("Snapshot after a refusal = %+v; want nothing touched", s)
	}

	a, log = newFakeActuator(t, nil, errors.New("no socket"))
	if err := a.Acquire(context.Background(), g); err != nil {
		t.Errorf("Acquire after a failed probe = %v; want taken (fail open)", err)
	}
	log.check(t, "probe 192.0.2.10", "stop 192.0.2.10", "ip add 192.0.2.10", "httpd status", "httpd start")
}

// envdump records, at each start, the variables of heartbeat's
// environment the tests look at, and systemd's, which must not leak.
const envdump = `#!/bin/sh
for op; do :; done
[ "$op" = start ] && echo "cur=$HA_CURHOST foo=$HA_FOO nice=$HA_NICEFAILBACK notify=$NOTIFY_SOCKET" >> "$(dirname "$0")/../env.log"
[ "$op" = status ] && echo stopped
exit 0
`

// TestActuatorScriptEnv: New gives scripts heartbeat's environment
// without systemd's variables; SetConfig changes it for the next calls.
func TestActuatorScriptEnv(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "/run/systemd/notify")
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "resource.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "resource.d", "envdump"), []byte(envdump), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Dir: dir, Settings: config.DefaultSettings(),
		HACF: config.HACF{AutoFailback: config.FailbackOn, Env: []config.EnvVar{{Name: "FOO", Value: "one"}}}}
	cfg.Settings.Resources.Timeout = 30 * time.Second
	a, err := New(cfg, "node1", Options{Logger: testLogger(t), Addresses: fakeAddresses{&fakeIP{log: &callLog{}}, &fakeProber{log: &callLog{}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	g := group(t, "node1", "envdump")
	ctx := context.Background()
	cycle := func() {
		if err := a.Acquire(ctx, g); err != nil {
			t.Fatal(err)
		}
		if err := a.Release(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	cycle()
	reloaded := *cfg
	reloaded.Env = []config.EnvVar{{Name: "FOO", Value: "two"}}
	reloaded.AutoFailback = config.FailbackLegacy
	a.SetConfig(&reloaded)
	cycle()
	want := []string{"cur=node1 foo=one nice=yes notify=", "cur=node1 foo=two nice= notify="}
	if got := readLines(t, filepath.Join(dir, "env.log")); !slices.Equal(got, want) {
		t.Errorf("scripts saw %q; want %q", got, want)
	}
}

// TestActuatorPrepareAnnounce: Prepare starts the guard's probe, which
// Acquire then uses; Announce repeats the announcements of the addresses
// held, and of no others.
func TestActuatorPrepareAnnounce(t *testing.T) {
	a, log := newFakeActuator(t, nil, nil)
	g := group(t, "node1", "192.0.2.10", "2001:db8::10", "httpd")
	ctx := context.Background()
	if got, err := a.Announce(g); err != nil || len(got) != 0 {
		t.Errorf("Announce of a group not held = %v, %v; want nothing", got, err)
	}
	a.Prepare(g)
	log.check(t, "probe 192.0.2.10 2001:db8::10")
	if err := a.Acquire(ctx, g); err != nil {
		t.Fatal(err)
	}
	got, err := a.Announce(g)
	if want := []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("2001:db8::10")}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Announce = %v, %v; want %v", got, err, want)
	}
	if err := a.Release(ctx, g); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Announce(g); err != nil || len(got) != 0 {
		t.Errorf("Announce after Release = %v, %v; want nothing", got, err)
	}
	a.Prepare(g)
	a.Unprepare(g.Key)
	log.check(t, "probe 192.0.2.10 2001:db8::10", "stop 192.0.2.10 2001:db8::10",
		"ip add 192.0.2.10", "ip add 2001:db8::10", "httpd status", "httpd start",
		"announce 192.0.2.10", "announce 2001:db8::10",
		"httpd stop", "ip del 2001:db8::10", "ip del 192.0.2.10",
		"probe 192.0.2.10 2001:db8::10", "stop 192.0.2.10 2001:db8::10")
}
