package cluster

import "slices"

// reconfigure applies a reload: timings and the failback policy take
// effect at once; nodes are added and dropped; a group that is unchanged
// keeps running, a changed one restarts where it runs, a removed one is
// released and forgotten, an added one is placed by the usual rules.
func (n *Node) reconfigure(c Config) {
	c.Self = n.cfg.Self
	if n.standby.phase != sbNone {
		if p := n.peers[n.standby.peer]; p != nil && n.standby.phase == sbWaitDone {
			// We said "done": the partner may be taking the set this
			// instant, groups this reload adds included. Nothing is
			// placed on what it said before, only on what it says next.
			p.known = false
		}
		n.cancelStandby("the configuration changed")
	}
	old := n.cfg
	n.cfg = c
	if c.Keepalive != old.Keepalive {
		n.nextStatus = n.now // advertise the new dead time soon
	}
	n.reconfigureNodes(old)
	n.reconfigureGroups()
	n.transition("info", "cluster", n.cfg.Self, "", "", "configuration reloaded")
	n.announceHoldings()
}

func (n *Node) reconfigureNodes(old Config) {
	for _, name := range n.cfg.Nodes {
		if _, ok := n.peers[name]; !ok && name != n.cfg.Self {
			n.peers[name] = newPeer(name, n.cfg.Deadtime)
			n.peers[name].st = statusDead // not heard yet; comes alive when it speaks
			n.transition("info", "node", name, "", string(statusDead), "added to the configuration")
		}
	}
	for _, name := range old.Nodes {
		if name != n.cfg.Self && !slices.Contains(n.cfg.Nodes, name) {
			delete(n.peers, name)
			n.transition("info", "node", name, "", "", "removed from the configuration")
		}
	}
}

func (n *Node) reconfigureGroups() {
	keep := map[string]bool{}
	var groups, added []*group
	for _, spec := range n.cfg.Groups {
		keep[spec.Key] = true
		g, ok := n.byKey[spec.Key]
		if !ok {
			g = newGroup(spec)
			n.byKey[spec.Key] = g
			n.transition("info", "group", spec.Key, "", "stopped", "added to the configuration")
			added = append(added, g)
		} else if g.removed {
			// A reload removed it and this one brings it back before it
			// was released: it is released, then placed like a new one.
			// Like a new group everywhere: no failure marks either, or
			// nodes would disagree on its owner.
			g.removed, g.spec, g.restart, g.gaveUp = false, spec, true, false
			clear(g.failed)
			n.resetMonitoring(g)
			added = append(added, g)
		} else if !g.spec.same(spec) {
			changed := g.spec.Digest != spec.Digest
			moved := g.spec.Node != spec.Node
			monitors := !slices.Equal(g.spec.Monitors, spec.Monitors)
			g.spec = spec
			if changed || moved {
				clear(g.failed)
				g.gaveUp = false
			}
			if monitors {
				// A new way of watching it: what the old monitors
				// found is no reason to keep it from a node any more.
				g.mons = updateMonitors(g.mons, spec.Monitors)
				delete(g.monFailed, n.cfg.Self)
				g.stuck, g.note = false, ""
			}
			if changed && g.held() {
				g.restart = true
				n.give([]string{spec.Key}, "its resources changed in the configuration")
			}
		}
		groups = append(groups, g)
	}
	for _, g := range n.groups {
		if keep[g.spec.Key] {
			continue
		}
		if g.held() {
			g.removed = true
			g.restart = false
			n.give([]string{g.spec.Key}, "removed from the configuration")
			groups = append(groups, g) // until released
			continue
		}
		delete(n.byKey, g.spec.Key)
		n.transition("info", "group", g.spec.Key, "stopped", "", "removed from the configuration")
	}
	n.groups = groups
	if n.legacy() && n.rs == rsStable {
		// No orphan adoption in legacy mode: ask for the new groups as
		// at start-up.
		for _, g := range added {
			n.legacyRequest(g, len(n.alivePeers()) == 0)
		}
	}
}

// dropRemoved forgets removed groups once they are released.
func (n *Node) dropRemoved() {
	n.groups = slices.DeleteFunc(n.groups, func(g *group) bool {
		if g.removed && !g.held() {
			delete(n.byKey, g.spec.Key)
			return true
		}
		return false
	})
}
