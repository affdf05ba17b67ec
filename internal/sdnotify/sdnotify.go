// Package sdnotify tells systemd about the daemon's state: the sd_notify
// protocol in the standard library only (DEPENDENCIES.md §6).
//
// The service manager passes a datagram socket in NOTIFY_SOCKET: a path,
// or an abstract socket written with a leading '@'. Each call sends one
// datagram of newline-separated VARIABLE=value assignments. Without
// NOTIFY_SOCKET (not run by systemd, or Type=simple) every call does
// nothing and returns nil, so callers need no special case.
//
// The package reads the environment at each call and never changes it.
// Processes the daemon starts (resource scripts and the services they
// start) should not inherit NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID:
// the caller removes them from the children's environment.
package sdnotify

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Notify sends state, e.g. "READY=1" or "STATUS=x\nWATCHDOG=1", to the
// socket in NOTIFY_SOCKET; without it, it does nothing.
func Notify(state string) error {
	sock := os.Getenv("NOTIFY_SOCKET")
	if sock == "" {
		return nil
	}
	return send(sock, state)
}

func send(sock, state string) error {
	if !strings.HasPrefix(sock, "/") && !strings.HasPrefix(sock, "@") {
		return fmt.Errorf("sd_notify: unsupported NOTIFY_SOCKET %q", sock)
	}
	// Go's net package maps a leading '@' to the abstract namespace.
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	return nil
}

// Ready says start-up is complete (READY=1): Type=notify units are
// "active" from then on.
func Ready() error { return Notify("READY=1") }

// Stopping says shutdown has begun (STOPPING=1).
func Stopping() error { return Notify("STOPPING=1") }

// Status sets the free-form status line systemctl status shows. Newlines
// would start new assignments, so they become spaces.
func Status(s string) error {
	return Notify("STATUS=" + strings.NewReplacer("\n", " ", "\r", " ").Replace(s))
}

// Watchdog pings the service manager's watchdog (WATCHDOG=1). Call it
// every WatchdogInterval, from the code whose liveness it should prove.
func Watchdog() error { return Notify("WATCHDOG=1") }

// WatchdogInterval is how often to call Watchdog: half of WATCHDOG_USEC,
// as sd_watchdog_enabled(3) advises. It is 0 (no watchdog) when
// WATCHDOG_USEC is unset or invalid, or WATCHDOG_PID is set and names
// another process.
func WatchdogInterval() time.Duration {
	return watchdogInterval(os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID"), os.Getpid())
}

func watchdogInterval(usec, pid string, self int) time.Duration {
	if usec == "" {
		return 0
	}
	if pid != "" {
		p, err := strconv.Atoi(pid)
		if err != nil || p != self {
			return 0
		}
	}
	us, err := strconv.ParseUint(usec, 10, 63)
	if err != nil || us == 0 {
		return 0
	}
	return time.Duration(us) * time.Microsecond / 2
}
