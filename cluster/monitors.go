package cluster

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// MonitorSpec is what the state machine needs of one [[monitor]]: its
// name (unique in its group), how many results in a row change its
// state, where it runs, and what a failure on the node holding the
// group does.
type MonitorSpec struct {
	Name string
	// Fall failures in a row make the monitor down; Rise successes in a
	// row make it up.
	Fall, Rise int
	// Everywhere: the monitor runs on every node, whether it holds the
	// group or not (config.Monitor.Everywhere); otherwise only where the
	// group runs.
	Everywhere bool
	// OnFail and Restarts: with config.OnFailRestart, a failure on the
	// node holding the group first restarts it in place, up to Restarts
	// times, before the group fails there.
	OnFail   config.OnFail
	Restarts int
}

// MonitorRef names one monitor: the key of its group and its name.
type MonitorRef struct{ Group, Monitor string }

// MonitorResult is one probe's raw result from this node's scheduler
// (monitor.Result): the machine counts them.
//
// A monitor is unknown until Rise results in a row are OK (then up) or
// Fall results in a row are not (then down); from up, Fall failures in
// a row make it down; from down, Rise successes make it up. Results of
// a monitor that does not run here (see Output.RunMonitors; a result can
// come just after the set changed) and of a group being restarted in
// place are ignored. A monitor that runs only where its group runs is
// unknown again, with its counts reset, once the group no longer runs
// here.
type MonitorResult struct {
	Now     time.Time
	Group   string
	Monitor string
	OK      bool
	Reason  string
}

// health is what a node knows of a service: a monitor's state, and a
// group's health on a node.
type health int

const (
	healthUnknown health = iota
	healthUp
	healthDown
)

var healthNames = [...]string{"unknown", "up", "down"}

func (h health) String() string { return healthNames[h] }

func parseHealthWord(s string) health {
	switch s {
	case "up":
		return healthUp
	case "down":
		return healthDown
	}
	return healthUnknown
}

// monitor is one monitor's state on this node.
type monitor struct {
	spec  MonitorSpec
	state health
	// fails and oks count the results in a row; fails restarts from 0
	// after an action (a restart in place), so that the next action
	// needs Fall new failures.
	fails, oks int
	since      time.Time // when state last changed
	reason     string    // why the last failed result failed
	// restarts: restarts in place this monitor asked for since it was
	// last up (or the group came here, or an operator cleared it).
	restarts int
}

func newMonitors(specs []MonitorSpec) []*monitor {
	var out []*monitor
	for _, s := range specs {
		out = append(out, &monitor{spec: s})
	}
	return out
}

// reset forgets what the monitor found: unknown, counts at zero.
func (m *monitor) reset(now time.Time) {
	if m.state != healthUnknown {
		m.since = now
	}
	m.state, m.fails, m.oks, m.restarts = healthUnknown, 0, 0, 0
}

// updateMonitors keeps the state of the monitors a reload left as they
// were, and starts the others afresh.
func updateMonitors(old []*monitor, specs []MonitorSpec) []*monitor {
	out := newMonitors(specs)
	for _, m := range out {
		for _, o := range old {
			if o.spec == m.spec {
				*m = *o
			}
		}
	}
	return out
}

// subject names a monitor in transitions: "GROUP[NAME]".
func (g *group) subject(m *monitor) string { return g.spec.Key + "[" + m.spec.Name + "]" }

// everywhere reports whether g has a monitor that runs on every node: it
// then moves only to a node whose copy of the service is known up.
func (g *group) everywhere() bool {
	return slices.ContainsFunc(g.mons, func(m *monitor) bool { return m.spec.Everywhere })
}

// runsHere reports whether monitor m of g runs on this node: everywhere
// monitors always, the others while g runs here (not while it starts,
// is restarted or stops).
func (g *group) runsHere(m *monitor) bool { return m.spec.Everywhere || g.state == running }

// applies reports whether m's state counts for g's health here: the
// owner's monitors count while the group is held here and not stopping
// (a restart in place keeps what they found).
func (g *group) applies(m *monitor) bool {
	return m.spec.Everywhere || g.state == running || g.state == restarting
}

// ownHealth is g's health on this node: down if a monitor that applies
// here is down, up if all are up, unknown otherwise (or with none).
func (g *group) ownHealth() health {
	h, any := healthUp, false
	for _, m := range g.mons {
		if !g.applies(m) {
			continue
		}
		any = true
		switch m.state {
		case healthDown:
			return healthDown
		case healthUnknown:
			h = healthUnknown
		}
	}
	if !any {
		return healthUnknown
	}
	return h
}

// healthOn is g's health on node: ours, or what the peer announced.
func (n *Node) healthOn(node string, g *group) health {
	if node == n.cfg.Self {
		return g.ownHealth()
	}
	if p, ok := n.peers[node]; ok {
		return p.health[g.spec.Key]
	}
	return healthUnknown
}

// RunMonitors lists the monitors that must run on this node now, group
// by group in configuration order: every monitor that runs everywhere,
// and the others of the groups running here. Nothing runs once the node
// has shut down.
func (n *Node) RunMonitors() []MonitorRef {
	var out []MonitorRef
	if n.exited {
		return out
	}
	for _, g := range n.groups {
		for _, m := range g.mons {
			if !g.removed && g.runsHere(m) {
				out = append(out, MonitorRef{Group: g.spec.Key, Monitor: m.spec.Name})
			}
		}
	}
	return out
}

// monitorResult counts one probe's result.
func (n *Node) monitorResult(e MonitorResult) {
	g := n.byKey[e.Group]
	if g == nil || g.removed {
		return
	}
	i := slices.IndexFunc(g.mons, func(m *monitor) bool { return m.spec.Name == e.Monitor })
	if i < 0 || !g.runsHere(g.mons[i]) || g.state == restarting {
		return
	}
	m := g.mons[i]
	if e.OK {
		m.oks++
		m.fails = 0
		if m.state != healthUp && m.oks >= max(m.spec.Rise, 1) {
			n.monitorState(g, m, healthUp, fmt.Sprintf("%d successes in a row", m.oks))
			m.restarts = 0
		}
	} else {
		m.fails++
		m.oks = 0
		m.reason = e.Reason
		if m.state != healthDown && m.fails >= max(m.spec.Fall, 1) {
			n.monitorState(g, m, healthDown, fmt.Sprintf("%d failures in a row: %s", m.fails, e.Reason))
		}
	}
	n.healthyAgain(g)
}

func (n *Node) monitorState(g *group, m *monitor, to health, reason string) {
	level := "info"
	if to == healthDown {
		level = "warn"
	}
	n.transition(level, "monitor", g.subject(m), m.state.String(), to.String(), "%s", reason)
	m.state, m.since = to, n.now
}

// healthyAgain clears the mark of a group whose monitor failed here once
// every monitor that applies here is up: this node's own monitors see
// its service healthy again.
func (n *Node) healthyAgain(g *group) {
	if g.monFailed[n.cfg.Self] && g.ownHealth() == healthUp {
		delete(g.monFailed, n.cfg.Self)
		g.stuck, g.note = false, ""
		n.transition("info", "group", g.spec.Key, "failed", "healthy", "its monitors here see the service up again: this node may run it again")
	}
}

// resetOwnerMonitors forgets what the owner's monitors of the groups no
// longer held here found: they do not run here any more.
func (n *Node) resetOwnerMonitors() {
	for _, g := range n.groups {
		for _, m := range g.mons {
			if !g.applies(m) && (m.state != healthUnknown || m.fails+m.oks+m.restarts > 0) {
				m.reset(n.now)
			}
		}
	}
}

// reportMonitors tells the caller which monitors run here when that
// changed (and on the first step).
func (n *Node) reportMonitors() {
	n.resetOwnerMonitors()
	run := n.RunMonitors()
	var b strings.Builder
	for _, r := range run {
		fmt.Fprintf(&b, "%s\x00%s\x00", r.Group, r.Monitor)
	}
	if key := b.String(); key != n.told.monitors {
		n.told.monitors = key
		n.out.RunMonitors, n.out.MonitorsChanged = run, true
	}
}

// resetMonitoring starts watching g afresh: a group a reload brings back.
func (n *Node) resetMonitoring(g *group) {
	g.mons = newMonitors(g.spec.Monitors)
	clear(g.monFailed)
	g.stuck, g.note = false, ""
}
