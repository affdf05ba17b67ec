package cluster

// shutdown starts a graceful shutdown (heartbeat-spec §5.10): announce it,
// release every group held, then say shutdone and exit.
func (n *Node) shutdown() {
	if n.rs == rsShutdown {
		return
	}
	n.transition("info", "node", n.cfg.Self, n.rs.String(), "shutdown", "shutdown requested: releasing every group")
	n.finish(Failed, "shutting down")
	n.op.pending = pendingStandby{}
	if n.standby.phase != sbNone {
		n.cancelStandby("shutting down")
	}
	n.rs = rsShutdown
	for _, g := range n.groups {
		g.replyTo = ""
	}
	n.give(n.groupsIn(n.cfg.Self, SetAll), "shutting down")
	n.announceShutdown()
}

// announceShutdown says we are leaving and what we still hold.
// heartbeat says rsc_hold=none at once; Understudy keeps listing what it
// has not released yet, so that nobody takes a group before it is free.
func (n *Node) announceShutdown() {
	if n.commUp && !n.legacy() {
		n.sendResource(false, "shutdown")
	}
}

// shutdownProgress finishes the shutdown once nothing is held.
func (n *Node) shutdownProgress() {
	if n.rs != rsShutdown || n.exited {
		return
	}
	failed := false
	for _, g := range n.groups {
		switch g.state {
		case starting, running, stopping, restarting:
			return
		case stopFailed:
			failed = true
		}
	}
	if failed {
		n.transition("error", "node", n.cfg.Self, "shutdown", "exit", "a group failed to stop: not telling the peers it is safe to take over")
	} else {
		n.send(msg(MsgShutdone, "st", string(statusDead)))
		n.transition("info", "node", n.cfg.Self, "shutdown", "exit", "all groups released; shutdown complete")
	}
	n.exited = true
	n.out.Exit = true
}
