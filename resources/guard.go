package resources

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"

	"github.com/understudy-ha/understudy/config"
)

// ErrAddressInUse is the guard's refusal: another host answers for a
// floating address of the group. Every *ClaimError matches it with
// errors.Is. (The daemon reports it to the state machine as
// cluster.ErrAddressInUse; this package does not import cluster.)
var ErrAddressInUse = errors.New("address still in use on the LAN")

// Claim is one floating address another host answered for.
type Claim struct {
	Addr netip.Addr
	MAC  net.HardwareAddr
}

// ClaimError is what Guard.Check returns when it refuses a group: the
// addresses another host answered for, in group order.
type ClaimError struct {
	Group  string
	Claims []Claim
}

func (e *ClaimError) Error() string {
	parts := make([]string, len(e.Claims))
	for i, c := range e.Claims {
		parts[i] = fmt.Sprintf("%s answered by %s", c.Addr, c.MAC)
	}
	return ErrAddressInUse.Error() + ": " + strings.Join(parts, ", ")
}

// Is makes errors.Is(err, ErrAddressInUse) hold.
func (e *ClaimError) Is(target error) bool { return target == ErrAddressInUse }

// groupProber asks the LAN whether another host answers for the
// floating addresses of some resources; *IPHandler is the real one
// (an ARP probe of ip.probe_time).
type groupProber interface {
	ProbeAll(ctx context.Context, rs []config.Resource) (map[netip.Addr]net.HardwareAddr, error)
}

// Guard is the split-brain guard: before a group is started here, it
// asks the LAN whether another host still answers for the group's
// floating addresses, so that a peer that is only believed dead (its
// heartbeats lost, its addresses still up) does not end up sharing them
// with this node. Its policy, in full:
//
//   - Probed: the group's IPv4 floating addresses, one ARP probe each
//     (RFC 5227), listening ip.probe_time. Addresses this node holds
//     already are not probed (they are adopted).
//   - Not probed yet: IPv6 floating addresses. No DAD-style neighbour
//     solicitation is sent; they are taken without asking.
//   - A claim (another host answered for any probed address): the group
//     is refused with a *ClaimError (errors.Is ErrAddressInUse) naming
//     every answering address and MAC, and nothing of it is started. A
//     claim wins over any probe error.
//   - A probe that cannot run or judge (no interface for an address, a
//     socket that cannot be opened, a read error): fail open. It is
//     logged as a warning and the group is taken anyway, as if no host
//     had answered: a guard that cannot look must not keep a cluster
//     without its service.
//   - ctx ending before the verdict (the daemon is shutting down, the
//     operation was abandoned): the group is not taken; Check returns an
//     error wrapping context.Cause(ctx), which is not ErrAddressInUse.
//
// Whether to retry a refused group, and when, is the state machine's
// decision, not the guard's.
type Guard struct {
	probe groupProber
	log   *slog.Logger
}

// NewGuard returns a Guard probing through p. A nil p probes nothing
// (every group passes). Nil log discards.
func NewGuard(p groupProber, log *slog.Logger) *Guard {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Guard{probe: p, log: log.With("component", "guard")}
}

// probed reports whether the guard asks the LAN about r: IPv4 floating
// addresses only (IPv6: not yet).
func probed(r config.Resource) bool { return r.IP != nil && r.IP.Addr.Is4() }

// Check applies the guard's policy (see Guard) to group g: nil means
// take it.
func (gd *Guard) Check(ctx context.Context, g config.Group) error {
	var rs []config.Resource
	for _, r := range g.Resources {
		if probed(r) {
			rs = append(rs, r)
		}
	}
	if gd.probe == nil || len(rs) == 0 {
		return nil
	}
	claims, err := gd.probe.ProbeAll(ctx, rs)
	ce := &ClaimError{Group: g.Key}
	for _, r := range rs {
		if mac, ok := claims[r.IP.Addr]; ok {
			ce.Claims = append(ce.Claims, Claim{Addr: r.IP.Addr, MAC: mac})
		}
	}
	if len(ce.Claims) > 0 {
		if err != nil {
			gd.log.Warn("address probe partly failed; a claim was found anyway", "group", g.Key, "err", err)
		}
		return ce
	}
	if ctx.Err() != nil {
		return fmt.Errorf("group %s: address probe abandoned: %w", g.Key, context.Cause(ctx))
	}
	if err != nil {
		gd.log.Warn("address probe failed; taking the addresses it could not judge anyway", "group", g.Key, "err", err)
	}
	return nil
}
