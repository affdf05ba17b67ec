package clustertest

import (
	"fmt"
	"slices"
	"time"

	"github.com/understudy-ha/understudy/cluster"
)

// request is an operator's command issued with an ID, as the simulated
// operator waiting for its answers sees it.
type request struct {
	at       time.Time
	accepted bool
	final    bool
}

// admin feeds an operator's command with an ID to sn and checks that its
// step answers it.
func (s *Sim) admin(sn *simNode, a cluster.Admin) error {
	if _, ok := sn.requests[a.ID]; ok {
		return fmt.Errorf("request id %d already used on %s", a.ID, sn.name)
	}
	sn.requests[a.ID] = &request{at: s.Now}
	out := sn.n.Step(a)
	if !slices.ContainsFunc(out.Answers, func(x cluster.Answer) bool { return x.ID == a.ID }) {
		s.violation("%s: %s [%s] id %d got no answer in its own step", sn.name, a.Cmd, a.Set, a.ID)
	}
	s.apply(sn, out)
	return nil
}

// checkAnswer: an answer is for a command issued to the node; an
// Accepted comes once and is followed by exactly one final answer; a
// final answer is the last.
func (s *Sim) checkAnswer(sn *simNode, a cluster.Answer) {
	r, ok := sn.requests[a.ID]
	switch {
	case !ok:
		s.violation("%s answers id %d, which nobody asked", sn.name, a.ID)
	case r.final:
		s.violation("%s answers id %d again after its final answer: %s", sn.name, a.ID, a)
	case a.Verdict == cluster.Accepted && r.accepted:
		s.violation("%s accepts id %d twice", sn.name, a.ID)
	case a.Verdict == cluster.Accepted:
		r.accepted = true
	case !a.Verdict.Final():
		s.violation("%s answers id %d with %s", sn.name, a.ID, a.Verdict)
	default:
		r.final = true
	}
}

// checkExit: a node that exits owes no answer.
func (s *Sim) checkExit(sn *simNode) {
	for _, id := range sortedIDs(sn.requests) {
		if r := sn.requests[id]; r.accepted && !r.final {
			s.violation("%s exits without a final answer to id %d", sn.name, id)
		}
	}
}

// Unanswered lists the accepted commands of a running node that still
// wait for their final answer, with the time each was issued.
func (s *Sim) Unanswered(name string) map[uint64]time.Time {
	out := map[uint64]time.Time{}
	if sn, ok := s.nodes[name]; ok {
		for id, r := range sn.requests {
			if r.accepted && !r.final {
				out[id] = r.at
			}
		}
	}
	return out
}

func sortedIDs(m map[uint64]*request) []uint64 {
	var ids []uint64
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
