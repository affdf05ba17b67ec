package cluster

import (
	"errors"
	"strings"
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
)

var groupStateNames = [...]string{"stopped", "starting", "running", "stopping", "stop-failed"}

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
	// ip-request (legacy); zero when no answer is awaited.
	requested time.Time
	// removed: a reload dropped the group; it goes once released.
	removed bool
	// restart: a reload changed its resources; it is released and then
	// taken again.
	restart bool
	gaveUp  bool // logged that it failed everywhere
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
		if g == nil || g.want || g.removed || g.failed[n.cfg.Self] || n.givingAway(g) {
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
		if g.state == running || g.state == starting {
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

// guardedKeys lists the groups this node wants whose acquire the
// split-brain guard holds back until its next probe: what us_want says.
// They are not held (a peer that runs one keeps it), but this node is
// responsible for them, so no peer adopts them as orphans meanwhile and
// races the retry.
func (n *Node) guardedKeys() []string {
	var keys []string
	for _, g := range n.groups {
		if g.want && g.state == stopped && n.now.Before(g.blockedUntil) {
			keys = append(keys, g.spec.Key)
		}
	}
	return keys
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
	case e.Op == Acquire && g.state == starting && errors.Is(e.Err, ErrAddressInUse):
		g.state = stopped
		g.blockedUntil = n.now.Add(n.cfg.Deadtime)
		n.transition("warn", "group", g.spec.Key, "acquiring", "waiting", "%v; not taken, probing again in %s", e.Err, n.cfg.Deadtime)
		n.restartHook(g)
	case e.Op == Acquire && g.state == starting:
		g.state = stopped
		g.want = false
		g.failed[n.cfg.Self] = true
		n.transition("error", "group", g.spec.Key, "acquiring", "failed", "start failed: %v", e.Err)
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
	n.restartHook(g)
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
// its resources while it ran here.
func (n *Node) restartHook(g *group) {
	if !g.restart {
		return
	}
	g.restart = false
	if n.owner(g) == n.cfg.Self && n.rs == rsStable {
		n.take([]string{g.spec.Key}, "its resources changed in the configuration")
	}
}

// heldKeys lists the groups held here (an operation begun and not
// undone), in file order: what us_held says. Wanting a group is not
// holding it: two nodes that both want a group each wait for the other
// otherwise.
func (n *Node) heldKeys() []string {
	var keys []string
	for _, g := range n.groups {
		if g.held() {
			keys = append(keys, g.spec.Key)
		}
	}
	return keys
}

// heldValue is a us_held value: the group keys, or a blank when there
// are none (heartbeat peers reject empty values).
func heldValue(keys []string) string {
	if len(keys) == 0 {
		return " "
	}
	return strings.Join(keys, " ")
}

// bits is our holding as heartbeat's rsc_hold: local / foreign / all / none.
func (n *Node) bits() Set {
	var local, foreign bool
	for _, g := range n.groups {
		if g.claimed() {
			if g.spec.Node == n.cfg.Self {
				local = true
			} else {
				foreign = true
			}
		}
	}
	switch {
	case local && foreign:
		return SetAll
	case local:
		return SetLocal
	case foreign:
		return SetForeign
	}
	return SetNone
}

// sendResource sends our holdings as a full resource message.
func (n *Node) sendResource(stable bool, info string) {
	n.sendResourceMsg(n.resourceMsg(stable, info))
}

// sendResourceMsg sends a resource message and remembers it as what the
// peers last heard from us.
func (n *Node) sendResourceMsg(m Msg) {
	n.told.resource = m.String()
	n.send(m)
}

// resourceMsg is a full resource message with our holdings.
func (n *Node) resourceMsg(stable bool, info string) Msg {
	isstable := "0"
	if stable {
		isstable = "1"
	}
	m := msg(MsgResource, "rsc_hold", string(n.bits()), "rtype", "full", "isstable", isstable)
	if info != "" {
		m.Fields = append(m.Fields, KV{"info", info})
	}
	m.Fields = append(m.Fields, KV{"us_held", heldValue(n.heldKeys())})
	if w := n.guardedKeys(); len(w) > 0 {
		m.Fields = append(m.Fields, KV{"us_want", strings.Join(w, " ")})
	}
	return m
}

// told is what the peers last heard of our holdings.
type told struct {
	// resource is the last resource message sent, to skip repeats.
	resource string
	// due: a standby ended in this step; the peers hear what we hold at
	// its end (heartbeat peers too), not a view that the rest of the step
	// (a takeover, a new handshake) may contradict at once.
	due bool
}

// sendDueResource: a standby ended in this step; the peers hear what we
// hold at its end (heartbeat peers too), not a view that the rest of the
// step may have contradicted.
func (n *Node) sendDueResource() {
	if !n.told.due {
		return
	}
	n.told.due = false
	if n.rs == rsStable {
		n.sendResource(n.isStable(), "")
	}
}

// announceHoldings tells the peers what we hold when it differs from
// what they last heard and we are in a state to say so. At the end of a
// step it also covers a resource message sent earlier in the step that
// predates the acquisitions reconcile just began.
func (n *Node) announceHoldings() {
	// During a handshake only with three or more nodes: a third node must
	// learn what the acquiring side now holds (isstable=0 meanwhile); with
	// two, the partner learns it from the handshake, and heartbeat peers
	// get exactly heartbeat's messages.
	if n.rs != rsStable || n.legacy() || (n.standby.phase != sbNone && len(n.cfg.Nodes) <= 2) {
		return
	}
	if m := n.resourceMsg(n.isStable(), ""); m.String() != n.told.resource {
		n.sendResourceMsg(m)
	}
}
