package resources

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/resources/neigh"
)

// WatchGroup starts probing the floating addresses of rs (resources
// that are not addresses are skipped) and returns the watch that gives
// the verdict (see groupWatch). The probes are out when it returns: one
// watch per interface, each address resolved from the prepared
// resolutions. Addresses this node holds already (adopted after a
// restart) are found meanwhile, in the background (one dump of the
// node's addresses), and claims of them do not count. An address that
// cannot be resolved, or a link whose probe cannot start, becomes an
// error of the verdict, and the rest is probed all the same. Deciding
// what a claim or an error means is the Guard's business.
func (h *IPHandler) WatchGroup(rs []config.Resource, maxAge time.Duration) groupWatch {
	gw := &ipWatch{heldDone: make(chan struct{})}
	if h.opts.Prober == nil {
		close(gw.heldDone)
		return gw
	}
	var links []neigh.Link
	byLink := map[int][]netip.Addr{}
	for _, r := range rs {
		spec, err := ipSpec(r)
		if err != nil {
			continue
		}
		a, err := h.opts.Addresses.Lookup(spec)
		if err != nil {
			gw.errs = append(gw.errs, fmt.Errorf("resource %s: %w", r.Token, err))
			continue
		}
		if _, ok := byLink[a.Link.Index]; !ok {
			links = append(links, a.Link)
		}
		byLink[a.Link.Index] = append(byLink[a.Link.Index], spec.Addr)
	}
	for _, l := range links {
		w, err := h.opts.Prober.Watch(l, byLink[l.Index], maxAge)
		if err != nil {
			gw.errs = append(gw.errs, err)
			continue
		}
		gw.watches = append(gw.watches, w)
	}
	go func() {
		defer close(gw.heldDone)
		gw.held, gw.heldErr = h.opts.Addresses.Present()
	}()
	return gw
}

// ipWatch is IPHandler's groupWatch.
type ipWatch struct {
	watches []*neigh.Watch
	errs    []error // what could not be probed

	heldDone chan struct{} // closed when held and heldErr are set
	held     map[netip.Addr]bool
	heldErr  error
}

// Verdict waits for every link's verdict (they ran side by side, so this
// is the longest of them) and for the list of addresses held here, and
// returns the claims of addresses not held here, with what kept any
// address from being judged. If the held addresses cannot be listed,
// every claim counts.
func (gw *ipWatch) Verdict(ctx context.Context) (map[netip.Addr]net.HardwareAddr, error) {
	claims := map[netip.Addr]net.HardwareAddr{}
	errs := gw.errs
	for _, w := range gw.watches {
		c, err := w.Verdict(ctx)
		maps.Copy(claims, c)
		if err != nil {
			errs = append(errs, err)
		}
	}
	select {
	case <-gw.heldDone:
		if gw.heldErr != nil {
			errs = append(errs, fmt.Errorf("list the addresses held here: %w", gw.heldErr))
		}
		for ip := range gw.held {
			delete(claims, ip)
		}
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("list the addresses held here: %w", context.Cause(ctx)))
	}
	return claims, errors.Join(errs...)
}

// Running reports whether every link's watch still runs.
func (gw *ipWatch) Running() bool {
	for _, w := range gw.watches {
		if !w.Running() {
			return false
		}
	}
	return true
}

// Stop ends every link's watch.
func (gw *ipWatch) Stop() {
	for _, w := range gw.watches {
		w.Stop()
	}
}
