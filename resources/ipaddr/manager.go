package ipaddr

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"

	"github.com/understudy-ha/understudy/config"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Errors callers may branch on.
var (
	// ErrNoRoute is returned when no interface or prefix length was given
	// and no connected route covers the address.
	ErrNoRoute = errors.New("no connected route covers the address")
)

// Options configure a Manager.
type Options struct {
	// Handle is the netlink handle to act through; netlink.NewHandleAt
	// binds one to a namespace. Required.
	Handle *netlink.Handle
	// NetNS is the path of the namespace Handle is bound to ("" = the
	// daemon's own). It is used only to read and write
	// /proc/sys/net/ipv4/conf/IFACE/promote_secondaries.
	NetNS string
	// Logger receives one line per removal and per repair (Hold's caller
	// logs additions, after it has announced them). Nil discards.
	Logger *slog.Logger
}

// Manager adds and removes floating addresses. Its methods are safe for
// concurrent use; each netlink call is atomic in the kernel, and the
// promote_secondaries check-then-delete is serialised by a mutex.
type Manager struct {
	h      *netlink.Handle
	netns  string
	log    *slog.Logger
	sysctl func(netns, iface, key string, value *string) (string, error)

	mu    sync.Mutex // serialises promote_secondaries check-then-delete
	cache resolutions
	adder *adder
}

// New returns a Manager. It does no I/O.
func New(opts Options) *Manager {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{h: opts.Handle, netns: opts.NetNS, log: log.With("component", "ipaddr"),
		sysctl: procSysctl, adder: newAdder(opts.NetNS)}
}

// Held reports the result of Hold.
type Held struct {
	Address
	// Adopted is true when the address was already present and nothing
	// was changed.
	Adopted bool
}

// Find lists where spec's address is assigned now: on spec.Iface, or on
// any interface when none is named.
//
// Equivalent to: `ip addr show [dev IFACE] to ADDR`.
func (m *Manager) Find(spec config.IPSpec) ([]Address, error) {
	var link netlink.Link
	if spec.Iface != "" {
		l, err := m.h.LinkByName(spec.Iface)
		if err != nil {
			return nil, fmt.Errorf("find %s: interface %s: %w", spec.Addr, spec.Iface, err)
		}
		link = l
	}
	list, err := retryDump(func() ([]netlink.Addr, error) { return m.h.AddrList(link, family(spec.Addr)) })
	if err != nil {
		return nil, fmt.Errorf("find %s: list addresses: %w", spec.Addr, err)
	}
	var out []Address
	for _, a := range list {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok || ip.Unmap() != spec.Addr {
			continue
		}
		l, err := m.h.LinkByIndex(a.LinkIndex)
		if err != nil {
			return nil, fmt.Errorf("find %s: interface %d: %w", spec.Addr, a.LinkIndex, err)
		}
		if addr, ok := fromNetlink(a, linkOf(l)); ok {
			out = append(out, addr)
		}
	}
	return out, nil
}

// Present lists every address assigned on this node, on any interface,
// in one netlink dump: what a takeover of many addresses checks first
// (Find per address would dump once each).
//
// Equivalent to: `ip addr show`.
func (m *Manager) Present() (map[netip.Addr]bool, error) {
	list, err := retryDump(func() ([]netlink.Addr, error) { return m.h.AddrList(nil, netlink.FAMILY_ALL) })
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	out := make(map[netip.Addr]bool, len(list))
	for _, a := range list {
		if ip, ok := netip.AddrFromSlice(a.IP); ok {
			out[ip.Unmap()] = true
		}
	}
	return out, nil
}

// Hold makes spec's address present on the interface Lookup picks (one
// netlink round trip when the resolution was prepared), with
// IFA_F_NODAD for IPv6, so that the address is usable at once. If the
// kernel already has it there (a daemon restart), it is adopted
// unchanged: the add is exclusive and EEXIST means "already held", which
// costs one netlink round trip instead of a dump of every address. If
// the kernel no longer knows the interface a prepared resolution names,
// the address is resolved afresh and added there.
//
// Equivalent to: `ip addr add ADDR/BITS [brd BRD] dev IFACE [nodad]`,
// "File exists" taken as success.
func (m *Manager) Hold(spec config.IPSpec) (Held, error) {
	a, err := m.Lookup(spec)
	if err != nil {
		return Held{}, err
	}
	h, err := m.add(a)
	if errors.Is(err, unix.ENODEV) {
		m.cache.invalidate()
		if a, err = m.Resolve(spec); err != nil {
			return Held{}, err
		}
		h, err = m.add(a)
	}
	return h, err
}

func (m *Manager) add(a Address) (Held, error) {
	err := m.adder.add(a)
	if errors.Is(err, unix.EEXIST) {
		return Held{Address: a, Adopted: true}, nil
	}
	if err != nil {
		return Held{}, fmt.Errorf("ip addr add %s: %w", a, err)
	}
	return Held{Address: a}, nil
}

// Release makes spec's address absent from spec.Iface, or from every
// interface when none is named, and returns what it removed. An address
// that is not there is success (LSB stop semantics). Before deleting the
// primary IPv4 address of a subnet that has secondaries, it sets
// promote_secondaries on the interface (see promote.go).
//
// Equivalent to: `ip addr del ADDR/BITS dev IFACE`.
func (m *Manager) Release(spec config.IPSpec) ([]Address, error) {
	found, err := m.Find(spec)
	if err != nil {
		return nil, err
	}
	var removed []Address
	for _, a := range found {
		ok, err := m.del(a)
		if err != nil {
			return removed, err
		}
		if ok {
			removed = append(removed, a)
			m.log.Info("address removed", "addr", a.Prefix, "link", a.Link.Name)
		}
	}
	return removed, nil
}

// del removes one address; false if it was already gone.
func (m *Manager) del(a Address) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var survivors []Address
	if a.Prefix.Addr().Is4() && !a.Secondary {
		var err error
		if survivors, err = m.guardSecondaries(a); err != nil {
			return false, err
		}
	}
	err := m.h.AddrDel(&netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: a.Link.Index}}, a.nlAddr())
	if errors.Is(err, unix.EADDRNOTAVAIL) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("ip addr del %s: %w", a, err)
	}
	return true, m.restore(survivors)
}

// retryDump retries a netlink dump the kernel interrupted (the table
// changed underneath), a few times.
func retryDump[T any](f func() ([]T, error)) ([]T, error) {
	var err error
	for range 5 {
		var out []T
		out, err = f()
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			return out, err
		}
	}
	return nil, err
}
