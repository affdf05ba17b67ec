package ipaddr

import (
	"fmt"
	"sync"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Resolutions prepared ahead. Resolve costs a route lookup and an
// interface lookup per address; a takeover should not pay them. Lookup
// serves them from a cache that Watch keeps honest: every change to a
// link (added, removed, renamed, its MAC changed) or to a connected route
// of the main table (what Resolve reads) invalidates every entry. Until
// Watch runs, or while its subscription is down, nothing is cached.
// An entry can still be stale for the few microseconds an event takes to
// arrive; Hold therefore resolves again when the kernel says the cached
// interface no longer exists.

// resubscribeAfter is the pause before a failed subscription is retried.
const resubscribeAfter = time.Second

type cached struct {
	a   Address
	gen uint64
}

// resolutions is the cache; its zero value caches nothing.
type resolutions struct {
	mu      sync.Mutex
	entries map[config.IPSpec]cached
	gen     uint64 // bumped by every relevant change
	live    bool   // the subscription runs
	stop    chan struct{}
	exited  chan struct{}
}

// Lookup is Resolve from the cache: no system call when spec was
// resolved since the last relevant change.
func (m *Manager) Lookup(spec config.IPSpec) (Address, error) {
	c := &m.cache
	c.mu.Lock()
	e, ok := c.entries[spec]
	gen, live := c.gen, c.live
	c.mu.Unlock()
	if ok && live && e.gen == gen {
		return e.a, nil
	}
	a, err := m.Resolve(spec)
	if err == nil && live {
		c.mu.Lock()
		if c.entries == nil {
			c.entries = map[config.IPSpec]cached{}
		}
		c.entries[spec] = cached{a, gen}
		c.mu.Unlock()
	}
	return a, err
}

// Prepare resolves specs into the cache ahead of a takeover (a new
// configuration), forgets the resolutions of other addresses, and opens
// the socket Hold adds through. It returns the errors of what it could
// not prepare; Lookup and Hold will try again.
func (m *Manager) Prepare(specs []config.IPSpec) []error {
	keep := make(map[config.IPSpec]bool, len(specs))
	var errs []error
	if err := m.adder.prepare(); err != nil {
		errs = append(errs, err)
	}
	for _, s := range specs {
		keep[s] = true
		if _, err := m.Lookup(s); err != nil {
			errs = append(errs, err)
		}
	}
	c := &m.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	for s := range c.entries {
		if !keep[s] {
			delete(c.entries, s)
		}
	}
	return errs
}

// invalidate drops every cached resolution.
func (c *resolutions) invalidate() {
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
}

// Watch subscribes to link and route changes in the Manager's namespace,
// which lets Lookup cache; Close ends it. A subscription that fails
// (the kernel dropped events: ENOBUFS) stops the caching and is retried
// every second.
func (m *Manager) Watch() error {
	c := &m.cache
	c.mu.Lock()
	if c.stop != nil {
		c.mu.Unlock()
		return nil
	}
	stop, exited := make(chan struct{}), make(chan struct{})
	c.stop, c.exited = stop, exited
	c.mu.Unlock()
	first := make(chan error, 1)
	go m.watch(stop, exited, first)
	return <-first
}

// Close ends the subscription of Watch and closes the socket Hold adds
// through.
func (m *Manager) Close() {
	defer m.adder.close()
	c := &m.cache
	c.mu.Lock()
	stop, exited := c.stop, c.exited
	c.stop = nil
	c.mu.Unlock()
	if stop != nil {
		close(stop)
		<-exited
	}
}

// watch subscribes, follows the events, and subscribes again after a
// failure, until stop is closed; the first attempt's result goes to
// first.
func (m *Manager) watch(stop, exited chan struct{}, first chan<- error) {
	defer close(exited)
	report := func(err error) {
		if first != nil {
			first <- err
			first = nil
		}
	}
	for {
		err := m.follow(stop, report)
		report(err)
		if err != nil {
			m.log.Warn("cannot follow link and route changes; addresses are resolved at every takeover", "err", err)
		}
		select {
		case <-stop:
			return
		case <-time.After(resubscribeAfter):
		}
	}
}

// follow runs one subscription until it fails or stop is closed; it
// calls up once it runs.
func (m *Manager) follow(stop <-chan struct{}, up func(error)) error {
	var ns *netns.NsHandle
	if m.netns != "" {
		h, err := netns.GetFromPath(m.netns)
		if err != nil {
			return fmt.Errorf("open network namespace %s: %w", m.netns, err)
		}
		defer h.Close()
		ns = &h
	}
	done := make(chan struct{})
	links, routes := make(chan netlink.LinkUpdate, 64), make(chan netlink.RouteUpdate, 256)
	var linking, routing bool
	defer func() {
		// Ends the subscriptions; their goroutines close the channels
		// once they are not blocked sending on them.
		close(done)
		for linking {
			_, linking = <-links
		}
		for routing {
			_, routing = <-routes
		}
	}()
	ignore := func(error) {} // the closed channel says it; errors after done are shutdown noise
	if err := netlink.LinkSubscribeWithOptions(links, done, netlink.LinkSubscribeOptions{Namespace: ns, ErrorCallback: ignore}); err != nil {
		return fmt.Errorf("subscribe to link changes: %w", err)
	}
	linking = true
	if err := netlink.RouteSubscribeWithOptions(routes, done, netlink.RouteSubscribeOptions{Namespace: ns, ErrorCallback: ignore}); err != nil {
		return fmt.Errorf("subscribe to route changes: %w", err)
	}
	routing = true
	c := &m.cache
	c.mu.Lock()
	c.live = true
	c.gen++ // what was resolved before the subscription ran is suspect
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.live = false
		c.gen++
		c.mu.Unlock()
	}()
	up(nil)
	for {
		select {
		case <-stop:
			return nil
		case _, ok := <-links:
			if !ok {
				return fmt.Errorf("link changes: subscription ended")
			}
			c.invalidate()
		case u, ok := <-routes:
			if !ok {
				return fmt.Errorf("route changes: subscription ended")
			}
			if u.Table == unix.RT_TABLE_MAIN && u.Gw == nil && u.Type == unix.RTN_UNICAST {
				c.invalidate()
			}
		}
	}
}
