package ipaddr

import (
	"errors"
	"net/netip"
	"slices"

	"github.com/understudy-ha/understudy/config"
)

// Change is one step Set took.
type Change struct {
	// Op is "add", "adopt" or "del".
	Op      string
	Address Address
}

func (c Change) String() string { return c.Op + " " + c.Address.String() }

// Set makes the addresses this Manager owns equal want: every address in
// want is held (added or adopted), and every address a previous Set held
// that is not in want any more is released. Addresses the Manager never
// held through Set (the node's own, other groups') are not touched. Set
// may be called repeatedly with the same list; the second call changes
// nothing and reports only adoptions.
//
// Equivalent to: one `ip addr replace` per missing address and one
// `ip addr del` per address no longer wanted.
func (m *Manager) Set(want []config.IPSpec) ([]Change, error) {
	wanted := map[netip.Addr]bool{}
	var changes []Change
	var errs []error
	for _, spec := range want {
		wanted[spec.Addr] = true
		h, err := m.Hold(spec)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		op := "add"
		if h.Adopted {
			op = "adopt"
		}
		changes = append(changes, Change{Op: op, Address: h.Address})
		m.mu.Lock()
		m.managed[spec.Addr] = spec
		m.mu.Unlock()
	}
	for _, spec := range m.managedSpecs() {
		if wanted[spec.Addr] {
			continue
		}
		removed, err := m.Release(spec)
		for _, a := range removed {
			changes = append(changes, Change{Op: "del", Address: a})
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m.mu.Lock()
		delete(m.managed, spec.Addr)
		m.mu.Unlock()
	}
	return changes, errors.Join(errs...)
}

// managedSpecs returns what Set owns, in address order.
func (m *Manager) managedSpecs() []config.IPSpec {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]config.IPSpec, 0, len(m.managed))
	for _, s := range m.managed {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b config.IPSpec) int { return a.Addr.Compare(b.Addr) })
	return out
}
