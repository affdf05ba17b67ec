package preflight

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// System is the machine this process runs on.
func System() Machine { return Netlink(nil) }

// Netlink is the machine seen through a netlink handle (nil: the
// process's own network namespace), with os.Stat and the system's
// resolver. Tests bind the handle to a scratch namespace.
func Netlink(h *netlink.Handle) Machine {
	if h == nil {
		h = &netlink.Handle{}
	}
	return netlinkMachine{h: h}
}

type netlinkMachine struct{ h *netlink.Handle }

func (m netlinkMachine) Stat(path string) (fs.FileInfo, error) { return os.Stat(path) }

func (m netlinkMachine) LookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// names maps interface indexes to names.
func (m netlinkMachine) names() (map[int]string, error) {
	links, err := m.h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	out := make(map[int]string, len(links))
	for _, l := range links {
		out[l.Attrs().Index] = l.Attrs().Name
	}
	return out, nil
}

func (m netlinkMachine) Interfaces() ([]Interface, error) {
	links, err := m.h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	addrs, err := m.h.AddrList(nil, netlink.FAMILY_ALL)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	byIndex := map[int][]Addr{}
	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok || a.IPNet == nil {
			continue
		}
		bits, _ := a.Mask.Size()
		byIndex[a.LinkIndex] = append(byIndex[a.LinkIndex], Addr{Prefix: netip.PrefixFrom(ip.Unmap(), bits),
			Secondary: a.Flags&unix.IFA_F_SECONDARY != 0, NoDAD: a.Flags&unix.IFA_F_NODAD != 0})
	}
	out := make([]Interface, 0, len(links))
	for _, l := range links {
		out = append(out, Interface{Name: l.Attrs().Name, Addrs: byIndex[l.Attrs().Index]})
	}
	return out, nil
}

func (m netlinkMachine) Routes() ([]Route, error) {
	names, err := m.names()
	if err != nil {
		return nil, err
	}
	routes, err := m.h.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return nil, fmt.Errorf("list routes: %w", err)
	}
	var out []Route
	for _, r := range routes {
		if r.Dst == nil || r.Gw != nil || len(r.MultiPath) > 0 || r.Type != unix.RTN_UNICAST || names[r.LinkIndex] == "" {
			continue
		}
		ip, ok := netip.AddrFromSlice(r.Dst.IP)
		if !ok {
			continue
		}
		bits, _ := r.Dst.Mask.Size()
		out = append(out, Route{Dst: netip.PrefixFrom(ip.Unmap(), bits), Iface: names[r.LinkIndex]})
	}
	return out, nil
}
