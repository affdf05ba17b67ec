package neigh

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"unsafe"

	"github.com/understudy-ha/understudy/resources/internal/nsrun"
	"golang.org/x/sys/unix"
)

// Link is the interface an address lives on.
type Link struct {
	Index int
	Name  string
	MAC   net.HardwareAddr
}

func (l Link) String() string { return fmt.Sprintf("%s (index %d, %s)", l.Name, l.Index, l.MAC) }

// allNodes is ff02::1, where unsolicited NAs go (RFC 4861 §7.2.6).
var allNodes = netip.MustParseAddr("ff02::1").As16()

// broadcastMAC is where gratuitous ARP and ARP probes go.
var broadcastMAC = [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// htons converts a 16-bit protocol number to network byte order, as
// AF_PACKET wants it.
func htons(v uint16) uint16 { return v<<8 | v>>8 }

// Conn sends announcements and probes. It holds two sockets, both
// created in one network namespace and both send-only in effect:
//   - AF_PACKET SOCK_DGRAM with protocol 0: it receives nothing, so no
//     traffic buffers up; each send names its interface, EtherType and
//     destination MAC, and the kernel adds the Ethernet header from the
//     interface's MAC (gratuitous ARP, ARP probes, and the IPv6
//     duplicate address detection probes, whose unspecified source the
//     IPv6 stack would not send);
//   - a raw ICMPv6 socket whose receive filter blocks every type; the
//     kernel computes the ICMPv6 checksum and the hop limit is 255, as
//     RFC 4861 requires of neighbour discovery.
//
// It needs CAP_NET_RAW. Methods may be called concurrently; Close must
// not race with sends.
type Conn struct {
	pkt, nd int
}

// Dial opens a Conn in the network namespace at netnsPath ("" = the
// daemon's own).
func Dial(netnsPath string) (*Conn, error) {
	c := &Conn{pkt: -1, nd: -1}
	err := nsrun.Do(netnsPath, c.open)
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Conn) open() error {
	var err error
	c.pkt, err = unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open AF_PACKET socket for gratuitous ARP: %w", err)
	}
	c.nd, err = unix.Socket(unix.AF_INET6, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMPV6)
	if err != nil {
		return fmt.Errorf("open raw ICMPv6 socket for neighbour advertisements: %w", err)
	}
	var blockAll unix.ICMPv6Filter
	for i := range blockAll.Data {
		blockAll.Data[i] = ^uint32(0)
	}
	return errors.Join(
		unix.SetsockoptICMPv6Filter(c.nd, unix.IPPROTO_ICMPV6, unix.ICMPV6_FILTER, &blockAll),
		unix.SetsockoptInt(c.nd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, 255),
		unix.SetsockoptInt(c.nd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, 255),
		unix.SetsockoptInt(c.nd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_LOOP, 0),
	)
}

// Close closes both sockets.
func (c *Conn) Close() error {
	var errs []error
	for _, fd := range []*int{&c.pkt, &c.nd} {
		if *fd >= 0 {
			errs = append(errs, unix.Close(*fd))
			*fd = -1
		}
	}
	return errors.Join(errs...)
}

// SendARP broadcasts an ARP body (ff:ff:ff:ff:ff:ff, EtherType 0x0806)
// on the interface with index ifindex.
func (c *Conn) SendARP(ifindex int, body []byte) error {
	to := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: ifindex, Halen: 6, Addr: broadcastMAC}
	if err := unix.Sendto(c.pkt, body, 0, to); err != nil {
		return fmt.Errorf("send ARP on interface %d: %w", ifindex, err)
	}
	return nil
}

// SendIPv6 sends a whole IPv6 packet (header included, as DADProbe
// builds it) to the Ethernet address dst on interface ifindex.
func (c *Conn) SendIPv6(ifindex int, dst net.HardwareAddr, packet []byte) error {
	if len(dst) != 6 {
		return ErrInvalidMAC
	}
	to := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_IPV6), Ifindex: ifindex, Halen: 6}
	copy(to.Addr[:], dst)
	if err := unix.Sendto(c.pkt, packet, 0, to); err != nil {
		return fmt.Errorf("send IPv6 packet to %s on interface %d: %w", dst, ifindex, err)
	}
	return nil
}

// SendNA sends an ICMPv6 body to ff02::1 on interface ifindex with source
// address src (which must be assigned to the interface and not tentative:
// add IPv6 floating addresses with IFA_F_NODAD).
func (c *Conn) SendNA(ifindex int, src netip.Addr, body []byte) error {
	oob := make([]byte, unix.CmsgSpace(unix.SizeofInet6Pktinfo))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
	h.Level, h.Type = unix.IPPROTO_IPV6, unix.IPV6_PKTINFO
	h.SetLen(unix.CmsgLen(unix.SizeofInet6Pktinfo))
	pi := (*unix.Inet6Pktinfo)(unsafe.Pointer(&oob[unix.CmsgLen(0)]))
	pi.Addr, pi.Ifindex = src.As16(), uint32(ifindex)
	to := &unix.SockaddrInet6{Addr: allNodes, ZoneId: uint32(ifindex)}
	if err := unix.Sendmsg(c.nd, body, oob, to, 0); err != nil {
		return fmt.Errorf("send neighbour advertisement from %s on interface %d: %w", src, ifindex, err)
	}
	return nil
}
