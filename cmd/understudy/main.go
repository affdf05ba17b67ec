// Command understudy is the Understudy high-availability cluster manager:
// one binary for the daemon and every administrative command.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/understudy-ha/understudy/control/hbcompat"
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

// More exit codes: exitPending (3, standby, takeover and move) and
// exitLogin (4, commands with --host).

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
	{"move", "move one group to a node", runMove},
	{"clear", "clear a group's failure marks on every node", runClear},
	{"maintenance", "turn maintenance on or off: the cluster acts on no failure", runMaintenance},
	{"reload", "make the daemon re-read its configuration", runReload},
	{"log", "show the daemon's log, newest first, or the whole cluster's", runLog},
	{"passwd", "set the admin port's password", runPasswd},
	{"version", "print the version (also --version)", runVersion},
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// heartbeat's commands, as links to this binary (make install).
	if code, ok := hbcompat.Run(os.Args, hbEnv(os.Stdout, os.Stderr)); ok {
		os.Exit(code)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	args = globalRemote(args)
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	case "help":
		return runHelp(args[1:], stdout, stderr)
	case "-version", "--version":
		return runVersion(nil, stdout, stderr)
	}
	if c, ok := lookup(args[0]); ok {
		return c.run(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "understudy: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: understudy COMMAND [options]\n       understudy --host HOST[:PORT] [--fingerprint FP] COMMAND [options]\n       understudy --version | --help\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-11s %s\n", "help", "describe the commands, or one command (also --help)")
	fmt.Fprintln(w, "\n'understudy help COMMAND' or 'understudy COMMAND --help' describes a\ncommand's options; see understudy(8).")
}

// runHelp is "understudy help [COMMAND]": the list of commands, or one
// command's help, on stdout.
func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		return exitOK
	}
	c, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "understudy help: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return c.run([]string{"--help"}, stdout, stderr)
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "understudy %s\n", version)
	return exitOK
}
