package console

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/resources"
)

func cellTexts(cs []cell) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Text)
	}
	return out
}

func rowOf(g groupRow, label string) (row, bool) {
	i := slices.IndexFunc(g.Rows, func(r row) bool { return r.Label == label })
	if i < 0 {
		return row{}, false
	}
	return g.Rows[i], true
}

func TestOverviewAgreeing(t *testing.T) {
	f := newFakeCluster()
	vs, _ := f.views(t.Context())
	ov := buildOverview("node1", vs, func(n string) bool { return n == "node1" })
	if len(ov.Problems) != 0 {
		t.Errorf("problems in an agreeing cluster: %v", ov.Problems)
	}
	if got := []string{ov.Columns[0].Node, ov.Columns[1].Node}; !slices.Equal(got, []string{"node1", "node2"}) {
		t.Errorf("columns %v", got)
	}
	if len(ov.Nodes) != 2 || !ov.Nodes[0].Command || ov.Nodes[1].Command {
		t.Errorf("node rows %+v: want node1 commandable, node2 not", ov.Nodes)
	}
	if got := cellTexts(ov.Nodes[1].Cells); !slices.Equal(got, []string{"active", "active (itself)"}) {
		t.Errorf("node2 as each sees it: %v", got)
	}
	if got := cellTexts(ov.Nodes[0].Cells[0].Items); !slices.Equal(got, []string{"eth1 up", "/dev/ttyS0 up"}) {
		t.Errorf("node1's links: %v", got)
	}
	g := ov.Groups[0]
	if g.Owner != "node1" || g.Preferred != "node1" || g.Disagree || !slices.Equal(g.MoveTo, []string{"node2"}) || g.Failed {
		t.Errorf("group %+v", g)
	}
	for label, want := range map[string][]string{
		"owner":               {"node1", "node1"},
		"state there":         {"running", "stopped"},
		"address 192.0.2.100": {"Active", "Inactive"},
		"demoweb":             {"running", "stopped"},
		"monitor web":         {"Up", "Up"},
	} {
		r, ok := rowOf(g, label)
		if !ok || !slices.Equal(cellTexts(r.Cells), want) {
			t.Errorf("row %s: %v, want %v", label, cellTexts(r.Cells), want)
		}
	}
	if _, ok := rowOf(g, "failed on"); ok {
		t.Error("a failed-on row without failures")
	}
}

func TestOverviewDisagreements(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func([]NodeView)
		problem string
		check   func(*testing.T, overview)
	}{
		{"dead for one", func(vs []NodeView) {
			vs[0].Status.Cluster.Nodes[0].Status = "dead"
		}, "node2 is up for node2 but dead for node1", func(t *testing.T, ov overview) {
			if !ov.Nodes[1].Disagree || ov.Nodes[0].Disagree {
				t.Errorf("marked: node1 %v, node2 %v", ov.Nodes[0].Disagree, ov.Nodes[1].Disagree)
			}
		}},
		{"both hold it", func(vs []NodeView) {
			vs[1].Status.Cluster.Groups[0].Owner = "node2"
			vs[1].Status.Groups[0].Resources[0].State = resources.Running
		}, "group 192.0.2.100 has different owners: node1 for node1; node2 for node2", func(t *testing.T, ov overview) {
			g := ov.Groups[0]
			r, _ := rowOf(g, "owner")
			a, _ := rowOf(g, "address 192.0.2.100")
			if !g.Disagree || !r.Disagree || !a.Disagree || g.Owner != "" {
				t.Errorf("group %+v", g)
			}
			if !slices.Contains(ov.Problems, "group 192.0.2.100: address 192.0.2.100 is active on more than one node") {
				t.Errorf("problems %v", ov.Problems)
			}
		}},
		{"failed and down", func(vs []NodeView) {
			vs[0].Status.Cluster.Groups[0].Failed = []string{"node2"}
			vs[1].Monitors[0].State = "down"
		}, "", func(t *testing.T, ov overview) {
			g := ov.Groups[0]
			if r, ok := rowOf(g, "failed on"); !ok || r.Cells[0].Text != "node2" || r.Cells[0].Class != "bad" {
				t.Errorf("failed row %+v", r)
			}
			if !g.Failed {
				t.Error("a group failed on node2 is not marked failed")
			}
		}},
		{"no answer", func(vs []NodeView) {
			vs[1].Err = errors.New("connection refused")
		}, "", func(t *testing.T, ov overview) {
			if ov.Columns[1].Err != "connection refused" {
				t.Errorf("column %+v", ov.Columns[1])
			}
			if got := cellTexts(ov.Nodes[1].Cells); !slices.Equal(got, []string{"active", "no answer"}) {
				t.Errorf("node2: %v", got)
			}
			r, _ := rowOf(ov.Groups[0], "owner")
			if got := cellTexts(r.Cells); !slices.Equal(got, []string{"node1", "–"}) {
				t.Errorf("owner row: %v", got)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs, _ := newFakeCluster().views(t.Context())
			tc.edit(vs)
			ov := buildOverview("node1", vs, func(string) bool { return true })
			if tc.problem != "" && !slices.Contains(ov.Problems, tc.problem) {
				t.Errorf("problems %q lack %q", ov.Problems, tc.problem)
			}
			if tc.problem == "" && len(ov.Problems) > 0 {
				t.Errorf("problems %q", ov.Problems)
			}
			tc.check(t, ov)
		})
	}
}

func TestAddress(t *testing.T) {
	for tok, want := range map[string]string{
		"IPaddr::192.0.2.10/24":         "192.0.2.10",
		"IPaddr2::2001:db8::10/64/eth0": "2001:db8::10",
		"192.0.2.11":                    "192.0.2.11",
		"httpd":                         "",
		"Filesystem::/dev/sda1::/data":  "",
		"IPaddr::not-an-address":        "",
	} {
		if got := address(tok); got != want {
			t.Errorf("address(%q) = %q, want %q", tok, got, want)
		}
	}
	if got := resourceLabel("IPaddr::192.0.2.10/24"); !strings.HasPrefix(got, "address ") {
		t.Errorf("label %q", got)
	}
}

func TestParseAction(t *testing.T) {
	for _, tc := range []struct {
		do, node, group string
		what, cmd, to   string
		args            map[string]string
	}{
		{"standby", "node2", "", "standby of node2", "standby", "node2", map[string]string{"set": "all"}},
		{"takeover", "node1", "", "takeover by node1", "takeover", "node1", map[string]string{"set": "all"}},
		{"move", "node2", "web", "move web to node2", "move", "node1", map[string]string{"group": "web", "node": "node2"}},
		{"clear", "", "web", "clear the failures of web", "clear", "node1", map[string]string{"group": "web"}},
		{do: "move", node: "node2"},
		{do: "clear"},
		{do: "standby"},
		{do: "standby", node: "node\x00"},
		{do: "standby", node: strings.Repeat("n", maxField+1)},
		{do: "reboot", node: "node1"},
	} {
		what, cmd, to, err := parseAction(tc.do, tc.node, tc.group, "node1")
		if tc.what == "" {
			if err == nil {
				t.Errorf("%q %q %q: no error, want one", tc.do, tc.node, tc.group)
			}
			continue
		}
		if err != nil || what != tc.what || cmd.Name != tc.cmd || to != tc.to || !maps.Equal(cmd.Args, tc.args) {
			t.Errorf("%q %q %q: %q %+v to %q, %v", tc.do, tc.node, tc.group, what, cmd, to, err)
		}
	}
}
