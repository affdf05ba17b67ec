package cluster

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// gave records a group handed to a peer by a standby, until when it is
// left to that peer.
type gave struct {
	to    string
	until time.Time
}

// nodeStatus is what a node's heartbeat says of it (heartbeat-spec §4.9):
// init, then up once its links are open, then active once communication
// is up. This node also marks a peer dead, or unknown until first heard.
// A peer's status is whatever it sent; these are the values we act on.
type nodeStatus string

const (
	statusInit    nodeStatus = "init"
	statusUp      nodeStatus = "up"
	statusActive  nodeStatus = "active"
	statusDead    nodeStatus = "dead"
	statusUnknown nodeStatus = "unknown"
)

// rscState is the node's resource start-up state (heartbeat-spec §5.1).
type rscState int

const (
	rsInit         rscState = iota // communication not up yet
	rsStarting                     // sent starting, waiting for a resource message
	rsBothStarting                 // the peer is starting too
	rsRscRcvd                      // got the peer's resources, waiting for it to be stable
	rsStable                       // negotiation over: groups are placed
	rsShutdown                     // giving everything up
)

var rscStateNames = [...]string{"init", "starting", "bothstarting", "rscrcvd", "stable", "shutdown"}

func (s rscState) String() string { return rscStateNames[s] }

// rqstDelay bounds how long a node waits in rscrcvd for an unstable peer
// before placing its own groups. heartbeat waits 10s; Understudy waits at
// most twice deadtime, which is plenty for the peer's resource message.
const rqstDelay = 10 * time.Second

// Node is one cluster member's state machine. Create it with New; feed it
// with Step. It is not safe for concurrent use.
type Node struct {
	cfg     Config
	now     time.Time
	started time.Time

	// Our own heartbeat: the status it says (init, up, active), when it
	// next goes out, and whether communication is up (every peer heard
	// from or declared dead).
	status     nodeStatus
	nextStatus time.Time
	commUp     bool

	peers  map[string]*peer
	groups []*group
	byKey  map[string]*group

	// rs is the resource state: the start-up negotiation, stable, then
	// shutdown; rsTimer ends a negotiation that waits too long. exited:
	// the shutdown is complete and Step does nothing more.
	rs      rscState
	rsTimer time.Time
	exited  bool

	// The standby handshake, and the groups a finished one handed to a
	// peer: they are not adopted back until gave.until, even if nobody
	// seems to hold them, for the peer may still be about to start them.
	standby  standby
	gaveAway map[string]gave
	// op: the operators' commands under way.
	op operator
	// maint: maintenance, as this node knows it.
	maint maintenance

	// told is what the peers last heard of our holdings.
	told told

	out Output
}

// New returns the state machine of cfg.Self, started at now.
func New(cfg Config, now time.Time) *Node {
	n := &Node{cfg: cfg, now: now, started: now, status: statusInit, nextStatus: now,
		peers: map[string]*peer{}, byKey: map[string]*group{}, gaveAway: map[string]gave{}}
	for _, name := range cfg.Nodes {
		if name != cfg.Self {
			n.peers[name] = newPeer(name, cfg.Deadtime)
		}
	}
	for _, g := range cfg.Groups {
		grp := newGroup(g)
		n.groups = append(n.groups, grp)
		n.byKey[g.Key] = grp
	}
	return n
}

// Step feeds one event and returns what to do about it: the event is
// handled, then the passes run in order.
func (n *Node) Step(ev Event) Output {
	n.out = Output{}
	if t := ev.eventTime(); t.After(n.now) {
		n.now = t
	}
	if n.exited {
		if a, ok := ev.(Admin); ok {
			n.answer(a.ID, Refused, "this node has shut down")
		}
		return n.out
	}
	n.handle(ev)
	for _, pass := range passes {
		pass(n)
	}
	n.out.NextTick = n.nextTick()
	return n.out
}

// passes run after every event, in this order; each checks for itself
// whether there is anything to do. Those that depend on the time alone
// come first, then the ones that place groups, then reconcile, which
// turns the wants into operations, then the ones that report progress.
var passes = [...]func(*Node){
	(*Node).openLinks,          // init -> up on the first step
	(*Node).heartbeat,          // send our status when it is due
	(*Node).checkLiveness,      // declare silent links and peers dead; take over from the dead
	(*Node).checkCommUp,        // every peer heard from or dead: go active, negotiate
	(*Node).negotiationTimeout, // a start-up negotiation that waited long enough ends
	(*Node).standbyTimeout,     // a handshake whose partner went quiet is cancelled
	(*Node).takeoverTimeout,    // a takeover no peer began to hand over fails
	(*Node).moveProgress,       // a move whose target died or that took too long fails
	(*Node).retryPending,       // a standby that waited for calm starts, or is dropped
	(*Node).legacyRetry,        // legacy: ask again for an unanswered ip-request
	(*Node).monitorActions,     // a monitor failed on a group running here: restart it, or hand it over
	(*Node).tryFailback,        // auto_failback on: give groups back to their returning node
	(*Node).adoptOrphans,       // take the groups nobody holds that fall to this node
	(*Node).resolveConflicts,   // a group held on two nodes stays with one (after a handshake)
	(*Node).reconcile,          // turn wants into release and acquire operations
	(*Node).dropRemoved,        // forget the groups a reload removed, once released
	(*Node).standbyProgress,    // our half of a handshake is over: say done
	(*Node).shutdownProgress,   // everything released: say shutdone and exit
	(*Node).sendDueResource,    // a handshake ended in this step: say what we hold at its end
	(*Node).announceHoldings,   // what we hold changed: say so
	(*Node).announceStatus,     // our health, failures or maintenance changed: say so at once
	(*Node).reportMonitors,     // the monitors that run here changed: tell the caller
}

// handle handles the event itself.
func (n *Node) handle(ev Event) {
	switch e := ev.(type) {
	case Tick:
	case Recv:
		n.recv(e)
	case OpDone:
		n.opDone(e)
	case Admin:
		n.admin(e)
	case Shutdown:
		n.shutdown()
	case Reconfigure:
		n.reconfigure(e.Config)
	case MonitorResult:
		n.monitorResult(e)
	}
}

// transition records a state change for the log.
func (n *Node) transition(level, kind, subject, from, to, reason string, args ...any) {
	if len(args) > 0 {
		reason = fmt.Sprintf(reason, args...)
	}
	n.out.Transitions = append(n.out.Transitions, Transition{Kind: kind, Subject: subject, From: from, To: to, Reason: reason, Level: level})
}

// send queues a message to every node (dest "") or one node.
func (n *Node) send(m Msg) { n.out.Messages = append(n.out.Messages, m) }

// sendStatus sends our heartbeat now and schedules the next one. It is
// heartbeat's (st, dt), plus Understudy's fields when there is anything
// to say in them (statusExtras).
func (n *Node) sendStatus() {
	m := msg(MsgStatus, "st", string(n.status), "dt", strconv.FormatInt(n.cfg.Deadtime.Milliseconds(), 16))
	extras := n.statusExtras()
	m.Fields = append(m.Fields, extras...)
	n.told.status = fmt.Sprint(extras)
	n.send(m)
	n.nextStatus = n.now.Add(n.cfg.Keepalive)
}

func (n *Node) setStatus(st nodeStatus, reason string) {
	if n.status == st {
		return
	}
	n.transition("info", "node", n.cfg.Self, string(n.status), string(st), reason)
	n.status = st
	n.sendStatus()
}

// openLinks: the first step opens the links; the node is up.
func (n *Node) openLinks() {
	if n.status == statusInit && n.rs != rsShutdown {
		n.setStatus(statusUp, "heartbeat links open")
	}
}

// heartbeat sends our status when it is due, shutting down or not.
func (n *Node) heartbeat() {
	if !n.now.Before(n.nextStatus) {
		n.sendStatus()
	}
}

// nextTick is the earliest time something is due.
func (n *Node) nextTick() time.Time {
	next := n.nextStatus
	min := func(t time.Time) {
		if !t.IsZero() && t.Before(next) {
			next = t
		}
	}
	for _, p := range n.peers {
		min(p.deadline(n))
		for _, l := range p.links {
			if l.up {
				min(l.last.Add(p.dt))
			}
		}
	}
	if n.rs == rsRscRcvd || n.rs == rsStarting || n.rs == rsBothStarting {
		min(n.rsTimer)
	}
	min(n.standby.deadline)
	min(n.op.pending.until)
	if n.op.req.stage == reqAsked || n.op.req.stage == reqMoving {
		min(n.op.req.until)
	}
	for _, g := range n.groups {
		if g.want && g.state == stopped && g.blockedUntil.After(n.now) {
			min(g.blockedUntil)
		}
	}
	if !next.After(n.now) {
		next = n.now.Add(time.Millisecond)
	}
	return next
}

// alivePeers returns the live peers in ha.cf order.
func (n *Node) alivePeers() []*peer {
	var out []*peer
	for _, name := range n.cfg.Nodes {
		if p, ok := n.peers[name]; ok && p.alive {
			out = append(out, p)
		}
	}
	return out
}

// isAlive reports whether node is alive: ourselves, or a live peer.
func (n *Node) isAlive(node string) bool {
	if node == n.cfg.Self {
		return n.rs != rsShutdown
	}
	p, ok := n.peers[node]
	return ok && p.alive
}

// nodeIndex is the position of node in ha.cf.
func (n *Node) nodeIndex(node string) int { return slices.Index(n.cfg.Nodes, node) }
