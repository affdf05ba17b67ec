package netnstest

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// RequireRoot skips the test unless it runs as root.
func RequireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skipf("SKIPPING %s: needs root (CAP_NET_ADMIN, CAP_NET_RAW) to create network namespaces; run go test as root", tb.Name())
	}
	if _, err := exec.LookPath("ip"); err != nil {
		tb.Skipf("SKIPPING %s: the ip command (iproute2) is not installed", tb.Name())
	}
}

// NS is a scratch network namespace.
type NS struct {
	// Name is its name under /run/netns.
	Name string
	// Path is /run/netns/Name, for the NetNS options of package resources.
	Path string
	// Handle is a netlink handle bound to it.
	Handle *netlink.Handle
}

var seq atomic.Int64

// New creates a namespace with a unique name and loopback up; it is
// deleted when the test ends.
func New(tb testing.TB) *NS {
	tb.Helper()
	RequireRoot(tb)
	name := fmt.Sprintf("ustest-%d-%d", os.Getpid(), seq.Add(1))
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		tb.Fatalf("ip netns add %s: %v\n%s", name, err, out)
	}
	ns := &NS{Name: name, Path: "/run/netns/" + name}
	tb.Cleanup(func() {
		if ns.Handle != nil {
			ns.Handle.Close()
		}
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			tb.Errorf("cleanup: ip netns del %s: %v\n%s", name, err, out)
		}
	})
	h, err := netns.GetFromName(name)
	if err != nil {
		tb.Fatalf("open namespace %s: %v", name, err)
	}
	defer h.Close()
	if ns.Handle, err = netlink.NewHandleAt(h); err != nil {
		tb.Fatalf("netlink handle in %s: %v", name, err)
	}
	ns.IP(tb, "link", "set", "lo", "up")
	return ns
}

// IP runs `ip -n NAME args...` and returns its output; failure fails the
// test.
func (ns *NS) IP(tb testing.TB, args ...string) string {
	tb.Helper()
	out, err := exec.Command("ip", append([]string{"-n", ns.Name}, args...)...).CombinedOutput()
	if err != nil {
		tb.Fatalf("ip -n %s %s: %v\n%s", ns.Name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Sysctl writes /proc/sys/net/KEY (KEY with slashes, e.g.
// "ipv4/conf/va/promote_secondaries") inside the namespace.
func (ns *NS) Sysctl(tb testing.TB, key, value string) {
	tb.Helper()
	err := ns.Do(func() error {
		return os.WriteFile("/proc/sys/net/"+key, []byte(value+"\n"), 0o644)
	})
	if err != nil {
		tb.Fatalf("sysctl %s=%s in %s: %v", key, value, ns.Name, err)
	}
}

// Veth creates a veth pair with end aName in a and bName in b (created
// inside a, the peer placed straight into b), and sets both up.
func Veth(tb testing.TB, a *NS, aName string, b *NS, bName string) {
	tb.Helper()
	a.IP(tb, "link", "add", aName, "type", "veth", "peer", "name", bName, "netns", b.Name)
	a.IP(tb, "link", "set", aName, "up")
	b.IP(tb, "link", "set", bName, "up")
}

// Do runs f on a locked OS thread switched into the namespace, and
// switches back before unlocking. Sockets f creates stay in the
// namespace.
func (ns *NS) Do(f func() error) error {
	target, err := netns.GetFromName(ns.Name)
	if err != nil {
		return err
	}
	defer target.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer orig.Close()
		if err := unix.Setns(int(target), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		ferr := f()
		if err := unix.Setns(int(orig), unix.CLONE_NEWNET); err != nil {
			errc <- err // thread stays locked and dies with the goroutine
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}
