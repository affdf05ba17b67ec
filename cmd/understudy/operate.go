package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
)

// The operator's finer commands: move one group, clear a group's
// failure marks, maintenance on or off. Each goes to the cluster as
// standby and takeover do and prints what the cluster answered.

const (
	moveSynopsis  = "[-s SOCKET | --host HOST[:PORT] [--fingerprint FP]] [--wait DURATION] GROUP [NODE]"
	clearSynopsis = "[-s SOCKET | --host HOST[:PORT] [--fingerprint FP]] GROUP"
	maintSynopsis = "[-s SOCKET | --host HOST[:PORT] [--fingerprint FP]] on|off"
)

const moveHelp = `Moves one group, named by its key as understudy status shows it, to NODE,
or without NODE to the first other node that can take it (its preferred
node first, then in ha.cf order): the node that runs it stops it and
hands it over, and NODE starts it. The cluster refuses a move it cannot
make, and says why: maintenance is on, the group runs nowhere or is
starting or stopping, NODE is dead, still starting up, marked failed for
the group, or its copy of the service is down (or, for a group with a
monitor that runs on every node, not known to be up); toward or from a
heartbeat node, only when heartbeat's standby handshake moves this group
alone.

The command waits for the cluster's answer: the first line once the
cluster accepted the move, the second when NODE runs the group.

Exit status: 0 done (or accepted, with --wait 0); 1 refused or failed
(the reason is on stderr), or no daemon; 2 bad usage; 3 accepted and
still running when --wait ran out; 4 the login to the admin port failed.`

const clearHelp = `Clears the failure marks of GROUP, on every node: where it failed to
start, and where a monitor of it failed while the node ran it (each node
clears its own when told), with the restarts in place its monitors used
and the failures they counted in a row. The group is then placed by the
usual rules at once. A service a monitor finds down is still down: a node
that runs the group fails it again after fall new failures.

Marks also clear by themselves: a monitor's mark when that node's own
monitors see the service up again (rise successes in a row); every mark
of the group when the node running it dies or leaves it running nowhere;
a node's own start failure when it starts the group; a node's marks when
its daemon restarts; and a reload that changes the group's resources,
preferred node or monitors.

Exit status: 0 done; 1 refused (no such group) or no daemon; 2 bad usage;
4 the login to the admin port failed.`

const maintHelp = `Turns maintenance on or off for the whole cluster, for upgrades. While it
is on the cluster acts on no failure: no takeover when a node dies or
leaves, no restart or failover by a service monitor, no failback, no
adoption of a group that runs nowhere, no standby, takeover or move; the
resources stay as they are. Heartbeats, monitors and status go on, and
status shows maintenance on every node. Turned off, every node acts at
once on what it finds. heartbeat nodes know nothing of it.

Exit status: 0 done (or nothing to do); 1 refused (auto_failback legacy)
or no daemon; 2 bad usage; 4 the login to the admin port failed.`

func runMove(args []string, stdout, stderr io.Writer) int {
	f := newFlags("move", moveSynopsis, moveHelp+remoteHelp)
	wait := f.Duration("wait", control.DefaultWait, "how long to follow the move for its outcome; 0: return once the cluster accepted it")
	c, o, code, ok := f.operation(args, 1, 2, stdout, stderr)
	if !ok {
		return code
	}
	if *wait < 0 || *wait > control.MaxWait {
		fmt.Fprintf(stderr, "understudy move: --wait %v: want 0 to %v\n", *wait, control.MaxWait)
		return exitUsage
	}
	c.Cmd, c.Group, c.Node = cluster.CmdMove, f.Arg(0), f.Arg(1)
	if c.Group == "" {
		fmt.Fprintln(stderr, "understudy move: which group? (an empty name)")
		return exitUsage
	}
	res, msg, code := operate("move", c, o.viaHost, o.remote, *o.sock, *wait, func() {
		fmt.Fprintf(stdout, "Moving %s.\n", strings.TrimPrefix(c.String(), "move "))
	}, stderr)
	if code != exitOK {
		return code
	}
	switch res {
	case control.ResultDone:
		fmt.Fprintf(stdout, "Move of %s done%s.\n", c.Group, remark(msg))
	case control.ResultAccepted:
	default:
		fmt.Fprintf(stderr, "understudy move: %s\n", msg)
	}
	return map[control.Result]int{control.ResultPending: exitPending, control.ResultFailed: exitFail}[res]
}

func runClear(args []string, stdout, stderr io.Writer) int {
	f := newFlags("clear", clearSynopsis, clearHelp+remoteHelp)
	c, o, code, ok := f.operation(args, 1, 1, stdout, stderr)
	if !ok {
		return code
	}
	c.Cmd, c.Group = cluster.CmdClear, f.Arg(0)
	return o.once("clear", c, stdout, stderr)
}

func runMaintenance(args []string, stdout, stderr io.Writer) int {
	f := newFlags("maintenance", maintSynopsis, maintHelp+remoteHelp)
	c, o, code, ok := f.operation(args, 1, 1, stdout, stderr)
	if !ok {
		return code
	}
	on, err := control.ParseMode(f.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "understudy maintenance: %v\n", err)
		f.usage(stderr)
		return exitUsage
	}
	c.Cmd, c.On = cluster.CmdMaintenance, on
	return o.once("maintenance", c, stdout, stderr)
}

// operation is where a command goes: the socket, or --host.
type operation struct {
	sock    *string
	remote  remoteFlags
	viaHost bool
}

// operation adds -s, --host and --fingerprint, parses the arguments and
// checks that there are min to max of them. When ok is false the
// command is over with code.
func (f *cmdFlags) operation(args []string, min, max int, stdout, stderr io.Writer) (c control.Command, o operation, code int, ok bool) {
	o.sock = f.socket()
	o.remote = f.remote()
	if code, ok := f.parse(args, stdout, stderr); !ok {
		return c, o, code, false
	}
	if o.viaHost, ok = o.remote.on(f.name, stderr); !ok {
		return c, o, exitUsage, false
	}
	switch {
	case f.NArg() < min:
		fmt.Fprintf(stderr, "understudy %s: missing argument\n", f.name)
	case f.NArg() > max:
		fmt.Fprintf(stderr, "understudy %s: too many arguments\n", f.name)
	default:
		return c, o, exitOK, true
	}
	f.usage(stderr)
	return c, o, exitUsage, false
}

// once sends a command the cluster answers at once (clear,
// maintenance) and prints its answer.
func (o operation) once(name string, c control.Command, stdout, stderr io.Writer) int {
	res, msg, code := operate(name, c, o.viaHost, o.remote, *o.sock, 0, func() {}, stderr)
	switch {
	case code != exitOK:
		return code
	case res == control.ResultDone:
		fmt.Fprintln(stdout, sentence(msg, "Done"))
		return exitOK
	case res == control.ResultFailed:
		fmt.Fprintf(stderr, "understudy %s: %s\n", name, msg)
		return exitFail
	}
	// The cluster answers these at once; an older daemon may not.
	fmt.Fprintf(stderr, "understudy %s: accepted: %s\n", name, sentence(msg, "follow it with understudy status"))
	return exitOK
}

// remark is ": msg", or nothing when msg is empty.
func remark(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

// sentence is msg with a capital and a full stop (or empty's when msg
// is empty).
func sentence(msg, empty string) string {
	if msg == "" {
		msg = empty
	}
	r, n := utf8.DecodeRuneInString(msg)
	return string(unicode.ToUpper(r)) + msg[n:] + "."
}
