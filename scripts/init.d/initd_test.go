// Package initd tests the LSB init script scripts/init.d/understudy with
// a fake understudy binary: no network, no root, every wait bounded.
package initd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.expect("status", 3, "understudy is stopped. No process")
	e.expect("start", 0, "Starting High-Availability services: Done.")
	pid := e.pid()
	if pid == 0 || !alive(pid) {
		t.Fatalf("after start: pid file %d, not a running daemon", pid)
	}
	if c := e.calls(); index(c, "check -c "+e.conf) < 0 || index(c, "check -c "+e.conf) > index(c, "daemon -c "+e.conf) {
		t.Errorf("calls %q, want check then daemon with -c %s", c, e.conf)
	}
	e.expect("status", 0, "understudy OK [pid ", "is running on", "holding: 192.0.2.10 192.0.2.30\n")
	e.expect("start", 0, "already running [pid ")
	if n := e.count("daemon"); n != 1 {
		t.Errorf("a second start ran the daemon again: %d daemon calls", n)
	}
	e.expect("reload", 0, "Signalling understudy pid", "Reloading High-Availability services: Done.")
	e.eventually("SIGHUP", func() bool { return e.count("hup") == 1 })
	if e.pid() != pid || !alive(pid) {
		t.Error("reload replaced or stopped the daemon")
	}
	e.expect("stop", 0, "Stopping High-Availability services: Done.")
	if alive(pid) || e.pid() != 0 {
		t.Errorf("after stop: daemon alive %v, pid file %d", alive(pid), e.pid())
	}
	if e.count("term") != 1 || e.count("released") != 1 {
		t.Errorf("stop did not wait for the release: calls %q", e.calls())
	}
	e.expect("stop", 0, "already stopped")
	e.expect("status", 3, "stopped")
}

// index is the position of s in calls, -1 if absent.
func index(calls []string, s string) int {
	for i, c := range calls {
		if c == s {
			return i
		}
	}
	return -1
}

func TestStopWaitsForRelease(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.extra = []string{"FAKE_RELEASE=2"}
	e.expect("start", 0)
	pid := e.pid()
	begin := time.Now()
	e.expect("stop", 0, "Done.")
	if took := time.Since(begin); took < 2*time.Second {
		t.Errorf("stop returned after %v, before the 2 s release ended", took)
	}
	if alive(pid) {
		t.Error("daemon alive after stop")
	}
}

func TestStopTimeoutDoesNotKill(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mark("ignore-term")
	e.extra = []string{"UNDERSTUDY_STOP_TIMEOUT=1"}
	e.expect("start", 0)
	pid := e.pid()
	out := e.expect("stop", 1, "still running after 1s", "not killed")
	if !alive(pid) || e.pid() != pid {
		t.Errorf("a timed-out stop must leave the daemon and its pid file:\n%s", out)
	}
}

func TestStalePidFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := os.MkdirAll(e.run, 0o755); err != nil {
		t.Fatal(err)
	}
	// A pid that is not an understudy process: this test's own parent
	// shell is not, and a pid beyond pid_max cannot exist.
	e.write(filepath.Join(e.run, "understudy.pid"), "99999999\n", 0o644)
	e.expect("status", 1, "dead, but")
	e.expect("stop", 0, "already stopped")
	if _, err := os.Stat(filepath.Join(e.run, "understudy.pid")); err == nil {
		t.Error("stop left the stale pid file")
	}
	e.write(filepath.Join(e.run, "understudy.pid"), "99999999\n", 0o644)
	e.expect("start", 0, "Done.")
	if pid := e.pid(); pid == 99999999 || !alive(pid) {
		t.Errorf("start over a stale pid file: pid %d", pid)
	}
	e.expect("stop", 0)
}

func TestNotConfigured(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := os.Remove(filepath.Join(e.conf, "ha.cf")); err != nil {
		t.Fatal(err)
	}
	e.expect("start", 6, "Understudy not configured: "+e.conf+"/ha.cf not found.", "failure [rc=6]")
	e.expect("restart", 6, "not configured")
	e.expect("reload", 7, "not running")
	e.expect("stop", 0, "already stopped")
	e.expect("status", 3)
	if n := e.count("daemon"); n != 0 {
		t.Errorf("the daemon ran %d times without ha.cf", n)
	}
}

func TestCheckFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mark("check-fails")
	e.expect("start", 6, "ha.cf:3: error: bad directive", "check -c "+e.conf+" found errors")
	if n := e.count("daemon"); n != 0 {
		t.Errorf("the daemon ran %d times with a broken configuration", n)
	}
	// Running with a now broken configuration: reload and restart
	// refuse and leave it running.
	e.unmark("check-fails")
	e.expect("start", 0)
	pid := e.pid()
	e.mark("check-fails")
	e.expect("reload", 6, "Config errors: understudy pid", "NOT reloaded")
	e.expect("restart", 6, "left as it was")
	if e.pid() != pid || !alive(pid) || e.count("term") != 0 || e.count("hup") != 0 {
		t.Errorf("a refused reload/restart touched the daemon: calls %q", e.calls())
	}
	e.expect("stop", 0)
}

func TestDaemonDiesAtStart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mark("daemon-fails")
	e.expect("start", 1, "no heartbeat link could be opened", "Understudy failure [rc=1]. Failed.")
	if e.pid() != 0 {
		t.Error("a failed start left a pid file")
	}
	e.expect("status", 3)
}

func TestRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.expect("restart", 0, "already stopped", "Starting High-Availability services: Done.")
	first := e.pid()
	e.expect("restart", 0, "Stopping High-Availability services: Done.", "Starting High-Availability services: Done.")
	second := e.pid()
	if second == first || alive(first) || !alive(second) {
		t.Errorf("restart: pid %d → %d, old alive %v, new alive %v", first, second, alive(first), alive(second))
	}
	e.expect("stop", 0)
}

func TestRestartWaitsDeadtime(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits 12 s")
	}
	e := newEnv(t)
	e.write(filepath.Join(e.conf, "ha.cf"), "node node1 node2\nbcast eth0\ndeadtime 1500ms\n", 0o644)
	e.extra = []string{"UNDERSTUDY_RESTART_WAIT=", "UNDERSTUDY_HA_DIR=" + e.conf}
	// deadtime 1500ms rounds up to 2 s, plus heartbeat's 10 s.
	e.expect("start", 0)
	begin := time.Now()
	e.expect("restart", 0, "Waiting to allow resource takeover to complete: Done.")
	if took := time.Since(begin); took < 12*time.Second {
		t.Errorf("restart took %v, want at least deadtime (2 s) + 10 s", took)
	}
	e.expect("stop", 0)
}

func TestForceReload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.expect("force-reload", 0, "Starting High-Availability services: Done.")
	e.expect("force-reload", 0, "Reloading High-Availability services: Done.")
	e.eventually("SIGHUP", func() bool { return e.count("hup") == 1 })
	e.expect("stop", 0)
}

func TestUsage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, action := range []string{"", "bogus", "standby"} {
		e.expect(action, 2, "Usage: understudy {start|stop|status|restart|reload|force-reload}")
	}
}

func TestLSBHeader(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("understudy")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.HasPrefix(s, "#!/bin/sh\n") {
		t.Error("the script must start with #!/bin/sh")
	}
	begin, end := strings.Index(s, "### BEGIN INIT INFO\n"), strings.Index(s, "### END INIT INFO\n")
	if begin < 0 || end < begin {
		t.Fatal("no LSB header block")
	}
	for _, key := range []string{"Provides:", "Required-Start:", "Required-Stop:", "Default-Start:", "Default-Stop:", "Short-Description:"} {
		if !strings.Contains(s[begin:end], "# "+key) {
			t.Errorf("LSB header lacks %s", key)
		}
	}
	if fi, err := os.Stat("understudy"); err == nil && fi.Mode().Perm()&0o111 == 0 {
		t.Error("the script is not executable")
	}
}

// TestEnvironment: the commands the script runs get the configuration
// directory and the socket in the environment variables every understudy
// command honours (understudy(8) ENVIRONMENT), whether they were set in
// the environment or in /etc/default/understudy.
func TestEnvironment(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.expect("start", 0)
	e.expect("status", 0)
	e.expect("stop", 0)
	seen := e.envLines()
	for _, cmd := range []string{"check", "daemon", "status"} {
		if want := cmd + " " + e.conf + " unset"; !seen[want] {
			t.Errorf("no %q in %v", want, seen)
		}
	}

	e = newEnv(t)
	defaults := filepath.Join(e.dir, "defaults")
	sock := filepath.Join(e.dir, "other.sock")
	e.write(defaults, "UNDERSTUDY_HA_DIR="+e.conf+"\nUNDERSTUDY_SOCKET="+sock+"\n", 0o644)
	e.extra = []string{"UNDERSTUDY_DEFAULTS=" + defaults, "UNDERSTUDY_HA_DIR="}
	e.expect("start", 0)
	e.expect("stop", 0)
	seen = e.envLines()
	for _, cmd := range []string{"check", "daemon", "status"} {
		if want := cmd + " " + e.conf + " " + sock; !seen[want] {
			t.Errorf("with %s: no %q in %v", defaults, want, seen)
		}
	}
	if c := e.calls(); index(c, "daemon -c "+e.conf) < 0 {
		t.Errorf("calls %q, want the daemon run with -c %s", c, e.conf)
	}
}

// envLines are the fake's records of the variables it got, as a set.
func (e *env) envLines() map[string]bool {
	b, _ := os.ReadFile(filepath.Join(e.fake, "env"))
	set := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		set[l] = true
	}
	return set
}
