package resources

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/proc"
	"github.com/understudy-ha/understudy/resources/ipaddr"
	"github.com/understudy-ha/understudy/resources/neigh"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// addressHandler is the Handler of native IP resources that can also
// probe for them, announce them again and prepare their resolutions:
// *IPHandler, or a test's fake.
type addressHandler interface {
	Handler
	groupProber
	Reannounce([]config.Resource) ([]netip.Addr, error)
	PrepareAddresses([]config.Resource)
}

// Options configure New. Apart from Logger, every field is a seam for
// tests (or a dry run) and is left zero by the daemon.
type Options struct {
	// Logger receives every line. Nil discards.
	Logger *slog.Logger
	// NetNS is the network namespace to act in (/run/netns/NAME): the
	// netlink handle, the announcement sockets and the probes are bound
	// to it. "" is the daemon's own.
	NetNS string
	// Addresses replaces the native IP handler; New then opens no
	// netlink handle and no socket, and the guard probes through it.
	Addresses addressHandler
	// Scripts replaces the handler of script resources; SetConfig's new
	// environment then does not reach it.
	Scripts Handler
	// Environ is what scripts inherit, under heartbeat's variables; nil
	// means this process's environment without systemd's variables.
	Environ []string
}

// Actuator carries out the cluster's orders on this node: Acquire takes
// a group (the split-brain guard first, then its resources left to
// right) and Release gives it up (right to left); Prepare starts the
// guard's probe of a group ahead of its Acquire, and Announce tells the
// LAN again where a group's addresses are. It owns everything that is
// prepared once and used by every takeover: the netlink handle, the
// resolutions of the floating addresses (kept up to date by a netlink
// subscription), the packet sockets for announcements and probes, the
// announcer, the address manager, the script handler with heartbeat's
// environment, and the runner.
// Its methods are safe for concurrent use; Close must come after the
// last operation returned.
type Actuator struct {
	self    string
	log     *slog.Logger
	guard   *Guard
	runner  *Runner
	addrs   addressHandler
	scripts *Scripts // nil when Options.Scripts replaced it
	base    []string // what scripts inherit
	closers []func() // in order, by Close

	preparing sync.Mutex     // one PrepareAddresses at a time
	bg        sync.WaitGroup // SetConfig's background work
}

// New builds the Actuator of node self under cfg: it opens a netlink
// handle, subscribes to link and route changes, resolves the floating
// addresses of cfg's groups, and opens the sockets for announcements and
// probes (needs CAP_NET_ADMIN and CAP_NET_RAW), unless Options.Addresses
// replaces them. understudy.toml's settings (resources.timeout,
// ip.garp_count, ip.garp_interval, ip.probe_time) are taken here, once;
// ha.cf's deadtime bounds the guard's prepared watches (2 x deadtime,
// at least 1s), here and at every SetConfig.
func New(cfg *config.Config, self string, opts Options) (*Actuator, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Actuator{self: self, log: log, base: opts.Environ}
	if a.base == nil {
		a.base = proc.Environ() // without systemd's variables: a service must not inherit them
	}
	addrs := opts.Addresses
	if addrs == nil {
		ip, err := a.openIP(cfg.Settings.IP, opts.NetNS)
		if err != nil {
			a.Close()
			return nil, err
		}
		addrs = ip
	}
	scripts := opts.Scripts
	if scripts == nil {
		a.scripts = NewScripts(ScriptOptions{Dir: cfg.Dir, Lookup: config.SystemEnv(),
			Env: scriptEnv(cfg, self, a.base).Environ(), Logger: log})
		scripts = a.scripts
	}
	a.addrs = addrs
	a.guard = NewGuard(addrs, log)
	a.guard.SetDeadtime(cfg.Deadtime)
	a.closers = append([]func(){a.guard.Close}, a.closers...)
	a.runner = NewRunner(RunnerOptions{Scripts: scripts, Addresses: addrs, Timeout: cfg.Settings.Resources.Timeout,
		StopRetries: DefaultStopRetries, Logger: log})
	a.prepareAddresses(cfg)
	return a, nil
}

// prepareAddresses resolves the floating addresses of cfg's groups.
func (a *Actuator) prepareAddresses(cfg *config.Config) {
	var rs []config.Resource
	for _, g := range cfg.Groups {
		for _, r := range g.Resources {
			if r.IP != nil {
				rs = append(rs, r)
			}
		}
	}
	a.preparing.Lock()
	defer a.preparing.Unlock()
	a.addrs.PrepareAddresses(rs)
}

// openIP builds the native IP handler and what it stands on, in netns.
func (a *Actuator) openIP(s config.IPSettings, netnsPath string) (*IPHandler, error) {
	h, err := netlinkHandle(netnsPath)
	if err != nil {
		return nil, fmt.Errorf("netlink: %w", err)
	}
	a.closers = append(a.closers, h.Close)
	m := ipaddr.New(ipaddr.Options{Handle: h, NetNS: netnsPath, Logger: a.log})
	if err := m.Watch(); err != nil {
		a.log.Warn("cannot follow link and route changes; floating addresses are resolved at every takeover", "err", err)
	}
	a.closers = append([]func(){m.Close}, a.closers...)
	conn, err := neigh.Dial(netnsPath)
	if err != nil {
		return nil, fmt.Errorf("cannot open the socket for gratuitous ARP (needs CAP_NET_RAW): %w", err)
	}
	a.closers = append([]func(){func() { conn.Close() }}, a.closers...)
	pr, err := neigh.NewProber(neigh.ProberOptions{NetNS: netnsPath, Sender: conn, Wait: s.ProbeTime})
	if err != nil {
		return nil, fmt.Errorf("cannot open the sockets of the split-brain guard (needs CAP_NET_RAW): %w", err)
	}
	ann := neigh.NewAnnouncer(neigh.AnnouncerOptions{Sender: conn, Count: s.GARPCount, Interval: s.GARPInterval, Logger: a.log})
	// The bursts and the probes use the socket: stop them first.
	a.closers = append([]func(){ann.Close, func() { pr.Close() }}, a.closers...)
	return NewIPHandler(IPOptions{Addresses: m, Announcer: ann, Prober: pr, Logger: a.log}), nil
}

// netlinkHandle opens a netlink handle in the namespace at path ("" =
// the daemon's own).
func netlinkHandle(path string) (*netlink.Handle, error) {
	if path == "" {
		return netlink.NewHandle()
	}
	ns, err := netns.GetFromPath(path)
	if err != nil {
		return nil, fmt.Errorf("open network namespace %s: %w", path, err)
	}
	defer ns.Close()
	return netlink.NewHandleAt(ns)
}

// Acquire takes group g: the guard first (see Guard: a claim refuses the
// group with an error matching ErrAddressInUse, a probe that cannot run
// is logged and does not; a group prepared long enough is judged at
// once, another waits ip.probe_time, or the remainder of it), then its
// resources left to right (see Runner.Start: a failed start rolls the
// group back): each address added from its prepared resolution and
// announced at once, the scripts after.
func (a *Actuator) Acquire(ctx context.Context, g config.Group) error {
	if err := a.guard.Check(ctx, g); err != nil {
		return err
	}
	return a.runner.Start(ctx, g)
}

// Prepare starts the split-brain guard's probe of g's floating addresses
// now, for an Acquire of g to come: the daemon calls it when a peer's
// heartbeats are late (warntime) for the groups that would fall to this
// node. The probes are repeated every ip.probe_time until Acquire uses
// them, Unprepare stops them, or 2 x deadtime (at least 1s) has passed.
// It returns at once; see Guard for why the verdict is as good as a
// probe at deadtime.
func (a *Actuator) Prepare(g config.Group) { a.guard.Prepare(g) }

// Unprepare stops the probe Prepare started for the group with key, if
// any: the peer's heartbeats came back.
func (a *Actuator) Unprepare(key string) { a.guard.Unprepare(key) }

// Announce sends the usual burst of gratuitous ARP (IPv4) or unsolicited
// neighbour advertisements (IPv6) again, ip.garp_count rounds
// ip.garp_interval apart (the first at once), for the floating addresses
// of g that this node holds; it changes nothing else. It returns the
// addresses announced, in group order; the error names those whose
// first round failed. The daemon calls it when ownership is settled
// after a conflict, when a peer released an address this node keeps,
// and on an operator's demand.
func (a *Actuator) Announce(g config.Group) ([]netip.Addr, error) {
	return a.addrs.Reannounce(g.Resources)
}

// Release gives group g up, right to left (see Runner.Stop). g must be
// the definition the group was acquired with, so that what runs is what
// stops.
func (a *Actuator) Release(ctx context.Context, g config.Group) error {
	return a.runner.Stop(ctx, g)
}

// Snapshot is the state of every group touched so far, for status.
func (a *Actuator) Snapshot() []GroupStatus { return a.runner.Snapshot() }

// SetConfig applies a reloaded configuration to the operations to come:
// the scripts' environment (ha.cf's env directives, log paths, debug
// level, auto_failback). A script that runs keeps the environment it
// started with. understudy.toml's settings keep the values New took.
// It also bounds the guard's watches by the new deadtime, and resolves
// the new floating addresses in the background.
func (a *Actuator) SetConfig(cfg *config.Config) {
	if a.scripts != nil {
		a.scripts.setEnv(scriptEnv(cfg, a.self, a.base).Environ())
	}
	a.guard.SetDeadtime(cfg.Deadtime)
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		a.prepareAddresses(cfg)
	}()
}

// Close stops the guard's watches and the announcements still running,
// and closes the sockets, the subscription and the netlink handle.
func (a *Actuator) Close() {
	a.bg.Wait()
	for _, c := range a.closers {
		c()
	}
	a.closers = nil
}

var _ addressHandler = (*IPHandler)(nil)
