package hbcompat

import (
	"errors"
	"fmt"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
)

// Sub-commands, in heartbeat's order.

func (c *compat) hbstatus(g *getopt) int {
	verbose := false
	g.options(func(opt byte, _ string) bool {
		verbose = verbose || opt == 'v'
		return true // heartbeat ignores the rest, after getopt's complaint
	})
	if err := g.signonErr; err != nil {
		rc := clOK
		if errors.Is(err, control.ErrNotRunning) {
			fmt.Fprintln(c.out, "Heartbeat is stopped on this machine.")
			rc = clFail
		} else {
			fmt.Fprintln(c.out, "Heartbeat is apparently running on this machine, but refuses my connection")
		}
		if verbose {
			fmt.Fprintf(c.out, "(%s)\n", signonReason(err))
		}
		return rc
	}
	if !verbose {
		fmt.Fprintln(c.out, "Heartbeat is running on this machine.")
		return clOK
	}
	if c.human {
		fmt.Fprintf(c.out, "Heartbeat version %s\n", c.hbversion())
		fmt.Fprintln(c.out, `Resources controlled by "haresources"`)
	} else {
		fmt.Fprintf(c.out, "version:\t%s\n", c.hbversion())
		fmt.Fprintln(c.out, "managed by:\t\"haresources\"")
	}
	return c.printNodes(false, false, true)
}

// hbversion is Understudy's version in the shape of heartbeat's
// "3.0.6 (node: <changeset>)".
func (c *compat) hbversion() string {
	v := c.st.Version
	if v == "" {
		v = "unknown"
	}
	return v + " (node: understudy)"
}

func (c *compat) listnodes(g *getopt) int {
	var verbose, ping, normal bool
	bad := g.options(func(opt byte, _ string) bool {
		switch opt {
		case 'v':
			verbose = true
		case 'p':
			ping = true
		case 'n':
			normal = true
		default:
			return false
		}
		return true
	})
	if bad != 0 {
		return c.badOption(bad)
	}
	return c.printNodes(normal, ping, verbose)
}

func (c *compat) printNodes(normalOnly, pingOnly, verbose bool) int {
	if normalOnly && pingOnly {
		normalOnly, pingOnly = false, false
	}
	if c.human {
		fmt.Fprintln(c.out, "The nodes are as follow:")
	}
	for _, n := range c.hbNodes() {
		if pingOnly { // Understudy has no ping nodes
			continue
		}
		if !verbose {
			fmt.Fprintln(c.out, n.name)
			continue
		}
		fmt.Fprintf(c.out, "\n%s\t%s\t(nodetype: normal)\n", n.name, n.status)
		c.printLinks(n, true)
	}
	return clOK
}

func (c *compat) printLinks(n hbNode, verbose bool) {
	if c.human {
		fmt.Fprintln(c.out, "\tthis node has the following heartbeat links:")
	}
	for _, l := range n.links {
		if verbose {
			fmt.Fprintf(c.out, "\t%s\t%s\n", l.name, l.status)
		} else {
			fmt.Fprintf(c.out, "\t%s\n", l.name)
		}
	}
}

func (c *compat) nodestatus(g *getopt) int {
	ops, ok := c.operands(g, 1, "Not enough parameters.")
	if !ok {
		return clParamErr
	}
	n, ok := c.findNode(ops[0])
	if !ok {
		fmt.Fprintln(c.errw, "Error. May be due to incorrect node name")
		return clParamErr
	}
	if c.human {
		fmt.Fprintf(c.out, "The cluster node %s is %s\n", ops[0], n.status)
	} else {
		fmt.Fprintln(c.out, n.status)
	}
	switch n.status {
	case "active", "up", "ping":
		return clOK
	}
	return clFail
}

func (c *compat) nodeweight(g *getopt) int {
	return c.nodeFact(g, "Not enough parameters.", "Error. Maybe due to incorrect node name.",
		"The weight of the cluster node %s is %s", "100") // heartbeat's, for every node
}

func (c *compat) nodesite(g *getopt) int {
	return c.nodeFact(g, "Not enough parameters.", "Error. May be due to incorrect node name",
		"The site of the cluster node %s is %s", "") // heartbeat's, for every node
}

func (c *compat) nodetype(g *getopt) int {
	return c.nodeFact(g, "No enough parameter.", "Error. May be due to incorrect node name",
		"The node %s's type: %s", "normal")
}

// nodeFact answers nodeweight, nodesite and nodetype: one fixed value for
// every node, with heartbeat's own (differing) error wording for each.
func (c *compat) nodeFact(g *getopt, notEnough, badNode, human, value string) int {
	ops, ok := c.operands(g, 1, notEnough)
	if !ok {
		return clParamErr
	}
	if _, ok := c.findNode(ops[0]); !ok {
		fmt.Fprintln(c.errw, badNode)
		return clParamErr
	}
	if c.human {
		fmt.Fprintf(c.out, human+"\n", ops[0], value)
	} else {
		fmt.Fprintln(c.out, value)
	}
	return clOK
}

func (c *compat) listhblinks(g *getopt) int {
	verbose := false
	bad := g.options(func(opt byte, _ string) bool {
		verbose = verbose || opt == 'v'
		return opt == 'v'
	})
	if bad != 0 {
		return c.badOption(bad)
	}
	if len(g.operands) < 1 {
		fmt.Fprintln(c.errw, "No enough parameter.")
		return clParamErr
	}
	n, ok := c.findNode(g.operands[0])
	if !ok {
		c.logErr("Cannot start heartbeat link interface walk.")
		c.logErr("REASON: EINVAL")
		return clUnknownEr
	}
	c.printLinks(n, verbose)
	return clOK
}

func (c *compat) hblinkstatus(g *getopt) int {
	ops, ok := c.operands(g, 2, "No enough parameter.")
	if !ok {
		return clParamErr
	}
	status := ""
	if n, ok := c.findNode(ops[0]); ok {
		for _, l := range n.links {
			if l.name == ops[1] {
				status = l.status
			}
		}
	}
	if status == "" {
		c.logErr("Cannot get heartbeat link status")
		c.logErr("REASON: ")
		return clUnknownEr
	}
	if c.human {
		fmt.Fprintf(c.out, "The node %s's heartbeat link %s is %s\n", ops[0], ops[1], status)
	} else {
		fmt.Fprintln(c.out, status)
	}
	if status == "up" {
		return clOK
	}
	return clFail
}

// clientstatus: Understudy has no client API, so no client is ever
// signed on anywhere, and heartbeat answers "offline" (exit 1) for a
// client nobody runs. The timeout operand is accepted and not needed.
func (c *compat) clientstatus(g *getopt) int {
	ops, ok := c.operands(g, 2, "No enough parameter.")
	if !ok {
		return clParamErr
	}
	if _, ok := c.findNode(ops[0]); !ok {
		// heartbeat's daemon refuses the request and the client library
		// waits out the timeout.
		c.logErr("Cannot get heartbeat client %s's status", ops[1])
		c.logErr("REASON: No timely response.")
		return clUnknownEr
	}
	fmt.Fprintln(c.out, "offline")
	return clFail
}

func (c *compat) rscstatus(g *getopt) int {
	if _, ok := c.simpleOpts(g); !ok {
		return clParamErr
	}
	r := c.resourceState()
	if c.human {
		fmt.Fprintf(c.out, "This node is holding %s resources.\n", r)
	} else {
		fmt.Fprintln(c.out, r)
	}
	return clOK
}

// resourceState is heartbeat's hb_rsc_resource_state: transition while
// a resource operation runs here, a standby handshake is under way, or
// the start-up negotiation is not over (init and shutdown count as
// settled); otherwise what this node holds. In legacy mode heartbeat
// keeps no bookkeeping and always says none.
func (c *compat) resourceState() string {
	cl := c.st.Cluster
	busy := false
	for _, g := range cl.Groups {
		if g.State == "starting" || g.State == "stopping" {
			busy = true
		}
	}
	if cfg := c.config(); cfg != nil && cfg.AutoFailback == config.FailbackLegacy {
		if busy {
			return "transition"
		}
		return "none"
	}
	switch {
	case busy,
		cl.Standby != "" && cl.Standby != "none",
		cl.State != "" && cl.State != "stable" && cl.State != "shutdown" && cl.State != "init":
		return "transition"
	case cl.Hold == "":
		return string(cluster.SetNone)
	}
	return string(cl.Hold)
}
