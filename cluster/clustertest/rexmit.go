package clustertest

import (
	"slices"

	"github.com/understudy-ha/understudy/cluster"
)

// The session layer under the state machine numbers every message a
// node sends; a receiver that sees a gap asks for the missing ones
// (NS_rexmit) and the sender, which keeps its last 500, sends them
// again. So a message is not lost to a link cut: it arrives late, once
// the link heals. The simulator models this for a cut shorter than the
// dead time after which the receiver still believes the sender alive
// (a cut shorter than the dead time can still outlast the sender's last
// heartbeat before it by a dead time): what it held back is delivered
// when it heals, in the order it was sent, before anything sent after
// the heal. What a longer cut held back is dropped, and so is what a
// cut held back from a receiver that declared the sender dead
// meanwhile (the partition's healing rule is then at work, and the real
// transport's late delivery of stale messages after it is not
// modelled), and what a node that crashed or exited sent or was sent
// (its history, or its receive state, is gone). Sim.NoRexmit turns the model
// off: every cut then loses what it carries, which shows how the state
// machine copes with a message lost for good.

// heldMsg is a message held back by a cut, on its way from one node to
// another.
type heldMsg struct {
	from, to string
	msg      cluster.Msg
}

// reach reports whether a message from a can reach b on some link.
func (s *Sim) reach(a, b string) bool {
	for _, l := range s.Links {
		if !s.cut[a+"|"+b+"|"+l] {
			return true
		}
	}
	return false
}

// pairChanged follows a change of connectivity between a and b (cuts
// are symmetric): a pair that stops hearing each other starts holding
// messages back; one that hears again gets them, or loses them when the
// cut lasted the dead time or longer.
func (s *Sim) pairChanged(a, b string, before bool) {
	after := s.reach(a, b)
	key, rkey := a+"|"+b, b+"|"+a
	switch {
	case before && !after:
		s.cutSince[key], s.cutSince[rkey] = s.Now, s.Now
	case !before && after:
		since, ok := s.cutSince[key]
		delete(s.cutSince, key)
		delete(s.cutSince, rkey)
		between := func(h heldMsg) bool { return h.from == a && h.to == b || h.from == b && h.to == a }
		if ok && s.Now.Sub(since) < s.Base.Deadtime && !s.NoRexmit {
			for _, h := range s.heldBack {
				if rcv, ok := s.nodes[h.to]; ok && between(h) && believesAlive(rcv)[h.from] {
					s.redeliver(h)
				}
			}
		}
		s.heldBack = slices.DeleteFunc(s.heldBack, between)
		s.drain()
	}
}

// redeliver queues a held-back message on the first link that works.
func (s *Sim) redeliver(h heldMsg) {
	for _, l := range s.Links {
		if !s.cut[h.from+"|"+h.to+"|"+l] {
			if h.msg.Type != cluster.MsgStatus {
				s.logf("%s: late from %s (retransmitted) %s", h.to, h.from, h.msg)
			}
			s.queue = append(s.queue, delivery{to: h.to, ev: cluster.Recv{Now: s.Now, Link: l, Msg: h.msg}})
			return
		}
	}
}

// forgetHeldBack drops what a node that stopped sent or was sent.
func (s *Sim) forgetHeldBack(name string) {
	s.heldBack = slices.DeleteFunc(s.heldBack, func(h heldMsg) bool { return h.from == name || h.to == name })
}
