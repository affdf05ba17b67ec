package main

// Heartbeat's own command names: cl_status, hb_standby and hb_takeover
// (heartbeat-spec §6.3, §6.4, REQUIREMENTS H11). The binary answers to
// them when invoked under those names (make install links them), with
// heartbeat 3.0.6's sub-commands, options, output and exit codes, so that
// scripts and monitoring checks written for heartbeat keep working.
//
// cl_status asks the daemon for its status once, over the control socket,
// and answers every sub-command from that one snapshot; hbparameter reads
// ha.cf as the daemon reads it. Where heartbeat's answer comes from
// machinery Understudy does not have (the client API, ping nodes), the
// answer is the one heartbeat gives when that machinery is idle.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
)

// cl_status exit codes (heartbeat's tools/cl_status.c).
const (
	clOK        = 0
	clFail      = 1  // a "normal" failure: node or link down, cannot sign on
	clParamErr  = 11 // bad sub-command, option or operand
	clTimeout   = 12 // no answer within 5 s
	clUnknownEr = 13 // an error of unknown cause
)

// compat is what the heartbeat commands take from the outside world;
// tests replace the clock, pid and host name to get fixed log lines.
type compat struct {
	socket  string
	haDir   string // "" = the directory the daemon reports, else /etc/ha.d
	timeout time.Duration
	wait    time.Duration // how long hb_standby follows its command
	now     func() time.Time
	pid     int
	host    string
	out     io.Writer
	errw    io.Writer

	// Per cl_status run.
	human bool // -m: sentences instead of bare words
	st    control.Status
	cfg   *config.Config
	cfgOK bool // cfg was loaded (it may still carry errors)
}

func newCompat(stdout, stderr io.Writer) *compat {
	c := &compat{socket: defaultSocket(), haDir: os.Getenv(envHADir), timeout: control.DefaultTimeout,
		wait: control.DefaultWait, now: time.Now, pid: os.Getpid(), out: stdout, errw: stderr}
	c.host, _ = os.Hostname()
	return c
}

// runClStatus is heartbeat's cl_status. args is the whole command line,
// program name first (os.Args).
func runClStatus(args []string, stdout, stderr io.Writer) int {
	return newCompat(stdout, stderr).clStatus(args)
}

// runHbStandby is heartbeat's hb_standby; args as for runClStatus.
func runHbStandby(args []string, stdout, stderr io.Writer) int {
	return newCompat(stdout, stderr).hbAdmin(cluster.CmdStandby, args)
}

// runHbTakeover is heartbeat's hb_takeover; args as for runClStatus.
func runHbTakeover(args []string, stdout, stderr io.Writer) int {
	return newCompat(stdout, stderr).hbAdmin(cluster.CmdTakeover, args)
}

// ---------------------------------------------------------------------
// hb_standby, hb_takeover

// hbAdmin validates its argument as the hb_standby and hb_takeover shell
// scripts do (usage on stdout, exit 1) and hands the command to the
// daemon. hb_standby says "Going standby [X]." on stderr first, as the
// script's ha_log does on a terminal; hb_takeover says nothing.
func (c *compat) hbAdmin(cmd cluster.AdminCmd, args []string) int {
	prog := map[cluster.AdminCmd]string{cluster.CmdStandby: "hb_standby", cluster.CmdTakeover: "hb_takeover"}[cmd]
	if len(args) > 0 {
		prog, args = args[0], args[1:]
	}
	usage := func() int {
		fmt.Fprintf(c.out, "usage:\n%s [all|foreign|local|failback]\n", prog)
		return 1
	}
	if len(args) > 1 {
		fmt.Fprintf(c.out, "%s: too many arguments\n", prog)
		return usage()
	}
	word := ""
	if len(args) == 1 {
		word = args[0]
	}
	set, err := control.ParseSet(word)
	if err != nil {
		fmt.Fprintf(c.out, "%s: wrong resources(%s).\n", prog, word)
		return usage()
	}
	res, msg := control.Admin(context.Background(), c.socket, cmd, set, c.wait, func() {
		if cmd == cluster.CmdStandby {
			fmt.Fprintf(c.errw, "Going standby [%s].\n", set)
		}
	})
	// heartbeat's scripts write to a FIFO and never learn whether the
	// daemon acted; Understudy knows, and says so.
	if res == control.ResultPending || res == control.ResultFailed {
		fmt.Fprintf(c.errw, "%s: %s\n", prog, msg)
	}
	if res == control.ResultFailed {
		return 1
	}
	return 0
}

// ---------------------------------------------------------------------
// cl_status

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

// getopt parses a sub-command's options as glibc getopt(3) does when
// cl_status calls it with the sub-command as argv[0]: options may come
// after operands (GNU permutation), "--" ends them, and an unknown option
// or a missing argument is reported on stderr and returned as '?'.
type getopt struct {
	c         *compat
	name      string
	spec      string
	args      []string
	i, j      int // next argument; position inside a cluster (0 = none)
	operands  []string
	signonErr error
}

func (g *getopt) next() (opt byte, arg string, ok bool) {
	for g.j == 0 {
		if g.i >= len(g.args) {
			return 0, "", false
		}
		a := g.args[g.i]
		g.i++
		switch {
		case a == "--":
			g.operands = append(g.operands, g.args[g.i:]...)
			g.i = len(g.args)
		case len(a) > 1 && a[0] == '-':
			g.j = 1
			g.i-- // the cluster is args[i]
		default:
			g.operands = append(g.operands, a)
		}
	}
	a := g.args[g.i]
	opt = a[g.j]
	g.j++
	done := g.j >= len(a)
	if done {
		g.i, g.j = g.i+1, 0
	}
	k := strings.IndexByte(g.spec, opt)
	if k < 0 || opt == ':' {
		fmt.Fprintf(g.c.errw, "%s: invalid option -- '%c'\n", g.name, opt)
		return '?', "", true
	}
	if k+1 < len(g.spec) && g.spec[k+1] == ':' {
		switch {
		case !done:
			arg = a[g.j:]
			g.i, g.j = g.i+1, 0
		case g.i < len(g.args):
			arg = g.args[g.i]
			g.i++
		default:
			fmt.Fprintf(g.c.errw, "%s: option requires an argument -- '%c'\n", g.name, opt)
			return '?', "", true
		}
	}
	return opt, arg, true
}

// simpleOpts is cl_status's general_simple_opt_deal: -m only. It returns
// the operands, or ok false after reporting a bad option.
func (c *compat) simpleOpts(g *getopt) ([]string, bool) {
	for {
		opt, _, ok := g.next()
		if !ok {
			return g.operands, true
		}
		if opt != 'm' {
			c.logErr("Error: getopt returnedcharacter %c.", opt)
			return nil, false
		}
		c.human = true
	}
}

// ---------------------------------------------------------------------
// The cluster as heartbeat's client API shows it.

type hbNode struct {
	name, status string
	links        []hbLink // in the order heartbeat's client library lists them
}

type hbLink struct{ name, status string }

// hbNodes returns every node, the local one included, in the order
// heartbeat's node walk gives them: its client library prepends each
// node it receives, so the list is ha.cf's order reversed.
func (c *compat) hbNodes() []hbNode {
	st := c.st
	var own []string
	ownStatus := map[string]string{}
	for _, l := range st.Links {
		if _, dup := ownStatus[l.Name]; dup {
			continue
		}
		own = append(own, l.Name)
		ownStatus[l.Name] = map[bool]string{true: "up", false: "dead"}[l.Up]
	}
	byName := map[string]hbNode{}
	self := hbNode{name: st.Node, status: nodeWord(st.Cluster.Status)}
	for _, name := range own {
		self.links = append(self.links, hbLink{name, ownStatus[name]})
	}
	byName[st.Node] = self
	order := []string{st.Node}
	for _, n := range st.Cluster.Nodes {
		if _, dup := byName[n.Name]; dup {
			continue
		}
		// heartbeat gives every node a link per medium, dead until a
		// packet arrives on it.
		hn := hbNode{name: n.Name, status: nodeWord(n.Status)}
		for _, name := range own {
			s := n.Links[name]
			if s == "" {
				s = "dead"
			}
			hn.links = append(hn.links, hbLink{name, s})
		}
		var extra []string
		for name := range n.Links {
			if _, ok := ownStatus[name]; !ok {
				extra = append(extra, name)
			}
		}
		sort.Strings(extra)
		for _, name := range extra {
			hn.links = append(hn.links, hbLink{name, n.Links[name]})
		}
		byName[n.Name] = hn
		order = append(order, n.Name)
	}
	if cfg := c.config(); cfg != nil && slices.Contains(cfg.Nodes, st.Node) {
		// The local node's place in ha.cf, which the snapshot lacks.
		var inCfg []string
		for _, name := range cfg.Nodes {
			if _, ok := byName[name]; ok && !slices.Contains(inCfg, name) {
				inCfg = append(inCfg, name)
			}
		}
		for _, name := range order {
			if !slices.Contains(inCfg, name) {
				inCfg = append(inCfg, name)
			}
		}
		order = inCfg
	}
	nodes := make([]hbNode, 0, len(order))
	for _, name := range slices.Backward(order) {
		n := byName[name]
		slices.Reverse(n.links) // prepended one by one, like the nodes
		nodes = append(nodes, n)
	}
	return nodes
}

// nodeWord maps Understudy's view of a node to heartbeat's status words:
// init, up, active, dead. A node never heard from is init, as in
// heartbeat until initdead declares it dead.
func nodeWord(s string) string {
	switch s {
	case "", "unknown":
		return "init"
	}
	return s
}

// findNode looks a node up as heartbeat does, ignoring case.
func (c *compat) findNode(name string) (hbNode, bool) {
	for _, n := range c.hbNodes() {
		if strings.EqualFold(n.name, name) {
			return n, true
		}
	}
	return hbNode{}, false
}

// config loads ha.d once: UNDERSTUDY_HA_DIR, else the directory the
// daemon runs from, else /etc/ha.d. It returns nil if nothing could be
// read.
func (c *compat) config() *config.Config {
	if !c.cfgOK {
		c.cfgOK = true
		dir := c.haDir
		if dir == "" {
			dir = c.st.Dir
		}
		if dir == "" {
			dir = config.DefaultDir
		}
		c.cfg, _ = config.Load(dir)
		if c.cfg != nil && c.cfg.Params == nil {
			c.cfg = nil
		}
	}
	return c.cfg
}

// ---------------------------------------------------------------------
// Sub-commands, in heartbeat's order.

func (c *compat) hbstatus(g *getopt) int {
	verbose := false
	for {
		opt, _, ok := g.next()
		if !ok {
			break
		}
		switch opt {
		case 'm':
			c.human = true
		case 'v':
			verbose = true
		} // heartbeat ignores the rest, after getopt's complaint
	}
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
	for {
		opt, _, ok := g.next()
		if !ok {
			break
		}
		switch opt {
		case 'm':
			c.human = true
		case 'v':
			verbose = true
		case 'p':
			ping = true
		case 'n':
			normal = true
		default:
			c.logErr("Error: getopt returnedcharacter code %c.", opt)
			return clParamErr
		}
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
	ops, ok := c.simpleOpts(g)
	if !ok {
		return clParamErr
	}
	if len(ops) < 1 {
		fmt.Fprintln(c.errw, "Not enough parameters.")
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
	ops, ok := c.simpleOpts(g)
	if !ok {
		return clParamErr
	}
	if len(ops) < 1 {
		fmt.Fprintln(c.errw, notEnough)
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
	for {
		opt, _, ok := g.next()
		if !ok {
			break
		}
		switch opt {
		case 'm':
			c.human = true
		case 'v':
			verbose = true
		default:
			c.logErr("Error: getopt returnedcharacter code %c.", opt)
			return clParamErr
		}
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
	ops, ok := c.simpleOpts(g)
	if !ok {
		return clParamErr
	}
	if len(ops) < 2 {
		fmt.Fprintln(c.errw, "No enough parameter.")
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
	ops, ok := c.simpleOpts(g)
	if !ok {
		return clParamErr
	}
	if len(ops) < 2 {
		fmt.Fprintln(c.errw, "No enough parameter.")
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

func (c *compat) hbparameter(g *getopt) int {
	name, have := "", false
	for {
		opt, arg, ok := g.next()
		if !ok {
			break
		}
		switch opt {
		case 'm':
			c.human = true
		case 'p':
			name, have = arg, true
		default:
			c.logErr("Error: getopt returnedcharacter code %c.", opt)
			return clParamErr
		}
	}
	if !have {
		c.logErr("parameter name required")
		return clParamErr
	}
	v, ok := c.param(name)
	if !ok {
		c.logErr("Cannot get parameter %s's value", name)
		c.logErr("REASON: ")
		return clFail
	}
	if c.human {
		fmt.Fprintf(c.out, "Heartbeat parameter %s's value: %s\n", name, v)
	} else {
		fmt.Fprintln(c.out, v)
	}
	return clOK
}

// neverStored are ha.cf directives heartbeat accepts but does not keep
// as parameters: node lists, media, whole-line directives, and those
// its directive table marks as not recorded.
var neverStored = map[string]bool{
	"node": true, "nice_failback": true, "use_apphbd": true, "env": true,
	"stonith": true, "stonith_host": true, "apiauth": true, "respawn": true, "failfast": true,
	"bcast": true, "udp": true, "mcast": true, "mcast6": true, "ucast": true, "ucast6": true,
	"serial": true, "ping": true, "ping6": true, "ping_group": true,
}

// param is heartbeat's GetParameterValue after start-up: the value as
// written in ha.cf, the directive table's default, or what heartbeat
// derives and records (warntime, initdead, deadping in ms, debug,
// use_logd, log files under syslog).
func (c *compat) param(name string) (string, bool) {
	if name == "hbversion" {
		return c.hbversion(), true
	}
	cfg := c.config()
	if cfg == nil || neverStored[name] {
		return "", false
	}
	if name == "crm" || name == "pacemaker" { // heartbeat: crm is pacemaker's alias
		for _, k := range []string{"pacemaker", "crm"} {
			if v, ok := cfg.Params[k]; ok {
				return v, true
			}
		}
		return "false", true
	}
	if v, ok := cfg.Params[name]; ok {
		return v, true
	}
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + "ms" }
	syslog := cfg.LogFacility != "" && cfg.LogFacility != "none"
	switch name {
	case "warntime":
		return ms(cfg.Warntime), true
	case "initdead":
		return ms(cfg.Initdead), true
	case "deadping":
		return ms(cfg.Deadping), true
	case "debug":
		return strconv.Itoa(cfg.Debug), true
	case "udpport":
		return strconv.Itoa(cfg.UDPPort), true
	case "use_logd":
		if cfg.Logfile == "" && cfg.Debugfile == "" && !syslog {
			return "yes", true
		}
	case "logfile", "debugfile":
		if syslog {
			return "/dev/null", true
		}
	case "record_config_changes", "record_pengine_inputs", "enable_config_writes":
		return "on", true // heartbeat's table defaults, Pacemaker-only
	}
	return "", false
}

// clTest is cl_status's undocumented "test" sub-command.
func (c *compat) clTest(g *getopt) int {
	var dead, keep int64
	if cfg := c.config(); cfg != nil {
		dead, keep = cfg.Deadtime.Milliseconds(), cfg.Keepalive.Milliseconds()
	}
	fmt.Fprintf(c.out, "Dead time: %d\n keeplive time: %d\n mynodeid: %s\n rsc: %s\n", dead, keep, c.st.Node, c.resourceState())
	return clOK
}
