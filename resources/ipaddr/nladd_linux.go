package ipaddr

import (
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/understudy-ha/understudy/resources/internal/nsrun"
	"golang.org/x/sys/unix"
)

// adder adds addresses with one RTM_NEWADDR request on a netlink socket
// of its own, built in a buffer that is reused, and its acknowledgement
// read into another: the takeover's one system call per address, with
// none of the general handle's per-request costs (a new request, a 64
// KiB receive buffer, a getsockname). It asks exactly what `ip addr add
// ADDR/BITS [brd BRD] dev IFACE [nodad]` asks; everything else stays on
// the *netlink.Handle.
type adder struct {
	netns string

	mu  sync.Mutex
	fd  int // -1 until opened
	seq uint32
	req [128]byte
	ack [1024]byte
}

// ackTimeout bounds the wait for the kernel's answer.
const ackTimeout = 5 * time.Second

func newAdder(netns string) *adder { return &adder{netns: netns, fd: -1} }

// open opens the socket if it is not; a.mu must be held.
func (a *adder) open() error {
	if a.fd >= 0 {
		return nil
	}
	return nsrun.Do(a.netns, func() error {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		if err != nil {
			return fmt.Errorf("open netlink socket: %w", err)
		}
		tv := unix.NsecToTimeval(ackTimeout.Nanoseconds())
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			unix.Close(fd)
			return fmt.Errorf("netlink socket timeout: %w", err)
		}
		if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			unix.Close(fd)
			return fmt.Errorf("bind netlink socket: %w", err)
		}
		a.fd = fd
		return nil
	})
}

// prepare opens the socket ahead of the first add.
func (a *adder) prepare() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.open()
}

func (a *adder) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fd >= 0 {
		unix.Close(a.fd)
		a.fd = -1
	}
}

// add asks the kernel to add addr exclusively (NLM_F_EXCL: EEXIST if it
// is there) and returns its answer as an errno, or nil.
func (a *adder) add(addr Address) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.open(); err != nil {
		return err
	}
	a.seq++
	req := a.build(addr)
	if err := unix.Sendto(a.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	for range 16 { // skip answers to requests that timed out before
		n, err := unix.Read(a.fd, a.ack[:])
		if err != nil {
			return err
		}
		if n < unix.NLMSG_HDRLEN+4 || binary.NativeEndian.Uint32(a.ack[8:]) != a.seq {
			continue
		}
		if binary.NativeEndian.Uint16(a.ack[4:]) != unix.NLMSG_ERROR {
			return fmt.Errorf("netlink: unexpected answer of type %d", binary.NativeEndian.Uint16(a.ack[4:]))
		}
		if errno := int32(binary.NativeEndian.Uint32(a.ack[unix.NLMSG_HDRLEN:])); errno != 0 {
			return unix.Errno(-errno)
		}
		return nil
	}
	return fmt.Errorf("netlink: no answer to request %d", a.seq)
}

// build writes the RTM_NEWADDR request for addr into a.req:
// nlmsghdr, ifaddrmsg, IFA_LOCAL, IFA_ADDRESS and, for IPv4, IFA_BROADCAST
// (the one given, else the subnet's for prefixes up to /30, as ip(8)
// does with `brd +`); IPv6 gets IFA_F_NODAD.
func (a *adder) build(addr Address) []byte {
	b := a.req[:]
	clear(b)
	ip := addr.Prefix.Addr()
	raw := ip.AsSlice()
	n := unix.NLMSG_HDRLEN + unix.SizeofIfAddrmsg
	b[n-unix.SizeofIfAddrmsg+0] = byte(family(ip))
	b[n-unix.SizeofIfAddrmsg+1] = byte(addr.Prefix.Bits())
	if ip.Is6() {
		b[n-unix.SizeofIfAddrmsg+2] = unix.IFA_F_NODAD
	}
	binary.NativeEndian.PutUint32(b[n-4:], uint32(addr.Link.Index))
	attr := func(typ uint16, data []byte) {
		l := unix.SizeofRtAttr + len(data)
		binary.NativeEndian.PutUint16(b[n:], uint16(l))
		binary.NativeEndian.PutUint16(b[n+2:], typ)
		copy(b[n+unix.SizeofRtAttr:], data)
		n += (l + unix.RTA_ALIGNTO - 1) &^ (unix.RTA_ALIGNTO - 1)
	}
	attr(unix.IFA_LOCAL, raw)
	attr(unix.IFA_ADDRESS, raw)
	if brd := addr.broadcast(); brd.IsValid() {
		attr(unix.IFA_BROADCAST, brd.AsSlice())
	}
	binary.NativeEndian.PutUint32(b[0:], uint32(n))
	binary.NativeEndian.PutUint16(b[4:], unix.RTM_NEWADDR)
	binary.NativeEndian.PutUint16(b[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	binary.NativeEndian.PutUint32(b[8:], a.seq)
	return b[:n]
}
