package monitor

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
)

func scriptSpec(t *testing.T, body string, args ...string) Spec {
	t.Helper()
	p := filepath.Join(t.TempDir(), "check")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	s := spec(config.KindScript, netip.AddrPortFrom(netip.MustParseAddr("192.0.2.10"), 0))
	s.Name, s.Command = "script:check", append([]string{p}, args...)
	return s
}

func TestScript(t *testing.T) {
	expect(t, probeOnce(t, scriptSpec(t, "exit 0\n"), nil), true, "")
	expect(t, probeOnce(t, scriptSpec(t, "echo 'db: replication stopped' >&2; exit 3\n"), nil), false, "exit status 3: db: replication stopped")
	expect(t, probeOnce(t, scriptSpec(t, "exit ${1:-9}\n", "0"), nil), true, "")

	missing := scriptSpec(t, "")
	missing.Command = []string{filepath.Join(t.TempDir(), "nope")}
	expect(t, probeOnce(t, missing, nil), false, "no such file or directory")

	notExec := scriptSpec(t, "exit 0\n")
	os.Chmod(notExec.Command[0], 0o644)
	expect(t, probeOnce(t, notExec, nil), false, "permission denied")
}

// TestScriptEnv: the monitor's group, name and address are in the
// environment, with the base environment and no stale UNDERSTUDY_*.
func TestScriptEnv(t *testing.T) {
	out := filepath.Join(t.TempDir(), "env")
	s := scriptSpec(t, "env | grep -E '^(UNDERSTUDY_|PATH=)' | sort >"+out+"\n")
	expect(t, probeOnce(t, s, nil), true, "")
	b, _ := os.ReadFile(out)
	want := "PATH=/usr/bin:/bin\nUNDERSTUDY_ADDRESS=192.0.2.10\nUNDERSTUDY_GROUP=g\nUNDERSTUDY_MONITOR=script:check\n"
	if string(b) != want {
		t.Errorf("environment:\n%s\nwant:\n%s", b, want)
	}
}

// TestScriptTimeout: a script that hangs fails at the timeout, and its
// whole process group is killed (the child holding stdout included, or
// the probe would wait for it).
func TestScriptTimeout(t *testing.T) {
	s := scriptSpec(t, "sleep 60 &\nsleep 60\n")
	s.Timeout = 200 * time.Millisecond
	r := probeOnce(t, s, nil)
	if r.OK || !errors.Is(r.Err, ErrTimeout) || !strings.Contains(r.Reason, "killed process group") {
		t.Errorf("hanging script: %+v", r)
	}
}
