package cluster

import (
	"fmt"
	"strconv"
	"strings"
)

// What this node's status heartbeats say beyond heartbeat's st and dt,
// in fields heartbeat 3.0.6 ignores. A node sends them only when it has
// something to say in them, so that a cluster without monitors or
// maintenance sends exactly heartbeat's status messages.
//
//   - us_health: "KEY:up KEY:down KEY:unknown", the group's health on
//     this node for every group that has monitors (a key may itself hold
//     colons: the word is after the last one);
//   - us_failed: the groups whose monitor failed on this node while it
//     ran them, blank-separated (a blank when none); sent with us_health.
//     Each node is the authority on its own marks: the peers take them
//     from here, so they agree once they have heard it;
//   - us_maint: "on:EPOCH:NODE" or "off:EPOCH:NODE", once maintenance was
//     ever set since the cluster started (see maintenance).

// statusExtras are the Understudy fields of our next status heartbeat.
func (n *Node) statusExtras() []KV {
	var kv []KV
	var hs, failed []string
	for _, g := range n.groups {
		if len(g.mons) == 0 || g.removed {
			continue
		}
		hs = append(hs, g.spec.Key+":"+g.ownHealth().String())
		if g.monFailed[n.cfg.Self] {
			failed = append(failed, g.spec.Key)
		}
	}
	if len(hs) > 0 {
		kv = append(kv, KV{"us_health", strings.Join(hs, " ")}, KV{"us_failed", heldValue(failed)})
	}
	if n.maint.epoch > 0 {
		kv = append(kv, KV{"us_maint", n.maint.value()})
	}
	return kv
}

// announceStatus sends our status at once when its Understudy fields
// changed: a peer must not wait a keepalive to learn that a service is
// down here, or that maintenance began.
func (n *Node) announceStatus() {
	if n.status != statusInit && fmt.Sprint(n.statusExtras()) != n.told.status {
		n.sendStatus()
	}
}

// recvExtras records what a peer's status says beyond heartbeat's
// fields. A peer that says none of them has no monitors (a heartbeat
// node never has): it announces no health and no failure.
func (n *Node) recvExtras(p *peer, m Msg) {
	hv, fv, mv := m.Get("us_health"), m.Get("us_failed"), m.Get("us_maint")
	if hv != "" || fv != "" || mv != "" {
		p.understudy = true
	}
	was := p.health
	p.health = parseHealth(hv)
	failed := parseHeld(fv)
	for _, g := range n.groups {
		if was[g.spec.Key] != p.health[g.spec.Key] && !g.stuck {
			g.note = "" // why it was kept may no longer hold
		}
		if failed[g.spec.Key] {
			g.monFailed[p.name] = true
		} else {
			delete(g.monFailed, p.name)
		}
	}
	if mv != "" {
		n.recvMaint(p, mv)
	}
}

// parseHealth reads a us_health value.
func parseHealth(s string) map[string]health {
	out := map[string]health{}
	for _, f := range strings.Fields(s) {
		if i := strings.LastIndexByte(f, ':'); i > 0 {
			out[f[:i]] = parseHealthWord(f[i+1:])
		}
	}
	return out
}

// maintenance: while on, the cluster acts on no failure (see
// CmdMaintenance). It is cluster-wide: every Understudy node announces
// what it knows in us_maint, and a node takes the word of a peer whose
// epoch is higher (or equal, from a node later in ha.cf order), so that
// every node that hears the others agrees, a node that restarts learns
// it, and concurrent commands settle on one.
type maintenance struct {
	on    bool
	epoch uint64
	by    string // the node whose operator set it
}

func (m maintenance) value() string {
	return fmt.Sprintf("%s:%d:%s", map[bool]string{true: "on", false: "off"}[m.on], m.epoch, m.by)
}

// parseMaint reads a us_maint value.
func parseMaint(s string) (maintenance, bool) {
	f := strings.SplitN(s, ":", 3)
	if len(f) != 3 || (f[0] != "on" && f[0] != "off") || f[2] == "" {
		return maintenance{}, false
	}
	epoch, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil || epoch == 0 {
		return maintenance{}, false
	}
	return maintenance{on: f[0] == "on", epoch: epoch, by: f[2]}, true
}

// newer reports whether m supersedes what this node knows.
func (n *Node) newer(m maintenance) bool {
	if m.epoch != n.maint.epoch {
		return m.epoch > n.maint.epoch
	}
	return n.nodeIndex(m.by) > n.nodeIndex(n.maint.by)
}

func (n *Node) recvMaint(p *peer, v string) {
	if m, ok := parseMaint(v); ok && n.isNode(m.by) && !n.legacy() && n.newer(m) {
		n.setMaint(m, "set by an operator on "+m.by+", as "+p.name+" says")
	}
}

// setMaint records maintenance as m.
func (n *Node) setMaint(m maintenance, reason string) {
	was := n.maint.on
	n.maint = m
	switch {
	case m.on && !was:
		n.transition("warn", "cluster", n.cfg.Self, "managed", "maintenance", "maintenance on (%s): no takeover, failover, restart or failback until it is off; resources stay as they are", reason)
	case !m.on && was:
		n.transition("info", "cluster", n.cfg.Self, "maintenance", "managed", "maintenance off (%s): acting on failures again", reason)
	}
}
