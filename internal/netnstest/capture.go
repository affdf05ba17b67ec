package netnstest

import (
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Frame is one captured packet.
type Frame struct {
	// Data is the payload after the link-layer header (SOCK_DGRAM).
	Data []byte
	// Proto is the EtherType.
	Proto uint16
	// Src is the sender's MAC.
	Src []byte
	// At is when it was read.
	At time.Time
}

// Capture reads frames of one EtherType arriving on one interface of a
// namespace, through an AF_PACKET socket created inside it.
type Capture struct {
	f *os.File
}

// Listen opens a capture of EtherType proto (e.g. unix.ETH_P_ARP,
// unix.ETH_P_IPV6) on interface ifname of ns; closed at cleanup.
func Listen(tb testing.TB, ns *NS, ifname string, proto uint16) *Capture {
	tb.Helper()
	link, err := ns.Handle.LinkByName(ifname)
	if err != nil {
		tb.Fatalf("capture: interface %s in %s: %v", ifname, ns.Name, err)
	}
	p := proto<<8 | proto>>8
	var fd int
	err = ns.Do(func() error {
		var err error
		fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, int(p))
		if err != nil {
			return err
		}
		return unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: p, Ifindex: link.Attrs().Index})
	})
	if err != nil {
		tb.Fatalf("capture on %s in %s: %v", ifname, ns.Name, err)
	}
	c := &Capture{f: os.NewFile(uintptr(fd), "capture")}
	tb.Cleanup(func() { c.f.Close() })
	return c
}

// Next returns the next incoming frame, or false when none arrives
// within wait.
func (c *Capture) Next(wait time.Duration) (Frame, bool) {
	rc, err := c.f.SyscallConn()
	if err != nil {
		return Frame{}, false
	}
	c.f.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 2048)
	for range 10000 {
		var n int
		var from unix.Sockaddr
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			n, from, rerr = unix.Recvfrom(int(fd), buf, 0)
			return !errors.Is(rerr, unix.EAGAIN)
		})
		if err != nil || rerr != nil {
			return Frame{}, false
		}
		ll, ok := from.(*unix.SockaddrLinklayer)
		if !ok || ll.Pkttype == unix.PACKET_OUTGOING {
			continue
		}
		return Frame{Data: append([]byte(nil), buf[:n]...), Proto: ll.Protocol<<8 | ll.Protocol>>8,
			Src: append([]byte(nil), ll.Addr[:ll.Halen]...), At: time.Now()}, true
	}
	return Frame{}, false
}
