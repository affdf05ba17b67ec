package resources

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/resources/ipaddr"
	"github.com/understudy-ha/understudy/resources/neigh"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// addressHandler is the Handler of native IP resources that can also
// probe for them: *IPHandler, or a test's fake.
type addressHandler interface {
	Handler
	groupProber
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
// right) and Release gives it up (right to left). It owns everything
// that is prepared once and used by every takeover: the netlink handle,
// the announcement sockets, the announcer, the address manager, the
// script handler with heartbeat's environment, and the runner.
// Its methods are safe for concurrent use; Close must come after the
// last operation returned.
type Actuator struct {
	self    string
	log     *slog.Logger
	guard   *Guard
	runner  *Runner
	scripts *Scripts // nil when Options.Scripts replaced it
	base    []string // what scripts inherit
	closers []func() // in order, by Close
}

// New builds the Actuator of node self under cfg: it opens a netlink
// handle and the sockets for gratuitous ARP and neighbour advertisements
// (needs CAP_NET_ADMIN and CAP_NET_RAW), unless Options.Addresses
// replaces them. understudy.toml's settings (resources.timeout,
// ip.garp_count, ip.garp_interval, ip.probe_time) are taken here, once.
func New(cfg *config.Config, self string, opts Options) (*Actuator, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Actuator{self: self, log: log, base: opts.Environ}
	if a.base == nil {
		a.base = scriptBase()
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
	a.guard = NewGuard(addrs, log)
	a.runner = NewRunner(RunnerOptions{Scripts: scripts, Addresses: addrs, Timeout: cfg.Settings.Resources.Timeout,
		StopRetries: DefaultStopRetries, Logger: log})
	return a, nil
}

// openIP builds the native IP handler and what it stands on, in netns.
func (a *Actuator) openIP(s config.IPSettings, netnsPath string) (*IPHandler, error) {
	h, err := netlinkHandle(netnsPath)
	if err != nil {
		return nil, fmt.Errorf("netlink: %w", err)
	}
	a.closers = append(a.closers, h.Close)
	conn, err := neigh.Dial(netnsPath)
	if err != nil {
		return nil, fmt.Errorf("cannot open the socket for gratuitous ARP (needs CAP_NET_RAW): %w", err)
	}
	ann := neigh.NewAnnouncer(neigh.AnnouncerOptions{Sender: conn, Count: s.GARPCount, Interval: s.GARPInterval, Logger: a.log})
	// The announcer's bursts use the socket: stop them first.
	a.closers = append([]func(){ann.Close, func() { conn.Close() }}, a.closers...)
	return NewIPHandler(IPOptions{
		Addresses: ipaddr.New(ipaddr.Options{Handle: h, NetNS: netnsPath, Logger: a.log}),
		Announcer: ann,
		Prober:    neigh.Prober{NetNS: netnsPath, Wait: s.ProbeTime},
		Logger:    a.log,
	}), nil
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
// is logged and does not), then its resources left to right (see
// Runner.Start: a failed start rolls the group back).
func (a *Actuator) Acquire(ctx context.Context, g config.Group) error {
	if err := a.guard.Check(ctx, g); err != nil {
		return err
	}
	return a.runner.Start(ctx, g)
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
func (a *Actuator) SetConfig(cfg *config.Config) {
	if a.scripts != nil {
		a.scripts.setEnv(scriptEnv(cfg, a.self, a.base).Environ())
	}
}

// Close stops the announcements still running and closes the sockets and
// the netlink handle.
func (a *Actuator) Close() {
	for _, c := range a.closers {
		c()
	}
	a.closers = nil
}

var _ addressHandler = (*IPHandler)(nil)
