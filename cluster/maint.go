package cluster

import "fmt"

// Two operators' commands done at once: clear a group's failure marks,
// and maintenance on or off.

// adminClear clears the group's failure marks here and tells the peers,
// which clear theirs, so that every node agrees on where it may run.
func (n *Node) adminClear(e Admin) {
	g := n.byKey[e.Group]
	if g == nil {
		n.answer(e.ID, Refused, "no group %q", e.Group)
		return
	}
	n.clearMarks(g, "operator request")
	n.send(msg(MsgClear, "group", g.spec.Key))
	n.answer(e.ID, Done, "cleared the failure marks of %s on %s and told the other nodes", g.spec.Key, n.cfg.Self)
}

func (n *Node) recvClear(p *peer, m Msg) {
	if g := n.byKey[m.Get("group")]; g != nil {
		n.clearMarks(g, "an operator on "+p.name+" cleared them")
	}
}

// clearMarks forgets where g failed: start failures on every node, the
// failure of its monitors here (each node clears its own and says so in
// its next status), the restarts in place its monitors used, and the
// failures in a row they counted (what they found stays: a service down
// here is still down, and a group that runs here fails again after Fall
// new failures). The group is then placed by the usual rules at once.
func (n *Node) clearMarks(g *group, reason string) {
	var was []string
	for _, name := range n.cfg.Nodes {
		if g.failed[name] || g.monFailed[name] {
			was = append(was, name)
		}
	}
	clear(g.failed)
	delete(g.monFailed, n.cfg.Self)
	g.gaveUp, g.stuck, g.note = false, false, ""
	for _, m := range g.mons {
		m.fails, m.oks, m.restarts = 0, 0, 0
	}
	n.transition("info", "group", g.spec.Key, "", "", "failure marks cleared (%s); it had failed on %v", reason, was)
}

// adminMaintenance turns maintenance on or off for the whole cluster.
func (n *Node) adminMaintenance(e Admin) {
	word := map[bool]string{true: "on", false: "off"}[e.On]
	switch {
	case n.legacy():
		n.answer(e.ID, Refused, "auto_failback legacy does not support maintenance")
	case n.maint.on == e.On:
		n.answer(e.ID, Done, "nothing to do: maintenance is already %s", word)
	default:
		n.setMaint(maintenance{on: e.On, epoch: n.maint.epoch + 1, by: n.cfg.Self}, "operator request on "+n.cfg.Self)
		n.answer(e.ID, Done, "maintenance %s%s", word, map[bool]string{
			true:  ": the cluster acts on no failure until it is off (heartbeat nodes know nothing of it)",
			false: fmt.Sprintf(": the cluster acts on failures again (%s re-evaluates at once)", n.cfg.Self)}[e.On])
	}
}
