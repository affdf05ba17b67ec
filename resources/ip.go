package resources

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/resources/ipaddr"
	"github.com/understudy-ha/understudy/resources/neigh"
)

// addrHolder is what IPHandler needs of *ipaddr.Manager.
type addrHolder interface {
	Hold(config.IPSpec) (ipaddr.Held, error)
	Release(config.IPSpec) ([]ipaddr.Address, error)
	Find(config.IPSpec) ([]ipaddr.Address, error)
	// Present and ResolveAll prepare ProbeAll with a few netlink
	// requests for the whole group instead of a few per address.
	Present() (map[netip.Addr]bool, error)
	ResolveAll([]config.IPSpec) ([]ipaddr.Address, error)
}

// announcer is what IPHandler needs of *neigh.Announcer.
type announcer interface {
	Announce(neigh.Link, netip.Addr) error
	Cancel(netip.Addr)
}

// prober is what IPHandler needs of neigh.Prober: several addresses of
// one link probed at once.
type prober interface {
	ProbeAll(context.Context, neigh.Link, []netip.Addr) (map[netip.Addr]net.HardwareAddr, time.Duration, error)
}

// IPOptions configure an IPHandler. The field types are satisfied by
// *ipaddr.Manager, *neigh.Announcer and neigh.Prober.
type IPOptions struct {
	// Addresses adds, removes and finds the addresses. Required.
	Addresses addrHolder
	// Announcer announces taken addresses; nil: no announcements.
	Announcer announcer
	// Prober backs ProbeAll; nil: ProbeAll reports every address free.
	Prober prober
	// Logger. Nil discards.
	Logger *slog.Logger
}

// IPHandler is the Handler for native IP resources (IPaddr, IPaddr2 and
// bare IPs): the address is added by netlink, then announced, the first
// round at once and the rest in the background, so the group's next
// resource starts without waiting for the burst (heartbeat-spec §5.11).
type IPHandler struct {
	opts IPOptions
	log  *slog.Logger
}

var _ Handler = (*IPHandler)(nil)

// NewIPHandler returns an IPHandler. It does no I/O.
func NewIPHandler(opts IPOptions) *IPHandler {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &IPHandler{opts: opts, log: log.With("component", "ip")}
}

func ipSpec(r config.Resource) (config.IPSpec, error) {
	if r.IP == nil {
		return config.IPSpec{}, fmt.Errorf("resource %s is not an IP address", r.Token)
	}
	return *r.IP, nil
}

// Start holds the address (adopting it if already there) and announces
// it. A failed first announcement is logged, not returned: the address
// is up, and the burst goes on in the background.
func (h *IPHandler) Start(ctx context.Context, r config.Resource) (bool, error) {
	spec, err := ipSpec(r)
	if err != nil {
		return false, err
	}
	held, err := h.opts.Addresses.Hold(spec)
	if err != nil {
		return false, fmt.Errorf("resource %s: %w", r.Token, err)
	}
	if h.opts.Announcer != nil {
		if err := h.opts.Announcer.Announce(held.Link, spec.Addr); err != nil {
			h.log.Warn("announcing address failed; neighbours may keep a stale entry", "resource", r.Token, "addr", spec.Addr, "link", held.Link.Name, "err", err)
		}
	}
	return held.Adopted, nil
}

// Stop cancels a running announcement burst and removes the address;
// an absent address is success.
func (h *IPHandler) Stop(ctx context.Context, r config.Resource) error {
	spec, err := ipSpec(r)
	if err != nil {
		return err
	}
	if h.opts.Announcer != nil {
		h.opts.Announcer.Cancel(spec.Addr)
	}
	if _, err := h.opts.Addresses.Release(spec); err != nil {
		return fmt.Errorf("resource %s: %w", r.Token, err)
	}
	return nil
}

// Status reports whether the address is assigned here.
func (h *IPHandler) Status(ctx context.Context, r config.Resource) (bool, error) {
	spec, err := ipSpec(r)
	if err != nil {
		return false, err
	}
	found, err := h.opts.Addresses.Find(spec)
	if err != nil {
		return false, fmt.Errorf("resource %s: %w", r.Token, err)
	}
	return len(found) > 0, nil
}

// ProbeAll asks the LAN whether another host answers for the floating
// addresses of rs (resources that are not addresses are skipped): one
// ARP probe per address, one wait per interface, the interfaces in
// parallel. It returns the addresses another host answered for, with
// that host's MAC. Addresses this node holds already (adopted after a
// restart) are not probed. IPv6 addresses are not probed: each adds an
// error wrapping neigh.ErrProbeUnsupported, and the IPv4 addresses are
// probed all the same. Deciding what a claim or an error means is the
// Guard's business, not this method's.
func (h *IPHandler) ProbeAll(ctx context.Context, rs []config.Resource) (map[netip.Addr]net.HardwareAddr, error) {
	if h.opts.Prober == nil {
		return nil, nil
	}
	byLink, links, errs := h.probeTargets(rs)
	if byLink == nil {
		return nil, errors.Join(errs...)
	}
	var mu sync.Mutex
	claims := map[netip.Addr]net.HardwareAddr{}
	var wg sync.WaitGroup
	for idx, ips := range byLink {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, _, err := h.opts.Prober.ProbeAll(ctx, links[idx], ips)
			mu.Lock()
			defer mu.Unlock()
			maps.Copy(claims, got)
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	return claims, errors.Join(errs...)
}

// probeTargets groups by interface the addresses of rs that need a
// probe: IPv4 addresses not assigned here already. The maps are nil
// when nothing can be probed; the errors name the resources that could
// not be prepared.
func (h *IPHandler) probeTargets(rs []config.Resource) (map[int][]netip.Addr, map[int]neigh.Link, []error) {
	present, err := h.opts.Addresses.Present()
	if err != nil {
		return nil, nil, []error{fmt.Errorf("probe: %w", err)}
	}
	var specs []config.IPSpec
	var tokens []string
	var errs []error
	for _, r := range rs {
		spec, err := ipSpec(r)
		switch {
		case err != nil || present[spec.Addr]:
			continue
		case !spec.Addr.Is4():
			errs = append(errs, fmt.Errorf("resource %s: %w", r.Token, neigh.ErrProbeUnsupported))
			continue
		}
		specs, tokens = append(specs, spec), append(tokens, r.Token)
	}
	addrs, err := h.opts.Addresses.ResolveAll(specs)
	if err != nil {
		return nil, nil, append(errs, fmt.Errorf("resource %s: %w", tokens[len(addrs)], err))
	}
	if len(addrs) == 0 {
		return nil, nil, errs
	}
	byLink := map[int][]netip.Addr{}
	links := map[int]neigh.Link{}
	for i, a := range addrs {
		byLink[a.Link.Index] = append(byLink[a.Link.Index], specs[i].Addr)
		links[a.Link.Index] = a.Link
	}
	return byLink, links, errs
}
