package neigh

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/understudy-ha/understudy/resources/internal/nsrun"
	"golang.org/x/sys/unix"
)

// NewProber opens the Prober's sockets in opts.NetNS (needs CAP_NET_RAW):
// two AF_PACKET sockets that receive, on every interface, ARP and the
// neighbour discovery part of IPv6, and a datagram socket that joins the
// solicited-node groups of the IPv6 addresses being probed (so that a
// switch snooping MLD, and the NIC's filter, let another host's
// duplicate address detection probe through). They stay open until
// Close: a takeover opens and binds nothing. While no watch runs, a BPF
// filter in the kernel drops every frame before it is queued, so an idle
// Prober costs no wake-up.
func NewProber(opts ProberOptions) (*Prober, error) {
	s := &sockets{joined: map[membership]int{}, mc: -1}
	p := newProber(opts, s)
	err := nsrun.Do(opts.NetNS, func() error {
		var err error
		arp := func(ifindex int, _ net.HardwareAddr, b []byte) { p.arpFrame(ifindex, b) }
		if s.arp, err = openListener(unix.ETH_P_ARP, acceptAll, "ARP", arp); err != nil {
			return err
		}
		if s.nd, err = openListener(unix.ETH_P_IPV6, acceptND, "neighbour discovery", p.ndFrame); err != nil {
			return err
		}
		s.mc, err = unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open IPv6 socket for multicast membership: %w", err)
		}
		return nil
	})
	if err != nil {
		s.close()
		return nil, fmt.Errorf("open probe sockets: %w", err)
	}
	return p, nil
}

// The listeners' BPF programs. An AF_PACKET SOCK_DGRAM socket runs its
// filter on the frame from the network header on; the value returned is
// how many bytes to keep, 0 to drop.
var (
	dropAll   = []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: 0}}
	acceptAll = []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: maxFrame}}
	// acceptND keeps ICMPv6 (next header 58, no extension header) with
	// hop limit 255 and type 135 or 136.
	acceptND = []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_B | unix.BPF_ABS, K: 6},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: 58, Jt: 0, Jf: 6},
		{Code: unix.BPF_LD | unix.BPF_B | unix.BPF_ABS, K: 7},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: 255, Jt: 0, Jf: 4},
		{Code: unix.BPF_LD | unix.BPF_B | unix.BPF_ABS, K: 40},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: uint32(TypeNS), Jt: 1, Jf: 0},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: uint32(TypeNA), Jt: 0, Jf: 1},
		{Code: unix.BPF_RET | unix.BPF_K, K: maxFrame},
		{Code: unix.BPF_RET | unix.BPF_K, K: 0},
	}
)

const maxFrame = 2048

// sockets is the Prober's receiver.
type sockets struct {
	arp, nd *listener
	mc      int // holds the solicited-node memberships

	mu     sync.Mutex
	joined map[membership]int // how many watches want each
}

type membership struct {
	ifindex int
	group   netip.Addr
}

func (s *sockets) use(ifindex int, v4 bool, groups []netip.Addr) error {
	if v4 {
		if err := s.arp.acquire(); err != nil {
			return err
		}
	}
	if len(groups) == 0 {
		return nil
	}
	if err := s.nd.acquire(); err != nil {
		if v4 {
			s.arp.release()
		}
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range groups {
		m := membership{ifindex, g}
		if s.joined[m]++; s.joined[m] == 1 {
			// Best effort: advertisements answering the probe go to
			// ff02::1 and arrive anyway.
			mreq := unix.IPv6Mreq{Multiaddr: g.As16(), Interface: uint32(ifindex)}
			unix.SetsockoptIPv6Mreq(s.mc, unix.IPPROTO_IPV6, unix.IPV6_JOIN_GROUP, &mreq)
		}
	}
	return nil
}

func (s *sockets) done(ifindex int, v4 bool, groups []netip.Addr) {
	if v4 {
		s.arp.release()
	}
	if len(groups) == 0 {
		return
	}
	s.nd.release()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range groups {
		m := membership{ifindex, g}
		if s.joined[m]--; s.joined[m] <= 0 {
			delete(s.joined, m)
			mreq := unix.IPv6Mreq{Multiaddr: g.As16(), Interface: uint32(ifindex)}
			unix.SetsockoptIPv6Mreq(s.mc, unix.IPPROTO_IPV6, unix.IPV6_LEAVE_GROUP, &mreq)
		}
	}
}

func (s *sockets) err(v4, v6 bool) error {
	var errs []error
	if v4 {
		errs = append(errs, s.arp.failure())
	}
	if v6 {
		errs = append(errs, s.nd.failure())
	}
	return errors.Join(errs...)
}

func (s *sockets) close() error {
	var errs []error
	for _, l := range []*listener{s.arp, s.nd} {
		if l != nil {
			errs = append(errs, l.close())
		}
	}
	if s.mc >= 0 {
		errs = append(errs, unix.Close(s.mc))
		s.mc = -1
	}
	return errors.Join(errs...)
}

// listenLinger is how long a listener keeps hearing its frames after
// its last user left. Attaching a filter costs the kernel a BPF
// compilation (about 0.1ms), so a watch that ends does not pay for it,
// nor does the next one when they come close together (a failover of
// several groups, a takeover after a refused one).
const listenLinger = 2 * time.Second

// listener is one AF_PACKET SOCK_DGRAM socket receiving one EtherType on
// every interface, with its reader goroutine. Its filter is its own
// while somebody uses it, and for listenLinger after, then dropAll.
type listener struct {
	name   string
	f      *os.File
	rc     syscall.RawConn
	filter []unix.SockFilter
	exited chan struct{}

	mu     sync.Mutex
	users  int
	open   bool        // the filter is l.filter, not dropAll
	linger *time.Timer // sets dropAll once nobody used it for listenLinger
	fail   error       // the reader's last error; it stopped
}

// openListener opens a listener for EtherType proto and starts its
// reader; the calling thread must be in the right namespace.
func openListener(proto uint16, filter []unix.SockFilter, name string, handle func(int, net.HardwareAddr, []byte)) (*listener, error) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, int(htons(proto)))
	if err != nil {
		return nil, fmt.Errorf("open AF_PACKET socket for %s: %w", name, err)
	}
	if err := attach(fd, dropAll); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("filter AF_PACKET socket for %s: %w", name, err)
	}
	l := &listener{name: name, f: os.NewFile(uintptr(fd), "probe-"+name), filter: filter, exited: make(chan struct{})}
	if l.rc, err = l.f.SyscallConn(); err != nil {
		l.f.Close()
		return nil, err
	}
	go l.run(handle)
	return l, nil
}

func attach(fd int, prog []unix.SockFilter) error {
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	return unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog)
}

func (l *listener) setFilter(prog []unix.SockFilter) error {
	var serr error
	if err := l.rc.Control(func(fd uintptr) { serr = attach(int(fd), prog) }); err != nil {
		return err
	}
	return serr
}

// acquire makes the listener hear its frames until release.
func (l *listener) acquire() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.open {
		if err := l.setFilter(l.filter); err != nil {
			return fmt.Errorf("listen for %s: %w", l.name, err)
		}
		l.open = true
	}
	l.users++
	return nil
}

// release ends what acquire started; the filter closes listenLinger
// after the last user left, off the caller's path.
func (l *listener) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users--; l.users > 0 {
		return
	}
	if l.linger == nil {
		l.linger = time.AfterFunc(listenLinger, l.close0)
	} else {
		l.linger.Reset(listenLinger)
	}
}

// close0 shuts the filter if nobody uses the listener.
func (l *listener) close0() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users == 0 && l.open {
		if l.setFilter(dropAll) == nil { // a failure only costs wake-ups
			l.open = false
		}
	}
}

func (l *listener) failure() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fail
}

// run reads frames and hands those received while somebody listens to
// handle, until the socket is closed or fails.
func (l *listener) run(handle func(ifindex int, src net.HardwareAddr, b []byte)) {
	defer close(l.exited)
	buf := make([]byte, maxFrame)
	for {
		var n int
		var from unix.Sockaddr
		var rerr error
		err := l.rc.Read(func(fd uintptr) bool {
			n, from, rerr = unix.Recvfrom(int(fd), buf, 0)
			return rerr != unix.EAGAIN
		})
		if errors.Is(err, os.ErrClosed) {
			return
		}
		if err = errors.Join(err, rerr); err != nil {
			l.mu.Lock()
			l.fail = fmt.Errorf("read %s: %w", l.name, err)
			l.mu.Unlock()
			return
		}
		ll, ok := from.(*unix.SockaddrLinklayer)
		if !ok || ll.Pkttype == unix.PACKET_OUTGOING {
			continue
		}
		l.mu.Lock()
		idle := l.users == 0
		l.mu.Unlock()
		if !idle {
			handle(ll.Ifindex, net.HardwareAddr(ll.Addr[:min(int(ll.Halen), len(ll.Addr))]), buf[:n])
		}
	}
}

func (l *listener) close() error {
	l.mu.Lock()
	if l.linger != nil {
		l.linger.Stop()
	}
	l.mu.Unlock()
	err := l.f.Close()
	<-l.exited
	return err
}
