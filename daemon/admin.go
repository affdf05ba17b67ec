package daemon

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/metrics"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/console"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
)

// The admin port (package admin, understudy-admin(7)) as the loop runs
// it: started with the daemon when [admin] listen is set, restarted by a
// reload that changes [admin], its password re-read by every reload. A
// port that cannot start (no password set, an address in use) is one
// ERROR line; the cluster runs on without it and status says why.

// adminPort is the loop's view of the admin port. Only the loop touches
// it.
type adminPort struct {
	srv *admin.Server
	// console is the web console mounted on srv.
	console *console.Console
	// settings are those srv runs with, or failed to start with.
	settings config.AdminSettings
	// err says why the port does not run ("" when it runs or is off).
	err string
	// peers are the other nodes' admin ports as announced (peers.go).
	peers map[string]*peerPort
	// announced is when this node last announced its port; zero: at the
	// next step.
	announced time.Time
}

// adminShutdown bounds how long a stopping daemon waits for the admin
// requests in flight.
const adminShutdown = 2 * time.Second

// startAdmin starts the admin port of the configuration in force, if it
// has one.
func (d *daemon) startAdmin() {
	a := d.cfg.Settings.Admin
	d.admin.settings, d.admin.err, d.admin.srv = a, "", nil
	if len(a.Listen) == 0 {
		return
	}
	srv, err := admin.NewServer(admin.Options{Dir: d.o.Dir, StateDir: d.cfg.Settings.Paths.StateDir, Settings: a,
		Backend: adminBackend{d.api}, Metrics: d.metrics, Logger: d.log.With("component", "admin")})
	if err == nil {
		err = d.mountConsole(srv, a)
	}
	if err == nil {
		err = srv.Start()
	}
	if err != nil {
		// NewServer's errors say "admin port not started: ..." already,
		// Start's "admin port: ...".
		d.admin.err = err.Error()
		if srv != nil {
			d.admin.err = "admin port not started: " + strings.TrimPrefix(err.Error(), "admin port: ")
		}
		d.log.Error(d.admin.err + "; the cluster runs without it")
		return
	}
	d.admin.srv = srv
	d.admin.announced = time.Time{}
}

// mountConsole puts the web console on srv, before it starts: this
// node's view, commands and log, and its configuration as check judges it.
func (d *daemon) mountConsole(srv *admin.Server, a config.AdminSettings) error {
	dir, self := d.o.Dir, d.self
	c, err := console.Mount(srv, console.Options{Backend: adminBackend{d.api}, Idle: a.SessionIdle,
		Logger: d.log.With("component", "console"),
		Config: func(context.Context) (console.ConfigReport, error) { return console.CheckDir(dir, self), nil }})
	d.admin.console = c
	return err
}

// stopAdmin stops listening; requests in flight are answered, waiting at
// most wait.
func (d *daemon) stopAdmin(wait time.Duration) {
	if d.admin.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	d.admin.srv.Shutdown(ctx)
	d.admin.srv = nil
}

// reloaded follows every reload, valid or not: the metrics count it, the
// admin port re-reads its password (`understudy passwd` then `understudy
// reload`), and a changed [admin] table restarts the port.
func (d *daemon) reloaded(err error) {
	d.metrics.Reload(err == nil)
	d.api.logfile.Store(&d.cfg.Logfile)
	if !reflect.DeepEqual(d.cfg.Settings.Admin, d.admin.settings) {
		was := d.admin.srv != nil
		d.stopAdmin(0) // listeners close now; requests in flight finish on their own
		d.startAdmin()
		switch {
		case was && d.admin.srv != nil:
			d.log.Info("admin port restarted for the new [admin] settings")
		case was && len(d.cfg.Settings.Admin.Listen) == 0:
			d.log.Info("admin port closed: [admin] listen is empty now")
		}
		return
	}
	switch {
	case d.admin.srv != nil:
		changed, err := d.admin.srv.ReloadPassword()
		if err != nil {
			d.log.Error("admin password not re-read; the one read before stays", "err", err)
		}
		if changed && d.admin.console != nil {
			d.admin.console.EndSessions() // a new password ends the console's sessions too
		}
	case len(d.admin.settings.Listen) > 0:
		d.startAdmin() // the password may be set now
	}
}

// adminStatus fills in what status says of the admin ports.
func (d *daemon) adminStatus(st *control.Status) {
	if len(d.admin.settings.Listen) > 0 {
		as := &control.AdminStatus{Listen: []string{}, Err: d.admin.err}
		if d.admin.srv != nil {
			for _, a := range d.admin.srv.Addrs() {
				as.Listen = append(as.Listen, a.String())
			}
			as.Fingerprint = d.admin.srv.Fingerprint()
		}
		st.Admin = as
	}
	st.AdminPeers = d.peerPorts()
}

// api is what the control socket and the admin port ask of the daemon:
// backend's requests into the loop, and the log kept in memory, read
// from their goroutines.
type api struct {
	backend
	ring *logging.Ring
	// logfile is ha.cf's logfile, for lines older than the ring's.
	logfile atomic.Pointer[string]
}

var _ control.LogBackend = (*api)(nil)

// Log is control.LogBackend's: the ring, then the log files.
func (a *api) Log(ctx context.Context, q control.LogQuery) ([]logging.Record, error) {
	return a.log(ctx, admin.LogQuery{N: q.N, Since: q.Since, Level: q.Level, Text: q.Text, After: q.After, Wait: q.Wait()})
}

func (a *api) log(ctx context.Context, q admin.LogQuery) ([]logging.Record, error) {
	path := ""
	if p := a.logfile.Load(); p != nil {
		path = *p
	}
	return admin.LogFromRing(ctx, a.ring, path, q)
}

// ClearLog empties the ring; the files keep their lines.
func (a *api) ClearLog(context.Context) (int, error) { return a.ring.Clear(), nil }

// adminBackend is admin.Backend over api.
type adminBackend struct{ a *api }

var _ admin.Backend = adminBackend{}

func (b adminBackend) Status(ctx context.Context) (control.Status, error) { return b.a.Status(ctx) }

func (b adminBackend) Log(ctx context.Context, q admin.LogQuery) ([]logging.Record, error) {
	return b.a.log(ctx, q)
}

// answerMargin is kept of a command's context to send the answer in.
const answerMargin = time.Second

// Command runs an operator's command from the admin port. Standby,
// takeover, move, clear and maintenance go the control socket's way
// (admin.ClusterCommand) and wait for the cluster's final answer, within
// the request's time and the command's wait argument (a duration, "0"
// for none); if it is still running then, the answer is accepted, with
// a reason that says so.
func (b adminBackend) Command(ctx context.Context, c admin.Command) (admin.Answer, error) {
	if cmd, wait, ok, err := admin.ClusterCommand(c); ok {
		if err != nil {
			return admin.Answer{Verdict: admin.Refused, Reason: err.Error()}, nil
		}
		return b.admin(ctx, cmd, wait)
	}
	switch c.Name {
	case admin.CmdReload:
		if err := b.a.Reload(ctx); err != nil {
			return admin.Answer{Verdict: admin.Refused, Reason: err.Error()}, nil
		}
		return admin.Answer{Verdict: admin.Done}, nil
	case admin.CmdClearLog:
		n := b.a.ring.Clear()
		return admin.Answer{Verdict: admin.Done, Reason: fmt.Sprintf("%d records cleared from memory", n)}, nil
	}
	return admin.Answer{Verdict: admin.Refused, Reason: fmt.Sprintf("unknown command %q: want %s, %s, %s, %s, %s, %s or %s",
		c.Name, admin.CmdStandby, admin.CmdTakeover, admin.CmdMove, admin.CmdClear, admin.CmdMaintenance, admin.CmdReload, admin.CmdClearLog)}, nil
}

func (b adminBackend) admin(ctx context.Context, cmd control.Command, d time.Duration) (admin.Answer, error) {
	answers, err := b.a.Admin(ctx, cmd)
	if err != nil {
		return admin.Answer{}, err
	}
	// The first answer comes in the step that takes the command.
	var first control.Answer
	select {
	case a, ok := <-answers:
		if !ok {
			return admin.Answer{}, errors.New("the daemon is stopping: the command got no answer")
		}
		first = a
	case <-ctx.Done():
		return admin.Answer{}, fmt.Errorf("no answer from the cluster in time: %w", ctx.Err())
	}
	if first.Final() || d == 0 {
		return admin.Answer{Verdict: first.Verdict, Reason: first.Reason}, nil
	}
	deadline := time.Now().Add(d)
	if dl, ok := ctx.Deadline(); ok && dl.Add(-answerMargin).Before(deadline) {
		deadline = dl.Add(-answerMargin)
	}
	wait, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	select {
	case a, ok := <-answers:
		if ok {
			return admin.Answer{Verdict: a.Verdict, Reason: a.Reason}, nil
		}
		return admin.Answer{Verdict: admin.Accepted, Reason: "accepted; the daemon stopped before it finished"}, nil
	case <-wait.Done():
		return admin.Answer{Verdict: admin.Accepted, Reason: "accepted and still running when the answer was due: follow it with status or the log"}, nil
	}
}

// newMetrics is the daemon's metrics; their state gauges read status
// through the loop at each scrape.
func (d *daemon) newMetrics() *metrics.Metrics {
	m := metrics.New(d.o.Version)
	m.SetState(func() metrics.State {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		st, err := d.api.Status(ctx)
		if err != nil {
			return metrics.State{}
		}
		return admin.MetricsState(st)
	})
	return m
}
