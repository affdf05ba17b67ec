package preflight

import (
	"context"
	"io/fs"
	"net/netip"
)

// Machine is what the checks read of the machine they judge.
type Machine interface {
	// Interfaces lists the network interfaces and their addresses.
	Interfaces() ([]Interface, error)
	// Routes lists the connected routes of the main routing table: the
	// unicast routes with an interface and no gateway.
	Routes() ([]Route, error)
	// Stat is os.Stat.
	Stat(path string) (fs.FileInfo, error)
	// LookupHost resolves a host name to its addresses.
	LookupHost(ctx context.Context, host string) ([]netip.Addr, error)
}

// Interface is one network interface.
type Interface struct {
	Name  string
	Addrs []Addr
}

// Addr is one address of an interface.
type Addr struct {
	// Prefix is the address with its prefix length.
	Prefix netip.Prefix
	// Secondary: an IPv4 address the kernel lists as a secondary of its
	// subnet. NoDAD: an IPv6 address added without duplicate address
	// detection. Floating addresses Understudy adds are one or the other,
	// unless one is alone on its subnet.
	Secondary, NoDAD bool
}

// Route is a connected route: Dst is reached directly on Iface.
type Route struct {
	Dst   netip.Prefix
	Iface string
}
