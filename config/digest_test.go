package config

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// digestBase is a three-node configuration with ping nodes, a [[group]]
// list and monitors. Each test case changes one file.
var digestBase = map[string]string{
	HACFFile: "node node1 node2 node3\nbcast eth1\nauto_failback on\nlogfacility daemon\n" +
		"ping 192.0.2.254\nping_group uplink 198.51.100.1 198.51.100.2\n",
	HaresourcesFile: "node1 192.0.2.10 web\nnode2 IPaddr2::192.0.2.11/24/eth0 db::a::b\n",
	AuthkeysFile:    "auth 1\n1 sha1 s3cret-of-16-bytes\n",
	SettingsFile: "[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node1\", \"node3\"]\n\n" +
		"[[monitor]]\ngroup = \"192.0.2.10\"\nkind = \"http\"\n\n" +
		"[[monitor]]\ngroup = \"192.0.2.10\"\nkind = \"tcp\"\nport = 22\n",
}

const web, db = "192.0.2.10", "IPaddr2::192.0.2.11/24/eth0"

func digestOf(t *testing.T, over map[string]string) (string, map[string]string) {
	t.Helper()
	files := maps.Clone(digestBase)
	maps.Copy(files, over)
	dir := writeDir(t, files)
	cfg, d := Load(dir)
	if d.HasErrors() {
		t.Fatalf("test configuration has errors:\n%s", d)
	}
	return cfg.Digest(), cfg.GroupDigests()
}

// TestDigestSameMeaning: files that say the same thing differently, or
// differ only in what may differ between nodes, give the same digest.
func TestDigestSameMeaning(t *testing.T) {
	want, wantGroups := digestOf(t, nil)
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(want) || len(wantGroups) != 2 {
		t.Fatalf("digest %q, group digests %v", want, wantGroups)
	}
	for name, over := range map[string]map[string]string{
		"haresources comments, blanks, continuation, line order": {HaresourcesFile: "# groups\n\nnode2   IPaddr2::192.0.2.11/24/eth0 \\\n\tdb::a::b  # the database\nNODE1 192.0.2.10 web\n"},
		"ping lines reordered, group members reordered": {HACFFile: "node node1 node2 node3\nbcast eth1\nauto_failback on\nlogfacility daemon\n" +
			"ping_group uplink 198.51.100.2, 198.51.100.1\nping 192.0.2.254 # gateway\n"},
		"media, timings, logging": {HACFFile: "node node1,node2,node3\nucast eth0 192.0.2.2\nserial /dev/ttyS0\nkeepalive 200ms\ndeadtime 2\nauto_failback yes\nlogfile /var/log/ha\n" +
			"ping 192.0.2.254\nping_group uplink 198.51.100.1 198.51.100.2\ndeadping 5\nstonith_host * null node1 node2 node3\n"},
		"authkeys": {AuthkeysFile: "auth 2\n2 sha256 other\n"},
		"understudy.toml: monitors reordered, other tables, comments": {SettingsFile: "[resources]\ntimeout = \"5m\"\n[fence]\ncommand = [\"/bin/true\"]\n\n" +
			"[[monitor]] # ssh\ngroup = \"192.0.2.10\"\nkind = \"tcp\"\nport = 22\ninterval = \"1s\"\n\n" +
			"[[hook]]\nprogram = [\"/bin/true\"]\n\n" +
			"[[group]]\nname = \"192.0.2.10\"\nnodes = [\"NODE1\", \"node3\"]\n\n" +
			"[[monitor]]\ngroup = \"192.0.2.10\"\nkind = \"http\"\nport = 80\n"},
	} {
		t.Run(name, func(t *testing.T) {
			got, groups := digestOf(t, over)
			if got != want || !maps.Equal(groups, wantGroups) {
				t.Errorf("digest %s, groups %v; want %s, %v", got, groups, want, wantGroups)
			}
		})
	}
	// In a two-node cluster the order of the node lines changes no
	// group's order of nodes.
	two := map[string]string{SettingsFile: "", HACFFile: "node node1 node2\nbcast eth1\nauto_failback on\nlogfacility daemon\n"}
	a, _ := digestOf(t, two)
	two[HACFFile] = "node node2\nnode node1\nbcast eth1\nauto_failback on\nlogfacility daemon\n"
	if b, _ := digestOf(t, two); a != b {
		t.Errorf("two nodes listed in the other order: %s, want %s", b, a)
	}
}

// TestDigestChanges: every change that bears on who holds what changes
// the digest, and the digests of exactly the groups it concerns.
func TestDigestChanges(t *testing.T) {
	base, baseGroups := digestOf(t, nil)
	hacf := func(nodes, extra string) map[string]string {
		return map[string]string{HACFFile: nodes + "\nbcast eth1\nlogfacility daemon\n" + extra}
	}
	const nodes, pings = "node node1 node2 node3", "ping 192.0.2.254\nping_group uplink 198.51.100.1 198.51.100.2\n"
	toml := func(s string) map[string]string {
		return map[string]string{SettingsFile: strings.Replace(digestBase[SettingsFile], "kind = \"http\"\n", s, 1)}
	}
	for _, tc := range []struct {
		name    string
		over    map[string]string
		changed []string // the groups whose digest changes
	}{
		{"preferred node", map[string]string{HaresourcesFile: "node1 192.0.2.10 web\nnode3 IPaddr2::192.0.2.11/24/eth0 db::a::b\n"}, []string{db}},
		{"resource argument", map[string]string{HaresourcesFile: "node1 192.0.2.10 web\nnode2 IPaddr2::192.0.2.11/24/eth0 db::a::c\n"}, []string{db}},
		{"resource added", map[string]string{HaresourcesFile: "node1 192.0.2.10 web mail\nnode2 IPaddr2::192.0.2.11/24/eth0 db::a::b\n"}, []string{web}},
		{"resource order", map[string]string{HaresourcesFile: "node1 192.0.2.10 web\nnode2 IPaddr2::192.0.2.11/24/eth0 db::a::b db2\n"}, []string{db}},
		{"group added", map[string]string{HaresourcesFile: digestBase[HaresourcesFile] + "node3 192.0.2.12\n"}, nil},
		{"group removed", map[string]string{HaresourcesFile: "node1 192.0.2.10 web\n"}, nil},
		{"ha.cf node order, three nodes", hacf("node node3 node2 node1\nauto_failback on", pings), []string{db}},
		{"node added", hacf(nodes+" node4\nauto_failback on", pings), []string{db}},
		{"auto_failback", hacf(nodes+"\nauto_failback off", pings), nil},
		{"ping node added", hacf(nodes+"\nauto_failback on", pings+"ping 192.0.2.253\n"), nil},
		{"ping address changed", hacf(nodes+"\nauto_failback on", "ping 192.0.2.253\nping_group uplink 198.51.100.1 198.51.100.2\n"), nil},
		{"ping_group member removed", hacf(nodes+"\nauto_failback on", "ping 192.0.2.254\nping_group uplink 198.51.100.1\n"), nil},
		{"ping_group renamed", hacf(nodes+"\nauto_failback on", "ping 192.0.2.254\nping_group uplink2 198.51.100.1 198.51.100.2\n"), nil},
		{"[[group]] list order", map[string]string{SettingsFile: strings.Replace(digestBase[SettingsFile], `["node1", "node3"]`, `["node1", "node2", "node3"]`, 1)}, []string{web}},
		{"[[group]] list removed", map[string]string{SettingsFile: strings.Replace(digestBase[SettingsFile], "[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node1\", \"node3\"]\n", "", 1)}, []string{web}},
		{"monitor setting", toml("kind = \"http\"\nfall = 5\n"), []string{web}},
		{"monitor kind", toml("kind = \"https\"\n"), []string{web}},
		{"monitor removed", map[string]string{SettingsFile: strings.Split(digestBase[SettingsFile], "[[monitor]]")[0]}, []string{web}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, groups := digestOf(t, tc.over)
			if got == base {
				t.Errorf("digest unchanged: %s", got)
			}
			var changed []string
			for k, v := range baseGroups {
				if w, ok := groups[k]; ok && w != v {
					changed = append(changed, k)
				}
			}
			slices.Sort(changed)
			if !slices.Equal(changed, tc.changed) {
				t.Errorf("groups changed: %v, want %v", changed, tc.changed)
			}
		})
	}
}

// TestDigestText: the canonical text quotes every value, so that no
// token can pass for a separator.
func TestDigestText(t *testing.T) {
	var b strings.Builder
	rec(&b, "group", "a b", []string{"c\" d", "e"}, 3, true)
	if got, want := b.String(), "group \"a b\" [\"c\\\" d\" \"e\"] 3 true\n"; got != want {
		t.Errorf("rec = %q, want %q", got, want)
	}
}
