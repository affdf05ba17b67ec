package cluster

// auto_failback legacy: the ip-request protocol (heartbeat-spec §5.4).

// legacyStart asks for each own group, or takes it when alone.
func (n *Node) legacyStart() {
	alone := len(n.alivePeers()) == 0
	for _, g := range n.groups {
		if g.spec.Node != n.cfg.Self {
			if n.owner(g) == n.cfg.Self && alone {
				n.take([]string{g.spec.Key}, "legacy start-up: its node is not alive")
			}
			continue
		}
		if alone {
			n.take([]string{g.spec.Key}, "legacy start-up: no other node is alive")
			continue
		}
		n.send(msg("ip-request", "ipaddr", g.spec.Key))
	}
}

// recvIPRequest: a peer asks for its group; release it if we hold it,
// then answer.
func (n *Node) recvIPRequest(p *peer, m Msg) {
	g := n.byKey[m.Get("ipaddr")]
	if g == nil {
		return
	}
	if g.held() {
		g.replyTo = p.name
		n.give([]string{g.spec.Key}, p.name+" asked for it (ip-request)")
		if g.state == stopped {
			n.releasedHook(g)
		}
		return
	}
	n.send(Msg{Type: "ip-request-resp", Dest: p.name, Fields: []KV{{"ipaddr", g.spec.Key}, {"weown", "no"}, {"ok", "OK"}}})
}

// recvIPRequestResp: go ahead and take the group.
func (n *Node) recvIPRequestResp(p *peer, m Msg) {
	g := n.byKey[m.Get("ipaddr")]
	if g == nil || m.Get("ok") != "OK" {
		return
	}
	delete(p.holds, g.spec.Key)
	n.take([]string{g.spec.Key}, "ip-request answered by "+p.name)
}
