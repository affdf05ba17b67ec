package cluster

import (
	"fmt"
	"strings"

	"github.com/understudy-ha/understudy/config"
)

// What a node does when a monitor finds the service of a group it runs
// down, and how a group is handed to another node.

// monitorActions acts on the monitors of the groups running here: a
// monitor down with Fall failures in a row since the last action
// restarts the group in place (on_fail = "restart", restarts left), or
// fails it here; a group failed here is handed to a node that can take
// it, as soon as there is one. Nothing happens during a start-up
// negotiation, in maintenance, or to a group already being released.
func (n *Node) monitorActions() {
	if n.rs != rsStable || n.maint.on {
		return
	}
	for _, g := range n.groups {
		if g.state != running || !g.want || g.removed || len(g.mons) == 0 || g.handTo != "" {
			continue
		}
		failure := ""
		if !g.monFailed[n.cfg.Self] {
			trig := g.triggered()
			if len(trig) == 0 || n.restartInPlace(g, trig) {
				continue
			}
			g.monFailed[n.cfg.Self] = true
			failure = describe(trig)
		}
		n.handOverFailed(g, failure)
	}
}

// triggered lists the monitors of g that call for an action: down, with
// Fall failures in a row since the last one.
func (g *group) triggered() []*monitor {
	var out []*monitor
	for _, m := range g.mons {
		if g.runsHere(m) && m.state == healthDown && m.fails >= max(m.spec.Fall, 1) {
			out = append(out, m)
		}
	}
	return out
}

func describe(ms []*monitor) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, fmt.Sprintf("monitor %s down (%d failures in a row: %s)", m.spec.Name, m.fails, m.reason))
	}
	return strings.Join(parts, "; ")
}

// restartInPlace restarts g when every monitor that calls for an action
// says on_fail = "restart" and has restarts left. A restart that
// succeeds resets nothing but the counts of failures in a row: the next
// action needs Fall new failures, and a monitor gets its restarts back
// only when it is up again.
func (n *Node) restartInPlace(g *group, trig []*monitor) bool {
	for _, m := range trig {
		if m.spec.OnFail != config.OnFailRestart || m.restarts >= m.spec.Restarts {
			return false
		}
	}
	desc := describe(trig)
	var counts []string
	for _, m := range trig {
		m.restarts++
		counts = append(counts, fmt.Sprintf("%d of %d", m.restarts, m.spec.Restarts))
	}
	for _, m := range g.mons {
		m.fails, m.oks = 0, 0
	}
	g.state = restarting
	n.out.Restart = append(n.out.Restart, g.spec.Key)
	n.transition("warn", "group", g.spec.Key, "running", "restarting", "%s: restart in place %s", desc, strings.Join(counts, ", "))
	return true
}

// restartDone ends a restart in place. One that failed fails the group
// here, as a monitor would.
func (n *Node) restartDone(g *group, err error) {
	g.state = running
	if err == nil {
		n.transition("info", "group", g.spec.Key, "restarting", "running", "restarted in place")
		return
	}
	g.monFailed[n.cfg.Self] = true
	n.transition("error", "group", g.spec.Key, "restarting", "failed", "failed here: the restart in place failed: %v", err)
}

// handOverFailed hands a group that failed here to the first node that
// can take it (moveTarget). With none, the group stays here, where it
// may still serve some clients: better than nowhere. That is said once,
// in one ERROR line with the failure (when it is new), and status shows
// why; the group moves as soon as a node can take it. failure describes
// the failure when it happened in this step.
func (n *Node) handOverFailed(g *group, failure string) {
	target, why := "", "a standby handshake is under way"
	if n.standby.phase == sbNone {
		target, why = n.moveTarget(g, n.cfg.Self)
	}
	switch {
	case target != "":
		if failure != "" {
			n.transition("error", "group", g.spec.Key, "running", "failed", "failed here: %s; handing it to %s", failure, target)
		}
		g.stuck, g.note = false, ""
		n.handOver(g, target, "monitor", "its monitor failed here")
	case n.standby.phase != sbNone:
		// A handshake moves groups now; see again when it is over.
		if failure != "" {
			n.transition("error", "group", g.spec.Key, "running", "failed", "failed here: %s; handed over once the standby handshake is over", failure)
		}
	case !g.stuck:
		g.stuck = true
		g.note = "failed here, and no other node can take it (" + why + ")"
		lead := "it failed here"
		if failure != "" {
			lead = "failed here: " + failure
		}
		n.transition("error", "group", g.spec.Key, "running", "failed", "%s; no other node can take it (%s): it stays on %s, where it may still serve some clients", lead, why, n.cfg.Self)
	}
}

// moveTarget is the first node, its preferred node first and then in
// ha.cf order, other than from, to which g may move (cannotMove) and
// which has finished starting up (stable, holdings known; in legacy
// mode, which has neither, alive is enough); or "" and why each one may
// not.
func (n *Node) moveTarget(g *group, from string) (string, string) {
	var whys []string
	seen := map[string]bool{from: true}
	for _, name := range append([]string{g.spec.Node}, n.cfg.Nodes...) {
		if seen[name] || !n.isNode(name) {
			continue
		}
		seen[name] = true
		why := n.cannotMove(name, g)
		if why == "" && name != n.cfg.Self && !n.legacy() && !(n.peers[name].stable && n.peers[name].known) {
			why = "it is still starting up"
		}
		if why == "" {
			return name, ""
		}
		whys = append(whys, name+": "+why)
	}
	if len(whys) == 0 {
		return "", "there is no other node"
	}
	return "", strings.Join(whys, "; ")
}

func (n *Node) isNode(name string) bool { return n.nodeIndex(name) >= 0 }

// cannotMove says why g, running on some node, may not move to node:
// node is unfit for it (see unfit), or g has a monitor that runs
// everywhere and its service is not known to be up on node. A group
// that runs moves only to a node whose copy is known good; a heartbeat
// node announces no health, so such a group never moves to one but by
// its own protocol (its holder dies, or an operator's standby).
func (n *Node) cannotMove(node string, g *group) string {
	if why := n.unfit(node, g); why != "" {
		return why
	}
	if g.everywhere() && n.healthOn(node, g) != healthUp {
		if p, ok := n.peers[node]; ok && !p.understudy {
			return "it runs heartbeat, which does not report the health of the service"
		}
		return "its service is not known to be up there"
	}
	return ""
}

// handOver begins to hand g, running here, to target. An Understudy
// node (and any node in auto_failback legacy) gets it once it is
// released here, by a message; a heartbeat node cannot take one group
// by message, so this node goes standby toward it for the set g belongs
// to (local or foreign), and heartbeat takes the whole set: every group
// of that set held here moves with it.
func (n *Node) handOver(g *group, target, why, reason string) {
	if p := n.peers[target]; n.legacy() || p.understudy {
		g.handTo, g.handWhy = target, why
		n.give([]string{g.spec.Key}, reason+": handing it to "+target)
		return
	}
	set := n.setOf(g)
	n.startStandby(target, set, true, fmt.Sprintf("%s: %s runs heartbeat, which takes whole sets", reason, target))
}

// setOf is the heartbeat set g belongs to, as this node names it.
func (n *Node) setOf(g *group) Set {
	if g.spec.Node == n.cfg.Self {
		return SetLocal
	}
	return SetForeign
}

// handOverHook: a group handed to another node is released; tell it.
func (n *Node) handOverHook(g *group) {
	to, why := g.handTo, g.handWhy
	g.handTo, g.handWhy = "", ""
	if to == "" || g.want || n.rs != rsStable {
		return
	}
	if n.legacy() {
		// heartbeat's own "go ahead and take it" (§5.4), which an
		// Understudy node in legacy mode follows too.
		n.send(Msg{Type: MsgIPRequestResp, Dest: to, Fields: []KV{{"ipaddr", g.spec.Key}, {"weown", "yes"}, {"ok", "OK"}}})
	} else {
		n.send(msg(MsgHandOver, "group", g.spec.Key, "to", to, "why", why, "step", "give"))
	}
	// Nobody adopts it meanwhile, this node included.
	n.gaveAway[g.spec.Key] = gave{to: to, until: n.now.Add(2 * n.cfg.Deadtime)}
	n.handedOver(g, to)
}

// recvHandOver: a peer handed a group over (step give), a node that was
// handed one by a move runs it (took), or the holder refused the move
// this node asked for (refused).
func (n *Node) recvHandOver(p *peer, m Msg) {
	g := n.byKey[m.Get("group")]
	if g == nil {
		return
	}
	to := m.Get("to")
	switch m.Get("step") {
	case "give":
		delete(p.holds, g.spec.Key)
		if m.Get("why") == "monitor" {
			g.monFailed[p.name] = true
		}
		n.handedOver(g, to)
		if to != n.cfg.Self {
			n.gaveAway[g.spec.Key] = gave{to: to, until: n.now.Add(2 * n.cfg.Deadtime)}
			return
		}
		why := n.unfit(n.cfg.Self, g)
		if why == "" && n.rs != rsStable {
			why = "this node is not stable"
		}
		if why != "" {
			n.transition("warn", "group", g.spec.Key, "stopped", "stopped", "%s handed it over, but it cannot run here (%s): it goes where it falls", p.name, why)
			return
		}
		n.take([]string{g.spec.Key}, p.name+" handed it over ("+m.Get("why")+")")
		g.tookFor = m.Get("why") == "move"
	case "took":
		n.moveTook(g, to)
	case "refused":
		n.moveRefused(g, p, m.Get("reason"))
	}
}

// tookHook: a group a move handed to this node runs: say so, for the
// operator who asked.
func (n *Node) tookHook(g *group) {
	if g.tookFor {
		g.tookFor = false
		n.send(msg(MsgHandOver, "group", g.spec.Key, "to", n.cfg.Self, "step", "took"))
		n.moveTook(g, n.cfg.Self)
	}
}
