package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
)

// adminVerb describes standby and takeover for usage and the lines
// they print: the first once the cluster accepted the command (the words
// of hb_standby, "Going standby [X].", heartbeat-spec §6.4), the second
// when it is done.
var adminVerb = map[cluster.AdminCmd]struct{ help, going, done string }{
	cluster.CmdStandby: {
		help:  "Gives this node's groups in the set to the other node: all (the default),\nlocal (groups preferred by this node), foreign or failback (groups\npreferred by the other node).",
		going: "Going standby [%s].",
		done:  "Standby [%s] done",
	},
	cluster.CmdTakeover: {
		help:  "Takes the groups in the set from the other node: all (the default), local\n(groups preferred by this node), foreign or failback (groups preferred by\nthe other node).",
		going: "Taking over [%s].",
		done:  "Takeover [%s] done",
	},
}

// exitPending: the cluster accepted the command and it was still
// running when --wait ran out.
const exitPending = 3

const adminHelp = `

The command waits for the cluster's answer: the first line once the
cluster accepted the command, the second when it is done (with --host,
the node waits at most its [admin] request_timeout too). Exit status:
0 done (or accepted, with --wait 0); 1 refused or failed (the reason is
on stderr), no daemon, or a wrong set or too many arguments (as
hb_standby); 2 bad usage; 3 accepted and still running when --wait ran
out; 4 the login to the admin port failed.`

func runStandby(args []string, stdout, stderr io.Writer) int {
	return runAdmin("standby", cluster.CmdStandby, args, stdout, stderr)
}

func runTakeover(args []string, stdout, stderr io.Writer) int {
	return runAdmin("takeover", cluster.CmdTakeover, args, stdout, stderr)
}

// runAdmin sends a standby or takeover to the daemon and reports what
// the cluster made of it. It validates its argument as hb_standby and
// hb_takeover do, exit status 1 included, so that scripts written for
// heartbeat keep working.
func runAdmin(name string, cmd cluster.AdminCmd, args []string, stdout, stderr io.Writer) int {
	f := newFlags(name, "[-s SOCKET | --host HOST[:PORT] [--fingerprint FP]] [--wait DURATION] [all|foreign|local|failback]", adminVerb[cmd].help+adminHelp+remoteHelp)
	sock := f.socket()
	wait := f.Duration("wait", control.DefaultWait, "how long to follow the command for its outcome; 0: return once the cluster accepted it")
	remote := f.remote()
	if code, ok := f.parse(args, stdout, stderr); !ok {
		return code
	}
	viaHost, ok := remote.on(name, stderr)
	if !ok {
		return exitUsage
	}
	if *wait < 0 || *wait > control.MaxWait {
		fmt.Fprintf(stderr, "understudy %s: --wait %v: want 0 to %v\n", name, *wait, control.MaxWait)
		return exitUsage
	}
	if f.NArg() > 1 {
		fmt.Fprintf(stderr, "understudy %s: too many arguments\n", name)
		f.usage(stderr)
		return exitFail
	}
	set, err := control.ParseSet(f.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "understudy %s: wrong resources(%s).\n", name, f.Arg(0))
		f.usage(stderr)
		return exitFail
	}
	verb := adminVerb[cmd]
	res, msg, code := operate(name, control.Command{Cmd: cmd, Set: set}, viaHost, remote, *sock, *wait, func() {
		fmt.Fprintf(stdout, verb.going+"\n", set)
	}, stderr)
	if code != exitOK {
		return code
	}
	switch res {
	case control.ResultDone:
		if msg != "" {
			msg = ": " + msg
		}
		fmt.Fprintf(stdout, verb.done+"%s.\n", set, msg)
	case control.ResultAccepted:
	default:
		fmt.Fprintf(stderr, "understudy %s: %s\n", name, msg)
	}
	return map[control.Result]int{control.ResultPending: exitPending, control.ResultFailed: exitFail}[res]
}

// operate sends an operator's command through the control socket at
// sock, or the admin port of --host, and follows it for at most wait:
// how it ended and the line for the operator (as control.Send), or the
// exit status of a failed login (exitOK otherwise). accepted is called
// once the cluster accepted the command; through --host, only when the
// answer comes, if it is accepted or still running.
func operate(name string, c control.Command, viaHost bool, remote remoteFlags, sock string, wait time.Duration, accepted func(), stderr io.Writer) (control.Result, string, int) {
	if !viaHost {
		res, msg := control.Send(context.Background(), sock, c, wait, accepted)
		return res, msg, exitOK
	}
	res, msg, code := remoteAdmin(name, remote, c, wait, stderr)
	if code == exitOK && res != control.ResultFailed && res != control.ResultDone {
		accepted()
	}
	return res, msg, code
}

// remoteAdmin runs an operator's command through the admin port of
// --host and returns how it ended as control.Send does, or the exit
// status of a failed login.
func remoteAdmin(name string, remote remoteFlags, cmd control.Command, wait time.Duration, stderr io.Writer) (control.Result, string, int) {
	d, err := newDialer(stderr)
	if err != nil {
		return 0, "", remoteFailed(name, err, stderr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait+2*admin.DefaultClientTimeout)
	defer cancel()
	c, err := remote.login(ctx, d)
	if err != nil {
		return 0, "", remoteFailed(name, err, stderr)
	}
	defer c.Close()
	command := admin.CommandOf(cmd)
	command.Args["wait"] = wait.String()
	a, err := c.Command(ctx, command)
	switch {
	case err != nil:
		return control.ResultFailed, err.Error(), exitOK
	case a.Verdict == admin.Done:
		return control.ResultDone, a.Reason, exitOK
	case a.Verdict == admin.Accepted && wait == 0:
		return control.ResultAccepted, a.Reason, exitOK
	case a.Verdict == admin.Accepted:
		return control.ResultPending, a.Reason, exitOK
	}
	return control.ResultFailed, control.Answer{Verdict: a.Verdict, Reason: a.Reason}.String(), exitOK
}
