package cluster

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// Config is what the state machine needs from the configuration.
type Config struct {
	// Self is this node's name, lower-case.
	Self string
	// Nodes are all cluster nodes in ha.cf order, Self included.
	Nodes []string
	// Groups are the haresources lines in file order.
	Groups []GroupSpec
	// Keepalive, Warntime, Deadtime and Initdead as in ha.cf(5).
	Keepalive, Warntime, Deadtime, Initdead time.Duration
	// AutoFailback is the failback policy.
	AutoFailback config.AutoFailback
}

// GroupSpec names a group and its preferred node. Digest identifies its
// resources: a reload that changes it restarts the group where it runs.
// Monitors are the group's service monitors, in configuration order.
type GroupSpec struct {
	Key      string
	Node     string
	Digest   string
	Monitors []MonitorSpec
}

// same reports whether a and b are the same specification.
func (a GroupSpec) same(b GroupSpec) bool {
	return a.Key == b.Key && a.Node == b.Node && a.Digest == b.Digest && slices.Equal(a.Monitors, b.Monitors)
}

// FromConfig extracts the state machine's configuration.
func FromConfig(c *config.Config, self string) Config {
	cc := Config{Self: self, Nodes: c.Nodes, Keepalive: c.Keepalive, Warntime: c.Warntime,
		Deadtime: c.Deadtime, Initdead: c.Initdead, AutoFailback: c.AutoFailback}
	for _, g := range c.Groups {
		var toks []string
		for _, r := range g.Resources {
			toks = append(toks, r.Token)
		}
		spec := GroupSpec{Key: g.Key, Node: g.Node, Digest: strings.Join(toks, " ")}
		for _, m := range c.Monitors {
			if m.Group == g.Key {
				spec.Monitors = append(spec.Monitors, MonitorSpec{Name: m.Name, Fall: m.Fall, Rise: m.Rise,
					Everywhere: m.Everywhere(), OnFail: m.OnFail, Restarts: m.Restarts})
			}
		}
		cc.Groups = append(cc.Groups, spec)
	}
	return cc
}

// Event is an input to Step.
type Event interface{ eventTime() time.Time }

// Tick tells the machine the time. The caller ticks at least at
// Output.NextTick.
type Tick struct{ Now time.Time }

// Recv is a message that arrived on a link, already verified and checked
// for replay by the codec. Dup marks a copy of a message already seen on
// another link: it refreshes the link's liveness only.
type Recv struct {
	Now  time.Time
	Link string
	Msg  Msg
	Dup  bool
}

// OpDone reports that a resource operation asked for in an Output ended.
type OpDone struct {
	Now   time.Time
	Group string
	Op    Op
	// Err is nil on success. ErrAddressInUse from an acquire means the
	// split-brain guard found the address answering on the LAN.
	Err error
}

// Admin is an operator's command: standby or takeover of a Set, move of
// a Group (to Node, or "" for the best other node), clear of a Group's
// failure marks, maintenance On or off. ID is the caller's request id:
// the node tells what became of the command in Output.Answers under that
// id (see Answer). 0 means that nobody waits: the command runs all the
// same, and no Answer is given.
type Admin struct {
	Now   time.Time
	Cmd   AdminCmd
	Set   Set
	Group string
	Node  string
	On    bool
	ID    uint64
}

// Shutdown asks the node to hand its groups over and stop.
type Shutdown struct{ Now time.Time }

// Reconfigure applies a new, already validated configuration (a reload).
// Self must not change.
type Reconfigure struct {
	Now    time.Time
	Config Config
}

func (e Tick) eventTime() time.Time          { return e.Now }
func (e Recv) eventTime() time.Time          { return e.Now }
func (e OpDone) eventTime() time.Time        { return e.Now }
func (e Admin) eventTime() time.Time         { return e.Now }
func (e Shutdown) eventTime() time.Time      { return e.Now }
func (e Reconfigure) eventTime() time.Time   { return e.Now }
func (e MonitorResult) eventTime() time.Time { return e.Now }

// ErrAddressInUse is what an acquire reports when the split-brain guard
// finds a floating address still answering on the LAN.
var ErrAddressInUse = fmt.Errorf("address still in use on the LAN")

// Op is a resource operation.
type Op int

const (
	Acquire Op = iota + 1
	Release
	// Restart restarts a running group's resources in place, its
	// addresses excepted (stopped right to left, started left to right):
	// what on_fail = "restart" asks for when a monitor finds the service
	// down. An error means the group failed here (see MonitorResult).
	Restart
)

func (o Op) String() string {
	switch o {
	case Acquire:
		return "acquire"
	case Restart:
		return "restart"
	}
	return "release"
}

// AdminCmd is an operator's command.
type AdminCmd int

const (
	// CmdStandby gives the set up to the peer (hb_standby).
	CmdStandby AdminCmd = iota + 1
	// CmdTakeover takes the set from the peer (hb_takeover).
	CmdTakeover
	// CmdMove moves one group to a node (Admin.Group, Admin.Node).
	CmdMove
	// CmdClear clears a group's failure marks (start failures on every
	// node, monitor failures) on this node and tells the others, which
	// clear theirs (heartbeat nodes keep none).
	CmdClear
	// CmdMaintenance turns maintenance on or off (Admin.On) for the whole
	// cluster: while on, the cluster acts on no failure (see the package
	// documentation).
	CmdMaintenance
)

var adminCmdNames = [...]string{CmdStandby: "standby", CmdTakeover: "takeover", CmdMove: "move", CmdClear: "clear", CmdMaintenance: "maintenance"}

func (c AdminCmd) String() string {
	if c < CmdStandby || c > CmdMaintenance {
		return fmt.Sprintf("command %d", int(c))
	}
	return adminCmdNames[c]
}

// Verdict is what became of an operator's command.
type Verdict int

const (
	// Accepted: the command is under way; a Done or a Failed follows.
	Accepted Verdict = iota + 1
	// Done: the command is carried out, or there was nothing to do.
	Done
	// Refused: the command cannot be carried out; nothing was done.
	Refused
	// Failed: an accepted command did not complete.
	Failed
)

var verdictNames = [...]string{Accepted: "accepted", Done: "done", Refused: "refused", Failed: "failed"}

func (v Verdict) String() string {
	if v < Accepted || v > Failed {
		return fmt.Sprintf("verdict %d", int(v))
	}
	return verdictNames[v]
}

// Final reports whether no other answer follows this one.
func (v Verdict) Final() bool { return v != Accepted }

// Answer tells the caller what became of its Admin command ID; Reason
// says why, in words for the operator. The rules:
//
//   - every Admin with an ID gets at least one Answer in the Step that
//     handles it: Refused (no other node is alive; auto_failback legacy;
//     the node is shutting down or has shut down; an unknown command;
//     maintenance is on, for standby, takeover and move; a move that
//     cannot be made: an unknown group or node, the group runs nowhere
//     or is in flux, resources are in flux here, the target is dead,
//     starting up, marked failed for the group, its service down or,
//     for a group with a monitor that runs everywhere, not known up
//     there, or heartbeat's handshake would move more than that group),
//     Done (nothing to do: the set names no group of this node, as
//     standby none does; the group already runs on the node named;
//     maintenance already as asked; and, at once, every clear and
//     maintenance change), or Accepted (the standby handshake began; the
//     standby waits until resources in flux settle; the takeover asked
//     the peers to hand over; the move began: this node releases the
//     group, or asked the node holding it to). A standby of a set this
//     node holds none of still runs the handshake: the partner takes the
//     set's groups that nobody holds, and they are not adopted back here
//     for a while. A move toward or from a heartbeat node is answered as
//     the standby or takeover that carries it;
//   - an Accepted command later gets exactly one final Answer, Done or
//     Failed. A standby is Done when the partner says "done" (it took
//     the set over; the reason names the groups this node kept because
//     the partner cannot take them, see MonitorSpec); a takeover when
//     this node finished acquiring the set from the peer that began a
//     standby toward it in answer; a move when the target says it runs
//     the group. It is Failed when its handshake is cancelled (the
//     partner died, restarted or shut down, the configuration changed,
//     no "other" within min(10s, 2 deadtimes), no "done" within the
//     hour), when a waiting standby is given up (resources in flux for
//     max(10s, 4 deadtimes)) or can no longer be done (its partner
//     died), when no peer began to hand over within takeoverWait
//     (max(10s, 4 deadtimes) + 2 deadtimes: an Understudy peer in flux
//     defers the request that long; a heartbeat peer drops it silently),
//     or when a group of the set failed to stop (standby) or to start
//     (takeover) here. A move is Failed when the holder refuses it (it
//     judged otherwise), when the holder dies before handing the group
//     over or the target before running it, when the group fails to
//     stop here or to start there, when this node takes it back first,
//     when a reload removes it, or after an hour. So the final answer
//     comes within the handshake's deadlines: at most max(10s, 4
//     deadtimes) + 2 deadtimes before the handshake begins, then one
//     hour; a move's within the hour;
//   - there is at most one command under way: a newer standby, takeover
//     or move supersedes it, and so does a peer's hb_takeover that makes
//     this node hand over instead (Failed, "superseded ..."); a Shutdown
//     fails it ("shutting down"). Clear and maintenance, done at once,
//     leave it be.
type Answer struct {
	ID      uint64
	Verdict Verdict
	Reason  string
}

func (a Answer) String() string {
	return fmt.Sprintf("%d %s (%s)", a.ID, a.Verdict, a.Reason)
}

// Set names groups relative to a node, as heartbeat's rsc_hold does.
type Set string

const (
	SetNone    Set = "none"
	SetLocal   Set = "local"   // groups whose preferred node is the node
	SetForeign Set = "foreign" // groups preferred by other nodes
	SetAll     Set = "all"
)

// ParseSet reads all, local, foreign or failback (= foreign), as
// hb_standby does.
func ParseSet(s string) (Set, bool) {
	switch s {
	case "all", "local", "foreign", "none":
		return Set(s), true
	case "failback":
		return SetForeign, true
	}
	return "", false
}

// Output is what one Step asks the caller to do, in this order:
//  1. log Transitions;
//  2. start the Release operations (each group right to left);
//  3. start the Acquire operations (each group left to right) and the
//     Restart operations — a group appears in one list at most, and
//     never while an operation on it runs;
//  4. send Messages on every link;
//  5. hand the Answers to the operators waiting for them;
//  6. when MonitorsChanged, make RunMonitors the monitors that run on
//     this node (the whole set; it may be empty).
//
// Each operation is reported back with OpDone. Exit is set once, when a
// Shutdown has completed: every group released and shutdone sent.
type Output struct {
	Transitions []Transition
	Release     []string
	Acquire     []string
	Restart     []string
	Messages    []Msg
	Answers     []Answer
	// RunMonitors, when MonitorsChanged, is every monitor that must run
	// on this node now: those that run everywhere always, the others of
	// the groups running here (see Node.RunMonitors). MonitorsChanged is
	// set on the first Step of a node that has monitors, and whenever the
	// set changes.
	RunMonitors     []MonitorRef
	MonitorsChanged bool
	// NextTick is when the machine next needs a Tick, at the latest.
	NextTick time.Time
	Exit     bool
}

// Transition is one change of state, for the log.
type Transition struct {
	// Kind is a short category: "node", "link", "group", "cluster",
	// "standby", "move", "monitor" (Subject "GROUP[MONITOR]").
	Kind string
	// Subject names the node, link ("node2:eth1") or group.
	Subject  string
	From, To string
	Reason   string
	// Level is "info", "warn" or "error".
	Level string
}

func (t Transition) String() string {
	s := fmt.Sprintf("%s %s: %s -> %s (%s)", t.Kind, t.Subject, t.From, t.To, t.Reason)
	if t.From == "" && t.To == "" {
		s = fmt.Sprintf("%s %s: %s", t.Kind, t.Subject, t.Reason)
	}
	if t.Level != "info" {
		s = strings.ToUpper(t.Level) + " " + s
	}
	return s
}
