package clustertest

import (
	"slices"
	"time"

	"github.com/understudy-ha/understudy/cluster"
)

// apply carries out one Output of node sn: logs it, starts operations,
// delivers messages (recursively), and checks the invariants.
func (s *Sim) apply(sn *simNode, out cluster.Output) {
	for _, t := range out.Transitions {
		s.logf("%s: %s", sn.name, t)
	}
	for _, k := range out.Release {
		if slices.Contains(out.Acquire, k) {
			s.violation("%s: group %s released and acquired in one step", sn.name, k)
		}
		s.logf("%s: release %s", sn.name, k)
		s.ops = append(s.ops, pendingOp{at: s.Now.Add(s.OpDelay), node: sn.name, group: k, op: cluster.Release})
	}
	for _, k := range out.Acquire {
		s.checkAcquire(sn, k)
		sn.held[k] = true
		sn.heldBelief[k] = believesAlive(sn)
		s.logf("%s: acquire %s", sn.name, k)
		var err error
		switch {
		case s.FailStart[sn.name+"|"+k]:
			err = errStart
		case s.InUse[sn.name+"|"+k]:
			err = cluster.ErrAddressInUse
		}
		s.ops = append(s.ops, pendingOp{at: s.Now.Add(s.OpDelay), node: sn.name, group: k, op: cluster.Acquire, err: err})
	}
	s.startRestarts(sn, out)
	s.setMonitors(sn, out)
	for _, a := range out.Answers {
		s.logf("%s: answer %s", sn.name, a)
		s.checkAnswer(sn, a)
	}
	sn.next = out.NextTick
	if out.Exit {
		s.checkExit(sn)
		delete(s.nodes, sn.name)
		s.forgetHeldBack(sn.name)
		s.logf("%s: exited", sn.name)
	}
	for _, m := range out.Messages {
		if s.Heartbeat[sn.name] {
			// What goes on the wire is heartbeat's.
			var ok bool
			if m, ok = heartbeatFilter(m); !ok {
				continue
			}
		}
		if m.Type != cluster.MsgStatus {
			s.logf("%s: send %s", sn.name, m)
		}
		s.enqueue(sn.name, m)
	}
	s.drain()
}

type simError string

func (e simError) Error() string { return string(e) }

const errStart = simError("start script exited 1")

// enqueue sends m from src on every link to every other running node.
//
// Messages travel through one FIFO queue, so that each node's messages
// arrive in the order it sent them, and a node handles one event at a
// time, as the daemon's single loop does. Every message of a step is
// queued before any is handled (delivering each at once would let the
// replies to a step's first message overtake its second).
func (s *Sim) enqueue(src string, m cluster.Msg) {
	m.Src = src
	m.Gen = s.gens[src]
	for _, name := range s.Names() {
		if name == src {
			continue
		}
		m := m
		if s.Heartbeat[name] {
			var ok bool
			if m, ok = heartbeatFilter(m); !ok {
				continue
			}
		}
		dup := false
		for _, l := range s.Links {
			if s.cut[src+"|"+name+"|"+l] {
				continue
			}
			s.queue = append(s.queue, delivery{to: name, ev: cluster.Recv{Now: s.Now, Link: l, Msg: m, Dup: dup}})
			dup = true
		}
		if !dup {
			s.heldBack = append(s.heldBack, heldMsg{from: src, to: name, msg: m})
		}
	}
}

// drain hands the queued messages to their nodes, in order, until none
// is left; the steps they cause queue theirs behind. A drain already
// running (this is one of its steps) carries on with them.
func (s *Sim) drain() {
	if s.delivering {
		return
	}
	s.delivering = true
	defer func() { s.delivering = false }()
	for i := 0; len(s.queue) > 0; i++ {
		if i > 1_000_000 {
			s.violation("message storm: more than a million deliveries in one instant")
			s.queue = nil
			return
		}
		d := s.queue[0]
		s.queue = s.queue[1:]
		if sn, ok := s.nodes[d.to]; ok {
			s.apply(sn, sn.n.Step(d.ev))
		}
	}
}

type delivery struct {
	to string
	ev cluster.Event
}

// checkAcquire: a node never acquires a group it already holds, nor one
// that a node it believes alive physically holds, if that node took it
// believing this one alive and still does. (A group taken during a
// partition is the healing rule's business: checkConflicts.)
func (s *Sim) checkAcquire(sn *simNode, k string) {
	if sn.held[k] {
		s.violation("%s acquires %s, which it already holds", sn.name, k)
	}
	mine := believesAlive(sn)
	for name := range mine {
		other, ok := s.nodes[name]
		if !ok || !other.held[k] || !other.heldBelief[k][sn.name] || !believesAlive(other)[sn.name] {
			continue
		}
		s.violation("%s acquires %s while %s holds it, each believing the other alive", sn.name, k, name)
	}
}

// believesAlive is the set of peers a node currently believes alive.
func believesAlive(sn *simNode) map[string]bool {
	out := map[string]bool{}
	for _, ns := range sn.n.Snapshot().Nodes {
		if ns.Status != "dead" && ns.Status != "unknown" {
			out[ns.Name] = true
		}
	}
	return out
}

// checkConflicts: two nodes that hear each other do not both hold a group
// for longer than it takes to resolve a healed partition.
func (s *Sim) checkConflicts() {
	settle := 2*s.Base.Deadtime + 4*s.OpDelay + s.Base.Keepalive*4
	names := s.Names()
	seen := map[string]bool{}
	for i, a := range names {
		for _, b := range names[i+1:] {
			if !s.hear(a, b) {
				continue
			}
			for _, g := range s.Base.Groups {
				key := a + "|" + b + "|" + g.Key
				if s.nodes[a].held[g.Key] && s.nodes[b].held[g.Key] {
					seen[key] = true
					since, ok := s.conflictSince[key]
					if !ok {
						s.conflictSince[key] = s.Now
					} else if s.Now.Sub(since) > settle {
						s.violation("%s and %s hear each other and both hold %s since %s", a, b, g.Key, since.Sub(Epoch))
						s.conflictSince[key] = s.Now.Add(time.Hour)
					}
				}
			}
		}
	}
	for k := range s.conflictSince {
		if !seen[k] {
			delete(s.conflictSince, k)
		}
	}
}

// hear reports that a and b have at least one working link both ways.
func (s *Sim) hear(a, b string) bool {
	for _, l := range s.Links {
		if !s.cut[a+"|"+b+"|"+l] && !s.cut[b+"|"+a+"|"+l] {
			return true
		}
	}
	return false
}

func (s *Sim) violation(format string, args ...any) {
	s.logf("VIOLATION "+format, args...)
	s.Violations = append(s.Violations, s.out[len(s.out)-1])
}
