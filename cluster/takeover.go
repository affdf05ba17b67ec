package cluster

import (
	"slices"
	"strings"
)

// owner is the node that should take group g when it runs nowhere (its
// holder is gone, or handed it over): its preferred node if fit for it,
// else the first node in ha.cf order that is (see unfit). Every node
// computes the same answer from the same view of who is alive and of
// what each node announced.
func (n *Node) owner(g *group) string {
	if n.unfit(g.spec.Node, g) == "" {
		return g.spec.Node
	}
	for _, name := range n.cfg.Nodes {
		if n.unfit(name, g) == "" {
			return name
		}
	}
	return ""
}

// fallsHere reports whether g, which runs nowhere as far as this node
// knows, is this node's to take: it is its owner, and g would not fall
// to a live peer but for its monitors (its service is down there, a
// monitor failed there) while that peer has not said what it holds
// since it finished starting: that peer may run it (it took it, say,
// while its own start-up negotiation went on, and its service failed
// since), and this node would then start it a second time. Orphan
// adoption places such a group once every peer has said what it holds.
// (legacy has no such word: there, the owner it is.)
func (n *Node) fallsHere(g *group) bool {
	if n.owner(g) != n.cfg.Self {
		return false
	}
	if n.legacy() {
		return true
	}
	for _, name := range append([]string{g.spec.Node}, n.cfg.Nodes...) {
		if n.isAlive(name) && !g.failed[name] {
			p := n.peers[name]
			return name == n.cfg.Self || p == nil || p.stable && p.known
		}
	}
	return true
}

// unfit says why node may not take g when g runs nowhere: the node is
// dead, g failed to start there, a monitor of g failed there, or g's
// service is down there (its announced health); "" when it may. A node
// whose health for g is unknown may: better somewhere than nowhere.
func (n *Node) unfit(node string, g *group) string {
	switch {
	case !n.isAlive(node):
		return "it is not alive"
	case g.failed[node]:
		return "it failed to start there"
	case g.monFailed[node]:
		return "its monitor failed there"
	case n.healthOn(node, g) == healthDown:
		return "its service is down there"
	}
	return ""
}

// takeOverFrom takes the groups a dead or departed peer held or would
// hold, and our own groups nobody holds (heartbeat-spec §5.5, §5.6).
func (n *Node) takeOverFrom(p *peer, reason string) {
	if n.rs == rsShutdown || !n.commUp {
		return // becomeStable or commUp will place everything
	}
	var keys []string
	for _, g := range n.groups {
		if p.holds[g.spec.Key] {
			clear(g.failed) // the holder is gone: everyone may try again
			g.gaveUp = false
		}
		if p.holds[g.spec.Key] || !g.held() && n.liveHolder(g) == "" {
			// So may every node where its monitor failed, when it ran
			// there, or the holder left it nowhere (a shutdown releases
			// first).
			clear(g.monFailed)
			g.stuck, g.note = false, ""
		}
		// A group we just handed to a live partner is the partner's to
		// place, even when the dead peer held it meanwhile: the partner
		// may be taking it this instant. If it does not, adoptOrphans
		// places it once the hand-over is old.
		if g.want || n.liveHolder(g) != "" || n.givingAway(g) || n.gaveAwayRecently(g) {
			continue
		}
		mine := g.spec.Node == p.name || g.spec.Node == n.cfg.Self || p.holds[g.spec.Key] || !n.isAlive(g.spec.Node)
		switch {
		case mine && n.fallsHere(g):
			keys = append(keys, g.spec.Key)
			if g.spec.Node != n.cfg.Self {
				p.failback = true
			}
		case mine && n.legacy() && len(g.mons) > 0 && n.unfit(n.cfg.Self, g) != "":
			// Its service is down here: legacy has no orphan adoption, so
			// ask for it once it falls to this node (legacyRetry).
			g.ask = true
		}
	}
	clear(p.holds)
	clear(p.wants)
	switch {
	case len(keys) > 0 && n.maint.on:
		n.transition("warn", "cluster", p.name, "", "", "maintenance: not taking over %s from %s (%s); they run nowhere until maintenance is off", strings.Join(keys, " "), p.name, reason)
	case len(keys) > 0:
		n.transition("info", "cluster", p.name, "", "", "resources being acquired from %s: %s", p.name, reason)
		n.take(keys, reason)
	}
}

// adoptOrphans takes the groups nobody holds that fall to this node, once
// every live peer is stable and has said what it holds. Orphans appear
// when a standby or failback in a cluster of three or more nodes hands a
// group back to a node that was not part of the handshake.
func (n *Node) adoptOrphans() {
	if n.rs != rsStable || n.standby.phase != sbNone || n.legacy() || n.maint.on {
		return
	}
	for _, p := range n.alivePeers() {
		if !p.stable || !p.known {
			return
		}
	}
	var keys []string
	for _, g := range n.groups {
		if n.givingAway(g) || n.gaveAwayRecently(g) {
			continue // we just went standby for it: the peer places it
		}
		if !g.claimed() && !g.failed[n.cfg.Self] && n.liveHolder(g) == "" && n.liveWanter(g) == "" && n.owner(g) == n.cfg.Self {
			keys = append(keys, g.spec.Key)
			if p, ok := n.peers[g.spec.Node]; ok && !p.alive {
				p.failback = true // as if taken at its death (after maintenance, say)
			}
		}
	}
	if len(keys) > 0 {
		n.take(keys, "nobody holds it and it falls to this node")
	}
}

// groupFailedHere hands a group whose start failed to a peer that has not
// failed it, or gives up on it once every live node failed it.
func (n *Node) groupFailedHere(g *group) {
	n.send(msg(MsgGroupFailed, "group", g.spec.Key))
	n.failedElsewhere(g)
}

func (n *Node) recvGroupFailed(p *peer, m Msg) {
	g := n.byKey[m.Get("group")]
	if g == nil {
		return
	}
	g.failed[p.name] = true
	delete(p.holds, g.spec.Key)
	n.moveFailedOn(p.name, g)
	if !g.failed[n.cfg.Self] && !g.want && n.fallsHere(g) && n.rs == rsStable && !n.maint.on {
		n.take([]string{g.spec.Key}, "it failed to start on "+p.name)
		return
	}
	n.failedElsewhere(g)
}

// failedElsewhere logs, once, that a group failed on every live node.
func (n *Node) failedElsewhere(g *group) {
	if n.owner(g) != "" || g.gaveUp {
		return
	}
	g.gaveUp = true
	n.transition("error", "group", g.spec.Key, "failed", "failed", "start failed on every live node; it stays stopped until an operator acts")
}

// resolveConflicts applies the rule for a group held on two live nodes
// (after a partition heals): its preferred node keeps it if it holds it,
// else the first holder in ha.cf order; the others release it.
func (n *Node) resolveConflicts() {
	if !n.isStable() {
		return
	}
	for _, g := range n.groups {
		if !g.held() || !g.want {
			continue
		}
		holders := []string{n.cfg.Self}
		for _, p := range n.alivePeers() {
			if p.known && p.holds[g.spec.Key] {
				holders = append(holders, p.name)
			}
		}
		if len(holders) < 2 {
			continue
		}
		if keeper := n.keeper(g, holders); keeper != n.cfg.Self {
			n.transition("warn", "group", g.spec.Key, g.state.String(), "releasing", "also held by %s (a partition healed): %s keeps it", strings.Join(holders[1:], ", "), keeper)
			g.want = false
		}
	}
}

// givingAway reports a group this node is handing to a peer in a standby
// handshake right now: it must not take it back meanwhile.
func (n *Node) givingAway(g *group) bool {
	switch n.standby.phase {
	case sbMe, sbReleasing, sbWaitDone:
		return slices.Contains(n.standby.giving, g.spec.Key)
	}
	return false
}

// gaveAwayRecently reports a group of a standby this node finished
// moments ago (held or not): the partner places it, so it is not adopted
// back as an orphan while the partner lives.
func (n *Node) gaveAwayRecently(g *group) bool {
	ga := n.gaveAway[g.spec.Key]
	return n.now.Before(ga.until) && n.isAlive(ga.to)
}

// overlaps reports whether p claims a group we claim.
func (n *Node) overlaps(p *peer) bool {
	for _, g := range n.groups {
		if g.claimed() && p.holds[g.spec.Key] {
			return true
		}
	}
	return false
}

func (n *Node) keeper(g *group, holders []string) string {
	best := ""
	for _, h := range holders {
		if h == g.spec.Node {
			return h
		}
		if best == "" || n.nodeIndex(h) < n.nodeIndex(best) {
			best = h
		}
	}
	return best
}
