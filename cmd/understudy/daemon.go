package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/daemon"
)

// runDaemon runs the node in the foreground until SIGTERM or SIGINT, then
// hands its groups over and exits.
func runDaemon(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("daemon", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("c", config.DefaultDir, "configuration `directory`")
	node := fs.String("node", "", "this node's `name` (default: nodeinfo, else uname -n)")
	debug := fs.Bool("debug", false, "log debug lines too")
	noWatch := fs.Bool("no-watch", false, "do not reload when a configuration file changes (SIGHUP and understudy reload still do)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: understudy daemon [-c DIR] [--node NAME] [--debug] [--no-watch]\n\nRuns this cluster node in the foreground. SIGTERM or SIGINT: hand the\ngroups over to the peers, then exit. SIGHUP, understudy reload, or a\nchange to a file of DIR: re-read the configuration (an invalid one is\nrefused and the old one stays in force).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
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
	err := daemon.Run(ctx, daemon.Options{Dir: *dir, Node: *node, Logger: log, Version: version, Reload: reload, NoWatch: *noWatch})
	if err != nil {
		log.Error("understudy stopped", "err", err)
		fmt.Fprintf(stderr, "understudy: %v\n", err)
		return exitFail
	}
	return exitOK
}
