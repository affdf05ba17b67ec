package cluster

import "time"

// operator is what this node keeps of its operators' commands.
type operator struct {
	// pending is a standby waiting for resources to settle.
	pending pendingStandby
}

// admin runs an operator's standby or takeover.
func (n *Node) admin(e Admin) {
	clear(n.gaveAway) // a new operator decision replaces the old one
	n.op.pending = pendingStandby{}
	switch e.Cmd {
	case CmdStandby:
		n.startStandby("", e.Set, false, "operator request")
	case CmdTakeover:
		if len(n.alivePeers()) == 0 {
			n.transition("warn", "standby", n.cfg.Self, "", "", "takeover refused: no other node is alive")
			return
		}
		n.transition("info", "standby", n.cfg.Self, "", "", "asking the peer to hand over [%s]: operator request", e.Set)
		n.send(msg(MsgTakeover, "rsc_hold", string(e.Set)))
		// An operator's takeover undoes nothing automatic later.
		for _, p := range n.peers {
			p.failback = false
		}
	}
}

// pendingStandby is an operator's standby that arrived while resources
// were in flux; it is tried again on every step until it starts or
// expires (heartbeat drops it with a log line).
type pendingStandby struct {
	set          Set
	partner, why string
	until        time.Time
}

// retryPending starts a waiting operator's standby once it can. A node
// that shuts down leaves it be.
func (n *Node) retryPending() {
	p := n.op.pending
	switch {
	case p.until.IsZero() || n.rs == rsShutdown:
	case !n.now.Before(p.until):
		n.op.pending = pendingStandby{}
		n.transition("warn", "standby", n.cfg.Self, "", "", "standby [%s] given up: the resources stayed in flux", p.set)
	default:
		n.startStandby(p.partner, p.set, false, p.why)
	}
}
