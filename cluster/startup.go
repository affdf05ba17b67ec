package cluster

import "maps"

// checkCommUp: communication is up once every peer has been heard from or
// declared dead (heartbeat-spec §4.9). Then the node goes active and
// starts placing groups.
func (n *Node) checkCommUp() {
	if n.commUp || n.rs == rsShutdown {
		return
	}
	for _, p := range n.peers {
		if !p.heard && p.st != statusDead {
			return
		}
	}
	n.commUp = true
	n.setStatus(statusActive, "communication is up: every node heard from or declared dead")
	if n.legacy() {
		n.rs = rsStable
		n.legacyStart()
		return
	}
	if len(n.alivePeers()) == 0 {
		n.becomeStable("no other node is alive")
		return
	}
	n.rs = rsStarting
	// heartbeat waits for an answer to starting forever; if none comes
	// (the peer died or was cut meanwhile), Understudy places its groups
	// after twice the request delay.
	n.rsTimer = n.now.Add(2 * min(rqstDelay, 2*n.cfg.Deadtime))
	n.send(msg(MsgStarting))
}

// negotiationTimeout ends a start-up negotiation that waited long enough.
func (n *Node) negotiationTimeout() {
	switch {
	case n.rs == rsRscRcvd && !n.now.Before(n.rsTimer):
		n.becomeStable("local resource transition completed: the peer stayed unstable for the request delay")
	case (n.rs == rsStarting || n.rs == rsBothStarting) && !n.now.Before(n.rsTimer):
		n.becomeStable("no answer to starting within twice the request delay")
	}
}

// recvStarting answers a peer's starting with our holdings (§5.3 step 2).
func (n *Node) recvStarting(p *peer) {
	if n.legacy() {
		return
	}
	p.stable = false
	switch n.rs {
	case rsInit:
		return // we answer with our own starting once communication is up
	case rsStarting:
		n.rs = rsBothStarting
	}
	n.sendResource(n.isStable(), "")
}

// recvResource updates our view of a peer's holdings (§5.3 steps 3-4).
func (n *Node) recvResource(p *peer, m Msg) {
	before := maps.Clone(p.holds)
	wasStable := p.stable
	n.recordHoldings(p, m)
	if s := n.standby; (s.phase == sbReleasing || s.phase == sbWaitDone) && s.peer == p.name && p.stable && m.Get("us_held") != "" {
		// An Understudy partner said "other" and stays unstable until it
		// has said "done"; stable now, it left the handshake (it declared
		// us dead during a partition, say) and no "done" will come.
		// (heartbeat says isstable=1 just before "done": not for it.)
		n.cancelStandby(p.name + " is stable again without finishing the handshake")
	}
	switch n.rs {
	case rsStarting, rsBothStarting:
		n.rs = rsRscRcvd
		n.rsTimer = n.now.Add(min(rqstDelay, 2*n.cfg.Deadtime))
	}
	if p.stable && !wasStable {
		n.transition("info", "node", p.name, "unstable", "stable", "remote resource transition completed")
		if n.rs == rsStable {
			n.sendResource(n.isStable(), "")
		}
	} else if n.rs == rsStable && n.standby.phase == sbNone && !maps.Equal(before, p.holds) && n.overlaps(p) {
		// It claims something we hold: make sure it knows what we hold,
		// so that both sides apply the same rule.
		n.sendResource(true, "")
	}
	if p.stable {
		// With three or more nodes, one stable peer is not enough: another
		// may still hold our groups (it is shutting down, say) and not
		// have said so yet.
		n.negotiationOver("the peer " + p.name + " is stable")
	}
	n.resolveConflicts()
}

// recordHoldings takes a peer's holdings from its resource message: the
// exact list of an Understudy peer, or heartbeat's rsc_hold bits.
func (n *Node) recordHoldings(p *peer, m Msg) {
	if held := m.Get("us_held"); held != "" {
		p.holds = parseHeld(held)
		p.wants = parseHeld(m.Get("us_want"))
		p.understudy = true
	} else if set, ok := ParseSet(m.Get("rsc_hold")); ok {
		bits := n.holdsFromBits(p.name, set)
		if m.Get("rtype") != "full" && set != SetNone {
			for k := range p.holds {
				bits[k] = true
			}
		}
		p.holds = bits
	}
	p.known = true
	p.holdsAt = n.now
	switch m.Get("isstable") {
	case "1":
		p.stable = true
	case "0":
		p.stable = false
	}
}

// negotiationOver ends a start-up negotiation once every live peer is
// stable (a dead peer counts as stable, as in heartbeat).
func (n *Node) negotiationOver(reason string) {
	switch n.rs {
	case rsStarting, rsBothStarting, rsRscRcvd:
	default:
		return
	}
	for _, p := range n.alivePeers() {
		if !p.stable {
			return
		}
	}
	n.becomeStable(reason)
}

// becomeStable ends the start-up negotiation: take our own groups unless
// a live peer holds them, or means to and waits for its split-brain
// guard (us_want), and the groups of nodes that are dead.
func (n *Node) becomeStable(reason string) {
	n.rs = rsStable
	n.transition("info", "node", n.cfg.Self, "negotiating", "stable", "%s", reason)
	var keys []string
	for _, g := range n.groups {
		if n.liveHolder(g) != "" || n.liveWanter(g) != "" || !n.fallsHere(g) || n.maint.on {
			continue
		}
		keys = append(keys, g.spec.Key)
		if p, ok := n.peers[g.spec.Node]; ok && !p.alive {
			p.failback = true
		}
	}
	n.take(keys, "initial resource acquisition")
	if n.legacy() {
		n.sendResource(true, "")
	}
	// Otherwise Step's announceHoldings says it, once reconcile has begun
	// the acquisitions: a message sent now would list none of them.
}
