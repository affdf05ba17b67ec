package tty_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/transport/tty"
)

const dev = "/dev/ttyS0"

func writeLock(t *testing.T, dir, content string) string {
	t.Helper()
	p := tty.LockPath(dir, dev)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// deadPID returns the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("/bin/true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run /bin/true to get a dead pid: %v", err)
	}
	return cmd.ProcessState.Pid()
}

func TestLockPath(t *testing.T) {
	if got := tty.LockPath("/var/lock", "/dev/ttyS0"); got != "/var/lock/LCK..ttyS0" {
		t.Errorf("LockPath = %q", got)
	}
}

func TestAcquireWritesPIDAndReleases(t *testing.T) {
	dir := t.TempDir()
	l, err := tty.Acquire(dir, dev)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(l.Path())
	if want := fmt.Sprintf("%10d\n", os.Getpid()); err != nil || string(b) != want {
		t.Errorf("lock content %q, %v; want %q", b, err, want)
	}
	if _, err := tty.Acquire(dir, dev); !errors.Is(err, tty.ErrLocked) {
		t.Errorf("second Acquire in this process: %v, want ErrLocked", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock still there after Release: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("files left in lock dir: %v", entries)
	}
}

func TestAcquireRemovesStaleLock(t *testing.T) {
	dir := t.TempDir()
	writeLock(t, dir, fmt.Sprintf("%10d\n", deadPID(t)))
	l, err := tty.Acquire(dir, dev)
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	defer l.Release()
	b, _ := os.ReadFile(l.Path())
	if strings.TrimSpace(string(b)) != fmt.Sprint(os.Getpid()) {
		t.Errorf("lock content %q after takeover", b)
	}
}

func TestAcquireRefusesLiveOrUnreadableLock(t *testing.T) {
	for name, content := range map[string]string{
		"live pid 1":       "         1\n",
		"live, no padding": "1",
		"garbage":          "not a pid\n",
		"empty":            "",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := writeLock(t, dir, content)
			if _, err := tty.Acquire(dir, dev); !errors.Is(err, tty.ErrLocked) {
				t.Errorf("Acquire over %q: %v, want ErrLocked", content, err)
			}
			if b, err := os.ReadFile(p); err != nil || string(b) != content {
				t.Errorf("foreign lock changed: %q, %v", b, err)
			}
		})
	}
}

func TestReleaseLeavesForeignLock(t *testing.T) {
	dir := t.TempDir()
	l, err := tty.Acquire(dir, dev)
	if err != nil {
		t.Fatal(err)
	}
	p := writeLock(t, dir, "         1\n") // someone replaced it
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Errorf("Release removed a lock that was not ours: %v", err)
	}
}

func TestAcquireMissingDir(t *testing.T) {
	if _, err := tty.Acquire(t.TempDir()+"/nonexistent", dev); err == nil || errors.Is(err, tty.ErrLocked) {
		t.Errorf("Acquire in a missing dir: %v, want an I/O error", err)
	}
}

// child starts a process that lives until killed; cleanup kills and
// reaps it by pid.
func child(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start a child process: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// TestAcquireOwnerKilled: a lock held by a live process is refused; once
// that process is killed (and reaped) the lock is stale and taken.
func TestAcquireOwnerKilled(t *testing.T) {
	dir := t.TempDir()
	owner := child(t)
	writeLock(t, dir, fmt.Sprintf("%10d\n", owner.Process.Pid))
	if _, err := tty.Acquire(dir, dev); !errors.Is(err, tty.ErrLocked) {
		t.Fatalf("Acquire over a live owner: %v, want ErrLocked", err)
	}
	owner.Process.Kill()
	owner.Wait()
	l, err := tty.Acquire(dir, dev)
	if err != nil {
		t.Fatalf("Acquire after the owner was killed: %v", err)
	}
	l.Release()
}

// TestAcquireOwnerZombie: the owner was killed but its parent has not
// reaped it yet (a crashed daemon during a quick restart): kill(pid, 0)
// still finds it, but it holds nothing, so the lock is taken.
func TestAcquireOwnerZombie(t *testing.T) {
	dir := t.TempDir()
	owner := child(t)
	pid := owner.Process.Pid
	writeLock(t, dir, fmt.Sprintf("%10d\n", pid))
	owner.Process.Kill() // not reaped until cleanup
	for i := 0; ; i++ {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Skipf("no /proc/%d/stat: %v", pid, err)
		}
		if f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:])); len(f) > 0 && f[0] == "Z" {
			break
		}
		if i == 500 {
			t.Fatalf("child %d not a zombie after 5s: %s", pid, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	l, err := tty.Acquire(dir, dev)
	if err != nil {
		t.Fatalf("Acquire over a zombie owner: %v", err)
	}
	defer l.Release()
	if b, _ := os.ReadFile(l.Path()); strings.TrimSpace(string(b)) != fmt.Sprint(os.Getpid()) {
		t.Errorf("lock content %q after takeover from a zombie", b)
	}
}
