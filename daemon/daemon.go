package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/admin/metrics"
	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
	"github.com/understudy-ha/understudy/preflight"
	"github.com/understudy-ha/understudy/resources"
	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/session"
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
	// Ring keeps Logger's recent records for `understudy log`: the
	// caller tees Logger into it (logging.Tee). Nil: a ring nobody
	// feeds.
	Ring *logging.Ring
}

// Run loads the configuration, opens the links and runs the node until
// ctx is cancelled; then it hands its groups over (releases them and
// says shutdone) and returns. A configuration or start-up problem is
// returned, not logged, as an error whose text is fit for one log line.
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
	o     Options
	log   *slog.Logger
	cfg   *config.Config
	self  string
	node  *cluster.Node
	sess  *session.Session
	links linkSet
	// machine is what preflight checks a reload against (the system; a
	// fake in tests).
	machine preflight.Machine
	// openLinks opens the links of a configuration (transport.OpenAll;
	// a test's fake links in tests).
	openLinks func([]config.Medium) (linkSet, error)
	frames    chan transport.Frame
	status    chan transport.Status
	ops       *ops
	ctl       *controlServer
	// requests carries the control socket's requests into the loop.
	requests chan ctlReq
	linkUp   map[string]transport.Status
	// waiting maps the id of each operator command the cluster has not
	// finished answering to its client; lastAdmin is the last id given.
	waiting   map[uint64]chan control.Answer
	lastAdmin uint64
	start     time.Time
	// hooks runs the [[hook]] programs; refused is the error of the last
	// refused reload, so the same problems are not logged twice.
	hooks   notifier
	refused string
	// bad counts and rate-limits the logging of dropped frames.
	bad *badPackets
	// changed reports edits of the configuration files.
	changed   chan string
	stopWatch func()
	watchStop chan struct{}
	// api answers the control socket and the admin port; admin is the
	// admin port; metrics are fed by the loop (metrics.go), frameLink
	// and acquiring for them.
	api       *api
	admin     adminPort
	metrics   *metrics.Metrics
	frameLink string
	acquiring map[string]time.Time
	// mons runs the service monitors (monitors.go).
	mons *monitors
}

// start does everything that can fail before the loop runs.
func start(o Options) (*daemon, error) {
	log := o.Logger
	cfg, diags := config.Load(o.Dir)
	if o.Logging != nil && !diags.HasErrors() {
		o.Logging(cfg)
	}
	if diags.HasErrors() {
		// One line, which the caller prints: the first error and where
		// to see them all.
		errs := diags.Filter(config.Error)
		more := ""
		if len(errs) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(errs)-1)
		}
		return nil, fmt.Errorf("%w: %s%s; run understudy check -c %s", ErrConfig, errs[0], more, o.Dir)
	}
	for _, dg := range diags.Filter(config.Warning) {
		log.Warn("configuration", "problem", dg.String())
	}
	// What the files cannot settle, checked on this machine (U9).
	self, err := preflight.ThisNode(o.Dir, o.Node)
	if err != nil {
		return nil, err
	}
	if err := preflight.Run(cfg, preflight.Options{Node: self, Machine: preflight.System()}).Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	d := newDaemon(o, cfg, self)
	if err := d.identity(); err != nil {
		return nil, err
	}
	act, err := resources.New(cfg, self, resources.Options{Logger: d.log})
	if err != nil {
		return nil, err
	}
	d.ops = newOps(cfg, act)
	d.hooks = d.newHooks(cfg)
	if d.ctl, err = listenControl(cfg.Settings.Paths.RunDir, d.log, d.api); err != nil {
		d.ops.close()
		return nil, err
	}
	links, err := d.openLinks(cfg.Media)
	if err != nil {
		d.log.Error("some heartbeat links did not open", "err", err)
	}
	if links == nil || len(links.Names()) == 0 {
		d.ops.close()
		d.ctl.close()
		return nil, fmt.Errorf("no heartbeat link could be opened: %v", err)
	}
	d.links = links
	d.startAdmin()
	if !o.NoWatch {
		if d.stopWatch, err = watchConfig(o.Dir, 300*time.Millisecond, d.changed, d.watchStop); err != nil {
			d.log.Warn("configuration files are not watched; reload with SIGHUP or understudy reload", "err", err)
		}
	}
	d.begin()
	return d, nil
}

// newDaemon is a daemon of cfg with nothing opened yet: start opens the
// real parts (state files, resources, control socket, links, watcher),
// a test its fakes; then begin.
func newDaemon(o Options, cfg *config.Config, self string) *daemon {
	d := &daemon{o: o, log: o.Logger.With("node", self), cfg: cfg, self: self,
		frames: make(chan transport.Frame, 256), status: make(chan transport.Status, 64),
		requests: make(chan ctlReq), linkUp: map[string]transport.Status{},
		waiting: map[uint64]chan control.Answer{}, bad: newBadPackets(), machine: preflight.System(), changed: make(chan string), watchStop: make(chan struct{})}
	d.api = &api{backend: backend{d.requests}, ring: o.Ring}
	if d.api.ring == nil {
		d.api.ring = logging.NewRing(0, nil)
	}
	d.api.logfile.Store(&cfg.Logfile)
	d.metrics = d.newMetrics()
	d.acquiring = map[string]time.Time{}
	d.mons = d.newMonitors(cfg)
	d.openLinks = func(media []config.Medium) (linkSet, error) {
		f, err := transport.OpenAll(media, transport.Options{Frames: d.frames, Status: d.status})
		if f == nil {
			return nil, err // a nil *Fanout must not become a non-nil linkSet
		}
		return f, err
	}
	return d
}

// begin creates the state machine, at the time the loop is about to run.
func (d *daemon) begin() {
	d.start = time.Now()
	d.node = cluster.New(cluster.FromConfig(d.cfg, d.self), d.start)
	d.log.Info("understudy started", "version", d.o.Version, "generation", d.sess.Generation(), "links", strings.Join(d.links.Names(), ","),
		"keepalive", d.cfg.Keepalive, "deadtime", d.cfg.Deadtime, "auto_failback", d.cfg.AutoFailback)
}

// linkSet is what the loop needs of its heartbeat links
// (*transport.Fanout): send a message on every link, name them, close.
type linkSet interface {
	Send(transport.Outbound) error
	Names() []string
	Close() error
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
	d.sess = session.New(session.Options{Config: sessionConfig(d.cfg), Self: d.self, UUID: uuid, Generation: gen,
		RexmitDelay: d.cfg.MaxRexmitDelay, Load: newLoadavg().get})
	return nil
}

func (d *daemon) close() {
	d.stopAdmin(adminShutdown)
	if d.stopWatch != nil {
		close(d.watchStop)
		d.stopWatch()
	}
	if d.links != nil {
		d.links.Close()
	}
	d.ctl.close()
	d.mons.stop() // before the actuator closes: status probes use it
	d.ops.close()
	if d.hooks != nil {
		closeHooks(d.hooks)
	}
}

// ErrConfig marks a start refused because the configuration is unusable
// (the command exits 6, LSB "not configured", as heartbeat does).
var ErrConfig = errors.New("configuration error")

// errShutdownTimeout: the groups did not release in time.
var errShutdownTimeout = errors.New("shutdown did not complete in time")
