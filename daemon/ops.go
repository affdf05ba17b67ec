package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/resources"
	"github.com/understudy-ha/understudy/resources/ipaddr"
	"github.com/understudy-ha/understudy/resources/neigh"
	"github.com/vishvananda/netlink"
)

// ops runs resource operations in goroutines and reports each on done.
type ops struct {
	cfg    *config.Config
	log    *slog.Logger
	runner *resources.Runner
	ips    *resources.IPHandler
	conn   *neigh.Conn
	ann    *neigh.Announcer
	handle *netlink.Handle
	done   chan cluster.OpDone
	// started holds the definition each group was started with, so that
	// a reload that changes a running group stops what actually runs.
	// Only the loop touches cfg and started.
	started map[string]config.Group
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
}

func newOps(cfg *config.Config, self string, log *slog.Logger) (*ops, error) {
	h, err := netlink.NewHandle()
	if err != nil {
		return nil, fmt.Errorf("netlink: %w", err)
	}
	conn, err := neigh.Dial("")
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("cannot open the socket for gratuitous ARP (needs CAP_NET_RAW): %w", err)
	}
	s := cfg.Settings
	o := &ops{cfg: cfg, log: log, handle: h, conn: conn, done: make(chan cluster.OpDone, 64), started: map[string]config.Group{}}
	o.ctx, o.cancel = context.WithCancel(context.Background())
	o.ann = neigh.NewAnnouncer(neigh.AnnouncerOptions{Sender: conn, Count: s.IP.GARPCount, Interval: s.IP.GARPInterval, Logger: o.log})
	mgr := ipaddr.New(ipaddr.Options{Handle: h, Logger: o.log})
	o.ips = resources.NewIPHandler(resources.IPOptions{Addresses: mgr, Announcer: o.ann,
		Prober: neigh.Prober{Wait: s.IP.ProbeTime}, Logger: o.log})
	env := resources.ScriptEnv{Base: scriptBase(), CurHost: self, Dir: cfg.Dir, LogFile: cfg.Logfile,
		DebugLog: cfg.Debugfile, LogFacility: cfg.LogFacility, Debug: cfg.Debug, UseLogd: cfg.UseLogd,
		NiceFailback: cfg.AutoFailback != config.FailbackLegacy, Vars: cfg.Env}
	scripts := resources.NewScripts(resources.ScriptOptions{Dir: cfg.Dir, Lookup: config.SystemEnv(nil), Env: env.Environ(), Logger: o.log})
	o.runner = resources.NewRunner(resources.RunnerOptions{Scripts: scripts, Addresses: o.ips, Timeout: s.Resources.Timeout,
		StopRetries: resources.DefaultStopRetries, Logger: o.log})
	return o, nil
}

// scriptBase is the daemon's environment without what belongs to the
// daemon alone: systemd's notification socket and watchdog, which a
// service started by a script must not inherit.
func scriptBase() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		for _, p := range []string{"NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=", "LISTEN_FDS=", "LISTEN_PID="} {
			if strings.HasPrefix(kv, p) {
				return true
			}
		}
		return false
	})
}

// acquire probes the group's addresses (the split-brain guard), then
// starts it.
func (o *ops) acquire(key string) {
	g, _ := o.cfg.Group(key)
	o.started[key] = g
	o.run(key, cluster.Acquire, func(ctx context.Context) error {
		if err := o.probe(ctx, g); err != nil {
			return err
		}
		return o.runner.Start(ctx, g)
	})
}

func (o *ops) release(key string) {
	g, ok := o.started[key]
	if !ok {
		g, _ = o.cfg.Group(key)
	}
	o.run(key, cluster.Release, func(ctx context.Context) error { return o.runner.Stop(ctx, g) })
}

func (o *ops) run(key string, op cluster.Op, f func(context.Context) error) {
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		err := f(o.ctx)
		o.done <- cluster.OpDone{Now: time.Now(), Group: key, Op: op, Err: err}
	}()
}

// probe asks the LAN, with one ARP probe per IPv4 floating address of g
// and one wait per interface, whether another host still answers for
// any of them: the split-brain guard.
func (o *ops) probe(ctx context.Context, g config.Group) error {
	claims, err := o.ips.ProbeAll(ctx, g.Resources)
	if err != nil {
		o.log.Warn("address probe failed; taking the addresses it could not judge anyway", "group", g.Key, "err", err)
	}
	if len(claims) == 0 {
		return nil
	}
	var inUse []string
	for _, r := range g.Resources {
		if r.IP != nil {
			if mac, ok := claims[r.IP.Addr]; ok {
				inUse = append(inUse, fmt.Sprintf("%s answered by %s", r.IP.Addr, mac))
			}
		}
	}
	return fmt.Errorf("%w: %s", cluster.ErrAddressInUse, strings.Join(inUse, ", "))
}

// setConfig takes the group definitions of a reload for the operations
// to come.
func (o *ops) setConfig(cfg *config.Config) { o.cfg = cfg }

// wait lets running operations finish.
func (o *ops) wait() { o.wg.Wait() }

func (o *ops) close() {
	o.cancel()
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-o.done:
			case <-done:
				return
			}
		}
	}()
	o.wg.Wait()
	close(done)
	o.ann.Close()
	o.conn.Close()
	o.handle.Close()
}

// snapshot is the runner's view for status.
func (o *ops) snapshot() []resources.GroupStatus { return o.runner.Snapshot() }
