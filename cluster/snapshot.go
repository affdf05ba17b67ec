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
	// Maintenance: the cluster acts on no failure (see CmdMaintenance);
	// MaintenanceBy names the node whose operator turned it on.
	Maintenance   bool   `json:"maintenance"`
	MaintenanceBy string `json:"maintenance_by,omitempty"`
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
	// Understudy: it sent fields only Understudy sends (a heartbeat node
	// never does). Health: the health of the groups with monitors on it,
	// as it announced ("up", "down", "unknown"), by group key.
	Understudy bool              `json:"understudy"`
	Health     map[string]string `json:"health,omitempty"`
}

// GroupStatus is one group on this node.
type GroupStatus struct {
	Key       string `json:"key"`
	Preferred string `json:"preferred"`
	State     string `json:"state"`
	// Owner is the node believed to hold the group ("" if none).
	Owner string `json:"owner"`
	// Failed: nodes where it failed to start; MonitorFailed: nodes where
	// a monitor of it failed while they ran it. Neither takes it.
	Failed        []string `json:"failed_on,omitempty"`
	MonitorFailed []string `json:"monitor_failed_on,omitempty"`
	// Health is its health on this node when it has monitors: "down" if
	// a monitor that applies here is down, "up" if all are up, else
	// "unknown". Note says why it stays where it is, when a monitor
	// would have it move and it cannot.
	Health   string          `json:"health,omitempty"`
	Note     string          `json:"note,omitempty"`
	Monitors []MonitorStatus `json:"monitors,omitempty"`
}

// MonitorStatus is one monitor of a group on this node.
type MonitorStatus struct {
	Name string `json:"name"`
	// Where: "everywhere" or "owner" (where the group runs); Runs: it
	// runs on this node now.
	Where string `json:"where"`
	Runs  bool   `json:"runs"`
	// State: "unknown", "up" or "down", since Since (zero: never
	// changed); Failures and Successes: the results in a row (Failures
	// restarts from 0 after a restart in place); LastReason: why the
	// last failed result failed.
	State      string    `json:"state"`
	Since      time.Time `json:"since,omitzero"`
	Failures   int       `json:"failures"`
	Successes  int       `json:"successes"`
	LastReason string    `json:"last_reason,omitempty"`
	// Restarts: restarts in place it asked for since it was last up,
	// of at most MaxRestarts (on_fail = "restart").
	Restarts    int `json:"restarts"`
	MaxRestarts int `json:"max_restarts"`
}

// Snapshot returns the current state.
func (n *Node) Snapshot() Snapshot {
	s := Snapshot{Self: n.cfg.Self, Status: string(n.status), State: n.rs.String(), Standby: n.standby.phase.String(), Hold: n.bits(),
		Maintenance: n.maint.on}
	if n.maint.on {
		s.MaintenanceBy = n.maint.by
	}
	for _, name := range n.cfg.Nodes {
		p, ok := n.peers[name]
		if !ok {
			continue
		}
		ns := NodeStatus{Name: name, Status: string(p.st), Links: map[string]string{}, Stable: p.stable, Known: p.known, Understudy: p.understudy}
		for k, h := range p.health {
			if ns.Health == nil {
				ns.Health = map[string]string{}
			}
			ns.Health[k] = h.String()
		}
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
			if g.monFailed[name] {
				gs.MonitorFailed = append(gs.MonitorFailed, name)
			}
		}
		if len(g.mons) > 0 {
			gs.Health, gs.Note = g.ownHealth().String(), g.note
		}
		for _, m := range g.mons {
			gs.Monitors = append(gs.Monitors, MonitorStatus{Name: m.spec.Name, Where: map[bool]string{true: "everywhere", false: "owner"}[m.spec.Everywhere],
				Runs: !g.removed && g.runsHere(m), State: m.state.String(), Since: m.since, Failures: m.fails, Successes: m.oks,
				LastReason: m.reason, Restarts: m.restarts, MaxRestarts: m.spec.Restarts})
		}
		s.Groups = append(s.Groups, gs)
	}
	return s
}
