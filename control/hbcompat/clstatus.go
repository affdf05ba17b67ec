package hbcompat

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/understudy-ha/understudy/control"
)

type clCmd struct {
	run        func(c *compat, g *getopt) int
	optstr     string
	needSignon bool
}

var clCommands = map[string]clCmd{
	"hbstatus":     {(*compat).hbstatus, "mv", false},
	"listnodes":    {(*compat).listnodes, "mpnv", true},
	"nodestatus":   {(*compat).nodestatus, "m", true},
	"nodeweight":   {(*compat).nodeweight, "m", true},
	"nodesite":     {(*compat).nodesite, "m", true},
	"nodetype":     {(*compat).nodetype, "m", true},
	"listhblinks":  {(*compat).listhblinks, "mv", true},
	"hblinkstatus": {(*compat).hblinkstatus, "m", true},
	"clientstatus": {(*compat).clientstatus, "m", true},
	"rscstatus":    {(*compat).rscstatus, "m", true},
	"hbparameter":  {(*compat).hbparameter, "mp:", true},
	"test":         {(*compat).clTest, "", true},
}

const clHelp = `Usage: cl_status <sub-command> [<options>] [<parameters>]

Sub-commands:
clientstatus <node-name> <client-id> [<timeout>]
	Show the status of heartbeat clients.
hblinkstatus <node-name> <link-name>
	Show the status of a heartbeat link
hbstatus
	Indicate if heartbeat is running on the local system.
	Options:
		-v	verbose: also add "listnodes -v" output
listnodes [<option>]
	List the nodes in the cluster.
	Options:
		-p	list only 'ping' type nodes
		-n	list only 'normal' type nodes
		-v	verbose: also list type and status,
			then add "listhblinks -v" output
listhblinks <node-name>
	List the network interfaces used as hearbeat links.
	Options:
		-v	verbose: list link status as well
nodestatus <node-name>
	List the node status.
nodeweight <node-name>
	List the node weight.
nodesite <node-name>
	List the node site.
nodetype <node-name>
	List the nodes of a given type.
rscstatus
	Show the status of cluster resources.
hbparameter -p <parameter-name>
	Retrieve the value of a cluster parameter.
	As for the valid parameter names, please refer to the man page.
`

// reasonNotRunning is what heartbeat's client library reports when no
// daemon listens.
const reasonNotRunning = "hb_api_signon: Can't initiate connection to heartbeat"

func (c *compat) clStatus(args []string) int {
	if len(args) > 0 {
		args = args[1:]
	}
	if len(args) == 0 || (len(args) == 1 && args[0] == "-h") {
		fmt.Fprint(c.out, clHelp)
		return clOK
	}
	cmd, ok := clCommands[args[0]]
	if !ok {
		c.logErr("%s: invalid sub-command.", args[0])
		return clParamErr
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	st, err := control.GetStatus(ctx, c.socket)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || ctx.Err() != nil:
		// heartbeat's cl_status exits silently when its 5 s alarm fires.
		return clTimeout
	case err != nil && cmd.needSignon:
		c.logErr("Cannot signon with heartbeat")
		c.logErr("REASON: %s", signonReason(err))
		return clFail
	}
	c.st = st
	g := &getopt{c: c, name: args[0], spec: cmd.optstr, args: args[1:], signonErr: err}
	return cmd.run(c, g)
}

func signonReason(err error) string {
	if errors.Is(err, control.ErrNotRunning) {
		return reasonNotRunning
	}
	return err.Error()
}

// logErr writes an ERROR line to stderr as cl_status's cl_log does, in
// syslog-like file format.
func (c *compat) logErr(format string, a ...any) {
	fmt.Fprintf(c.errw, "%s %s cl_status: [%d]: ERROR: %s\n",
		c.now().Format("Jan 02 15:04:05"), c.host, c.pid, fmt.Sprintf(format, a...))
}

// simpleOpts is cl_status's general_simple_opt_deal: -m only. It returns
// the operands, or ok false after reporting a bad option.
func (c *compat) simpleOpts(g *getopt) ([]string, bool) {
	if bad := g.options(func(byte, string) bool { return false }); bad != 0 {
		c.logErr("Error: getopt returnedcharacter %c.", bad)
		return nil, false
	}
	return g.operands, true
}

// operands is simpleOpts, then heartbeat's check that at least n
// operands came, with the sub-command's own words when they did not.
func (c *compat) operands(g *getopt, n int, notEnough string) ([]string, bool) {
	ops, ok := c.simpleOpts(g)
	if ok && len(ops) < n {
		fmt.Fprintln(c.errw, notEnough)
		return nil, false
	}
	return ops, ok
}

// badOption reports an option a sub-command refused, in heartbeat's
// words (its typo included).
func (c *compat) badOption(opt byte) int {
	c.logErr("Error: getopt returnedcharacter code %c.", opt)
	return clParamErr
}
