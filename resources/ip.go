package resources

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// Lookup is the resolution of an address, prepared ahead (Prepare)
	// and kept up to date; Present lists the addresses held here.
	Lookup(config.IPSpec) (ipaddr.Address, error)
	Prepare([]config.IPSpec) []error
	Present() (map[netip.Addr]bool, error)
}

// announcer is what IPHandler needs of *neigh.Announcer.
type announcer interface {
	Announce(neigh.Link, netip.Addr) error
	Cancel(netip.Addr)
}

// prober is what IPHandler needs of *neigh.Prober: a watch of several
// addresses of one link.
type prober interface {
	Watch(link neigh.Link, ips []netip.Addr, maxAge time.Duration) (*neigh.Watch, error)
}

// IPOptions configure an IPHandler. The field types are satisfied by
// *ipaddr.Manager, *neigh.Announcer and *neigh.Prober.
type IPOptions struct {
	// Addresses adds, removes and finds the addresses. Required.
	Addresses addrHolder
	// Announcer announces taken addresses; nil: no announcements.
	Announcer announcer
	// Prober backs WatchGroup; nil: every address is judged free.
	Prober prober
	// Logger. Nil discards.
	Logger *slog.Logger
}

// IPHandler is the Handler for native IP resources (IPaddr, IPaddr2 and
// bare IPs): the address is added by netlink, from a resolution prepared
// ahead, then announced, the first round at once and the rest in the
// background, so the group's next resource starts without waiting for
// the burst (heartbeat-spec §5.11). It also probes for addresses
// (WatchGroup, for the Guard) and announces again those it holds
// (Reannounce).
type IPHandler struct {
	opts IPOptions
	log  *slog.Logger

	mu   sync.Mutex
	held map[netip.Addr]neigh.Link // started here and not stopped since
}

var _ Handler = (*IPHandler)(nil)

// NewIPHandler returns an IPHandler. It does no I/O.
func NewIPHandler(opts IPOptions) *IPHandler {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &IPHandler{opts: opts, log: log.With("component", "ip"), held: map[netip.Addr]neigh.Link{}}
}

func ipSpec(r config.Resource) (config.IPSpec, error) {
	if r.IP == nil {
		return config.IPSpec{}, fmt.Errorf("resource %s is not an IP address", r.Token)
	}
	return *r.IP, nil
}

// Start holds the address (adopting it if already there) and announces
// it, before anything else: the log line comes after the first
// announcement. A failed first announcement is logged, not returned:
// the address is up, and the burst goes on in the background.
func (h *IPHandler) Start(ctx context.Context, r config.Resource) (bool, error) {
	spec, err := ipSpec(r)
	if err != nil {
		return false, err
	}
	held, err := h.opts.Addresses.Hold(spec)
	if err != nil {
		return false, fmt.Errorf("resource %s: %w", r.Token, err)
	}
	var aerr error
	if h.opts.Announcer != nil {
		aerr = h.opts.Announcer.Announce(held.Link, spec.Addr)
	}
	h.mu.Lock()
	h.held[spec.Addr] = held.Link
	h.mu.Unlock()
	if held.Adopted {
		h.log.Info("address already held, adopted", "addr", held.Prefix, "link", held.Link.Name)
	} else {
		h.log.Info("address added", "addr", held.Prefix, "link", held.Link.Name)
	}
	if aerr != nil {
		h.log.Warn("announcing address failed; neighbours may keep a stale entry", "resource", r.Token, "addr", spec.Addr, "link", held.Link.Name, "err", aerr)
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
	h.mu.Lock() // waits for a Reannounce of it in progress
	delete(h.held, spec.Addr)
	h.mu.Unlock()
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

// Reannounce sends the usual burst of announcements again for the
// floating addresses of rs that this node holds: started here (or
// adopted) and not stopped since, and still assigned in the kernel. It
// changes nothing else, and returns the addresses announced, in rs's
// order; the error names those whose first round failed.
func (h *IPHandler) Reannounce(rs []config.Resource) ([]netip.Addr, error) {
	var out []netip.Addr
	var errs []error
	for _, r := range rs {
		spec, err := ipSpec(r)
		if err != nil {
			continue
		}
		if found, err := h.opts.Addresses.Find(spec); err != nil || len(found) == 0 {
			if err != nil {
				errs = append(errs, fmt.Errorf("resource %s: %w", r.Token, err))
			}
			continue
		}
		h.mu.Lock() // Stop waits: no burst outlives the address
		link, ok := h.held[spec.Addr]
		if ok && h.opts.Announcer != nil {
			err = h.opts.Announcer.Announce(link, spec.Addr)
		}
		h.mu.Unlock()
		switch {
		case !ok:
		case err != nil:
			errs = append(errs, fmt.Errorf("resource %s: %w", r.Token, err))
		default:
			out = append(out, spec.Addr)
		}
	}
	return out, errors.Join(errs...)
}

// PrepareAddresses resolves the floating addresses of rs ahead of their
// takeover (see ipaddr.Manager.Prepare). An address that cannot be
// resolved now is left to Start, which will report it.
func (h *IPHandler) PrepareAddresses(rs []config.Resource) {
	var specs []config.IPSpec
	for _, r := range rs {
		if spec, err := ipSpec(r); err == nil {
			specs = append(specs, spec)
		}
	}
	h.opts.Addresses.Prepare(specs)
}
