package admin_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/admintest"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
)

// pipe is a stdin that is not a terminal.
func pipe(t *testing.T) *os.File {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { r.Close() })
	return r
}

func TestDialCLI(t *testing.T) {
	s := admintest.Start(t, &admintest.Backend{St: control.Status{Node: "node1"}}, nil)
	env := map[string]string{admin.EnvPassword: admintest.Password, admin.EnvFingerprint: s.Fingerprint()}
	o := admin.CLIOptions{Host: s.Addr, Getenv: func(k string) string { return env[k] }, Stdin: pipe(t), Stderr: os.Stderr,
		KnownHosts: filepath.Join(t.TempDir(), "known_hosts")}
	c, err := admin.DialCLI(ctx(t), o)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Status(ctx(t)); err != nil || st.Node != "node1" {
		t.Fatalf("%+v %v", st, err)
	}
	c.Close()
	// --fingerprint wins over the environment.
	o.Fingerprint = strings.Repeat("00", 32)
	if _, err := admin.DialCLI(ctx(t), o); err == nil || !strings.Contains(err.Error(), "not the expected one") {
		t.Errorf("flag over env: %v", err)
	}
	// Neither: the known hosts file, and no terminal to ask.
	o.Fingerprint, env[admin.EnvFingerprint] = "", ""
	if _, err := admin.DialCLI(ctx(t), o); err == nil || !strings.Contains(err.Error(), s.Fingerprint()) {
		t.Errorf("unknown host without a terminal: %v", err)
	}
	env[admin.EnvPassword] = ""
	if _, err := admin.DialCLI(ctx(t), o); err == nil || !strings.Contains(err.Error(), admin.EnvPassword) {
		t.Errorf("no password: %v", err)
	}
}

func TestClusterLog(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	node := func(name string, secs ...int) *admintest.Server {
		b := &admintest.Backend{Ring: logging.NewRing(10, nil)}
		for _, s := range secs {
			r := slog.NewRecord(t0.Add(time.Duration(s)*time.Second), slog.LevelInfo, name+" at "+time.Duration(s*int(time.Second)).String(), 0)
			b.Ring.Handler().Handle(context.Background(), r)
		}
		return admintest.Start(t, b, nil)
	}
	n1, n2, n3 := node("node1", 1, 4), node("node2", 2, 3, 5), node("node3")
	clients := map[string]admin.LogReader{"node1": n1.Dial(t), "node2": n2.Dial(t), "node3": n3.Dial(t)}
	n3.HTTP.Close()
	got, err := admin.ClusterLog(ctx(t), clients, admin.LogQuery{N: 4, After: 99, Wait: time.Hour})
	var lines []string
	for _, r := range got {
		lines = append(lines, r.Node+": "+r.Text)
	}
	want := []string{"node2: node2 at 5s", "node1: node1 at 4s", "node2: node2 at 3s", "node2: node2 at 2s"}
	if !slices.Equal(lines, want) {
		t.Errorf("got  %v\nwant %v", lines, want)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "node node3: ") {
		t.Errorf("the failed node: %v", err)
	}
}

func TestParseSince(t *testing.T) {
	loc := time.FixedZone("X", 3600)
	now := time.Date(2026, 11, 22, 15, 30, 0, 0, loc)
	for in, want := range map[string]time.Time{
		"10m":                    now.Add(-10 * time.Minute),
		"0s":                     now,
		"15:04":                  time.Date(2026, 11, 22, 15, 4, 0, 0, loc),
		"09:00:30":               time.Date(2026, 11, 22, 9, 0, 30, 0, loc),
		"2026-11-20":             time.Date(2026, 11, 20, 0, 0, 0, 0, loc),
		"2026-11-20 08:15":       time.Date(2026, 11, 20, 8, 15, 0, 0, loc),
		" 2026-11-20 08:15:01 ":  time.Date(2026, 11, 20, 8, 15, 1, 0, loc),
		"2026-11-20T08:15:01.5Z": time.Date(2026, 11, 20, 8, 15, 1, 5e8, time.UTC),
	} {
		got, err := admin.ParseSince(in, now, loc)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"-10m", "yesterday", "25:00", "2026-13-01", ""} {
		if _, err := admin.ParseSince(in, now, loc); err == nil || !strings.Contains(err.Error(), "--since") {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"10m", "15:04", "2026-11-20 08:15:01", "2026-11-20T08:15:01.5Z", "-1h"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 22, 15, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := admin.ParseSince(s, now, time.UTC)
		if err != nil && !strings.Contains(err.Error(), "--since") {
			t.Fatalf("%q: %v", s, err)
		}
		if d, derr := time.ParseDuration(strings.TrimSpace(s)); derr == nil && d >= 0 && (err != nil || !got.Equal(now.Add(-d))) {
			t.Fatalf("%q: %v %v, want now-%s", s, got, err, d)
		}
	})
}
