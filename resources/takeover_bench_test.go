package resources

import (
	"context"
	"net"
	"net/netip"
	"os"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/netnstest"
	"github.com/understudy-ha/understudy/resources/neigh"
	"golang.org/x/sys/unix"
)

// garpClock reads, in a peer namespace, the kernel's receive timestamp
// (SO_TIMESTAMPNS) of the gratuitous ARP requests one MAC sends: the
// moment a takeover became visible on the wire, not when a goroutine
// got round to reading it.
type garpClock struct {
	f   *os.File
	mac net.HardwareAddr
}

func newGARPClock(tb testing.TB, ns *netnstest.NS, ifname string, from string) *garpClock {
	tb.Helper()
	link, err := ns.Handle.LinkByName(ifname)
	if err != nil {
		tb.Fatal(err)
	}
	mac, err := net.ParseMAC(from)
	if err != nil {
		tb.Fatal(err)
	}
	p := uint16(unix.ETH_P_ARP)
	proto := p<<8 | p>>8
	var fd int
	err = ns.Do(func() error {
		if fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, int(proto)); err != nil {
			return err
		}
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
			return err
		}
		return unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: proto, Ifindex: link.Attrs().Index})
	})
	if err != nil {
		tb.Fatalf("timestamping capture in %s: %v", ns.Name, err)
	}
	c := &garpClock{f: os.NewFile(uintptr(fd), "garp-clock"), mac: mac}
	tb.Cleanup(func() { c.f.Close() })
	return c
}

// first returns the kernel timestamp of the first gratuitous ARP request
// for vip from the clock's MAC stamped at or after since; false if none
// arrives within wait.
func (c *garpClock) first(vip netip.Addr, since time.Time, wait time.Duration) (time.Time, bool) {
	rc, err := c.f.SyscallConn()
	if err != nil {
		return time.Time{}, false
	}
	c.f.SetReadDeadline(time.Now().Add(wait))
	buf, oob := make([]byte, 1500), make([]byte, 128)
	for range 10000 {
		var n, oobn int
		var rerr error
		if err := rc.Read(func(fd uintptr) bool {
			n, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf, oob, 0)
			return rerr != unix.EAGAIN
		}); err != nil || rerr != nil {
			return time.Time{}, false
		}
		at, ok := kernelStamp(oob[:oobn])
		a, err := neigh.ParseARP(buf[:n])
		if !ok || err != nil || at.Before(since) || a.Op != neigh.OpRequest || a.SenderIP != vip || a.TargetIP != vip || !slices.Equal(a.SenderMAC, c.mac) {
			continue
		}
		return at, true
	}
	return time.Time{}, false
}

func kernelStamp(oob []byte) (time.Time, bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}, false
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SO_TIMESTAMPNS && len(m.Data) >= int(unsafe.Sizeof(unix.Timespec{})) {
			ts := (*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
			return time.Unix(ts.Unix()), true
		}
	}
	return time.Time{}, false
}

// benchActuator is the real graph in node a of a two-namespace lab, with
// understudy.toml's defaults ([ip] probe_time 10ms, 5 announcements
// 200ms apart), and a clock in node b.
func benchActuator(b *testing.B) (*Actuator, *garpClock) {
	a, peer := newLab(b, 1, time.Millisecond)
	cfg := &config.Config{Dir: b.TempDir(), Settings: config.DefaultSettings()}
	act, err := New(cfg, "node1", Options{NetNS: a.ns.Path})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(act.Close)
	return act, newGARPClock(b, peer.ns, "vb", a.mac)
}

// takeoverLoop acquires g b.N times (timed) and releases it (untimed);
// before runs untimed ahead of each Acquire. It reports, from the
// peer's kernel timestamps, how long after the call to Acquire the first
// gratuitous ARP for vip was on the wire (median and worst).
func takeoverLoop(b *testing.B, act *Actuator, clock *garpClock, g config.Group, vip netip.Addr, before func()) {
	ctx := context.Background()
	var toGARP []time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		before()
		b.StartTimer()
		t0 := time.Now()
		if err := act.Acquire(ctx, g); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		at, ok := clock.first(vip, t0, 2*time.Second)
		if !ok {
			b.Fatalf("no gratuitous ARP for %s seen by the peer", vip)
		}
		toGARP = append(toGARP, at.Sub(t0))
		if err := act.Release(ctx, g); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(toGARP)
	b.ReportMetric(float64(toGARP[len(toGARP)/2].Microseconds()), "µs-to-garp-p50")
	b.ReportMetric(float64(toGARP[len(toGARP)-1].Microseconds()), "µs-to-garp-max")
}

// BenchmarkAcquire1 takes over a group of one IPv4 floating address
// given the usual way (no prefix, no interface: resolved from the
// connected route) through the Actuator, guard on, understudy.toml's
// defaults: what a node does at deadtime for an address-only group.
func BenchmarkAcquire1(b *testing.B) {
	b.Run("unprepared", func(b *testing.B) {
		act, clock := benchActuator(b)
		g := group(b, "node1", "192.0.2.100")
		takeoverLoop(b, act, clock, g, g.Resources[0].IP.Addr, func() {})
	})
	// Prepared at warntime, acquired at deadtime: the verdict is ready.
	b.Run("prepared", func(b *testing.B) {
		act, clock := benchActuator(b)
		g := group(b, "node1", "192.0.2.100")
		takeoverLoop(b, act, clock, g, g.Resources[0].IP.Addr, func() {
			act.Prepare(g)
			time.Sleep(config.DefaultSettings().IP.ProbeTime)
		})
	})
}
