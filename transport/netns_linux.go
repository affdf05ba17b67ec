package transport

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// netns is the network namespace a UDP medium was first opened in. A
// link reopened later, from a Fanout member's goroutine on whatever OS
// thread the runtime gives it, must make its sockets there and not in
// that thread's namespace: a daemon runs in one namespace, but a
// program (or a test) may open links on a thread switched into another.
type netns struct {
	f        *os.File // /proc/thread-self/ns/net of the opening thread
	dev, ino uint64
}

// currentNetns holds on to the calling thread's network namespace. The
// caller must be locked to its thread if it switched namespaces (as
// anything that switches does). Nil if /proc is missing: the reopen
// then uses the thread it runs on.
func currentNetns() *netns {
	f, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return nil
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil
	}
	return &netns{f: f, dev: st.Dev, ino: st.Ino}
}

// do runs fn in the namespace. If the calling thread is already there,
// as in a daemon, fn runs right here; otherwise it runs on a new locked
// thread switched into the namespace, which is thrown away afterwards
// (the goroutine exits locked), so no thread of the runtime is ever left
// in the wrong namespace.
func (n *netns) do(fn func()) error {
	if n == nil {
		fn()
		return nil
	}
	runtime.LockOSThread()
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err == nil && st.Dev == n.dev && st.Ino == n.ino {
		fn()
		runtime.UnlockOSThread()
		return nil
	}
	runtime.UnlockOSThread()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if err := unix.Setns(int(n.f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("enter the network namespace the link was opened in: %w", err)
			return
		}
		fn()
		errc <- nil
	}()
	return <-errc
}

func (n *netns) close() {
	if n != nil {
		n.f.Close()
	}
}
