package cluster

import "time"

// Snapshot is a read-only view of the state machine for status displays.
type Snapshot struct {
	Self    string        `json:"self"`
	Status  string        `json:"status"`
	State   string        `json:"state"`
	Standby string        `json:"standby"`
	Nodes   []NodeStatus  `json:"nodes"`
	Groups  []GroupStatus `json:"groups"`
	Hold    Set           `json:"rsc_hold"`
}

// NodeStatus is one peer as this node sees it.
type NodeStatus struct {
	Name   string            `json:"name"`
	Status string            `json:"status"`
	Links  map[string]string `json:"links"`
	// Heard says whether it was ever heard since this node started;
	// LastHeard is then how long before the snapshot its last heartbeat
	// arrived.
	Heard     bool          `json:"heard"`
	LastHeard time.Duration `json:"last_heard_ns"`
	Holds     []string      `json:"holds"`
	// Stable: its resource negotiation is over, as far as its last
	// resource message said (heartbeat's isstable); Known: it has said
	// what it holds since it (re)started.
	Stable bool `json:"stable"`
	Known  bool `json:"known"`
}

// GroupStatus is one group on this node.
type GroupStatus struct {
	Key       string `json:"key"`
	Preferred string `json:"preferred"`
	State     string `json:"state"`
	// Owner is the node believed to hold the group ("" if none).
	Owner  string   `json:"owner"`
	Failed []string `json:"failed_on,omitempty"`
}

// Snapshot returns the current state.
func (n *Node) Snapshot() Snapshot {
	s := Snapshot{Self: n.cfg.Self, Status: string(n.status), State: n.rs.String(), Standby: n.standby.phase.String(), Hold: n.bits()}
	for _, name := range n.cfg.Nodes {
		p, ok := n.peers[name]
		if !ok {
			continue
		}
		ns := NodeStatus{Name: name, Status: string(p.st), Links: map[string]string{}, Stable: p.stable, Known: p.known}
		if p.heard {
			ns.Heard, ns.LastHeard = true, n.now.Sub(p.lastStatus)
		}
		for ln, l := range p.links {
			ns.Links[ln] = map[bool]string{true: "up", false: "dead"}[l.up]
		}
		for _, g := range n.groups {
			if p.alive && p.holds[g.spec.Key] {
				ns.Holds = append(ns.Holds, g.spec.Key)
			}
		}
		s.Nodes = append(s.Nodes, ns)
	}
	for _, g := range n.groups {
		gs := GroupStatus{Key: g.spec.Key, Preferred: g.spec.Node, State: g.state.String()}
		if g.held() {
			gs.Owner = n.cfg.Self
		} else {
			gs.Owner = n.liveHolder(g)
		}
		for _, name := range n.cfg.Nodes {
			if g.failed[name] {
				gs.Failed = append(gs.Failed, name)
			}
		}
		s.Groups = append(s.Groups, gs)
	}
	return s
}
