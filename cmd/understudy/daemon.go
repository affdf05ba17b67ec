package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/daemon"
	"github.com/understudy-ha/understudy/internal/sdnotify"
	"github.com/understudy-ha/understudy/logging"
)

// logOptions maps ha.cf's logging directives to the logger's options
// (heartbeat-spec 6.5); --debug adds one debug level, as heartbeat -d.
func logOptions(h config.HACF, stderr io.Writer, debug bool) logging.Options {
	o := logging.Options{Logfile: h.Logfile, Debugfile: h.Debugfile, LogFacility: h.LogFacility,
		UseLogd: h.UseLogd, Debug: h.Debug, SyslogMsgFmt: h.SyslogMsgFmt,
		Stderr: stderr, Journald: logging.Journald(os.Stderr)}
	if debug {
		o.Debug++
	}
	return o
}

// runDaemon runs the node in the foreground until SIGTERM or SIGINT, then
// hands its groups over and exits.
func runDaemon(args []string, stdout, stderr io.Writer) int {
	f := newFlags("daemon", "[-c DIR] [--node NAME] [--debug] [--no-watch]", "Runs this cluster node in the foreground. SIGTERM or SIGINT: hand the\ngroups over to the peers, then exit. SIGHUP, understudy reload, or a\nchange to a file of DIR: re-read the configuration (an invalid one is\nrefused and the old one stays in force). Exit status: 0 stopped after\nhanding over; 1 could not start or stop cleanly; 2 bad usage; 6 the\nconfiguration is unusable (LSB \"not configured\").")
	dir := f.confDir()
	node := f.String("node", "", "run as node `NAME`; without it: nodeinfo, else uname -n")
	debug := f.Bool("debug", false, "log debug lines too")
	noWatch := f.Bool("no-watch", false, "do not reload when a configuration file changes (SIGHUP and understudy reload still do)")
	if code, ok := f.parse(args, stdout, stderr); !ok {
		return code
	}
	if !f.noArgs(stderr) {
		return exitUsage
	}
	// Until ha.cf is read, and if it cannot be: stderr only. Every
	// record also goes to the ring that understudy log reads.
	log, sink, _ := logging.New(logOptions(config.HACF{SyslogMsgFmt: true}, stderr, *debug))
	defer sink.Close()
	ringLevel := new(slog.LevelVar)
	ring := logging.NewRing(logging.DefaultRingSize, ringLevel)
	log = slog.New(logging.Tee(log.Handler(), ring.Handler()))
	setLogging := func(cfg *config.Config) {
		o := logOptions(cfg.HACF, stderr, *debug)
		if err := sink.Reconfigure(o); err != nil {
			log.Warn("logging", "err", err)
		}
		ringLevel.Set(map[bool]slog.Level{true: slog.LevelDebug, false: slog.LevelInfo}[o.Debug > 0])
		ring.Resize(cfg.Settings.Admin.LogRecords)
	}
	// A broken stderr (journald restarted) must not kill the daemon with
	// SIGPIPE; heartbeat ignores it too (spec 6.6).
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	context.AfterFunc(ctx, func() { sdnotify.Stopping() })
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reload := make(chan struct{}, 1)
	go func() {
		for range hup {
			select {
			case reload <- struct{}{}:
			default: // one pending reload is enough
			}
		}
	}()
	err := daemon.Run(ctx, daemon.Options{Dir: *dir, Node: *node, Logger: log, Version: version, Reload: reload, NoWatch: *noWatch,
		Logging: setLogging, Ring: ring, Ready: func() { sdnotify.Ready() },
		Watchdog: func() { sdnotify.Watchdog() }, WatchdogEvery: sdnotify.WatchdogInterval()})
	if err != nil {
		// Once: the logger writes to stderr as well as to ha.cf's
		// destinations (when they were read).
		log.Error("understudy stopped", "err", err)
		if errors.Is(err, daemon.ErrConfig) {
			return exitNotConfigured
		}
		return exitFail
	}
	return exitOK
}
