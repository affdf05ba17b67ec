package cluster

import "strings"

// What this node tells its peers it holds: resource messages and the
// values of their fields.

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
	// status: the Understudy fields of our last status heartbeat.
	status string
	// monitors: the monitors the caller was last told to run.
	monitors string
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
