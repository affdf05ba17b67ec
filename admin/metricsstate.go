package admin

import (
	"slices"

	"github.com/understudy-ha/understudy/admin/metrics"
	"github.com/understudy-ha/understudy/control"
)

// MetricsState turns a status into the state the metrics' gauges show:
// the daemon's metrics.Metrics.SetState can read its Backend.Status
// through it.
func MetricsState(st control.Status) metrics.State {
	snap := st.Cluster
	ms := metrics.State{Started: st.Started}
	if snap.Self != "" {
		ms.Nodes = append(ms.Nodes, metrics.Node{Name: snap.Self, Status: snap.Status, Up: true})
	}
	for _, l := range st.Links {
		ms.Links = append(ms.Links, metrics.Link{Node: snap.Self, Name: l.Name, Up: l.Up})
	}
	for _, n := range snap.Nodes {
		ms.Nodes = append(ms.Nodes, metrics.Node{Name: n.Name, Status: n.Status, Up: n.Status != "dead"})
		links := make([]string, 0, len(n.Links))
		for name := range n.Links {
			links = append(links, name)
		}
		slices.Sort(links)
		for _, name := range links {
			ms.Links = append(ms.Links, metrics.Link{Node: n.Name, Name: name, Up: n.Links[name] == "up"})
		}
	}
	for _, g := range snap.Groups {
		ms.Groups = append(ms.Groups, metrics.Group{Name: g.Key, State: g.State, Owner: g.Owner, Held: g.Owner == snap.Self && snap.Self != ""})
		for _, m := range g.Monitors {
			if m.Runs {
				ms.Monitors = append(ms.Monitors, metrics.Monitor{Name: g.Key + "[" + m.Name + "]", Node: snap.Self, Up: m.State == "up"})
			}
		}
	}
	return ms
}
