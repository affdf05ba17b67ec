// Package nsrun runs a function with the calling OS thread switched into
// another network namespace, for the few things that netlink handles
// cannot do: creating sockets and writing /proc/sys/net.
//
// A socket keeps the namespace it was created in, so a socket created
// inside Do may be used afterwards from any goroutine.
package nsrun

import (
	"fmt"
	"runtime"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Do runs f in the network namespace at path (e.g. /run/netns/NAME). An
// empty path runs f directly, in the daemon's own namespace.
//
// f runs on a dedicated, locked OS thread. The thread is switched back to
// its original namespace before it is unlocked; if that fails the thread
// stays locked and exits with its goroutine, so no other goroutine can
// ever run in the wrong namespace.
func Do(path string, f func() error) error {
	if path == "" {
		return f()
	}
	target, err := netns.GetFromPath(path)
	if err != nil {
		return fmt.Errorf("open network namespace %s: %w", path, err)
	}
	defer target.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("open own network namespace: %w", err)
			return
		}
		defer orig.Close()
		if err := unix.Setns(int(target), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter network namespace %s: %w", path, err)
			return
		}
		ferr := f()
		if err := unix.Setns(int(orig), unix.CLONE_NEWNET); err != nil {
			// Leave the thread locked: it dies with this goroutine.
			errc <- fmt.Errorf("return from network namespace %s: %w", path, err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}
