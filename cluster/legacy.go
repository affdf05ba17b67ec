package cluster

import (
	"time"

	"github.com/understudy-ha/understudy/config"
)

// auto_failback legacy: the ip-request protocol (heartbeat-spec §5.4).

// legacy reports auto_failback legacy: no resource messages, no standby.
func (n *Node) legacy() bool { return n.cfg.AutoFailback == config.FailbackLegacy }

// legacyStart asks for each group this node should run (its own, and
// those of dead nodes that fall to it), or takes them when alone. A live
// holder releases a group before it answers.
func (n *Node) legacyStart() {
	alone := len(n.alivePeers()) == 0
	for _, g := range n.groups {
		n.legacyRequest(g, alone)
	}
}

// legacyRequest asks for a group this node should run, or takes it when
// alone.
func (n *Node) legacyRequest(g *group, alone bool) {
	switch {
	case n.owner(g) != n.cfg.Self:
		// Its service is down here, or failed here: ask once this node
		// may run it, if it falls to it then (legacyRetry).
		g.ask = len(g.mons) > 0 && n.unfit(n.cfg.Self, g) != ""
	case alone:
		n.take([]string{g.spec.Key}, "legacy: no other node is alive")
	default:
		n.send(msg(MsgIPRequest, "ipaddr", g.spec.Key))
		g.requested = n.now
	}
}

// legacyRetry asks again for groups whose ip-request went unanswered for
// twice deadtime: a lost UDP packet must not leave a group unplaced
// forever (heartbeat has no retry). It also asks for a group that did
// not fall to this node when it would have asked, because its service
// was down here, once it falls to it.
func (n *Node) legacyRetry() {
	if !n.legacy() || n.rs != rsStable {
		return
	}
	for _, g := range n.groups {
		switch {
		case g.ask && !g.claimed() && g.requested.IsZero() && n.owner(g) == n.cfg.Self:
			g.ask = false
			n.legacyRequest(g, len(n.alivePeers()) == 0)
		case g.requested.IsZero():
		case g.claimed() || n.owner(g) != n.cfg.Self:
			g.requested = time.Time{}
		case !n.now.Before(g.requested.Add(2 * n.cfg.Deadtime)):
			n.legacyRequest(g, len(n.alivePeers()) == 0)
		}
	}
}

// legacyGiveBack: in legacy mode there are no resource messages to
// compare holdings, so when a node comes back (after a crash, or after a
// partition in which it took everything too) each node gives back the
// groups that node prefers. A rebooted node would ask for them with
// ip-request anyway; one that never stopped holds them already. A group
// that failed there, or whose service is down there, stays.
func (n *Node) legacyGiveBack(p *peer) {
	var keys []string
	for _, g := range n.groups {
		if g.spec.Node == p.name && g.claimed() && n.unfit(p.name, g) == "" {
			keys = append(keys, g.spec.Key)
		}
	}
	n.give(keys, p.name+" is back and runs its own groups (legacy)")
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
	n.send(Msg{Type: MsgIPRequestResp, Dest: p.name, Fields: []KV{{"ipaddr", g.spec.Key}, {"weown", "no"}, {"ok", "OK"}}})
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
