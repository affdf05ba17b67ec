package cluster

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// peer is what this node knows of another node.
type peer struct {
	name string
	// st is the status the peer last announced (init, up, active),
	// dead once this node declared it dead, unknown until first heard.
	st    nodeStatus
	alive bool
	heard bool // ever heard since we started
	// lastStatus is when its last status message arrived; dt its
	// advertised dead time.
	lastStatus time.Time
	dt         time.Duration
	gen        uint64
	links      map[string]*link
	// stable: the peer's resource negotiation is over (isstable=1), as
	// far as its last resource message says.
	stable bool
	// holds is what the peer holds, from its resource messages; known
	// says whether it has told us since it (re)started.
	holds map[string]bool
	known bool
	// wants: groups the peer means to take that its split-brain guard
	// holds back (us_held's companion us_want); not held, not orphans.
	wants map[string]bool
	// failback: we took this peer's groups because it died or shut down,
	// so they go back when it returns (auto_failback on).
	failback bool
	// left: the peer said shutdone; what it still sends under the same
	// generation is ignored.
	left bool
	// holdsAt: when holds was last recorded; deadAt: when it was
	// declared dead. Holdings older than its death are forgotten when it
	// returns.
	holdsAt, deadAt time.Time
	// understudy: it sent a field only Understudy sends (us_held,
	// us_health...), so it understands Understudy's own messages; a
	// heartbeat node never does. health: the groups' health it announced.
	understudy bool
	health     map[string]health
}

type link struct {
	last time.Time
	up   bool
}

func newPeer(name string, dt time.Duration) *peer {
	return &peer{name: name, st: statusUnknown, dt: dt, links: map[string]*link{}, holds: map[string]bool{}, wants: map[string]bool{},
		health: map[string]health{}}
}

// deadline is when the peer is declared dead if nothing more is heard.
func (p *peer) deadline(n *Node) time.Time {
	switch {
	case p.alive:
		return p.lastStatus.Add(p.dt)
	case !p.heard && !n.commUp && p.st != statusDead:
		return n.started.Add(n.cfg.Initdead)
	}
	return time.Time{}
}

// recvStatus handles a status message: liveness, restarts, partitions.
func (n *Node) recvStatus(p *peer, m Msg) {
	if dt, err := strconv.ParseUint(m.Get("dt"), 16, 63); err == nil && dt > 0 {
		p.dt = time.Duration(dt) * time.Millisecond
	}
	st := nodeStatus(m.Get("st"))
	partition := false
	switch {
	case p.alive && m.Gen > p.gen:
		n.transition("info", "node", p.name, "", "", "heartbeat restart on node %s (generation %d -> %d)", p.name, p.gen, m.Gen)
		n.peerRestarted(p)
	case !p.alive && p.heard && m.Gen == p.gen:
		n.transition("error", "cluster", p.name, string(statusDead), string(st), "cluster node %s returning after partition (same generation): deadtime may be too small; each group held on both sides stays with one node", p.name)
		partition = true
	case p.alive && n.cfg.Warntime > 0:
		if gap := n.now.Sub(p.lastStatus); gap > n.cfg.Warntime {
			n.transition("warn", "node", p.name, string(p.st), string(p.st), "late heartbeat: interval %d ms", gap.Milliseconds())
		}
	}
	n.recvExtras(p, m)
	p.gen = m.Gen
	p.lastStatus = n.now
	p.heard = true
	if !p.alive {
		p.alive = true
		n.transition("info", "node", p.name, string(p.st), string(st), "status update: node %s is %s", p.name, st)
		p.st = st
		// A node that is already active did not just start: it will not
		// send starting, so it is told at once, as after a partition.
		n.peerReturned(p, partition || st == statusActive)
		return
	}
	if st != p.st {
		n.transition("info", "node", p.name, string(p.st), string(st), "status update: node %s is %s", p.name, st)
		p.st = st
	}
}

// peerRestarted forgets what we knew of a peer's resources.
func (n *Node) peerRestarted(p *peer) {
	p.stable = false
	p.known = false
	p.understudy = false
	clear(p.holds)
	clear(p.wants)
	n.cancelStandbyWith(p.name, "the peer restarted")
}

// peerReturned runs when a dead or unknown peer speaks again. A peer
// that is starting (status init or up) announces itself with starting and
// gets our holdings in the answer; a peer already active (a partition's
// other side, or a node we never heard until now) is told at once, and
// both apply the conflict rule. An unsolicited
// resource message to a booting heartbeat node, before our next status,
// makes it wait forever for a node-list exchange.
func (n *Node) peerReturned(p *peer, partition bool) {
	// A group we meant to take while p was away, and have not started
	// (its address was still answering), is no longer ours to take if p
	// is now its owner.
	for _, g := range n.groups {
		if g.want && g.state == stopped && n.owner(g) != n.cfg.Self {
			g.want = false
			n.transition("info", "group", g.spec.Key, "waiting", "stopped", "%s is back; not taking it", p.name)
		}
	}
	if p.holdsAt.Before(p.deadAt) || p.holdsAt.IsZero() {
		p.known, p.stable = false, false
		clear(p.holds)
		clear(p.wants)
	} // else: its resource message came just before its status; keep it
	defer n.negotiationOver("node " + p.name + " came back stable during the start-up negotiation")
	switch {
	case n.legacy():
		n.legacyGiveBack(p)
	case n.rs == rsStable && partition:
		n.sendResource(n.isStable(), "")
		n.resolveConflicts()
	}
}

// recvLink refreshes the liveness of the link a packet came in on.
func (n *Node) recvLink(p *peer, name string) {
	if name == "" {
		return
	}
	l, ok := p.links[name]
	if !ok {
		l = &link{}
		p.links[name] = l
	}
	l.last = n.now
	if !l.up {
		l.up = true
		n.transition("info", "link", p.name+":"+name, "dead", "up", "heartbeat packets arrive on %s", name)
	}
}

// checkLiveness declares silent peers and links dead. A node that shuts
// down no longer watches its peers.
func (n *Node) checkLiveness() {
	if n.rs == rsShutdown {
		return
	}
	for _, name := range n.cfg.Nodes {
		p, ok := n.peers[name]
		if !ok {
			continue
		}
		for _, ln := range sortedKeys(p.links) {
			l := p.links[ln]
			if l.up && !n.now.Before(l.last.Add(p.dt)) {
				l.up = false
				n.transition("info", "link", p.name+":"+ln, "up", "dead", "no packet from %s on %s for %s", p.name, ln, p.dt)
			}
		}
		if d := p.deadline(n); !d.IsZero() && !n.now.Before(d) {
			reason := "no heartbeat for its deadtime " + p.dt.String()
			if !p.heard {
				reason = "not heard within initdead " + n.cfg.Initdead.String() + " of start-up"
			}
			n.peerDead(p, reason)
		}
	}
}

// peerDead handles a node declared dead: heartbeat-spec §5.5.
func (n *Node) peerDead(p *peer, reason string) {
	was := p.st
	p.alive, p.st, p.stable, p.deadAt = false, statusDead, true, n.now
	clear(p.health)
	n.transition("warn", "node", p.name, string(was), string(statusDead), "node %s is dead: %s", p.name, reason)
	n.cancelStandbyWith(p.name, "node "+p.name+" died")
	n.takeOverFrom(p, "node "+p.name+" is dead")
	n.negotiationOver("node " + p.name + " died during the start-up negotiation")
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// holdsFromBits translates heartbeat's rsc_hold bits, relative to the
// peer, into group keys.
func (n *Node) holdsFromBits(peerName string, set Set) map[string]bool {
	out := map[string]bool{}
	for _, k := range n.groupsIn(peerName, set) {
		out[k] = true
	}
	return out
}

// groupsIn lists the keys of set as seen from node: local = preferred by
// node, foreign = preferred by others.
func (n *Node) groupsIn(node string, set Set) []string {
	var keys []string
	for _, g := range n.groups {
		if g.removed {
			continue
		}
		own := g.spec.Node == node
		if set == SetAll || (set == SetLocal && own) || (set == SetForeign && !own) {
			keys = append(keys, g.spec.Key)
		}
	}
	return keys
}

// parseHeld reads the us_held field: keys separated by blanks.
func parseHeld(s string) map[string]bool {
	out := map[string]bool{}
	for _, k := range strings.Fields(s) {
		out[k] = true
	}
	return out
}
