package tty

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// DefaultLockDir is where heartbeat and other UUCP-style programs put
// serial lock files (FHS 5.6: /var/lock/LCK..<device base name>).
const DefaultLockDir = "/var/lock"

// ErrLocked means another live process, or an earlier open in this one,
// holds the port's lock file.
var ErrLocked = errors.New("serial port is locked")

// Lock is a held UUCP lock file.
type Lock struct {
	path string
	pid  int
}

// LockPath is the lock file for device in dir: dir/LCK..<base name of
// device>, so /dev/ttyS0 gives /var/lock/LCK..ttyS0 as heartbeat uses.
func LockPath(dir, device string) string {
	return filepath.Join(dir, "LCK.."+filepath.Base(device))
}

// Acquire creates the lock file for device in dir (DefaultLockDir if
// empty), holding this process's pid in the HDB UUCP format ("%10d\n").
// The file is written under a temporary name and hard-linked into place,
// so it never appears empty. A lock held by a dead pid, or by a zombie
// (a daemon that crashed and whose parent has not reaped it yet), is
// stale: it is removed and the lock taken. A lock held by a live pid, by this process,
// or whose content is not a pid fails with an error wrapping [ErrLocked];
// an unreadable lock is not removed, because deleting a lock that another
// program is still writing would be worse than asking the operator.
func Acquire(dir, device string) (*Lock, error) {
	if dir == "" {
		dir = DefaultLockDir
	}
	l := &Lock{path: LockPath(dir, device), pid: os.Getpid()}
	for range 3 { // a stale lock removed, then a race lost: give up after a few rounds
		err := l.link(dir)
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", device, err)
		}
		owner, err := readPID(l.path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // released meanwhile
		case err != nil:
			return nil, fmt.Errorf("lock %s: %s: %w (%v; remove it if no program uses the port)", device, l.path, ErrLocked, err)
		case owner == l.pid:
			return nil, fmt.Errorf("lock %s: %s: %w by this process (pid %d)", device, l.path, ErrLocked, owner)
		case alive(owner):
			return nil, fmt.Errorf("lock %s: %s: %w by pid %d", device, l.path, ErrLocked, owner)
		}
		// Stale. Re-read just before removing to narrow the race with
		// another process that replaced it meanwhile.
		if again, err := readPID(l.path); err == nil && again == owner {
			if err := os.Remove(l.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("lock %s: remove stale %s of dead pid %d: %w", device, l.path, owner, err)
			}
		}
	}
	return nil, fmt.Errorf("lock %s: %s: %w (it keeps changing)", device, l.path, ErrLocked)
}

func (l *Lock) link(dir string) error {
	tmp, err := os.CreateTemp(dir, "LTMP.")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = fmt.Fprintf(tmp, "%10d\n", l.pid)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Link(tmp.Name(), l.path)
}

// Path is the lock file's path.
func (l *Lock) Path() string { return l.path }

// Release removes the lock file if it still holds this process's pid.
func (l *Lock) Release() error {
	owner, err := readPID(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil || owner != l.pid {
		return nil // not ours any more: leave it alone
	}
	if err := os.Remove(l.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("unlock %s: %w", l.path, err)
	}
	return nil
}

func readPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(string(b))
	pid, err := strconv.Atoi(s)
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("content %q is not a pid", clip(s))
	}
	return pid, nil
}

func clip(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

// alive reports whether a process with this pid exists and has not
// exited: kill(pid, 0) finds zombies too (EPERM means a process of
// someone else), so a process found is looked up in /proc, where a
// zombie (state Z, a daemon that crashed and was not reaped yet) or a
// dead task (X) counts as gone. Without /proc the kill answer stands.
func alive(pid int) bool {
	if err := unix.Kill(pid, 0); err != nil && !errors.Is(err, unix.EPERM) {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if errors.Is(err, fs.ErrNotExist) {
		return false // exited and reaped since the kill
	}
	if err != nil {
		return true
	}
	state, err := procState(b)
	return err != nil || (state != 'Z' && state != 'X' && state != 'x')
}

// procState is the state letter of a /proc/PID/stat line: "pid (comm)
// S ...", where comm, the program's name, may hold spaces and
// parentheses, so the state follows the last ")".
func procState(stat []byte) (byte, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) || stat[i+1] != ' ' {
		return 0, fmt.Errorf("/proc stat line %q has no state after the command name", clip(string(stat)))
	}
	return stat[i+2], nil
}
