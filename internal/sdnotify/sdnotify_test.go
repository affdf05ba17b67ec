package sdnotify

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// listen opens a fake NOTIFY_SOCKET and returns a function that reads
// the next datagram (failing after a second).
func listen(t *testing.T, name string) func() string {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return func() string {
		t.Helper()
		conn.SetReadDeadline(time.Now().Add(time.Second))
		buf := make([]byte, 4096)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return string(buf[:n])
	}
}

func TestNotifications(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify")
	next := listen(t, sock)
	t.Setenv("NOTIFY_SOCKET", sock)
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"ready", Ready, "READY=1"},
		{"stopping", Stopping, "STOPPING=1"},
		{"watchdog", Watchdog, "WATCHDOG=1"},
		{"status", func() error { return Status("holding 2 groups") }, "STATUS=holding 2 groups"},
		{"status newline", func() error { return Status("a\nb") }, "STATUS=a b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err != nil {
				t.Fatal(err)
			}
			if got := next(); got != tc.want {
				t.Errorf("sent %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAbstractSocket(t *testing.T) {
	name := "@understudy-sdnotify-test-" + strconv.Itoa(os.Getpid())
	next := listen(t, name)
	t.Setenv("NOTIFY_SOCKET", name)
	if err := Ready(); err != nil {
		t.Fatal(err)
	}
	if got := next(); got != "READY=1" {
		t.Errorf("sent %q", got)
	}
}

func TestNoSocketIsNoop(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	for _, f := range []func() error{Ready, Stopping, Watchdog, func() error { return Status("x") }} {
		if err := f(); err != nil {
			t.Errorf("without NOTIFY_SOCKET: %v", err)
		}
	}
}

func TestErrors(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "absent"))
	if err := Ready(); err == nil {
		t.Error("a missing socket gave no error")
	}
	t.Setenv("NOTIFY_SOCKET", "vsock:2:1234")
	if err := Ready(); err == nil {
		t.Error("an unsupported address gave no error")
	}
}

func TestWatchdogInterval(t *testing.T) {
	for _, tc := range []struct {
		name, usec, pid string
		want            time.Duration
	}{
		{"unset", "", "", 0},
		{"no pid", "6000000", "", 3 * time.Second},
		{"our pid", "20000000", "42", 10 * time.Second},
		{"other pid", "20000000", "43", 0},
		{"bad pid", "20000000", "x", 0},
		{"zero", "0", "", 0},
		{"garbage", "soon", "", 0},
		{"negative", "-5", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := watchdogInterval(tc.usec, tc.pid, 42); got != tc.want {
				t.Errorf("watchdogInterval(%q, %q) = %v, want %v", tc.usec, tc.pid, got, tc.want)
			}
		})
	}
	t.Setenv("WATCHDOG_USEC", "4000000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	if got := WatchdogInterval(); got != 2*time.Second {
		t.Errorf("WatchdogInterval() = %v from the environment, want 2s", got)
	}
}
