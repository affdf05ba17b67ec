package resources

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/resources/neigh"
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
// floating addresses of some resources; *IPHandler is the real one.
type groupProber interface {
	// WatchGroup starts probing the floating addresses of rs now, and
	// keeps probing until the watch is stopped or maxAge has passed.
	WatchGroup(rs []config.Resource, maxAge time.Duration) groupWatch
}

// groupWatch is a running probe of a group's addresses.
type groupWatch interface {
	// Verdict waits until the watch can judge (see neigh.Watch.Verdict)
	// and returns the addresses another host claimed, with its MAC, and
	// what kept any address from being judged; an error matching
	// neigh.ErrWatchEnded when the watch ended first.
	Verdict(ctx context.Context) (map[netip.Addr]net.HardwareAddr, error)
	// Running reports whether the watch has not ended.
	Running() bool
	Stop()
}

// Guard is the split-brain guard: before a group is started here, it
// asks the LAN whether another host still answers for the group's
// floating addresses, so that a peer that is only believed dead (its
// heartbeats lost, its addresses still up) does not end up sharing them
// with this node. Its policy, in full:
//
//   - Probed: the group's floating addresses, IPv4 and IPv6: an ARP
//     probe (RFC 5227) for each IPv4 address, a duplicate address
//     detection solicitation (RFC 4862, from ::) for each IPv6 one,
//     repeated every ip.probe_time for as long as the watch runs.
//     Addresses this node holds already are adopted: their claims do
//     not count.
//   - A claim: another host answered for an address (ARP from it, a
//     neighbour advertisement for it) or is probing for it at the same
//     time with a lower MAC (IPv6 DAD; see neigh.Prober.Watch). Any claim
//     seen while the watch ran refuses the group with a *ClaimError
//     (errors.Is ErrAddressInUse) naming every answering address and MAC,
//     and nothing of it is started. A claim wins over any probe error.
//   - The verdict "free" needs a round of probes sent between one and two
//     probe times before it and not answered: an unprepared group waits
//     ip.probe_time after its first round; a prepared one (Prepare) that
//     has been probing that long is judged at once.
//   - A probe that cannot run or judge (no interface for an address, a
//     socket that cannot be opened or send, a read error): fail open. It
//     is logged as a warning and the group is taken anyway, as if no host
//     had answered: a guard that cannot look must not keep a cluster
//     without its service.
//   - ctx ending before the verdict (the daemon is shutting down, the
//     operation was abandoned): the group is not taken; Check returns an
//     error wrapping context.Cause(ctx), which is not ErrAddressInUse.
//
// Prepare starts the watch ahead, when the daemon sees a peer's
// heartbeats late (warntime) for the groups that would fall to this
// node, so that at deadtime the verdict is ready. Why a verdict prepared
// before deadtime is as good as a probe at deadtime: the question is
// whether a host still holds the address when this node adds it.
//   - A peer that is believed dead but is not (its heartbeat links cut,
//     its daemon frozen or stopped) still holds its addresses, and its
//     kernel answers ARP probes and solicitations whatever its daemon
//     does, in well under a millisecond: it answers every round, from
//     the first one at warntime to the last one, and one answer refuses
//     the group. The prepared watch sees it as surely as a probe at
//     deadtime, and over the whole time since warntime instead of a
//     single probe time (a lost probe or answer is made up by the next
//     round).
//   - The watch keeps probing until its verdict is used, and "free"
//     needs a round that was given a whole probe time and is at most two
//     old. The evidence is thus as recent as that of a probe made at
//     deadtime (whose round is one probe time old when it is judged),
//     give or take one probe time. Neither can see a host that adds the
//     address, without announcing it, during the last probe time; an
//     Understudy peer announces what it adds, and the watch hears that
//     too until the verdict.
//   - Claims are never forgotten while the watch runs: a peer that
//     answered at warntime and fell silent by deadtime (it died in
//     between) refuses the group, and the state machine retries it a
//     deadtime later with a fresh probe. That costs a deadtime in a rare
//     case and never takes an address on stale evidence. Unprepare (the
//     peer's heartbeats came back) drops the watch and what it saw.
//
// A watch is bounded: it ends by itself after max(2 x deadtime, 1s); an
// Acquire after that probes afresh (unless the ended watch saw a claim,
// which still refuses). Repeated probes of all watches together are
// rate-limited (neigh.DefaultMaxProbeRate packets per second): a watch
// that fell behind gets a fresh round, and waits one probe time for it,
// at its verdict.
//
// Whether to retry a refused group, and when, is the state machine's
// decision, not the guard's.
type Guard struct {
	probe groupProber
	log   *slog.Logger

	mu       sync.Mutex
	maxAge   time.Duration
	prepared map[string]prepared // by group key
}

// prepared is a group's watch started by Prepare.
type prepared struct {
	addrs string // the probed resources, which Check must match
	w     groupWatch
}

// DefaultWatchAge bounds a prepared watch when nothing else does.
const DefaultWatchAge = time.Second

// NewGuard returns a Guard probing through p. A nil p probes nothing
// (every group passes). Nil log discards.
func NewGuard(p groupProber, log *slog.Logger) *Guard {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Guard{probe: p, log: log.With("component", "guard"), maxAge: DefaultWatchAge, prepared: map[string]prepared{}}
}

// SetDeadtime bounds the watches started from now on to max(2 x
// deadtime, DefaultWatchAge).
func (gd *Guard) SetDeadtime(deadtime time.Duration) {
	gd.mu.Lock()
	defer gd.mu.Unlock()
	gd.maxAge = max(2*deadtime, DefaultWatchAge)
}

// probed returns the resources of g the guard asks the LAN about (its
// floating addresses) and a key naming them.
func probed(g config.Group) ([]config.Resource, string) {
	var rs []config.Resource
	var key strings.Builder
	for _, r := range g.Resources {
		if r.IP != nil {
			rs = append(rs, r)
			key.WriteString(r.Token + " ")
		}
	}
	return rs, key.String()
}

// Prepare starts probing g's floating addresses now, for a Check to come
// (see Guard). A group prepared already keeps its watch, unless that
// ended or g's addresses changed. It sends the first probes and returns;
// it never waits.
func (gd *Guard) Prepare(g config.Group) {
	rs, addrs := probed(g)
	if gd.probe == nil || len(rs) == 0 {
		gd.Unprepare(g.Key)
		return
	}
	gd.mu.Lock()
	old, ok := gd.prepared[g.Key]
	maxAge := gd.maxAge
	gd.mu.Unlock()
	if ok && old.addrs == addrs && old.w.Running() {
		return
	}
	w := gd.probe.WatchGroup(rs, maxAge) // probes go out: not under the lock
	gd.mu.Lock()
	cur, ok := gd.prepared[g.Key]
	gd.prepared[g.Key] = prepared{addrs: addrs, w: w}
	gd.mu.Unlock()
	if ok {
		cur.w.Stop()
	}
}

// Unprepare stops the watch Prepare started for the group with key, if
// any (the peer's heartbeats came back).
func (gd *Guard) Unprepare(key string) {
	gd.mu.Lock()
	p, ok := gd.prepared[key]
	delete(gd.prepared, key)
	gd.mu.Unlock()
	if ok {
		p.w.Stop()
	}
}

// Close stops every prepared watch.
func (gd *Guard) Close() {
	gd.mu.Lock()
	ps := gd.prepared
	gd.prepared = map[string]prepared{}
	gd.mu.Unlock()
	for _, p := range ps {
		p.w.Stop()
	}
}

// Check applies the guard's policy (see Guard) to group g, with the
// watch Prepare started for it if there is one (which it uses up), or a
// new one: nil means take it.
func (gd *Guard) Check(ctx context.Context, g config.Group) error {
	rs, addrs := probed(g)
	gd.mu.Lock()
	p, ok := gd.prepared[g.Key]
	delete(gd.prepared, g.Key)
	maxAge := gd.maxAge
	gd.mu.Unlock()
	if ok && p.addrs != addrs {
		p.w.Stop()
		ok = false
	}
	if gd.probe == nil || len(rs) == 0 {
		return nil
	}
	w := p.w
	if !ok {
		w = gd.probe.WatchGroup(rs, maxAge)
	}
	claims, err := w.Verdict(ctx)
	w.Stop()
	if ok && len(claims) == 0 && errors.Is(err, neigh.ErrWatchEnded) && ctx.Err() == nil {
		// Prepared too long ago: probe afresh.
		w = gd.probe.WatchGroup(rs, maxAge)
		claims, err = w.Verdict(ctx)
		w.Stop()
	}
	return gd.judge(ctx, g, rs, claims, err)
}

// judge turns a verdict into the guard's answer.
func (gd *Guard) judge(ctx context.Context, g config.Group, rs []config.Resource, claims map[netip.Addr]net.HardwareAddr, err error) error {
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
