package config

import (
	"reflect"
	"testing"
)

// threeNodes is a three-node configuration; understudy.toml is added by
// each test.
func threeNodes(toml, hacfExtra string) map[string]string {
	return map[string]string{
		HACFFile:        "node node1 node2 node3\nbcast eth1\nauto_failback on\nlogfacility daemon\n" + hacfExtra,
		HaresourcesFile: "node1 192.0.2.10 web\nnode2 IPaddr2::192.0.2.11/24/eth0\n",
		AuthkeysFile:    "auth 1\n1 sha1 s3cret-of-16-bytes\n",
		SettingsFile:    toml,
	}
}

func loadThree(t *testing.T, toml, hacfExtra string) (*Config, Diagnostics) {
	t.Helper()
	dir := writeDir(t, threeNodes(toml, hacfExtra))
	cfg, d := Load(dir)
	return cfg, relDiags(dir, d)
}

func TestGroupNodes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		toml  string
		want  []GroupNodes
		diags []string
	}{
		{name: "a list, lower-cased", toml: "[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node1\", \"NODE3\", \"node2\"]\n",
			want: []GroupNodes{{Line: 1, Group: "192.0.2.10", Nodes: []string{"node1", "node3", "node2"}}}},
		{name: "two groups, the preferred node alone", toml: "[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node1\"]\n\n[[group]] # b\nname = \"IPaddr2::192.0.2.11/24/eth0\"\nnodes = [\"node2\", \"node1\"]\n",
			want: []GroupNodes{{Line: 1, Group: "192.0.2.10", Nodes: []string{"node1"}, elem: 0},
				{Line: 5, Group: "IPaddr2::192.0.2.11/24/eth0", Nodes: []string{"node2", "node1"}, elem: 1}}},
		{name: "first node not the preferred node", toml: "[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node2\", \"node1\"]\n",
			diags: []string{"E3 nodes must start with node1, its preferred node on haresources line 1"}},
		{name: "node not in ha.cf", toml: "[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node1\", \"node4\"]\n",
			diags: []string{"E3 node4 is not a node of ha.cf (nodes: node1 node2 node3)"}},
		{name: "unknown group, named by its address", toml: "[[group]]\nname = \"192.0.2.11\"\nnodes = [\"node2\"]\n",
			diags: []string{"E2 did you mean \"IPaddr2::192.0.2.11/24/eth0\""}},
		{name: "group twice", toml: "[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node1\"]\n[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node1\", \"node2\"]\n",
			want:  []GroupNodes{{Line: 1, Group: "192.0.2.10", Nodes: []string{"node1"}}},
			diags: []string{"E5 has a [[group]] already (line 1)"}},
		{name: "node twice", toml: "[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node1\", \"node2\", \"Node2\"]\n", diags: []string{"E3 names node2 twice"}},
		{name: "bad node name", toml: "[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node1\", \"a b\"]\n", diags: []string{"E3 \"a b\" is not a node name"}},
		{name: "no nodes", toml: "[[group]]\nname = \"192.0.2.10\"\nnodes = []\n", diags: []string{"E3 needs nodes = ["}},
		{name: "no name", toml: "[[group]]\nnodes = [\"node1\"]\n", diags: []string{"E1 needs name = \"KEY\""}},
		{name: "unknown key", toml: "[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node1\"]\nprio = 1\n", diags: []string{"E4 unknown key \"group.prio\""}},
		{name: "inline form refused", toml: "group = [{name = \"192.0.2.10\", nodes = [\"node1\"]}]\n", diags: []string{"E1 write each group as a [[group]] section"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, d := loadThree(t, tc.toml, "")
			expectDiags(t, d, tc.diags...)
			if !reflect.DeepEqual(cfg.GroupNodes, tc.want) {
				t.Errorf("group nodes:\n got %+v\nwant %+v", cfg.GroupNodes, tc.want)
			}
		})
	}
}

func TestNodeOrder(t *testing.T) {
	cfg, d := loadThree(t, "[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node1\", \"node3\"]\n", "")
	expectDiags(t, d)
	for key, want := range map[string][]string{
		"192.0.2.10":                  {"node1", "node3"},          // the table: node2 never holds it
		"IPaddr2::192.0.2.11/24/eth0": {"node2", "node1", "node3"}, // heartbeat's: preferred, then ha.cf order
		"nonesuch":                    nil,
	} {
		if got := cfg.NodeOrder(key); !reflect.DeepEqual(got, want) {
			t.Errorf("NodeOrder(%s) = %v, want %v", key, got, want)
		}
	}
	// The result is a copy.
	cfg.NodeOrder("192.0.2.10")[0] = "x"
	if cfg.GroupNodes[0].Nodes[0] != "node1" {
		t.Error("NodeOrder returned the config's own slice")
	}
}
