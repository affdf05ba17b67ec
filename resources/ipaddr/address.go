package ipaddr

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/understudy-ha/understudy/resources/neigh"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Address is a floating address resolved to its interface.
type Address struct {
	// Prefix is the address with its prefix length.
	Prefix netip.Prefix
	// Broadcast is the IPv4 broadcast address; invalid means the kernel's
	// default (derived from the prefix).
	Broadcast netip.Addr
	// Link is the interface.
	Link neigh.Link
	// Secondary is set by Find for an IPv4 address the kernel lists as a
	// secondary of its subnet.
	Secondary bool
}

// String formats a as ip(8) prints it: "192.0.2.10/24 dev eth0".
func (a Address) String() string {
	var b strings.Builder
	b.WriteString(a.Prefix.String())
	if a.Broadcast.IsValid() {
		fmt.Fprintf(&b, " brd %s", a.Broadcast)
	}
	fmt.Fprintf(&b, " dev %s", a.Link.Name)
	return b.String()
}

// nlAddr converts a to the netlink form, with IFA_F_NODAD for IPv6.
func (a Address) nlAddr() *netlink.Addr {
	p := a.Prefix
	n := &netlink.Addr{IPNet: &net.IPNet{
		IP:   net.IP(p.Addr().AsSlice()),
		Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
	}}
	if a.Broadcast.IsValid() {
		n.Broadcast = net.IP(a.Broadcast.AsSlice())
	}
	if p.Addr().Is6() {
		n.Flags = unix.IFA_F_NODAD
	}
	return n
}

// broadcast is the IPv4 broadcast address to set: the one given, else
// the subnet's for prefixes up to /30 (a /31 has none, RFC 3021), as
// the kernel would be asked by `ip addr add ... brd +`; invalid for IPv6.
func (a Address) broadcast() netip.Addr {
	p := a.Prefix
	switch {
	case !p.Addr().Is4():
		return netip.Addr{}
	case a.Broadcast.IsValid():
		return a.Broadcast
	case p.Bits() >= 31:
		return netip.Addr{}
	}
	b := p.Addr().As4()
	host := ^uint32(0) >> p.Bits()
	for i := range b {
		b[i] |= byte(host >> (24 - 8*i))
	}
	return netip.AddrFrom4(b)
}

// family returns the netlink family of ip.
func family(ip netip.Addr) int {
	if ip.Is4() {
		return netlink.FAMILY_V4
	}
	return netlink.FAMILY_V6
}

// fromNetlink converts a listed address.
func fromNetlink(a netlink.Addr, link neigh.Link) (Address, bool) {
	ip, ok := netip.AddrFromSlice(a.IP)
	if !ok || a.IPNet == nil {
		return Address{}, false
	}
	ip = ip.Unmap()
	ones, _ := a.Mask.Size()
	out := Address{Prefix: netip.PrefixFrom(ip, ones), Link: link, Secondary: a.Flags&unix.IFA_F_SECONDARY != 0}
	if b, ok := netip.AddrFromSlice(a.Broadcast); ok && ip.Is4() {
		out.Broadcast = b.Unmap()
	}
	return out, true
}

// linkOf converts a netlink link.
func linkOf(l netlink.Link) neigh.Link {
	at := l.Attrs()
	return neigh.Link{Index: at.Index, Name: at.Name, MAC: at.HardwareAddr}
}
