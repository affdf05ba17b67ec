package transport

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"

	"github.com/understudy-ha/understudy/config"
)

// iptosLowDelay is IPTOS_LOWDELAY (RFC 1349), which heartbeat sets on ucast.
const iptosLowDelay = 0x10

// sockopt is one integer socket option set before bind.
type sockopt struct {
	level, name, value int
	label              string
}

var (
	reuseAddr   = sockopt{unix.SOL_SOCKET, unix.SO_REUSEADDR, 1, "SO_REUSEADDR"}
	reusePort   = sockopt{unix.SOL_SOCKET, unix.SO_REUSEPORT, 1, "SO_REUSEPORT"}
	dontRoute   = sockopt{unix.SOL_SOCKET, unix.SO_DONTROUTE, 1, "SO_DONTROUTE"}
	lowDelay4   = sockopt{unix.IPPROTO_IP, unix.IP_TOS, iptosLowDelay, "IP_TOS"}
	lowDelay6   = sockopt{unix.IPPROTO_IPV6, unix.IPV6_TCLASS, iptosLowDelay, "IPV6_TCLASS"}
	resolveWait = 5 * time.Second // bound on resolving a ucast peer name
)

// listen opens a UDP socket on addr, bound to device, with opts set
// before bind (Go sets SO_BROADCAST on UDP sockets itself).
func listen(network, addr, device string, opts ...sockopt) (*net.UDPConn, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			if serr = unix.BindToDevice(int(fd), device); serr != nil {
				serr = fmt.Errorf("SO_BINDTODEVICE %s: %w", device, serr)
				return
			}
			for _, o := range opts {
				if serr = unix.SetsockoptInt(int(fd), o.level, o.name, o.value); serr != nil {
					serr = fmt.Errorf("%s: %w", o.label, serr)
					return
				}
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	pc, err := lc.ListenPacket(context.Background(), network, addr)
	if err != nil {
		return nil, err
	}
	return pc.(*net.UDPConn), nil
}

func (u *UDP) openBcast(m config.Medium) error {
	var err error
	if u.recv, err = listen("udp4", ":"+strconv.Itoa(m.Port), m.Iface, reuseAddr); err != nil {
		return err
	}
	if u.send, err = listen("udp4", ":0", m.Iface, dontRoute); err != nil {
		return err
	}
	u.maxSend = maxUDP4
	u.dest = func() (netip.AddrPort, error) {
		a, err := broadcastAddr(u.send, m.Iface)
		return netip.AddrPortFrom(a, uint16(m.Port)), err
	}
	_, err = u.dest() // say now if the interface has no broadcast address
	return err
}

// broadcastAddr asks the kernel for iface's IPv4 broadcast address
// (SIOCGIFBRDADDR), through c so that c's network namespace is asked.
func broadcastAddr(c *net.UDPConn, iface string) (netip.Addr, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return netip.Addr{}, err
	}
	var b []byte
	var ierr error
	err = rc.Control(func(fd uintptr) {
		ifr, err := unix.NewIfreq(iface)
		if err == nil {
			err = unix.IoctlIfreq(int(fd), unix.SIOCGIFBRDADDR, ifr)
		}
		if err == nil {
			b, err = ifr.Inet4Addr()
		}
		ierr = err
	})
	switch {
	case err != nil:
		return netip.Addr{}, err
	case ierr == unix.EADDRNOTAVAIL:
		return netip.Addr{}, fmt.Errorf("interface %s has no IPv4 address to broadcast from: %w", iface, ierr)
	case ierr != nil:
		return netip.Addr{}, fmt.Errorf("broadcast address of %s: %w", iface, ierr)
	}
	a := netip.AddrFrom4([4]byte(b))
	if a.IsUnspecified() {
		return a, fmt.Errorf("interface %s has no IPv4 broadcast address (add its address with \"brd +\")", iface)
	}
	return a, nil
}

func (u *UDP) openUcast(m config.Medium) error {
	peer, err := resolvePeer(u.opts.context(), m, u.opts.Resolve)
	if err != nil {
		return err
	}
	network, tos, wildcard := "udp4", lowDelay4, ":"
	u.maxSend = maxUDP4
	if m.Type == config.Ucast6 {
		network, tos, wildcard = "udp6", lowDelay6, "[::]:"
		u.maxSend = maxUDP6
	}
	if u.recv, err = listen(network, wildcard+strconv.Itoa(m.Port), m.Iface, reuseAddr, reusePort); err != nil {
		return err
	}
	if u.send, err = listen(network, wildcard+"0", m.Iface, tos); err != nil {
		return err
	}
	dst := netip.AddrPortFrom(peer, uint16(m.Port))
	u.dest = func() (netip.AddrPort, error) { return dst, nil }
	return nil
}

// resolvePeer parses or resolves the ucast peer. A link-local IPv6 peer
// without a zone gets the medium's interface as its zone.
func resolvePeer(ctx context.Context, m config.Medium, resolve func(context.Context, string, string) ([]netip.Addr, error)) (netip.Addr, error) {
	want6 := m.Type == config.Ucast6
	a, err := netip.ParseAddr(m.Peer)
	if err != nil {
		if resolve == nil {
			resolve = net.DefaultResolver.LookupNetIP
		}
		network := map[bool]string{false: "ip4", true: "ip6"}[want6]
		ctx, cancel := context.WithTimeout(ctx, resolveWait)
		defer cancel()
		addrs, err := resolve(ctx, network, m.Peer)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("resolve peer %s: %w", m.Peer, err)
		}
		for _, c := range addrs {
			if c = c.Unmap(); c.Is6() == want6 {
				return c, nil
			}
		}
		return netip.Addr{}, fmt.Errorf("resolve peer %s: no %s address among %v", m.Peer, network, addrs)
	}
	if a = a.Unmap(); a.Is6() != want6 {
		return netip.Addr{}, badMedium{fmt.Errorf("peer %s is not an IPv%s address", m.Peer, map[bool]string{false: "4", true: "6"}[want6])}
	}
	if want6 && a.Zone() == "" && a.IsLinkLocalUnicast() {
		a = a.WithZone(m.Iface)
	}
	return a, nil
}

func (u *UDP) openMcast(m config.Medium, ifi *net.Interface) error {
	if !m.Group.IsMulticast() || m.Group.Is6() != (m.Type == config.Mcast6) {
		return badMedium{fmt.Errorf("group %s is not an IPv%s multicast address", m.Group, map[bool]string{false: "4", true: "6"}[m.Type == config.Mcast6])}
	}
	network, wildcard := "udp4", ":0"
	u.maxSend = maxUDP4
	if m.Group.Is6() {
		network, wildcard = "udp6", "[::]:0"
		u.maxSend = maxUDP6
	}
	var err error
	grp := netip.AddrPortFrom(m.Group, uint16(m.Port)).String()
	if u.recv, err = listen(network, grp, m.Iface, reuseAddr); err != nil {
		return err
	}
	if u.send, err = listen(network, wildcard, m.Iface); err != nil {
		return err
	}
	if m.Group.Is6() {
		err = setupMcast6(u.recv, u.send, ifi, m)
	} else {
		err = setupMcast4(u.recv, u.send, ifi, m)
	}
	if err != nil {
		return err
	}
	dst := netip.AddrPortFrom(m.Group, uint16(m.Port))
	if m.Group.Is6() && (m.Group.IsLinkLocalMulticast() || m.Group.IsInterfaceLocalMulticast()) {
		dst = netip.AddrPortFrom(m.Group.WithZone(m.Iface), uint16(m.Port))
	}
	u.dest = func() (netip.AddrPort, error) { return dst, nil }
	return nil
}

func setupMcast4(recv, send *net.UDPConn, ifi *net.Interface, m config.Medium) error {
	grp := &net.UDPAddr{IP: m.Group.AsSlice()}
	if err := ipv4.NewPacketConn(recv).JoinGroup(ifi, grp); err != nil {
		return fmt.Errorf("join %s on %s: %w", m.Group, m.Iface, err)
	}
	p := ipv4.NewPacketConn(send)
	if err := p.SetMulticastInterface(ifi); err != nil {
		return fmt.Errorf("IP_MULTICAST_IF %s: %w", m.Iface, err)
	}
	if err := p.SetMulticastTTL(m.TTL); err != nil {
		return fmt.Errorf("IP_MULTICAST_TTL %d: %w", m.TTL, err)
	}
	if err := p.SetMulticastLoopback(m.Loop); err != nil {
		return fmt.Errorf("IP_MULTICAST_LOOP %t: %w", m.Loop, err)
	}
	return nil
}

func setupMcast6(recv, send *net.UDPConn, ifi *net.Interface, m config.Medium) error {
	grp := &net.UDPAddr{IP: m.Group.AsSlice()}
	if err := ipv6.NewPacketConn(recv).JoinGroup(ifi, grp); err != nil {
		return fmt.Errorf("join %s on %s: %w", m.Group, m.Iface, err)
	}
	p := ipv6.NewPacketConn(send)
	if err := p.SetMulticastInterface(ifi); err != nil {
		return fmt.Errorf("IPV6_MULTICAST_IF %s: %w", m.Iface, err)
	}
	if err := p.SetMulticastHopLimit(m.TTL); err != nil {
		return fmt.Errorf("IPV6_MULTICAST_HOPS %d: %w", m.TTL, err)
	}
	if err := p.SetMulticastLoopback(m.Loop); err != nil {
		return fmt.Errorf("IPV6_MULTICAST_LOOP %t: %w", m.Loop, err)
	}
	return nil
}
