package monitor

import (
	"fmt"
	"net"
	"net/netip"
)

// LocalAddress returns this node's own address on the subnet of vip:
// what a monitor with address = "local" probes. It reads the
// interfaces' addresses (net.InterfaceAddrs).
func LocalAddress(vip netip.Addr) (netip.Addr, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return netip.Addr{}, fmt.Errorf("reading this node's addresses: %w", err)
	}
	var prefixes []netip.Prefix
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			ip, _ := netip.AddrFromSlice(n.IP)
			bits, _ := n.Mask.Size()
			prefixes = append(prefixes, netip.PrefixFrom(ip.Unmap(), bits))
		}
	}
	return localAddressIn(prefixes, vip)
}

// localAddressIn picks, among a node's addresses, the one whose subnet
// holds vip and that is not vip itself (a node holding the floating
// address has it too), preferring the narrowest subnet, then the first
// listed (the interface's primary address).
func localAddressIn(addrs []netip.Prefix, vip netip.Addr) (netip.Addr, error) {
	vip = vip.Unmap()
	best := netip.Prefix{}
	for _, p := range addrs {
		if p.Addr() == vip || !p.Masked().Contains(vip) || p.Addr().Is4() != vip.Is4() {
			continue
		}
		if !best.IsValid() || p.Bits() > best.Bits() {
			best = p
		}
	}
	if !best.IsValid() {
		return netip.Addr{}, fmt.Errorf("no address of this node is on the subnet of %s", vip)
	}
	return best.Addr(), nil
}
