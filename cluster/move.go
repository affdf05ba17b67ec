package cluster

import (
	"fmt"
	"slices"
)

// An operator's move of one group to a named node, or to the best other
// node (CmdMove).
//
// The node holding the group releases it, then hands it to the target
// by a message (MsgHandOver), which takes it; the target says when it
// runs it. A move asked on another node is sent to the holder
// (MsgMove), which carries it out or says why not. heartbeat 3.0.6
// knows none of these messages: toward a heartbeat node a move is made
// with heartbeat's standby handshake when that moves this one group
// only, and refused otherwise.

// adminMove plans and begins a move, and answers it.
func (n *Node) adminMove(e Admin) {
	g := n.byKey[e.Group]
	target, holder, why := n.planMove(e, g)
	switch {
	case why != "":
		n.transition("warn", "move", e.Group, "", "", "move refused: %s", why)
		n.answer(e.ID, Refused, "%s", why)
		return
	case target == holder:
		n.answer(e.ID, Done, "nothing to do: %s already runs on %s", e.Group, target)
		return
	}
	tp, hp := n.peers[target], n.peers[holder]
	switch {
	case holder == n.cfg.Self && !tp.understudy:
		// heartbeat's handshake moves the set: planMove checked that
		// this group is all of it held here.
		e.Cmd, e.Set = CmdStandby, n.setOf(g)
		n.transition("info", "move", e.Group, "", "", "moving %s to %s, which runs heartbeat: standby [%s]", e.Group, target, e.Set)
		n.adminStandbyTo(e, target)
	case holder == n.cfg.Self:
		n.transition("info", "move", e.Group, "", "", "moving %s to %s: operator request", e.Group, target)
		n.handOver(g, target, "move", "operator request: move to "+target)
		n.followMove(e, target, holder)
		n.answer(e.ID, Accepted, "releasing %s here; %s takes it then", e.Group, target)
	case !hp.understudy:
		// target is this node; planMove checked the set.
		e.Cmd, e.Set = CmdTakeover, heartbeatTakeover(n.heartbeatSet(g, holder))
		n.transition("info", "move", e.Group, "", "", "moving %s here from %s, which runs heartbeat: takeover [%s]", e.Group, holder, e.Set)
		n.adminTakeover(e)
	default:
		n.transition("info", "move", e.Group, "", "", "asking %s, which runs %s, to hand it to %s: operator request", holder, e.Group, target)
		n.send(Msg{Type: MsgMove, Dest: holder, Fields: []KV{{"group", e.Group}, {"to", target}}})
		n.followMove(e, target, holder)
		n.answer(e.ID, Accepted, "asked %s, which runs %s, to hand it to %s", holder, e.Group, target)
	}
}

// planMove finds who holds g and where it goes, or why it cannot move.
func (n *Node) planMove(e Admin, g *group) (target, holder, why string) {
	switch {
	case g == nil:
		return "", "", fmt.Sprintf("no group %q", e.Group)
	case n.maint.on:
		return "", "", "the cluster is in maintenance: turn it off first"
	case n.legacy():
		return "", "", "auto_failback legacy does not support move"
	case n.rs != rsStable || n.standby.phase != sbNone:
		return "", "", "resources are in flux on this node (start-up or a standby handshake): try again when they settle"
	case g.held() && (g.state != running || !g.want || g.handTo != ""):
		return "", "", fmt.Sprintf("%s is %s here: try again when it settles", e.Group, g.state)
	}
	holder = n.cfg.Self
	if !g.held() {
		if holder = n.liveHolder(g); holder == "" {
			return "", "", fmt.Sprintf("%s runs on no node", e.Group)
		}
	}
	target = e.Node
	switch {
	case target == "":
		var whys string
		if target, whys = n.moveTarget(g, holder); target == "" {
			return "", "", fmt.Sprintf("no other node can take %s (%s)", e.Group, whys)
		}
	case !n.isNode(target):
		return "", "", fmt.Sprintf("no node %q in the cluster", target)
	case target == holder:
		return target, holder, ""
	default:
		w := n.cannotMove(target, g)
		if p := n.peers[target]; w == "" && p != nil && !(p.stable && p.known) {
			w = "it is still starting up"
		}
		if w != "" {
			return "", "", fmt.Sprintf("%s cannot take %s: %s", target, e.Group, w)
		}
	}
	return target, holder, n.heartbeatMove(g, target, holder)
}

// heartbeatMove says why a move toward or from a heartbeat node cannot
// be made with heartbeat's handshake: it moves a whole set (local or
// foreign), so the holder must hold no other group of g's set, and a
// heartbeat holder is asked by the node that takes the group.
func (n *Node) heartbeatMove(g *group, target, holder string) string {
	tp, hp := n.peers[target], n.peers[holder]
	switch {
	case holder == n.cfg.Self && tp != nil && !tp.understudy:
		others := n.otherHeld(g, n.groupsIn(n.cfg.Self, n.setOf(g)), func(k string) bool { return n.byKey[k].held() })
		if len(others) > 0 {
			return fmt.Sprintf("%s runs heartbeat, whose handshake moves whole sets: [%s] here also holds %v (standby %s moves them all)", target, n.setOf(g), others, n.setOf(g))
		}
	case hp != nil && !hp.understudy && target != n.cfg.Self:
		return fmt.Sprintf("%s, which runs %s, runs heartbeat: ask for the move on %s, with a takeover", holder, g.spec.Key, target)
	case hp != nil && !hp.understudy:
		set := n.heartbeatSet(g, holder)
		others := n.otherHeld(g, n.groupsIn(holder, set), func(k string) bool { return hp.holds[k] })
		if len(others) > 0 {
			return fmt.Sprintf("%s runs heartbeat, whose handshake moves whole sets: its [%s] also holds %v (takeover moves them all)", holder, set, others)
		}
	case hp != nil && tp != nil && !tp.understudy:
		return fmt.Sprintf("%s runs heartbeat: ask for the move on %s, which runs %s", target, holder, g.spec.Key)
	}
	return ""
}

func (n *Node) otherHeld(g *group, keys []string, held func(string) bool) []string {
	return slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == g.spec.Key || !held(k) })
}

// heartbeatSet is the set g belongs to as node names it.
func (n *Node) heartbeatSet(g *group, node string) Set {
	if g.spec.Node == node {
		return SetLocal
	}
	return SetForeign
}

// heartbeatTakeover is the hb_takeover set that makes the peer go
// standby for set (the inverse of takeoverSets).
func heartbeatTakeover(set Set) Set {
	if set == SetLocal {
		return SetForeign
	}
	return SetLocal
}

// followMove keeps a move to answer it when the target runs the group
// (at most an hour later, as a standby handshake).
func (n *Node) followMove(e Admin, target, holder string) {
	if n.follow(e, reqMoving) {
		r := &n.op.req
		r.group, r.target, r.holder = e.Group, target, holder
		r.wait = standbyDoneTimeout
		r.until = n.now.Add(r.wait)
	}
}

// recvMove: an operator on p asks this node, which holds the group, to
// hand it to a node.
func (n *Node) recvMove(p *peer, m Msg) {
	key, to := m.Get("group"), m.Get("to")
	g := n.byKey[key]
	var why string
	switch {
	case g == nil:
		why = fmt.Sprintf("%s has no group %q", n.cfg.Self, key)
	case n.maint.on:
		why = "the cluster is in maintenance"
	case n.rs != rsStable || n.standby.phase != sbNone:
		why = "resources are in flux on " + n.cfg.Self
	case g.state != running || !g.want || g.handTo != "":
		why = fmt.Sprintf("%s is %s on %s", key, g.state, n.cfg.Self)
	case !n.isNode(to) || to == n.cfg.Self:
		why = fmt.Sprintf("%q is no other node", to)
	case to != p.name && (n.peers[to] == nil || !n.peers[to].understudy):
		why = fmt.Sprintf("%s runs heartbeat: ask for the move on %s", to, n.cfg.Self)
	default:
		if w := n.cannotMove(to, g); w != "" {
			why = fmt.Sprintf("%s cannot take %s: %s", to, key, w)
		}
	}
	if why != "" {
		n.transition("warn", "move", key, "", "", "move asked by %s refused: %s", p.name, why)
		n.send(Msg{Type: MsgHandOver, Dest: p.name, Fields: []KV{{"group", key}, {"to", to}, {"step", "refused"}, {"reason", why}}})
		return
	}
	n.transition("info", "move", key, "", "", "moving %s to %s: operator request on %s", key, to, p.name)
	n.handOver(g, to, "move", "operator request on "+p.name+": move to "+to)
}

// moveProgress fails a move that can no longer complete.
func (n *Node) moveProgress() {
	r := n.op.req
	if r.stage != reqMoving {
		return
	}
	g := n.byKey[r.group]
	switch {
	case g == nil:
		n.finish(Failed, "%s was removed from the configuration", r.group)
	case !n.now.Before(r.until):
		n.finish(Failed, "%s did not start on %s within %s", r.group, r.target, r.wait)
	case !n.isAlive(r.target):
		n.finish(Failed, "%s died before it ran %s", r.target, r.group)
	case r.handed:
	case r.holder != n.cfg.Self && !n.isAlive(r.holder):
		n.finish(Failed, "%s died before it handed %s over", r.holder, r.group)
	case r.holder == n.cfg.Self && g.state == stopFailed:
		n.finish(Failed, "%s failed to stop here", r.group)
	case r.holder == n.cfg.Self && g.handTo == "":
		n.finish(Failed, "%s was not handed over: this node took it back (%s)", r.group, g.state)
	}
}

// handedOver: the holder released g for node to.
func (n *Node) handedOver(g *group, to string) {
	if r := &n.op.req; r.stage == reqMoving && r.group == g.spec.Key && r.target == to {
		r.handed = true
	}
}

// moveTook: node to runs g, which a move handed it.
func (n *Node) moveTook(g *group, to string) {
	if r := n.op.req; r.stage == reqMoving && r.group == g.spec.Key && r.target == to {
		n.finish(Done, "%s runs %s", to, g.spec.Key)
	}
}

// moveRefused: the holder p will not move g.
func (n *Node) moveRefused(g *group, p *peer, reason string) {
	if r := n.op.req; r.stage == reqMoving && r.group == g.spec.Key && r.holder == p.name {
		n.finish(Failed, "%s refused: %s", p.name, reason)
	}
}

// moveFailedOn: g failed to start on node.
func (n *Node) moveFailedOn(node string, g *group) {
	if r := n.op.req; r.stage == reqMoving && r.group == g.spec.Key && r.target == node {
		n.finish(Failed, "%s failed to start on %s", g.spec.Key, node)
	}
}
