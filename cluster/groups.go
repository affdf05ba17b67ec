package cluster

import (
	"errors"
	"time"
)

// groupState is where a group stands on this node.
type groupState int

const (
	stopped groupState = iota
	starting
	running
	stopping
	// stopFailed: a release failed; the group may still run here, so it
	// counts as held and nobody else takes it until an operator acts.
	stopFailed
	// restarting: its resources are restarted in place (Restart).
	restarting
)

var groupStateNames = [...]string{"stopped", "starting", "running", "stopping", "stop-failed", "restarting"}

func (s groupState) String() string { return groupStateNames[s] }

type group struct {
	spec  GroupSpec
	state groupState
	// want: this node means to hold the group. reconcile turns the
	// difference between want and state into operations.
	want bool
	// failed: nodes on which a start of the group failed.
	failed map[string]bool
	// blockedUntil: the split-brain guard found an address in use; the
	// acquire is retried then.
	blockedUntil time.Time
	// replyTo: a legacy ip-request waits for this release to finish.
	replyTo string
	// requested: when this node last asked for the group with
	// ip-request (legacy); zero when no answer is awaited. ask: legacy,
	// ask for it once it falls to this node (see legacyRetry).
	requested time.Time
	ask       bool
	// removed: a reload dropped the group; it goes once released.
	removed bool
	// restart: a reload changed its resources; it is released and then
	// taken again.
	restart bool
	gaveUp  bool // logged that it failed everywhere

	// mons: its monitors' state here. monFailed: nodes where a monitor
	// of the group failed while they ran it, from their own word (their
	// status heartbeats) and ours.
	mons      []*monitor
	monFailed map[string]bool
	// handTo: the node this node hands the group to once it is released
	// (handWhy: "monitor" or "move"). tookFor: the group was handed to
	// this node by a move; the node says so once it runs it.
	handTo, handWhy string
	tookFor         bool
	// stuck: logged that it stays here although it failed here; note
	// says why it stays, for status.
	stuck bool
	note  string
}

func newGroup(spec GroupSpec) *group {
	return &group{spec: spec, failed: map[string]bool{}, monFailed: map[string]bool{}, mons: newMonitors(spec.Monitors)}
}

// held reports whether the group counts as held here: an operation on it
// has begun and not been undone.
func (g *group) held() bool { return g.state != stopped }

// claimed reports what we tell peers we hold: what we hold or mean to.
func (g *group) claimed() bool { return g.want || g.held() }

// take makes this node want the groups; give makes it let them go.
func (n *Node) take(keys []string, reason string) {
	for _, k := range keys {
		g := n.byKey[k]
		if g == nil || g.want || g.removed || g.failed[n.cfg.Self] || g.monFailed[n.cfg.Self] || n.givingAway(g) || g.handTo != "" {
			continue
		}
		g.want = true
		if g.state == stopped {
			n.transition("info", "group", k, "stopped", "acquiring", "%s", reason)
		}
	}
}

func (n *Node) give(keys []string, reason string) {
	for _, k := range keys {
		g := n.byKey[k]
		if g == nil || !g.want && !g.held() {
			continue
		}
		g.want = false
		if g.state == running || g.state == starting || g.state == restarting {
			n.transition("info", "group", k, g.state.String(), "releasing", "%s", reason)
		}
	}
}

// reconcile turns wants into operations, releases first.
func (n *Node) reconcile() {
	for _, g := range n.groups {
		if !g.want && g.state == running {
			g.state = stopping
			n.out.Release = append(n.out.Release, g.spec.Key)
		}
	}
	for _, g := range n.groups {
		if !g.want || g.state != stopped || n.now.Before(g.blockedUntil) {
			continue
		}
		if holder := n.liveHolder(g); holder != "" {
			// A live, stable peer runs it: whatever made us want it
			// (its death, a partition) is over. Otherwise wait for it
			// to say it let go.
			if p := n.peers[holder]; p.stable && n.isStable() {
				g.want = false
				n.transition("info", "group", g.spec.Key, "waiting", "stopped", "%s runs it; not taking it", holder)
			}
			continue
		}
		g.state = starting
		n.out.Acquire = append(n.out.Acquire, g.spec.Key)
	}
}

// liveWanter names a live peer that says the guard holds g back there.
func (n *Node) liveWanter(g *group) string {
	for _, p := range n.alivePeers() {
		if p.wants[g.spec.Key] {
			return p.name
		}
	}
	return ""
}

// liveHolder names a live peer that says it holds g, if any.
func (n *Node) liveHolder(g *group) string {
	for _, p := range n.alivePeers() {
		if p.holds[g.spec.Key] {
			return p.name
		}
	}
	return ""
}

// opDone records the end of an operation.
func (n *Node) opDone(e OpDone) {
	g := n.byKey[e.Group]
	if g == nil {
		return
	}
	switch {
	case e.Op == Acquire && g.state == starting && e.Err == nil:
		g.state = running
		delete(g.failed, n.cfg.Self)
		n.transition("info", "group", g.spec.Key, "acquiring", "running", "all resources started")
		n.tookHook(g)
	case e.Op == Restart && g.state == restarting:
		n.restartDone(g, e.Err)
	case e.Op == Acquire && g.state == starting && errors.Is(e.Err, ErrAddressInUse):
		g.state = stopped
		g.blockedUntil = n.now.Add(n.cfg.Deadtime)
		n.transition("warn", "group", g.spec.Key, "acquiring", "waiting", "%v; not taken, probing again in %s", e.Err, n.cfg.Deadtime)
		n.restartHook(g)
	case e.Op == Acquire && g.state == starting:
		g.state = stopped
		g.want = false
		g.tookFor = false
		g.failed[n.cfg.Self] = true
		n.transition("error", "group", g.spec.Key, "acquiring", "failed", "start failed: %v", e.Err)
		n.moveFailedOn(n.cfg.Self, g)
		n.groupFailedHere(g)
		n.restartHook(g)
	case e.Op == Release && g.state == stopping && e.Err == nil:
		g.state = stopped
		n.transition("info", "group", g.spec.Key, "releasing", "stopped", "all resources stopped")
		n.releasedHook(g)
	case e.Op == Release && g.state == stopping:
		g.state = stopFailed
		n.transition("error", "group", g.spec.Key, "releasing", "stop-failed", "stop failed, the group may still run here; an operator must stop it by hand: %v", e.Err)
	}
}

// releasedHook runs after a group was released.
func (n *Node) releasedHook(g *group) {
	g.stuck, g.note = false, "" // why it stayed here is over
	n.restartHook(g)
	n.handOverHook(g)
	if g.replyTo != "" {
		n.send(Msg{Type: MsgIPRequestResp, Dest: g.replyTo, Fields: []KV{{"ipaddr", g.spec.Key}, {"weown", "yes"}, {"ok", "OK"}}})
		g.replyTo = ""
	}
	if n.rs == rsShutdown {
		n.announceShutdown()
	}
	// A stable node says what it holds at the end of the step (Step),
	// not here: a group it still wants may be acquired by reconcile in
	// this same step, and a message that leaves it out invites a peer to
	// adopt it as an orphan.
}

// restartHook takes a group again once it stopped, when a reload changed
// its resources while it ran here, if it falls to this node. In legacy
// mode, which has no orphan adoption, the node it falls to is told to
// go ahead and take it (heartbeat's ip-request-resp), unless a node
// asked for it meanwhile (it gets that answer); with none, this node
// asks for it once it falls to it.
func (n *Node) restartHook(g *group) {
	if !g.restart {
		return
	}
	g.restart = false
	owner := n.owner(g)
	switch {
	case n.rs != rsStable:
	case owner == n.cfg.Self:
		n.take([]string{g.spec.Key}, "its resources changed in the configuration")
	case !n.legacy() || g.replyTo != "":
	case owner != "":
		n.send(Msg{Type: MsgIPRequestResp, Dest: owner, Fields: []KV{{"ipaddr", g.spec.Key}, {"weown", "yes"}, {"ok", "OK"}}})
	default:
		g.ask = true
	}
}
