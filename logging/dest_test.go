package logging

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock for the once-a-second checks.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// levels lists the level words of the lines in s, in order.
func levels(s string) string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		for _, w := range []string{"ERROR", "WARN", "info", "debug"} {
			if strings.Contains(line, " "+w+": ") || strings.Contains(line, ">"+w+": ") {
				out = append(out, w)
				break
			}
		}
	}
	return strings.Join(out, " ")
}

func TestLevelsPerDestination(t *testing.T) {
	for _, tc := range []struct {
		name                       string
		debug                      int
		logfile, debugfile, stderr string
		syslog                     string
	}{
		{"debug off", 0, "ERROR WARN info", "ERROR WARN info", "ERROR WARN info", "ERROR WARN info"},
		{"debug on", 1, "ERROR WARN info", "ERROR WARN info debug", "ERROR WARN info debug", "ERROR WARN info"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sl := fakeSyslog(t, filepath.Join(dir, "log"))
			var stderr bytes.Buffer
			l, c, err := New(Options{Logfile: filepath.Join(dir, "ha-log"), Debugfile: filepath.Join(dir, "ha-debug"),
				LogFacility: "local0", SyslogNetwork: "unixgram", SyslogAddr: filepath.Join(dir, "log"),
				Stderr: &stderr, Debug: tc.debug, SyslogMsgFmt: true})
			if err != nil {
				t.Fatal(err)
			}
			l.Error("e")
			l.Warn("w")
			l.Info("i")
			l.Debug("d")
			c.Close()
			for _, d := range []struct{ name, got, want string }{
				{"logfile", levels(read(t, filepath.Join(dir, "ha-log"))), tc.logfile},
				{"debugfile", levels(read(t, filepath.Join(dir, "ha-debug"))), tc.debugfile},
				{"stderr", levels(stderr.String()), tc.stderr},
				{"syslog", levels(strings.Join(sl.lines(t, 3), "\n")), tc.syslog},
			} {
				if d.got != d.want {
					t.Errorf("%s got %q, want %q", d.name, d.got, d.want)
				}
			}
			sl.none(t)
		})
	}
}

func TestNoStderr(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ha-log")
	l, c, err := New(Options{Logfile: path})
	if err != nil {
		t.Fatal(err)
	}
	l.Info("only the file")
	c.Close()
	if got := levels(read(t, path)); got != "info" {
		t.Errorf("logfile got %q", got)
	}
}

func TestFileAppendsAndMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ha-log")
	if err := os.WriteFile(path, []byte("old line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, c, _ := New(Options{Logfile: filepath.Join(filepath.Dir(path), "new-log")})
	l.Info("x")
	c.Close()
	fi, err := os.Stat(filepath.Join(filepath.Dir(path), "new-log"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&^0o644 != 0 {
		t.Errorf("new log file mode %v, want at most 0644 (umask)", fi.Mode().Perm())
	}
	l, c, _ = New(Options{Logfile: path})
	l.Info("appended")
	c.Close()
	got := read(t, path)
	if !strings.HasPrefix(got, "old line\n") || !strings.Contains(got, "appended") {
		t.Errorf("logfile = %q, want the old line kept and the new appended", got)
	}
}

func TestReopenAfterRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ha-log")
	clk := &clock{t: at}
	l, c, err := build(Options{Logfile: path}, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l.Info("one")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	l.Info("two") // within the second: still the moved file
	clk.add(time.Second)
	l.Info("three")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	clk.add(2 * time.Second)
	l.Info("four")
	if got := read(t, path+".1"); !strings.Contains(got, "one") || !strings.Contains(got, "two") || strings.Contains(got, "three") {
		t.Errorf("rotated file = %q, want one and two", got)
	}
	if got := read(t, path); !strings.Contains(got, "four") || strings.Contains(got, "three") {
		t.Errorf("file after removal = %q, want only four", got)
	}
}

func TestFailingDestinationReportedOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "missing", "ha-log")
	clk := &clock{t: at}
	var stderr bytes.Buffer
	l, c, err := build(Options{Logfile: path, Stderr: &stderr}, clk.now)
	defer c.Close()
	if err == nil {
		t.Fatal("New gave no error for a log file in a missing directory")
	}
	l.Info("a")
	l.Info("b")
	clk.add(time.Second)
	l.Info("c")
	if n := strings.Count(stderr.String(), "log destination failing"); n != 1 {
		t.Errorf("failure reported %d times, want once:\n%s", n, stderr.String())
	}
	if !strings.Contains(stderr.String(), "ERROR: log destination failing dest="+path+" err=") {
		t.Errorf("stderr lacks the failure line:\n%s", stderr.String())
	}
	if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	l.Info("d") // not checked again yet
	clk.add(time.Second)
	l.Info("e")
	if !strings.Contains(stderr.String(), "info: log destination recovered dest="+path+" lost=4") {
		t.Errorf("stderr lacks the recovery line with 4 lost:\n%s", stderr.String())
	}
	if got := read(t, path); !strings.Contains(got, ": e\n") || strings.Contains(got, ": d\n") {
		t.Errorf("logfile after recovery = %q, want e only", got)
	}
	for _, w := range []string{"a", "b", "c", "d", "e"} {
		if !strings.Contains(stderr.String(), "info: "+w+"\n") {
			t.Errorf("stderr lost line %s while the file failed", w)
		}
	}
}

func TestCloseLeavesStderr(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ha-log")
	var stderr bytes.Buffer
	l, c, _ := New(Options{Logfile: path, Stderr: &stderr})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	l.Info("after close")
	if read(t, path) != "" || !strings.Contains(stderr.String(), "after close") {
		t.Errorf("after Close: file %q, stderr %q; want stderr only", read(t, path), stderr.String())
	}
}

func TestUnknownFacility(t *testing.T) {
	dir := t.TempDir()
	sl := fakeSyslog(t, filepath.Join(dir, "log"))
	l, c, err := New(Options{LogFacility: "local9", SyslogNetwork: "unixgram", SyslogAddr: filepath.Join(dir, "log")})
	defer c.Close()
	if err == nil || !strings.Contains(err.Error(), "local9") {
		t.Errorf("New error = %v, want one naming local9", err)
	}
	l.Warn("still logged")
	if pri, _ := sl.next(t); pri != 3<<3|4 {
		t.Errorf("priority %d, want daemon.warning (28)", pri)
	}
}

func TestEnabled(t *testing.T) {
	l, c, _ := New(Options{Stderr: &bytes.Buffer{}})
	defer c.Close()
	if l.Enabled(t.Context(), slog.LevelDebug) || !l.Enabled(t.Context(), slog.LevelInfo) {
		t.Error("debug 0: want info enabled and debug not")
	}
	l, c, _ = New(Options{Stderr: &bytes.Buffer{}, Debug: 3})
	defer c.Close()
	if !l.Enabled(t.Context(), slog.LevelDebug) {
		t.Error("debug 3: debug not enabled")
	}
}

func TestReconfigure(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	var stderr bytes.Buffer
	l, sink, err := New(Options{Logfile: a, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	l = l.With("node", "n1")
	l.Info("before")
	l.Debug("hidden")
	if err := sink.Reconfigure(Options{Logfile: b, Stderr: &stderr, Debug: 1, SyslogMsgFmt: true, Host: "h"}); err != nil {
		t.Fatal(err)
	}
	l.Info("after")
	l.Debug("shown")
	if got := read(t, a); !strings.Contains(got, "before node=n1") || strings.Contains(got, "after") {
		t.Errorf("old logfile = %q, want before only", got)
	}
	if got := read(t, b); !strings.Contains(got, "info: after node=n1") || strings.Contains(got, "before") || strings.Contains(got, "shown") {
		t.Errorf("new logfile = %q, want after only (no debug in a logfile)", got)
	}
	if got := levels(stderr.String()); got != "info info debug" {
		t.Errorf("stderr levels %q, want debug only after the reload", got)
	}
}

// TestReconfigureWhileLogging swaps destinations under load (-race).
func TestReconfigureWhileLogging(t *testing.T) {
	dir := t.TempDir()
	l, sink, _ := New(Options{Logfile: filepath.Join(dir, "0")})
	defer sink.Close()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 300 {
				l.Info("x", "w", w, "i", i)
			}
		})
	}
	for i := range 20 {
		sink.Reconfigure(Options{Logfile: filepath.Join(dir, string(rune('a'+i%3))), Debug: i % 2})
	}
	wg.Wait()
	total := 0
	for _, n := range []string{"0", "a", "b", "c"} {
		total += strings.Count(read(t, filepath.Join(dir, n)), "\n")
	}
	if total != 4*300 {
		t.Errorf("%d lines in all files, want %d: none lost, none doubled", total, 4*300)
	}
}
