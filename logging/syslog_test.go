package logging

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// syslogd is a fake /dev/log: a unixgram socket in the test's directory.
type syslogd struct{ conn *net.UnixConn }

func fakeSyslog(t *testing.T, path string) *syslogd {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &syslogd{conn: conn}
}

// next reads one datagram and splits off its "<PRI>".
func (s *syslogd) next(t *testing.T) (int, string) {
	t.Helper()
	s.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 8192)
	n, err := s.conn.Read(buf)
	if err != nil {
		t.Fatalf("syslog: no message: %v", err)
	}
	var pri int
	msg := string(buf[:n])
	if _, err := fmt.Sscanf(msg, "<%d>", &pri); err != nil {
		t.Fatalf("syslog message without priority: %q", msg)
	}
	return pri, msg[strings.IndexByte(msg, '>')+1:]
}

// lines reads n messages.
func (s *syslogd) lines(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for range n {
		_, m := s.next(t)
		out = append(out, m)
	}
	return out
}

// none checks that nothing more arrives.
func (s *syslogd) none(t *testing.T) {
	t.Helper()
	s.conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	buf := make([]byte, 8192)
	if n, err := s.conn.Read(buf); err == nil {
		t.Errorf("unexpected syslog message %q", buf[:n])
	}
}

func TestSyslogPriorities(t *testing.T) {
	dir := t.TempDir()
	sl := fakeSyslog(t, filepath.Join(dir, "log"))
	l, c, err := New(Options{LogFacility: "local3", SyslogNetwork: "unixgram", SyslogAddr: filepath.Join(dir, "log"), Debug: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local3 := 19 << 3
	for _, tc := range []struct {
		log  func(msg string, args ...any)
		pri  int
		word string
	}{
		{l.Error, local3 | 3, "ERROR"},
		{l.Warn, local3 | 4, "WARN"},
		{l.Info, local3 | 6, "info"},
	} {
		tc.log("link dead", "link", "hb0", "peer", "node 2")
		pri, msg := sl.next(t)
		if pri != tc.pri {
			t.Errorf("%s: priority %d, want %d", tc.word, pri, tc.pri)
		}
		want := fmt.Sprintf("understudy[%d]: %s: link dead link=hb0 peer=\"node 2\"\n", os.Getpid(), tc.word)
		if !strings.HasSuffix(msg, want) {
			t.Errorf("%s: message %q, want suffix %q", tc.word, msg, want)
		}
	}
	l.Debug("not for syslog")
	sl.none(t)
}

func TestUseLogdAlone(t *testing.T) {
	dir := t.TempDir()
	sl := fakeSyslog(t, filepath.Join(dir, "log"))
	opts := Options{UseLogd: true, SyslogNetwork: "unixgram", SyslogAddr: filepath.Join(dir, "log")}
	l, c, _ := New(opts)
	l.Info("via daemon")
	c.Close()
	if pri, _ := sl.next(t); pri != 3<<3|6 {
		t.Errorf("use_logd alone: priority %d, want daemon.info (30)", pri)
	}
	opts.Logfile = filepath.Join(dir, "ha-log")
	l, c, _ = New(opts)
	l.Info("to the file only")
	c.Close()
	sl.none(t)
}

func TestSyslogLateStart(t *testing.T) {
	dir := t.TempDir()
	addr := filepath.Join(dir, "log")
	clk := &clock{t: at}
	var stderr strings.Builder
	l, c, err := build(Options{LogFacility: "daemon", SyslogNetwork: "unixgram", SyslogAddr: addr, Stderr: &stderr}, clk.now)
	if err != nil {
		t.Fatalf("an absent syslog is not an error: %v", err)
	}
	defer c.Close()
	l.Info("lost")
	sl := fakeSyslog(t, addr)
	l.Info("too soon to dial again")
	clk.add(time.Second)
	l.Info("arrives")
	if _, msg := sl.next(t); !strings.HasSuffix(msg, "info: arrives\n") {
		t.Errorf("first syslog message %q", msg)
	}
	if !strings.Contains(stderr.String(), "log destination failing dest=syslog") ||
		!strings.Contains(stderr.String(), "log destination recovered dest=syslog lost=2") {
		t.Errorf("stderr does not report the outage:\n%s", stderr.String())
	}
}
