package cluster

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// The standby handshake (heartbeat-spec §5.8), seen from either side.
type sbPhase int

const (
	sbNone sbPhase = iota
	// Initiator A: sent "me", waits for the peer's "other".
	sbMe
	// A: releasing the set, then sends "done".
	sbReleasing
	// A: sent "done", waits for the peer's "done".
	sbWaitDone
	// Peer B: answered "other", waits for A's "done".
	sbOther
	// B: acquiring the set A released, then sends "done".
	sbAcquiring
)

var sbPhaseNames = [...]string{"none", "me", "releasing", "wait-done", "other", "acquiring"}

func (p sbPhase) String() string { return sbPhaseNames[p] }

type standby struct {
	phase sbPhase
	set   Set    // as the initiator names it
	peer  string // the other side
	keys  []string
	// giving: the keys of the set this node held when it began to give
	// them up (initiator only); the rest of the set is not its to give.
	giving []string
	// peerHeld: what the initiator held when it asked (peer side only).
	// A group of the set it took while the handshake ran is not part of
	// what it hands over.
	peerHeld map[string]bool
	deadline time.Time
	// auto: started by automatic failback, not by an operator.
	auto bool
}

// Handshake timeouts: heartbeat waits 10s for "other" (see replyTimeout)
// and an hour for "done".
const (
	standbyReplyTimeout = 10 * time.Second
	standbyDoneTimeout  = time.Hour
)

// isStable is what isstable says: the start-up negotiation is over and
// no handshake has begun moving groups.
func (n *Node) isStable() bool {
	return n.rs == rsStable && (n.standby.phase == sbNone || n.standby.phase == sbMe)
}

func (n *Node) setStandby(s standby) {
	if s.phase != n.standby.phase {
		about := s
		if s.phase == sbNone {
			about = n.standby
		}
		n.transition("info", "standby", n.cfg.Self, n.standby.phase.String(), s.phase.String(), "standby [%s] with %s", about.set, about.peer)
	}
	n.standby = s
}

// sbStart is what startStandby did.
type sbStart int

const (
	sbStarted  sbStart = iota // sent "me"
	sbDeferred                // resources in flux: waits in op.pending (unless auto)
	sbRefused                 // cannot be done: the reason says why
)

// replyTimeout is how long the initiator of a handshake waits for
// "other". heartbeat waits 10s; a live peer answers "me" at once or not
// at all (it refuses silently when in flux), so Understudy waits at most
// twice deadtime.
func (n *Node) replyTimeout() time.Duration { return min(standbyReplyTimeout, 2*n.cfg.Deadtime) }

// startStandby begins giving set up to partner, or to the first live
// peer when partner is "" (heartbeat's handshake is between two nodes).
func (n *Node) startStandby(partner string, set Set, auto bool, why string) (sbStart, string) {
	peers := n.alivePeers()
	if partner != "" {
		peers = slices.DeleteFunc(peers, func(p *peer) bool { return p.name != partner })
	}
	switch {
	case n.legacy():
		n.transition("warn", "standby", n.cfg.Self, "", "", "standby refused: it needs auto_failback on or off, not legacy")
		return sbRefused, "auto_failback legacy does not support standby"
	case len(peers) == 0:
		n.transition("warn", "standby", n.cfg.Self, "", "", "standby refused: no other node is alive to take over")
		return sbRefused, "no other node is alive to take over"
	case n.rs != rsStable || n.standby.phase != sbNone || n.busy():
		if !auto && (n.op.pending.until.IsZero() || n.op.pending.set != set || n.op.pending.partner != partner) {
			// An operator's request waits until things settle.
			n.op.pending = pendingStandby{set: set, partner: partner, why: why, until: n.now.Add(pendingWindow(n.cfg.Deadtime))}
			n.transition("info", "standby", n.cfg.Self, "", "", "standby [%s] waits until the resources in flux settle: %s", set, why)
		}
		return sbDeferred, ""
	}
	p := peers[0]
	keys := n.groupsIn(n.cfg.Self, set)
	giving, refusal := n.standbyGiving(p, keys)
	if refusal != "" {
		if !auto {
			n.op.pending = pendingStandby{}
			n.transition("warn", "standby", n.cfg.Self, "", "", "standby refused: %s", refusal)
		}
		return sbRefused, refusal
	}
	if !auto {
		n.op.pending = pendingStandby{}
	}
	n.transition("info", "standby", n.cfg.Self, "", "", "going standby [%s]: %s", set, why)
	n.send(n.askResources(p.name, set, "me"))
	n.setStandby(standby{phase: sbMe, set: set, peer: p.name, keys: keys, giving: giving,
		deadline: n.now.Add(n.replyTimeout()), auto: auto})
	return sbStarted, ""
}

// busy reports an operation in flight, or one about to start.
func (n *Node) busy() bool {
	for _, g := range n.groups {
		switch {
		case g.state == starting || g.state == stopping:
			return true
		case g.want && g.state == stopped && !n.now.Before(g.blockedUntil) && n.liveHolder(g) == "":
			return true
		case g.state == restarting:
			return true
		case !g.want && g.state == running:
			return true
		}
	}
	return false
}

func (n *Node) recvAskResources(p *peer, m Msg) {
	set, ok := ParseSet(m.Get("rsc_hold"))
	if !ok {
		return
	}
	info := m.Get("info")
	if held := m.Get("us_held"); held != "" {
		p.holds = parseHeld(held) // an Understudy partner says what it holds now
		p.understudy = true
	}
	s := n.standby
	switch {
	case info == "me" && s.phase == sbNone && p.stable && n.rs == rsStable:
		n.transition("info", "standby", p.name, "", "", "%s wants to go standby [%s]", p.name, set)
		n.send(n.askResources(p.name, set, "other"))
		n.setStandby(standby{phase: sbOther, set: set, peer: p.name, keys: n.groupsIn(p.name, set),
			peerHeld: maps.Clone(p.holds), deadline: n.now.Add(standbyDoneTimeout)})
		n.takeoverBegins(set)
	case info == "me":
		n.transition("warn", "standby", p.name, "", "", "standby request [%s] from %s ignored: resources are in flux", set, p.name)
	case info == "other" && s.phase == sbMe && s.peer == p.name:
		n.transition("info", "standby", n.cfg.Self, "", "", "standby: %s can take our %s resources", p.name, s.set)
		n.give(s.giving, "standby: handing over to "+p.name)
		n.sendRemaining()
		s.phase, s.deadline = sbReleasing, n.now.Add(standbyDoneTimeout)
		n.setStandby(s)
	case info == "done" && s.phase == sbOther && s.peer == p.name:
		n.transition("info", "standby", n.cfg.Self, "", "", "standby: acquire [%s] resources from %s", set, p.name)
		// It let the set go and keeps the rest, except what it took
		// while the handshake ran (a third node's groups, when that node
		// left): those are still its own.
		// An Understudy partner's "done" says what it still holds: a
		// group it kept (we cannot take it: its monitors) or failed to
		// stop is not ours to take.
		var keys []string
		for _, k := range s.keys {
			if p.holds[k] && (!s.peerHeld[k] || p.understudy) {
				continue
			}
			delete(p.holds, k)
			g := n.byKey[k]
			if g == nil {
				continue // a reload removed it meanwhile
			}
			// Groups whose preferred node is a third live node go home
			// instead (adoptOrphans on that node); the rest are ours.
			if pref := g.spec.Node; pref == p.name || pref == n.cfg.Self || !n.isAlive(pref) {
				keys = append(keys, k)
			}
		}
		s.keys = keys
		n.take(keys, "standby: "+p.name+" handed them over")
		s.phase = sbAcquiring
		n.setStandby(s)
	case info == "done" && s.phase == sbWaitDone && s.peer == p.name:
		n.transition("info", "standby", n.cfg.Self, "", "", "other node completed standby takeover of %s resources", s.set)
		// The operator's intent covers the whole set, held or not: none
		// of it is adopted back as an orphan for a while.
		for _, k := range s.keys {
			n.gaveAway[k] = gave{to: p.name, until: n.now.Add(2 * n.cfg.Deadtime)}
		}
		// What it took is in the resource message that follows "done".
		p.known = false
		n.setStandby(standby{})
		n.told.due = true
		stuck := n.keysWhere(s.giving, func(g *group) bool { return g.state == stopFailed })
		kept := n.keysWhere(s.keys, func(g *group) bool { return g.held() && !slices.Contains(s.giving, g.spec.Key) })
		if len(kept) > 0 {
			n.handshakeOver(stuck, "%s took over [%s] but %s, which it cannot take, stays here (see status)", p.name, s.set, strings.Join(kept, " "))
		} else {
			n.handshakeOver(stuck, "%s took over [%s]", p.name, s.set)
		}
	case info == "other" && p.understudy && !(s.phase != sbNone && s.peer == p.name):
		// It answers a "me" of ours that it got late (retransmitted
		// after a cut), for a handshake we no longer run: it would wait
		// an hour for our "done". heartbeat has no word for this; an
		// Understudy partner is told.
		n.transition("warn", "standby", p.name, "", "", "%s answered a standby request this node no longer makes: telling it", p.name)
		n.send(Msg{Type: MsgStandbyCancel, Dest: p.name, Fields: []KV{{"rsc_hold", string(set)}}})
	default:
		n.transition("warn", "standby", p.name, "", "", "ignored standby message '%s' from %s in state %s", info, p.name, s.phase)
	}
}

// recvStandbyCancel: the initiator of the handshake we answered "other"
// no longer runs it.
func (n *Node) recvStandbyCancel(p *peer) {
	if s := n.standby; s.phase == sbOther && s.peer == p.name {
		n.cancelStandby(p.name + " no longer goes standby")
	}
}

// standbyGiving lists the groups of keys this node holds or means to
// hold that it gives to partner p in a standby. A group with monitors
// that p cannot take (see cannotMove: its service is down or not known
// up there, or it failed there) stays here, and status says why. A
// heartbeat partner takes the whole set, whatever it is given: then such
// a group refuses the standby.
func (n *Node) standbyGiving(p *peer, keys []string) ([]string, string) {
	var giving []string
	for _, k := range keys {
		g := n.byKey[k]
		if g == nil || !g.claimed() {
			continue
		}
		if len(g.mons) > 0 {
			if why := n.cannotMove(p.name, g); why != "" {
				if !p.understudy {
					return nil, fmt.Sprintf("%s cannot take %s (%s), and heartbeat's handshake hands over the whole set", p.name, k, why)
				}
				g.note = fmt.Sprintf("kept here in a standby: %s cannot take it (%s)", p.name, why)
				n.transition("warn", "group", k, "", "", "stays here: %s cannot take it (%s)", p.name, why)
				continue
			}
		}
		giving = append(giving, k)
	}
	return giving, ""
}

// sendRemaining says what we keep while the standby runs.
func (n *Node) sendRemaining() {
	keep := map[string]bool{}
	for _, k := range n.heldKeys() {
		keep[k] = true
	}
	for _, k := range n.standby.keys {
		delete(keep, k)
	}
	for _, k := range n.groupsIn(n.cfg.Self, n.standby.set) {
		delete(keep, k)
	}
	for _, k := range n.heldKeys() {
		if g := n.byKey[k]; len(g.mons) > 0 && g.want && !slices.Contains(n.standby.giving, k) {
			keep[k] = true // kept for its monitors (standbyGiving)
		}
	}
	// heartbeat's resource message for this step: what remains.
	var local, foreign bool
	var held []string
	for _, g := range n.groups {
		if keep[g.spec.Key] {
			held = append(held, g.spec.Key)
			local = local || g.spec.Node == n.cfg.Self
			foreign = foreign || g.spec.Node != n.cfg.Self
		}
	}
	bits := map[[2]bool]Set{{true, true}: SetAll, {true, false}: SetLocal, {false, true}: SetForeign, {false, false}: SetNone}[[2]bool{local, foreign}]
	m := msg(MsgResource, "rsc_hold", string(bits), "rtype", "full", "isstable", "0", "info", "standby", "us_held", heldValue(held))
	n.sendResourceMsg(m)
}

// askResources is one step of the handshake. It is addressed to the
// partner so that, in clusters of more than two nodes, the others keep
// out of it (heartbeat broadcasts it; with two nodes that is the same).
// It carries what we hold at this very step (us_held, which heartbeat
// ignores): the resource message that says the same is sent at the end
// of the step, after it, and the partner must judge the step by what is
// true when it is taken, not by what we held a moment before.
func (n *Node) askResources(dest string, set Set, info string) Msg {
	return Msg{Type: MsgAskResources, Dest: dest, Fields: []KV{{"rsc_hold", string(set)}, {"info", info}, {"us_held", heldValue(n.heldKeys())}}}
}

// keysWhere lists those of keys whose group satisfies ok.
func (n *Node) keysWhere(keys []string, ok func(*group) bool) []string {
	var out []string
	for _, k := range keys {
		if g := n.byKey[k]; g != nil && ok(g) {
			out = append(out, k)
		}
	}
	return out
}

// standbyProgress sends "done" when our half of the handshake finished.
func (n *Node) standbyProgress() {
	s := n.standby
	switch s.phase {
	case sbReleasing:
		for _, k := range s.giving {
			if g := n.byKey[k]; g != nil && g.held() && g.state != stopFailed {
				return
			}
		}
		n.transition("info", "standby", n.cfg.Self, "", "", "%s HA resource release completed (standby)", s.set)
		n.send(n.askResources(s.peer, s.set, "done"))
		s.phase = sbWaitDone
		n.setStandby(s)
	case sbAcquiring:
		// Done when nothing of the set is starting or about to start: a
		// group whose address is still in use, or that a live peer runs,
		// must not hold the handshake up.
		for _, k := range s.keys {
			g := n.byKey[k]
			if g == nil {
				continue
			}
			waiting := n.now.Before(g.blockedUntil) || n.liveHolder(g) != ""
			if g.state == starting || g.want && g.state == stopped && !waiting {
				return
			}
		}
		n.transition("info", "standby", n.cfg.Self, "", "", "standby resource acquisition done [%s]", s.set)
		n.send(n.askResources(s.peer, s.set, "done"))
		n.setStandby(standby{})
		n.told.due = true
		failed := n.keysWhere(s.keys, func(g *group) bool { return g.failed[n.cfg.Self] })
		n.handshakeOver(failed, "took over [%s] from %s", n.op.req.set, s.peer)
	}
}

// standbyTimeout cancels a handshake whose peer stopped answering.
func (n *Node) standbyTimeout() {
	s := n.standby
	if s.phase == sbNone || n.now.Before(s.deadline) {
		return
	}
	if s.phase == sbMe {
		n.finishAt(reqHandshake, Failed, "no reply from %s within %s", s.peer, n.replyTimeout())
	} else {
		n.finishAt(reqHandshake, Failed, "the handshake with %s did not finish within %s", s.peer, standbyDoneTimeout)
	}
	n.cancelStandby("no reply to standby request in time")
}

func (n *Node) cancelStandbyWith(peer, why string) {
	if n.standby.phase != sbNone && n.standby.peer == peer {
		n.cancelStandby(why)
	}
}

func (n *Node) cancelStandby(why string) {
	n.transition("warn", "standby", n.cfg.Self, n.standby.phase.String(), "none", "standby cancelled: %s", why)
	n.finishAt(reqHandshake, Failed, "cancelled: %s", why)
	n.standby = standby{}
	n.told.due = true
}

// recvTakeover: the peer runs hb_takeover, so we go standby for the
// complementary set (heartbeat's rc.d/hb_takeover).
func (n *Node) recvTakeover(p *peer, m Msg) {
	set, ok := takeoverSets[m.Get("rsc_hold")]
	if !ok {
		return
	}
	// It replaces the operator's standby that waits, or the takeover
	// that waits for a peer: this node now hands over instead.
	if started, _ := n.startStandby(p.name, set, false, p.name+" asked to take over"); started != sbRefused {
		if st := n.op.req.stage; st == reqSettling || st == reqAsked {
			n.finish(Failed, "superseded: %s asked this node to hand over [%s]", p.name, set)
		}
	}
}

// tryFailback hands groups back to their returning preferred node when
// auto_failback is on and we took them because it died (§5.7).
func (n *Node) tryFailback() {
	if n.cfg.AutoFailback != config.FailbackOn || n.rs != rsStable || n.standby.phase != sbNone {
		return
	}
	for _, p := range n.alivePeers() {
		if !p.failback || !p.stable || !p.known {
			continue
		}
		// A group that p cannot take for its monitors (its service is
		// down or not known up there) waits: failback stays armed, and
		// the group goes back once p can take it.
		back, waiting := false, false
		for _, g := range n.groups {
			if g.spec.Node != p.name || !g.held() || p.holds[g.spec.Key] || g.failed[p.name] {
				continue
			}
			if why := n.cannotMove(p.name, g); len(g.mons) > 0 && why != "" {
				waiting = true
				g.note = fmt.Sprintf("failback to %s waits: %s", p.name, why)
			} else {
				back = true
			}
		}
		if !back || n.maint.on {
			p.failback = p.failback && (n.maint.on || waiting)
			continue
		}
		if started, _ := n.startStandby(p.name, SetForeign, true, "auto_failback: "+p.name+" is back"); started != sbDeferred {
			p.failback = false
		}
		return
	}
}
