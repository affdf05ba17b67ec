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
}

// resolver is the part of *ipaddr.Manager Probe needs.
type resolver interface {
	Resolve(config.IPSpec) (ipaddr.Address, error)
}

// announcer is what IPHandler needs of *neigh.Announcer.
type announcer interface {
	Announce(neigh.Link, netip.Addr) error
	Cancel(netip.Addr)
}

// batchResolver is what ProbeAll uses, when Addresses has it
// (*ipaddr.Manager does), to prepare a probe of many addresses with a
// few netlink requests instead of a few per address.
type batchResolver interface {
	Present() (map[netip.Addr]bool, error)
	ResolveAll([]config.IPSpec) ([]ipaddr.Address, error)
}

// prober is what IPHandler needs of neigh.Prober.
type prober interface {
	Probe(context.Context, neigh.Link, netip.Addr) (neigh.ProbeResult, error)
}

// multiProber probes several addresses of one link at once
// (neigh.Prober does); a prober without it is asked one by one.
type multiProber interface {
	ProbeAll(context.Context, neigh.Link, []netip.Addr) (map[netip.Addr]net.HardwareAddr, time.Duration, error)
}

// IPOptions configure an IPHandler. The field types are satisfied by
// *ipaddr.Manager, *neigh.Announcer and neigh.Prober.
type IPOptions struct {
	// Addresses adds and removes the addresses. Required.
	Addresses addrHolder
	// Resolver finds the interface for Probe; nil means Addresses, when
	// it can.
	Resolver resolver
	// Announcer announces taken addresses; nil: no announcements.
	Announcer announcer
	// Prober backs Probe; nil: Probe reports every address free.
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
	if opts.Resolver == nil {
		opts.Resolver, _ = opts.Addresses.(resolver)
	}
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

// ProbeAll is Probe for the IPv4 addresses of several resources at once:
// one probe and one wait per interface, in parallel. It returns the
// addresses another host answered for, with that host's MAC. IPv6
// addresses are not probed (neigh.ErrProbeUnsupported), nor addresses
// this node holds already.
func (h *IPHandler) ProbeAll(ctx context.Context, rs []config.Resource) (map[netip.Addr]net.HardwareAddr, error) {
	if h.opts.Prober == nil {
		return nil, nil
	}
	if h.opts.Resolver == nil {
		return nil, errors.New("probe: no resolver configured")
	}
	byLink, links, err := h.probeTargets(rs)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	claims := map[netip.Addr]net.HardwareAddr{}
	var errs []error
	var wg sync.WaitGroup
	for idx, ips := range byLink {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := h.probeLink(ctx, links[idx], ips)
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

// probeTargets groups by interface the IPv4 addresses of rs that need a
// probe: those not assigned here already (adopted after a restart).
func (h *IPHandler) probeTargets(rs []config.Resource) (map[int][]netip.Addr, map[int]neigh.Link, error) {
	var specs []config.IPSpec
	var tokens []string
	batch, isBatch := h.opts.Addresses.(batchResolver)
	var present map[netip.Addr]bool
	if isBatch {
		var err error
		if present, err = batch.Present(); err != nil {
			isBatch = false // ask address by address below
		}
	}
	for _, r := range rs {
		spec, err := ipSpec(r)
		if err != nil || !spec.Addr.Is4() {
			continue
		}
		if isBatch {
			if present[spec.Addr] {
				continue
			}
		} else if found, err := h.opts.Addresses.Find(spec); err != nil || len(found) > 0 {
			continue // ours already, or unknowable
		}
		specs, tokens = append(specs, spec), append(tokens, r.Token)
	}
	var addrs []ipaddr.Address
	if isBatch {
		var err error
		if addrs, err = batch.ResolveAll(specs); err != nil {
			return nil, nil, fmt.Errorf("resource %s: %w", tokens[len(addrs)], err)
		}
	} else {
		for i, spec := range specs {
			a, err := h.opts.Resolver.Resolve(spec)
			if err != nil {
				return nil, nil, fmt.Errorf("resource %s: %w", tokens[i], err)
			}
			addrs = append(addrs, a)
		}
	}
	byLink := map[int][]netip.Addr{}
	links := map[int]neigh.Link{}
	for i, a := range addrs {
		byLink[a.Link.Index] = append(byLink[a.Link.Index], specs[i].Addr)
		links[a.Link.Index] = a.Link
	}
	return byLink, links, nil
}

func (h *IPHandler) probeLink(ctx context.Context, link neigh.Link, ips []netip.Addr) (map[netip.Addr]net.HardwareAddr, error) {
	if mp, ok := h.opts.Prober.(multiProber); ok {
		got, _, err := mp.ProbeAll(ctx, link, ips)
		return got, err
	}
	got := map[netip.Addr]net.HardwareAddr{}
	var errs []error
	for _, ip := range ips {
		res, err := h.opts.Prober.Probe(ctx, link, ip)
		if res.InUse {
			got[ip] = res.MAC
		}
		errs = append(errs, err)
	}
	return got, errors.Join(errs...)
}

// Probe is the split-brain guard: it asks the link whether another host
// holds the resource's address (neigh.Prober.Probe: an ARP probe, IPv4
// only). An address this node holds already is reported free without
// probing. For IPv6 it returns an error wrapping neigh.ErrProbeUnsupported.
func (h *IPHandler) Probe(ctx context.Context, r config.Resource) (neigh.ProbeResult, error) {
	spec, err := ipSpec(r)
	if err != nil {
		return neigh.ProbeResult{}, err
	}
	if found, err := h.opts.Addresses.Find(spec); err != nil || len(found) > 0 {
		return neigh.ProbeResult{}, err
	}
	if h.opts.Prober == nil {
		return neigh.ProbeResult{}, nil
	}
	if h.opts.Resolver == nil {
		return neigh.ProbeResult{}, errors.New("probe: no resolver configured")
	}
	a, err := h.opts.Resolver.Resolve(spec)
	if err != nil {
		return neigh.ProbeResult{}, fmt.Errorf("resource %s: %w", r.Token, err)
	}
	return h.opts.Prober.Probe(ctx, a.Link, spec.Addr)
}
