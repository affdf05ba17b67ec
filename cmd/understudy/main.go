// Command understudy is the Understudy high-availability cluster manager:
// one binary for the daemon and every administrative command.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Exit codes shared by the subcommands.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and found a problem
	exitUsage = 2 // the command could not run: bad usage, unreadable input
	// exitNotConfigured is LSB's "program is not configured", what
	// heartbeat exits with on a configuration error.
	exitNotConfigured = 6
)

type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

var commands = []command{
	{"check", "validate a configuration directory offline", runCheck},
	{"daemon", "run this cluster node in the foreground", runDaemon},
	{"decode", "decode and verify heartbeat messages in a pcap, pcapng or serial capture", runDecode},
	{"status", "show the cluster as this node sees it", runStatus},
	{"standby", "hand groups over to the peer (hb_standby)", runStandby},
	{"takeover", "take groups over from the peer (hb_takeover)", runTakeover},
	{"reload", "make the daemon re-read its configuration", runReload},
	{"version", "print the version", runVersion},
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// heartbeat's commands, as links to this binary (make install).
	switch filepath.Base(os.Args[0]) {
	case "cl_status":
		os.Exit(runClStatus(os.Args, os.Stdout, os.Stderr))
	case "hb_standby":
		os.Exit(runHbStandby(os.Args, os.Stdout, os.Stderr))
	case "hb_takeover":
		os.Exit(runHbTakeover(os.Args, os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "understudy: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: understudy COMMAND [options]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n'understudy COMMAND -h' describes a command's options; see understudy(8).")
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "understudy %s\n", version)
	return exitOK
}
