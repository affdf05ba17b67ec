package ipaddr

import (
	"fmt"
	"net"
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
// Equivalent to: `ip route get fibmatch ADDR [oif IFACE]`, else
// `ip route show table main [dev IFACE]`; and `ip link show dev IFACE`.
func (m *Manager) Resolve(spec config.IPSpec) (Address, error) {
	return m.resolve(spec, m.h.LinkByName)
}

func (m *Manager) resolve(spec config.IPSpec, linkByName func(string) (netlink.Link, error)) (Address, error) {
	a := Address{Broadcast: spec.Broadcast}
	var link netlink.Link
	if spec.Iface != "" {
		l, err := linkByName(spec.Iface)
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
// if it is not nil. It asks the kernel's FIB first (one lookup, cheap
// however many addresses the node holds) and falls back to scanning the
// main table when that answer is not a connected route: when ip is
// already local, say, or policy routing points elsewhere.
func (m *Manager) connectedRoute(ip netip.Addr, link netlink.Link) (netlink.Route, error) {
	if r, ok := m.fibMatch(ip, link); ok {
		return r, nil
	}
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
		p, ok := connected(r, ip)
		if ok && p.Bits() > bestBits {
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

// fibMatch is `ip route get fibmatch IP [oif IFACE]`: the FIB entry the
// kernel would use, if it is a connected route in the main table.
func (m *Manager) fibMatch(ip netip.Addr, link netlink.Link) (netlink.Route, bool) {
	opts := &netlink.RouteGetOptions{FIBMatch: true}
	if link != nil {
		opts.OifIndex = link.Attrs().Index
	}
	routes, err := m.h.RouteGetWithOptions(net.IP(ip.AsSlice()), opts)
	if err != nil || len(routes) != 1 || routes[0].Table != unix.RT_TABLE_MAIN {
		return netlink.Route{}, false
	}
	r := routes[0]
	if _, ok := connected(r, ip); !ok || (link != nil && r.LinkIndex != link.Attrs().Index) {
		return netlink.Route{}, false
	}
	return r, true
}

// connected returns r's prefix if r is a connected route covering ip: a
// unicast route with an interface and no gateway, not a host route.
func connected(r netlink.Route, ip netip.Addr) (netip.Prefix, bool) {
	if r.Dst == nil || r.Gw != nil || len(r.MultiPath) > 0 || r.Type != unix.RTN_UNICAST || r.LinkIndex == 0 {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(r.Dst.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := r.Dst.Mask.Size()
	p := netip.PrefixFrom(a.Unmap(), ones)
	if p.Bits() == 0 || p.Bits() == ip.BitLen() || !p.Contains(ip) {
		return netip.Prefix{}, false
	}
	return p, true
}
