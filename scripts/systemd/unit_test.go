// Package systemd tests the unit file scripts/systemd/understudy.service.
package systemd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// parse reads the unit as section → key → values (keys may repeat).
func parse(t *testing.T) map[string]map[string][]string {
	t.Helper()
	b, err := os.ReadFile("understudy.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := map[string]map[string][]string{}
	var sec string
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && line[len(line)-1] == ']':
			sec = line[1 : len(line)-1]
			unit[sec] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || sec == "" {
				t.Fatalf("line %d: %q is not key=value in a section", n+1, line)
			}
			unit[sec][k] = append(unit[sec][k], v)
		}
	}
	return unit
}

func TestUnitSettings(t *testing.T) {
	unit := parse(t)
	for _, tc := range []struct{ sec, key, want string }{
		{"Service", "Type", "notify"},
		{"Service", "ExecStart", "/usr/local/sbin/understudy daemon $DAEMON_ARGS"},
		{"Service", "ExecReload", "/usr/local/sbin/understudy reload"},
		{"Service", "KillMode", "process"},
		{"Service", "SendSIGKILL", "no"},
		{"Service", "TimeoutStopSec", "30min"},
		{"Service", "Restart", "on-failure"},
		{"Service", "RestartPreventExitStatus", "6"},
		{"Service", "UMask", "0022"},
		{"Unit", "StartLimitBurst", "3"},
		{"Install", "WantedBy", "multi-user.target"},
	} {
		if got := unit[tc.sec][tc.key]; len(got) != 1 || got[0] != tc.want {
			t.Errorf("[%s] %s = %q, want %q", tc.sec, tc.key, got, tc.want)
		}
	}
	if len(unit["Service"]["WatchdogSec"]) != 1 {
		t.Error("no WatchdogSec")
	}
	for _, key := range []string{"ProtectSystem", "PrivateTmp", "PrivateNetwork", "RestrictAddressFamilies",
		"CapabilityBoundingSet", "NoNewPrivileges", "SystemCallFilter", "OOMScoreAdjust"} {
		if _, ok := unit["Service"][key]; ok {
			t.Errorf("%s is set: it is inherited by every service the resource scripts start (see the unit's comments)", key)
		}
	}
}

// TestSystemdAnalyze lets systemd judge the unit, with ExecStart pointing
// at a binary that exists.
func TestSystemdAnalyze(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed: unit not verified by systemd")
	}
	b, err := os.ReadFile("understudy.service")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "understudy.service")
	text := strings.ReplaceAll(string(b), "/usr/local/sbin/understudy", "/bin/true")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, sa, "verify", "--man=no", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
