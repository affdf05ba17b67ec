package cluster

// recv handles a verified message from a link.
func (n *Node) recv(e Recv) {
	m := e.Msg
	p, ok := n.peers[m.Src]
	if !ok {
		return // from ourselves (looped back) or a node not in ha.cf
	}
	if p.left && m.Gen == p.gen {
		return // a straggler sent before its shutdone
	}
	if p.left && m.Gen > p.gen {
		p.left = false
	}
	n.recvLink(p, e.Link)
	if e.Dup || (m.Dest != "" && m.Dest != n.cfg.Self) {
		return
	}
	if m.Type == MsgStatus {
		n.recvStatus(p, m)
		return
	}
	if !p.alive && m.Type == MsgResource {
		// Its status is on the way; what it holds matters already.
		n.recordHoldings(p, m)
		return
	}
	if n.rs == rsShutdown && m.Type == MsgStarting && p.alive {
		// A node that (re)starts must learn what we still hold, or it
		// takes a group we are still stopping.
		n.announceShutdown()
		return
	}
	if !p.alive || n.rs == rsShutdown && m.Type != MsgShutdone {
		return
	}
	switch m.Type {
	case MsgStarting:
		n.recvStarting(p)
	case MsgResource:
		n.recvResource(p, m)
	case MsgAskResources:
		n.recvAskResources(p, m)
	case MsgTakeover:
		n.recvTakeover(p, m)
	case MsgShutdone:
		n.recvShutdone(p)
	case MsgIPRequest:
		n.recvIPRequest(p, m)
	case MsgIPRequestResp:
		n.recvIPRequestResp(p, m)
	case MsgGroupFailed:
		n.recvGroupFailed(p, m)
	case MsgHandOver:
		n.recvHandOver(p, m)
	case MsgMove:
		n.recvMove(p, m)
	case MsgClear:
		n.recvClear(p, m)
	case MsgStandbyCancel:
		n.recvStandbyCancel(p)
	case MsgReqnodes:
		n.recvReqnodes(p)
	}
}

// recvReqnodes answers heartbeat's node-list request (heartbeat-spec
// §4.7) with every node, in ha.cf order, each followed by a blank. A
// heartbeat node that took us for a flow-control peer asks this once
// communication is up and does not go active until it is answered.
func (n *Node) recvReqnodes(p *peer) {
	list := ""
	for _, name := range n.cfg.Nodes {
		list += name + " "
	}
	n.send(Msg{Type: MsgRepnodes, Dest: p.name, Fields: []KV{{"nodelist", list}, {"delnodelist", " "}}})
}

// recvShutdone: the peer released everything and leaves (§5.6). Its
// groups are taken at once, without waiting for its dead time.
func (n *Node) recvShutdone(p *peer) {
	was := p.st
	p.alive, p.st, p.stable, p.left, p.deadAt = false, statusDead, true, true, n.now
	clear(p.holds)
	clear(p.wants)
	clear(p.health)
	p.known = true
	n.transition("info", "node", p.name, string(was), string(statusDead), "received shutdown notice from %s", p.name)
	n.cancelStandbyWith(p.name, "node "+p.name+" shut down")
	n.takeOverFrom(p, "node "+p.name+" shut down")
	n.negotiationOver("node " + p.name + " shut down during the start-up negotiation")
}
