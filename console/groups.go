package console

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/resources"
)

// groupKeys are the groups of every view, in the first view's order.
func groupKeys(views []NodeView) []string {
	var keys []string
	for _, v := range views {
		if v.Err != nil {
			continue
		}
		for _, g := range v.Status.Cluster.Groups {
			keys = appendNew(keys, g.Key)
		}
	}
	return keys
}

// groupRowOf is group key as each view sees it: owner, state on the
// node, each resource (addresses Active or Inactive) and each monitor.
func groupRowOf(index int, key string, nodes []string, views []NodeView, problems *[]string) groupRow {
	g := groupRow{Index: index, Key: key}
	owner := row{Label: "owner"}
	state := row{Label: "state there"}
	failed := row{Label: "failed on"}
	var res, mons []row
	owners := map[string][]string{} // owner -> views that say so
	anyFailed := false
	for i, v := range views {
		gs, ok := findGroup(v, key)
		if !ok {
			for _, r := range []*row{&owner, &state, &failed} {
				r.Cells = append(r.Cells, cell{Text: "–", Class: "muted"})
			}
			addColumn(&res, &mons, i)
			continue
		}
		if g.Preferred == "" {
			g.Preferred = gs.Preferred
		}
		o := gs.Owner
		owners[o] = append(owners[o], v.Node)
		oc := cell{Text: o, Class: "ok"}
		if o == "" {
			oc = cell{Text: "none", Class: "warn"}
		}
		owner.Cells = append(owner.Cells, oc)
		state.Cells = append(state.Cells, cell{Text: gs.State, Class: groupStateClass(gs.State)})
		fc := cell{Text: "nowhere", Class: "muted"}
		if len(gs.Failed) > 0 {
			anyFailed = true
			fc = cell{Text: strings.Join(gs.Failed, ", "), Class: "bad"}
		}
		failed.Cells = append(failed.Cells, fc)
		for _, rs := range resourcesOf(v, key) {
			addCell(&res, i, resourceLabel(rs.Token), resourceCell(rs))
		}
		for _, m := range v.Monitors {
			if m.Group == key {
				addCell(&mons, i, "monitor "+m.Name, monitorCell(m))
				g.Failed = g.Failed || m.State == "down"
			}
		}
		addColumn(&res, &mons, i)
	}
	if len(owners) > 1 {
		owner.Disagree, g.Disagree = true, true
		*problems = append(*problems, ownerProblem(key, owners))
	}
	for o := range owners {
		g.Owner = o
	}
	if len(owners) > 1 {
		g.Owner = ""
	}
	g.Rows = append([]row{owner, state}, res...)
	g.Rows = append(g.Rows, mons...)
	if anyFailed {
		g.Rows = append(g.Rows, failed)
		g.Failed = true
	}
	for i := range g.Rows {
		if activeTwice(g.Rows[i]) {
			g.Rows[i].Disagree, g.Disagree = true, true
			*problems = append(*problems, fmt.Sprintf("group %s: %s is active on more than one node", key, g.Rows[i].Label))
		}
	}
	for _, n := range nodes {
		if n != g.Owner {
			g.MoveTo = append(g.MoveTo, n)
		}
	}
	return g
}

func ownerProblem(key string, owners map[string][]string) string {
	var parts []string
	for _, o := range slices.Sorted(maps.Keys(owners)) {
		who := o
		if who == "" {
			who = "nobody"
		}
		parts = append(parts, fmt.Sprintf("%s for %s", who, strings.Join(owners[o], ", ")))
	}
	return fmt.Sprintf("group %s has different owners: %s", key, strings.Join(parts, "; "))
}

// activeTwice: an address row with Active in two columns.
func activeTwice(r row) bool {
	n := 0
	for _, c := range r.Cells {
		if c.Text == "Active" {
			n++
		}
	}
	return n > 1
}

// addCell puts c in column col of the row labelled label, adding the row
// if it is new.
func addCell(rows *[]row, col int, label string, c cell) {
	i := slices.IndexFunc(*rows, func(r row) bool { return r.Label == label })
	if i < 0 {
		*rows = append(*rows, row{Label: label})
		i = len(*rows) - 1
	}
	r := &(*rows)[i]
	for len(r.Cells) < col {
		r.Cells = append(r.Cells, cell{Text: "–", Class: "muted"})
	}
	if len(r.Cells) == col {
		r.Cells = append(r.Cells, c)
	}
}

// addColumn ends column col: rows that got no cell in it get a dash.
func addColumn(res, mons *[]row, col int) {
	for _, rows := range []*[]row{res, mons} {
		for i := range *rows {
			r := &(*rows)[i]
			for len(r.Cells) <= col {
				r.Cells = append(r.Cells, cell{Text: "–", Class: "muted"})
			}
		}
	}
}

func findGroup(v NodeView, key string) (cluster.GroupStatus, bool) {
	if v.Err != nil {
		return cluster.GroupStatus{}, false
	}
	i := slices.IndexFunc(v.Status.Cluster.Groups, func(g cluster.GroupStatus) bool { return g.Key == key })
	if i < 0 {
		return cluster.GroupStatus{}, false
	}
	return v.Status.Cluster.Groups[i], true
}

func resourcesOf(v NodeView, key string) []resources.ResourceStatus {
	for _, g := range v.Status.Groups {
		if g.Key == key {
			return g.Resources
		}
	}
	return nil
}

func groupStateClass(s string) string {
	switch s {
	case "running":
		return "ok"
	case "stopped":
		return "muted"
	case "stop-failed":
		return "bad"
	}
	return "warn"
}

// address is the floating address of an address resource
// (IPaddr::IP/..., IPaddr2::..., a bare IP), or "".
func address(token string) string {
	r, err := config.ParseResource(token)
	if err != nil || r.IP == nil {
		return ""
	}
	return r.IP.Addr.String()
}

func resourceLabel(token string) string {
	if a := address(token); a != "" {
		return "address " + a
	}
	return token
}

// resourceCell is a resource on one node: an address is Active when it
// is on the node, Inactive otherwise; other resources show their state.
func resourceCell(rs resources.ResourceStatus) cell {
	c := cell{Text: rs.State.String(), Title: rs.Err}
	switch rs.State {
	case resources.Running:
		c.Class = "ok"
	case resources.Failed:
		c.Class = "bad"
	case resources.Stopped, resources.Unknown:
		c.Class = "muted"
	default:
		c.Class = "warn"
	}
	if address(rs.Token) != "" {
		switch rs.State {
		case resources.Running:
			c.Text = "Active"
		case resources.Failed:
			c.Text = "Failed"
		default:
			c.Text = "Inactive"
		}
	}
	return c
}

func monitorCell(m MonitorResult) cell {
	switch m.State {
	case "up":
		return cell{Text: "Up", Class: "ok"}
	case "down":
		return cell{Text: "Down", Class: "bad", Title: m.Reason}
	}
	return cell{Text: "Unknown", Class: "warn", Title: m.Reason}
}
