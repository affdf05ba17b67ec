package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/preflight"
	"github.com/understudy-ha/understudy/resources"
	"github.com/understudy-ha/understudy/transport"
)

// Options configure a daemon.
type Options struct {
	// Dir is the configuration directory (/etc/ha.d).
	Dir string
	// Node overrides the local node name (default: nodeinfo, uname -n).
	Node string
	// Logger receives every log line. Required.
	Logger *slog.Logger
	// Version is reported by status.
	Version string
	// Ready, if set, is called once the links are open and the control
	// socket listens (systemd's READY=1).
	Ready func()
	// Reload delivers SIGHUP: re-read the configuration.
	Reload <-chan struct{}
	// NoWatch turns off reloading when a file of the configuration
	// directory changes.
	NoWatch bool
	// Logging, if set, is called with each configuration that takes
	// effect: at start, before its warnings are logged, and after each
	// accepted reload. The caller points Logger at ha.cf's destinations.
	Logging func(*config.Config)
	// Watchdog, if set, is called from the event loop every
	// WatchdogEvery (systemd's WATCHDOG=1).
	Watchdog      func()
	WatchdogEvery time.Duration
}

// Run loads the configuration, opens the links and runs the node until
// ctx is cancelled; then it hands its groups over (releases them and
// says shutdone) and returns. A configuration or start-up problem is
// returned as an error whose text is fit for one log line.
func Run(ctx context.Context, o Options) error {
	d, err := start(o)
	if err != nil {
		return err
	}
	defer d.close()
	if o.Ready != nil {
		o.Ready()
	}
	return d.loop(ctx)
}

// daemon is the running node: everything the loop touches.
type daemon struct {
	o      Options
	log    *slog.Logger
	cfg    *config.Config
	self   string
	node   *cluster.Node
	wire   *wire
	links  *transport.Fanout
	frames chan transport.Frame
	status chan transport.Status
	ops    *ops
	ctl    *controlServer
	linkUp map[string]transport.Status
	start  time.Time
	// changed reports edits of the configuration files.
	changed   chan string
	stopWatch func()
	watchStop chan struct{}
}

// start does everything that can fail before the loop runs.
func start(o Options) (*daemon, error) {
	log := o.Logger
	cfg, diags := config.Load(o.Dir)
	if o.Logging != nil && !diags.HasErrors() {
		o.Logging(cfg)
	}
	for _, dg := range diags.Filter(config.Warning) {
		log.Warn("configuration", "problem", dg.String())
	}
	if diags.HasErrors() {
		errs := diags.Filter(config.Error)
		for _, dg := range errs {
			log.Error("configuration", "problem", dg.String())
		}
		return nil, fmt.Errorf("%w: %s (and %d more); run understudy check -c %s", ErrConfig, errs[0], len(errs)-1, o.Dir)
	}
	// What the files cannot settle, checked on this machine (U9).
	self, err := preflight.ThisNode(o.Dir, o.Node)
	if err != nil {
		return nil, err
	}
	if err := preflight.Run(cfg, preflight.Options{Node: self, Machine: preflight.System()}).Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	d := &daemon{o: o, log: log.With("node", self), cfg: cfg, self: self, start: time.Now(),
		frames: make(chan transport.Frame, 256), status: make(chan transport.Status, 64),
		linkUp: map[string]transport.Status{}}
	if err := d.identity(); err != nil {
		return nil, err
	}
	act, err := resources.New(cfg, self, resources.Options{Logger: d.log})
	if err != nil {
		return nil, err
	}
	d.ops = newOps(cfg, act)
	if d.ctl, err = listenControl(cfg.Settings.Paths.RunDir, d.log); err != nil {
		d.ops.close()
		return nil, err
	}
	links, err := transport.OpenAll(cfg.Media, transport.Options{Frames: d.frames, Status: d.status})
	if err != nil {
		d.log.Error("some heartbeat links did not open", "err", err)
	}
	if links == nil || len(links.Names()) == 0 {
		d.ops.close()
		d.ctl.close()
		return nil, fmt.Errorf("no heartbeat link could be opened: %v", err)
	}
	d.links = links
	d.node = cluster.New(cluster.FromConfig(cfg, self), time.Now())
	d.changed, d.watchStop = make(chan string), make(chan struct{})
	if !o.NoWatch {
		if d.stopWatch, err = watchConfig(o.Dir, 300*time.Millisecond, d.changed, d.watchStop); err != nil {
			d.log.Warn("configuration files are not watched; reload with SIGHUP or understudy reload", "err", err)
		}
	}
	d.log.Info("understudy started", "version", o.Version, "generation", d.wire.gen, "links", strings.Join(links.Names(), ","),
		"keepalive", cfg.Keepalive, "deadtime", cfg.Deadtime, "auto_failback", cfg.AutoFailback)
	return d, nil
}

// identity bumps the generation durably and loads the UUID, before any
// message goes out.
func (d *daemon) identity() error {
	dir := d.cfg.Settings.Paths.StateDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	gen, fresh, err := nextGeneration(dir, time.Now())
	if err != nil {
		return err
	}
	if fresh {
		d.log.Warn("no previous generation: starting a new series", "generation", gen)
	}
	uuid, err := nodeUUID(dir)
	if err != nil {
		return err
	}
	d.wire = newWire(d.self, uuid, gen, d.cfg)
	return nil
}

func (d *daemon) close() {
	if d.stopWatch != nil {
		close(d.watchStop)
		d.stopWatch()
	}
	if d.links != nil {
		d.links.Close()
	}
	d.ctl.close()
	d.ops.close()
}

// ErrConfig marks a start refused because the configuration is unusable
// (the command exits 6, LSB "not configured", as heartbeat does).
var ErrConfig = errors.New("configuration error")

// errShutdownTimeout: the groups did not release in time.
var errShutdownTimeout = errors.New("shutdown did not complete in time")
