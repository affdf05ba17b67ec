package cluster

import (
	"fmt"
	"strings"
	"time"
)

// operator is what this node keeps of its operators' commands.
type operator struct {
	// pending is a standby waiting for resources to settle: an
	// operator's, or one that a peer's hb_takeover asked for.
	pending pendingStandby
	// req is the command that still owes its caller a final answer.
	req request
}

// request is an accepted command with an ID whose final answer is still
// due (see Answer). Commands without an ID are not followed.
type request struct {
	id    uint64
	cmd   AdminCmd
	set   Set
	stage reqStage
	// A takeover fails if no peer has begun to hand over by until (wait
	// after it was asked); so does a move whose target does not run its
	// group by then.
	until time.Time
	wait  time.Duration
	// A move: its group, where it goes, the node that held it when
	// asked, and whether that node has handed it over.
	group, target, holder string
	handed                bool
}

// reqStage is where an accepted command stands.
type reqStage int

const (
	reqIdle      reqStage = iota // no command under way
	reqSettling                  // a standby waits in op.pending for resources to settle
	reqHandshake                 // its handshake runs: a standby's toward peer, a takeover's from peer
	reqAsked                     // a takeover waits for a peer to begin handing over
	reqMoving                    // a move waits for its target to run the group
)

// takeoverSets maps the set of an hb_takeover to the set its receiver
// goes standby for (heartbeat's rc.d/hb_takeover).
var takeoverSets = map[string]Set{"all": SetAll, "local": SetForeign, "foreign": SetLocal, "failback": SetAll}

// admin runs an operator's command, and answers it. Clear and
// maintenance are done at once and leave the command under way alone;
// standby, takeover and move supersede it.
func (n *Node) admin(e Admin) {
	switch {
	case e.Cmd < CmdStandby || e.Cmd > CmdMaintenance:
		n.answer(e.ID, Refused, "unknown command")
		return
	case n.rs == rsShutdown:
		n.transition("warn", "standby", n.cfg.Self, "", "", "%s refused: shutting down", e.Cmd)
		n.answer(e.ID, Refused, "this node is shutting down")
		return
	case e.Cmd == CmdClear:
		n.adminClear(e)
		return
	case e.Cmd == CmdMaintenance:
		n.adminMaintenance(e)
		return
	}
	n.finish(Failed, "superseded by a newer request")
	clear(n.gaveAway) // a new operator decision replaces the old one
	n.op.pending = pendingStandby{}
	switch {
	case n.maint.on:
		n.transition("warn", "standby", n.cfg.Self, "", "", "%s refused: the cluster is in maintenance", e.Cmd)
		n.answer(e.ID, Refused, "the cluster is in maintenance: turn it off first")
	case e.Cmd == CmdStandby:
		n.adminStandby(e)
	case e.Cmd == CmdMove:
		n.adminMove(e)
	default:
		n.adminTakeover(e)
	}
}

// adminStandby begins an operator's standby. A set that names no group
// of this node is done at once: the handshake would move nothing.
func (n *Node) adminStandby(e Admin) { n.adminStandbyTo(e, "") }

// adminStandbyTo is adminStandby toward partner ("" for the first live
// peer).
func (n *Node) adminStandbyTo(e Admin, partner string) {
	if len(n.groupsIn(n.cfg.Self, e.Set)) == 0 {
		n.transition("info", "standby", n.cfg.Self, "", "", "standby [%s]: nothing to do, the set names no group", e.Set)
		n.answer(e.ID, Done, "nothing to do: [%s] names no group of this node", e.Set)
		return
	}
	switch started, reason := n.startStandby(partner, e.Set, false, "operator request"); started {
	case sbRefused:
		n.answer(e.ID, Refused, "%s", reason)
	case sbDeferred:
		n.follow(e, reqSettling)
		n.answer(e.ID, Accepted, "waiting until the resources in flux settle")
	default:
		n.follow(e, reqHandshake)
		n.answer(e.ID, Accepted, "standby handshake begun with %s", n.standby.peer)
	}
}

// adminTakeover asks the peers to go standby for the set: the one that
// begins the handshake hands it over (heartbeat's hb_takeover).
func (n *Node) adminTakeover(e Admin) {
	switch {
	case e.Set == SetNone:
		n.transition("info", "standby", n.cfg.Self, "", "", "takeover [%s]: nothing to do, the set names no group", e.Set)
		n.answer(e.ID, Done, "nothing to do: [%s] names no group", e.Set)
		return
	case n.legacy():
		n.transition("warn", "standby", n.cfg.Self, "", "", "takeover refused: it needs auto_failback on or off, not legacy")
		n.answer(e.ID, Refused, "auto_failback legacy does not support takeover")
		return
	case len(n.alivePeers()) == 0:
		n.transition("warn", "standby", n.cfg.Self, "", "", "takeover refused: no other node is alive")
		n.answer(e.ID, Refused, "no other node is alive")
		return
	}
	n.transition("info", "standby", n.cfg.Self, "", "", "asking the peer to hand over [%s]: operator request", e.Set)
	n.send(msg(MsgTakeover, "rsc_hold", string(e.Set)))
	// An operator's takeover undoes nothing automatic later.
	for _, p := range n.peers {
		p.failback = false
	}
	if n.follow(e, reqAsked) {
		n.op.req.wait = n.takeoverWait()
		n.op.req.until = n.now.Add(n.op.req.wait)
	}
	n.answer(e.ID, Accepted, "asked the other nodes to hand over [%s]", e.Set)
}

// takeoverWait is how long a takeover waits for a peer to begin handing
// over. A peer begins at once, or, while its own resources are in flux,
// an Understudy peer defers the request for up to its pendingWindow (a
// heartbeat peer drops it silently). Two dead times more cover the
// messages on their way and the peer's next step. The dead time is the
// longest of ours and the live peers' advertised ones.
func (n *Node) takeoverWait() time.Duration {
	dt := n.cfg.Deadtime
	for _, p := range n.alivePeers() {
		dt = max(dt, p.dt)
	}
	return pendingWindow(dt) + 2*dt
}

// pendingWindow is how long a standby waits for resources in flux to
// settle before it is given up.
func pendingWindow(deadtime time.Duration) time.Duration {
	return max(standbyReplyTimeout, 4*deadtime)
}

// takeoverTimeout fails a takeover that no peer began to hand over in
// time, or that no peer is left to hand over.
func (n *Node) takeoverTimeout() {
	r := n.op.req
	switch {
	case r.stage != reqAsked:
	case !n.now.Before(r.until):
		n.transition("warn", "standby", n.cfg.Self, "", "", "takeover [%s] failed: no node began to hand over within %s", r.set, r.wait)
		n.finish(Failed, "no other node began to hand over [%s] within %s", r.set, r.wait)
	case len(n.alivePeers()) == 0:
		n.transition("warn", "standby", n.cfg.Self, "", "", "takeover [%s] failed: no other node is alive any more", r.set)
		n.finish(Failed, "no other node is alive any more")
	}
}

// takeoverBegins: a peer began a handshake toward us for set; if it is
// what our operator's takeover asked for, the handshake carries the
// takeover. There is one handshake at a time, so a command at stage
// reqHandshake is answered when the current one ends.
func (n *Node) takeoverBegins(set Set) {
	if r := &n.op.req; r.stage == reqAsked && takeoverSets[string(r.set)] == set {
		r.stage = reqHandshake
	}
}

// handshakeOver gives the command the handshake carried its final
// answer when the handshake completed. failed lists the groups of the
// set that did not move: the standby fails then too.
func (n *Node) handshakeOver(failed []string, done string, args ...any) {
	if n.op.req.stage != reqHandshake {
		return
	}
	if len(failed) > 0 {
		verb := map[AdminCmd]string{CmdStandby: "stop", CmdTakeover: "start"}[n.op.req.cmd]
		n.finish(Failed, "%s failed to %s here", strings.Join(failed, " "), verb)
		return
	}
	n.finish(Done, done, args...)
}

// follow keeps an accepted command with an ID to answer it later, and
// reports whether it did.
func (n *Node) follow(e Admin, st reqStage) bool {
	if e.ID == 0 {
		return false
	}
	n.op.req = request{id: e.ID, cmd: e.Cmd, set: e.Set, stage: st}
	return true
}

// answer tells the caller of command id what became of it (nobody waits
// for id 0).
func (n *Node) answer(id uint64, v Verdict, reason string, args ...any) {
	if id == 0 {
		return
	}
	if len(args) > 0 {
		reason = fmt.Sprintf(reason, args...)
	}
	n.out.Answers = append(n.out.Answers, Answer{ID: id, Verdict: v, Reason: reason})
}

// finish gives the command under way its final answer and forgets it.
func (n *Node) finish(v Verdict, reason string, args ...any) {
	if n.op.req.stage == reqIdle {
		return
	}
	n.answer(n.op.req.id, v, reason, args...)
	n.op.req = request{}
}

// finishAt is finish for a command at stage st only.
func (n *Node) finishAt(st reqStage, v Verdict, reason string, args ...any) {
	if n.op.req.stage == st {
		n.finish(v, reason, args...)
	}
}

// pendingStandby is a standby that arrived while resources were in flux;
// it is tried again on every step until it starts or expires (heartbeat
// drops it with a log line).
type pendingStandby struct {
	set          Set
	partner, why string
	until        time.Time
}

// retryPending starts a waiting standby once it can, and drops it when it
// waited too long or can no longer be done. A node that shuts down leaves
// it be.
func (n *Node) retryPending() {
	p := n.op.pending
	switch {
	case p.until.IsZero() || n.rs == rsShutdown:
	case !n.now.Before(p.until):
		n.op.pending = pendingStandby{}
		n.transition("warn", "standby", n.cfg.Self, "", "", "standby [%s] given up: the resources stayed in flux", p.set)
		n.finishAt(reqSettling, Failed, "given up: the resources stayed in flux")
	default:
		switch started, reason := n.startStandby(p.partner, p.set, false, p.why); started {
		case sbStarted:
			if r := &n.op.req; r.stage == reqSettling {
				r.stage = reqHandshake
			}
		case sbRefused:
			n.op.pending = pendingStandby{}
			n.finishAt(reqSettling, Failed, "%s", reason)
		}
	}
}
