package ipaddr

import (
	"fmt"
	"net/netip"

	"github.com/understudy-ha/understudy/config"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Resolve decides where spec's address goes: the interface named in spec,
// or else the one whose connected route covers the address (the longest
// such prefix wins); and the prefix length given in spec, or else that
// route's. A connected route is a unicast route in the main table with no
// gateway; host routes are not taken.
//
// Equivalent to: `ip route show table main [dev IFACE]` and
// `ip link show dev IFACE`.
func (m *Manager) Resolve(spec config.IPSpec) (Address, error) {
	a := Address{Broadcast: spec.Broadcast}
	var link netlink.Link
	if spec.Iface != "" {
		l, err := m.h.LinkByName(spec.Iface)
		if err != nil {
			return a, fmt.Errorf("resolve %s: interface %s: %w", spec.Addr, spec.Iface, err)
		}
		link = l
		if spec.Bits > 0 {
			a.Prefix, a.Link = netip.PrefixFrom(spec.Addr, spec.Bits), linkOf(l)
			return a, nil
		}
	}
	route, err := m.connectedRoute(spec.Addr, link)
	if err != nil {
		return a, fmt.Errorf("resolve %s: %w", spec.Addr, err)
	}
	if link == nil {
		if link, err = m.h.LinkByIndex(route.LinkIndex); err != nil {
			return a, fmt.Errorf("resolve %s: interface %d of route %s: %w", spec.Addr, route.LinkIndex, route.Dst, err)
		}
	}
	bits := spec.Bits
	if bits == 0 {
		bits, _ = route.Dst.Mask.Size()
	}
	a.Prefix, a.Link = netip.PrefixFrom(spec.Addr, bits), linkOf(link)
	return a, nil
}

// connectedRoute finds the longest connected route covering ip, on link
// if it is not nil.
func (m *Manager) connectedRoute(ip netip.Addr, link netlink.Link) (netlink.Route, error) {
	filter, mask := &netlink.Route{Table: unix.RT_TABLE_MAIN}, uint64(netlink.RT_FILTER_TABLE)
	if link != nil {
		filter.LinkIndex = link.Attrs().Index
		mask |= netlink.RT_FILTER_OIF
	}
	routes, err := retryDump(func() ([]netlink.Route, error) { return m.h.RouteListFiltered(family(ip), filter, mask) })
	if err != nil {
		return netlink.Route{}, fmt.Errorf("list routes: %w", err)
	}
	best, bestBits := netlink.Route{}, -1
	for _, r := range routes {
		if r.Dst == nil || r.Gw != nil || len(r.MultiPath) > 0 || r.Type != unix.RTN_UNICAST || r.LinkIndex == 0 {
			continue
		}
		p, ok := prefixOf(r)
		if !ok || p.Bits() == 0 || p.Bits() == ip.BitLen() || !p.Contains(ip) {
			continue
		}
		if p.Bits() > bestBits {
			best, bestBits = r, p.Bits()
		}
	}
	if bestBits < 0 {
		where := ""
		if link != nil {
			where = " on " + link.Attrs().Name
		}
		return best, fmt.Errorf("%w%s: give the prefix length and interface (IP/BITS/IFACE)", ErrNoRoute, where)
	}
	return best, nil
}

func prefixOf(r netlink.Route) (netip.Prefix, bool) {
	ip, ok := netip.AddrFromSlice(r.Dst.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := r.Dst.Mask.Size()
	return netip.PrefixFrom(ip.Unmap(), ones), true
}
