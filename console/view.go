package console

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
)

// NodeView is one node's own view of the cluster: what it answers to
// `understudy status`, as `status --cluster` gathers them.
type NodeView struct {
	// Node is the node asked (its ha.cf name).
	Node string
	// Status is its answer; unused when Err is set.
	Status control.Status
	// Monitors are its monitors' results. The daemon's status does not
	// carry them yet: monitorsOf is where they will be read from it, and
	// Options.Cluster may fill them meanwhile.
	Monitors []MonitorResult
	// Err says why the node's view could not be had.
	Err error
}

// MonitorResult is one monitor of a group as one node last judged it.
type MonitorResult struct {
	Group string
	Name  string
	// State is "up", "down" or "unknown".
	State string
	// Reason says why it is down.
	Reason string
}

// localView is this node's view, from its status.
func localView(st control.Status) NodeView {
	return NodeView{Node: st.Node, Status: st, Monitors: monitorsOf(st)}
}

// monitorsOf reads the monitor results of a status. control.Status has
// no monitor results yet; when it has, this mapping is the one place
// that changes.
func monitorsOf(control.Status) []MonitorResult { return nil }

// overview is the overview page's model: one column per node's view.
type overview struct {
	Self     string
	CSRF     string
	Columns  []column
	Nodes    []nodeRow
	Groups   []groupRow
	Problems []string
}

// column is one node's view.
type column struct {
	Node string
	Self bool
	Err  string
}

// cell is one node's view of one thing: the text shown and a class for
// its colour (ok, bad, warn, muted); Title explains it.
type cell struct {
	Text, Class, Title string
	// Items are sub-parts (links), each with its own class.
	Items []cell
}

type nodeRow struct {
	Name     string
	Cells    []cell
	Disagree bool
	// Command: standby and takeover can be sent to this node.
	Command bool
}

// row is one line of a group's table: owner, state, an address, a
// resource, a monitor.
type row struct {
	Label    string
	Cells    []cell
	Disagree bool
}

type groupRow struct {
	Index     int
	Key       string
	Preferred string
	Owner     string
	Rows      []row
	Disagree  bool
	MoveTo    []string
	// Failed: a node marked it failed or finds its monitor down; an
	// operator may clear the marks.
	Failed bool
}

// buildOverview lays the views side by side, this node's first, the
// others by name, and marks what they disagree about. command says whether standby and takeover can be sent
// to a node.
func buildOverview(self string, views []NodeView, command func(string) bool) overview {
	ov := overview{Self: self}
	views = slices.Clone(views)
	slices.SortStableFunc(views, func(a, b NodeView) int {
		switch {
		case a.Node == self:
			return -1
		case b.Node == self:
			return 1
		}
		return strings.Compare(a.Node, b.Node)
	})
	var nodes []string
	for _, v := range views {
		col := column{Node: v.Node, Self: v.Node == self}
		if v.Err != nil {
			col.Err = v.Err.Error()
		}
		ov.Columns = append(ov.Columns, col)
		nodes = appendNew(nodes, v.Node)
		if v.Err == nil {
			nodes = appendNew(nodes, v.Status.Node)
			for _, n := range v.Status.Cluster.Nodes {
				nodes = appendNew(nodes, n.Name)
			}
		}
	}
	for _, n := range nodes {
		ov.Nodes = append(ov.Nodes, nodeRowOf(n, views, command(n), &ov.Problems))
	}
	for i, key := range groupKeys(views) {
		ov.Groups = append(ov.Groups, groupRowOf(i, key, nodes, views, &ov.Problems))
	}
	return ov
}

func appendNew(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// alive says what a node status means: 1 alive, -1 dead, 0 not known.
func alive(status string) int {
	switch status {
	case "up", "active":
		return 1
	case "dead":
		return -1
	}
	return 0
}

func statusClass(status string) string {
	switch alive(status) {
	case 1:
		return "ok"
	case -1:
		return "bad"
	}
	return "warn"
}

func upClass(up bool) string {
	if up {
		return "ok"
	}
	return "bad"
}

// nodeRowOf is node name as each view sees it: its status and links.
func nodeRowOf(name string, views []NodeView, command bool, problems *[]string) nodeRow {
	r := nodeRow{Name: name, Command: command}
	var up, down []string
	for _, v := range views {
		c := cell{Text: "not known", Class: "muted"}
		switch {
		case v.Err != nil:
			c = cell{Text: "no answer", Class: "muted"}
		case v.Status.Node == name:
			st := v.Status
			c = cell{Text: st.Cluster.Status + " (itself)", Class: statusClass(st.Cluster.Status)}
			for _, l := range st.Links {
				c.Items = append(c.Items, cell{Text: l.Name + " " + upWord(l.Up), Class: upClass(l.Up), Title: l.Err})
			}
			if alive(st.Cluster.Status) >= 0 {
				up = append(up, v.Node)
			}
		default:
			i := slices.IndexFunc(v.Status.Cluster.Nodes, func(n cluster.NodeStatus) bool { return n.Name == name })
			if i < 0 {
				break
			}
			n := v.Status.Cluster.Nodes[i]
			c = cell{Text: n.Status, Class: statusClass(n.Status)}
			for _, ln := range linkOrder(v.Status.Links, n.Links) {
				c.Items = append(c.Items, cell{Text: ln + " " + n.Links[ln], Class: statusClass(n.Links[ln])})
			}
			switch alive(n.Status) {
			case 1:
				up = append(up, v.Node)
			case -1:
				down = append(down, v.Node)
			}
		}
		r.Cells = append(r.Cells, c)
	}
	if len(up) > 0 && len(down) > 0 {
		r.Disagree = true
		*problems = append(*problems, fmt.Sprintf("%s is up for %s but dead for %s", name, strings.Join(up, ", "), strings.Join(down, ", ")))
	}
	return r
}

// linkOrder is the names of a peer's links in the order of the view's
// own links, others after them by name: as `understudy status` lists
// them.
func linkOrder(own []control.LinkStatus, links map[string]string) []string {
	pos := func(name string) int {
		if i := slices.IndexFunc(own, func(l control.LinkStatus) bool { return l.Name == name }); i >= 0 {
			return i
		}
		return len(own)
	}
	names := slices.Sorted(maps.Keys(links))
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(pos(a), pos(b)) })
	return names
}

func upWord(up bool) string {
	if up {
		return "up"
	}
	return "dead"
}
