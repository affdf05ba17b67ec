package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
)

// adminVerb describes standby and takeover for usage and the one line
// they print (hb_standby prints "Going standby [X].", heartbeat-spec
// §6.4).
var adminVerb = map[cluster.AdminCmd]struct{ help, done string }{
	cluster.CmdStandby: {
		help: "Gives this node's groups in the set to the other node: all (the default),\nlocal (groups preferred by this node), foreign or failback (groups\npreferred by the other node).",
		done: "Going standby [%s].",
	},
	cluster.CmdTakeover: {
		help: "Takes the groups in the set from the other node: all (the default), local\n(groups preferred by this node), foreign or failback (groups preferred by\nthe other node).",
		done: "Taking over [%s].",
	},
}

func runStandby(args []string, stdout, stderr io.Writer) int {
	return runAdmin("standby", cluster.CmdStandby, args, stdout, stderr)
}

func runTakeover(args []string, stdout, stderr io.Writer) int {
	return runAdmin("takeover", cluster.CmdTakeover, args, stdout, stderr)
}

// runAdmin sends a standby or takeover to the daemon. It validates its
// argument as hb_standby and hb_takeover do, exit status 1 included, so
// that scripts written for heartbeat keep working.
func runAdmin(name string, cmd cluster.AdminCmd, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	sock := fs.String("s", defaultSocket(), "the daemon's control `socket` (default: run_dir of understudy.toml)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: understudy %s [-s SOCKET] [all|foreign|local|failback]\n\n%s\nThe handshake runs on after the command returns; watch it with\n'understudy status' or in the log. Exit status: 0 the daemon accepted the\nrequest, 1 it did not or the arguments are wrong.\n", name, adminVerb[cmd].help)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "understudy %s: too many arguments\n", name)
		fs.Usage()
		return exitFail
	}
	set, err := control.ParseSet(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "understudy %s: wrong resources(%s).\n", name, fs.Arg(0))
		fs.Usage()
		return exitFail
	}
	ctx, cancel := context.WithTimeout(context.Background(), control.DefaultTimeout)
	defer cancel()
	if err := control.SendAdmin(ctx, *sock, cmd, set); err != nil {
		fmt.Fprintf(stderr, "understudy %s: %v\n", name, err)
		return exitFail
	}
	fmt.Fprintf(stdout, adminVerb[cmd].done+"\n", set)
	return exitOK
}
