package control

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrRunning is returned by Listen when a daemon answers on the socket.
var ErrRunning = errors.New("another daemon is running")

// probeTimeout bounds Listen's check for a live daemon on the path.
const probeTimeout = time.Second

// Listen creates the control socket at path, mode 0600, creating its
// directory (mode 0755) if needed. A socket file nobody answers on is a
// leftover of a crashed daemon and is removed first; if a daemon answers,
// Listen fails with an error wrapping ErrRunning. Anything at path that
// is not a socket is left alone and is an error.
//
// The check and the removal are not atomic: two daemons started in the
// same instant can both pass it. The daemon's other single-instance
// guards (the heartbeat port, the pid file) catch that.
//
// Closing the listener removes the socket file.
func Listen(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := removeStale(path); err != nil {
		return nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	// Between bind and chmod the umask applies; the peer credential check
	// in Serve is what keeps non-root users out in any case.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return ln, nil
}

// removeStale removes a socket file at path that nobody answers on.
func removeStale(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	if st.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("control socket %s: exists and is not a socket (%s); remove it if it is not needed", path, st.Mode().Type())
	}
	c, err := net.DialTimeout("unix", path, probeTimeout)
	if err == nil {
		c.Close()
		return fmt.Errorf("control socket %s: %w (it answers on the socket)", path, ErrRunning)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("control socket %s: cannot tell whether a daemon listens on it: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("control socket %s: removing the stale socket: %w", path, err)
	}
	return nil
}
