package pinger

import (
	"net/netip"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// Status is what is known of a ping node.
type Status int

const (
	// Unknown: not heard yet, and Deadping has not passed since the
	// Pinger started.
	Unknown Status = iota
	// Up: it (for a group, one of its addresses) answered within the
	// last Deadping.
	Up
	// Dead: no answer for Deadping.
	Dead
)

func (s Status) String() string {
	switch s {
	case Up:
		return "up"
	case Dead:
		return "dead"
	}
	return "unknown"
}

// MarshalText makes a Status print as its name in JSON.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Event is a ping node's new status.
type Event struct {
	// Name is the ping node's name (config.PingNode.Name).
	Name   string
	Status Status
	// At is when it changed: the reply that made it Up, or Deadping
	// after the last reply (after the start, if none came) for Dead.
	At time.Time
	// Addr is the address whose reply made it Up; invalid for Dead.
	Addr netip.Addr
}

// Member is one address of a ping node, as Snapshot reports it.
type Member struct {
	Addr netip.Addr `json:"addr"`
	// LastReply is when it last answered; zero if never.
	LastReply time.Time `json:"last_reply,omitzero"`
	// Answering: it answered within the last Deadping.
	Answering bool `json:"answering"`
	// Err is why the last echo request could not be sent ("" if it was).
	Err string `json:"error,omitempty"`
}

// Target is one ping node, as Snapshot reports it.
type Target struct {
	Name   string `json:"name"`
	Group  bool   `json:"group,omitempty"`
	Status Status `json:"status"`
	// Since is when Status began (the start, for Unknown).
	Since   time.Time `json:"since"`
	Members []Member  `json:"members"`
}

// CountUp returns how many of ts are Up: what a node announces it
// reaches, for ipfail's rule.
func CountUp(ts []Target) int {
	n := 0
	for _, t := range ts {
		if t.Status == Up {
			n++
		}
	}
	return n
}

// tracker is the pure part of a Pinger: the status of every ping node,
// judged from replies and the passing of time. It does no I/O and reads
// no clock.
type tracker struct {
	deadping time.Duration
	start    time.Time
	targets  []Target
}

func newTracker(nodes []config.PingNode, deadping time.Duration, start time.Time) *tracker {
	t := &tracker{deadping: deadping, start: start}
	for _, pn := range nodes {
		tg := Target{Name: pn.Name, Group: pn.Group, Status: Unknown, Since: start}
		for _, a := range pn.Addrs {
			tg.Members = append(tg.Members, Member{Addr: a})
		}
		t.targets = append(t.targets, tg)
	}
	return t
}

// reply records an answer from addr (without zone) at now, for every
// ping node that has it, and returns the nodes that came Up.
func (t *tracker) reply(addr netip.Addr, now time.Time) []Event {
	var out []Event
	for i := range t.targets {
		tg := &t.targets[i]
		for j := range tg.Members {
			if tg.Members[j].Addr.WithZone("") != addr {
				continue
			}
			tg.Members[j].LastReply = now
			if tg.Status != Up {
				tg.Status, tg.Since = Up, now
				out = append(out, Event{Name: tg.Name, Status: Up, At: now, Addr: addr})
			}
		}
	}
	return out
}

// sendErr records why the echo request to addr could not be sent (nil:
// it was).
func (t *tracker) sendErr(addr netip.Addr, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	for i := range t.targets {
		for j := range t.targets[i].Members {
			if t.targets[i].Members[j].Addr == addr {
				t.targets[i].Members[j].Err = msg
			}
		}
	}
}

// deadline is when tg becomes Dead if nothing answers before: Deadping
// after its last reply, or after the start.
func (t *tracker) deadline(tg *Target) time.Time {
	last := t.start
	for _, m := range tg.Members {
		if m.LastReply.After(last) {
			last = m.LastReply
		}
	}
	return last.Add(t.deadping)
}

// tick declares Dead every ping node whose deadline has come by now, and
// returns them.
func (t *tracker) tick(now time.Time) []Event {
	var out []Event
	for i := range t.targets {
		tg := &t.targets[i]
		if d := t.deadline(tg); tg.Status != Dead && !now.Before(d) {
			tg.Status, tg.Since = Dead, d
			out = append(out, Event{Name: tg.Name, Status: Dead, At: d})
		}
	}
	return out
}

// next returns the earliest deadline of a ping node not yet Dead.
func (t *tracker) next() (time.Time, bool) {
	var first time.Time
	for i := range t.targets {
		tg := &t.targets[i]
		if tg.Status == Dead {
			continue
		}
		if d := t.deadline(tg); first.IsZero() || d.Before(first) {
			first = d
		}
	}
	return first, !first.IsZero()
}

// snapshot returns a copy of every ping node's state at now.
func (t *tracker) snapshot(now time.Time) []Target {
	out := make([]Target, len(t.targets))
	for i, tg := range t.targets {
		tg.Members = append([]Member(nil), tg.Members...)
		for j := range tg.Members {
			m := &tg.Members[j]
			m.Answering = !m.LastReply.IsZero() && now.Sub(m.LastReply) < t.deadping
		}
		out[i] = tg
	}
	return out
}
