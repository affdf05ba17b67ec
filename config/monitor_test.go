package config

import (
	"net/netip"
	"strconv"
	"testing"
	"time"
)

// monitorGroups: a group with an address and a script, one with only an
// address, one with only a script.
const monitorGroups = "node1 192.0.2.10 httpd\nnode2 IPaddr::192.0.2.11/24\nnode1 web\n"

// monitorsOf parses understudy.toml text and checks its monitors against
// monitorGroups, as Load does.
func monitorsOf(t *testing.T, text string) ([]Monitor, []Hook, Diagnostics) {
	t.Helper()
	var d Diagnostics
	groups := parseHaresources(monitorGroups, reporter{file: "haresources", diags: &d})
	if len(d) != 0 || len(groups) != 3 {
		t.Fatalf("test groups: %v", d)
	}
	r := reporter{file: "understudy.toml", diags: &d}
	_, sec := parseSettings(text, r)
	mons, hooks := sec.monitors, sec.hooks
	checkMonitorGroups(text, mons, groups, r)
	return mons, hooks, d
}

func TestMonitorDefaults(t *testing.T) {
	mons, _, d := monitorsOf(t, "[[monitor]]\ngroup = \"192.0.2.10\"\nkind = \"http\"\n")
	expectDiags(t, d)
	want := Monitor{Line: 1, Name: "http:80", Group: "192.0.2.10", Kind: KindHTTP, Where: WhereFloating, Port: 80,
		Interval: time.Second, Timeout: 500 * ms, Fall: 3, Rise: 2, OnFail: OnFailFailover, Path: "/"}
	if len(mons) != 1 || !sameMonitor(mons[0], want) {
		t.Fatalf("got %+v\nwant %+v", mons, want)
	}
	for _, kind := range []struct {
		kind MonitorKind
		port int
	}{{KindHTTPS, 443}, {KindFTP, 21}, {KindSMTP, 25}} {
		mons, _, d := monitorsOf(t, "[[monitor]]\ngroup = \"192.0.2.10\"\nkind = \""+string(kind.kind)+"\"\n")
		expectDiags(t, d)
		if len(mons) != 1 || mons[0].Port != kind.port || mons[0].Name != string(kind.kind)+":"+strconv.Itoa(kind.port) {
			t.Errorf("%s: %+v", kind.kind, mons)
		}
	}
}

func sameMonitor(a, b Monitor) bool { return a.Line == b.Line && a.SameProbe(b) }

func TestMonitorValues(t *testing.T) {
	text := `# web and more
[[monitor]]   # the front page
name = "front"
group = "192.0.2.10"
kind = "https"
port = 8443
address = "local"
interval = "200ms"
timeout = "150ms"
fall = 1
rise = 5
on_fail = "restart"
restarts = 3
path = "/health?x=1"
host = "www.example.org:8443"
expect = [200, 204]

[[monitor]]
group = "web"
kind = "script"
command = ["/usr/local/bin/check_db", "-q"]
address = "2001:db8::7"

[[monitor]]
group = "web"
kind = "status"
interval = "5s"
on_fail = "restart"
`
	mons, _, d := monitorsOf(t, text)
	expectDiags(t, d)
	want := []Monitor{
		{Line: 2, Name: "front", Group: "192.0.2.10", Kind: KindHTTPS, Where: WhereLocal, Port: 8443,
			Interval: 200 * ms, Timeout: 150 * ms, Fall: 1, Rise: 5, OnFail: OnFailRestart, Restarts: 3,
			Path: "/health?x=1", Host: "www.example.org:8443", Expect: []int{200, 204}},
		{Line: 18, Name: "script:check_db", Group: "web", Kind: KindScript, Where: WhereFixed, Address: netip.MustParseAddr("2001:db8::7"),
			Interval: time.Second, Timeout: 500 * ms, Fall: 3, Rise: 2, OnFail: OnFailFailover, Command: []string{"/usr/local/bin/check_db", "-q"}},
		{Line: 24, Name: "status", Group: "web", Kind: KindStatus, Where: WhereFloating,
			Interval: 5 * time.Second, Timeout: 2500 * ms, Fall: 3, Rise: 2, OnFail: OnFailRestart, Restarts: 1},
	}
	if len(mons) != len(want) {
		t.Fatalf("got %d monitors: %+v", len(mons), mons)
	}
	for i := range want {
		if !sameMonitor(mons[i], want[i]) {
			t.Errorf("monitor %d:\n got %+v\nwant %+v", i, mons[i], want[i])
		}
	}
	moved := mons[1]
	moved.Line, moved.elem = 40, 7
	if !moved.SameProbe(mons[1]) || mons[0].SameProbe(mons[1]) {
		t.Errorf("SameProbe must ignore only the place in the file")
	}
	if !mons[0].Everywhere() || !mons[1].Everywhere() || mons[2].Everywhere() {
		t.Errorf("Everywhere: local and fixed run everywhere, floating only where the group runs")
	}
}

// TestMonitorRules: one case per validation rule, each error at the line
// of the key concerned (the [[monitor]] header for a key left out).
func TestMonitorRules(t *testing.T) {
	const head = "[[monitor]]\ngroup = \"192.0.2.10\"\n"
	for _, tc := range []struct {
		name, text string
		diags      []string
	}{
		{"group missing", "[[monitor]]\nkind = \"tcp\"\nport = 1\n", []string{"E1 a monitor needs group"}},
		{"group unknown", "[[monitor]]\nkind = \"tcp\"\nport = 1\ngroup = \"db\"\n", []string{"E4 monitor.group = \"db\" is not a group of haresources (groups: 192.0.2.10, IPaddr::192.0.2.11/24, web)"}},
		{"group by address hints the key", "[[monitor]]\ngroup = \"192.0.2.11\"\nkind = \"tcp\"\nport = 1\n", []string{"E2 did you mean \"IPaddr::192.0.2.11/24\"?"}},
		{"kind missing", head, []string{"E1 a monitor needs kind = \"http\", \"https\", \"ftp\""}},
		{"kind unknown", head + "kind = \"ping\"\n", []string{"E3 monitor.kind = \"ping\" is not a kind of monitor"}},
		{"tcp needs a port", head + "kind = \"tcp\"\n", []string{"E1 a tcp monitor needs a port"}},
		{"port 0", head + "kind = \"tcp\"\nport = 0\n", []string{"E4 monitor.port = 0 is out of range"}},
		{"port too big", head + "kind = \"http\"\nport = 65536\n", []string{"E4 monitor.port = 65536 is out of range"}},
		{"path on tcp", head + "kind = \"tcp\"\nport = 7\npath = \"/\"\n", []string{"E5 monitor.path does not apply to kind \"tcp\": it is for \"http\", \"https\""}},
		{"command on http", head + "kind = \"http\"\ncommand = [\"/bin/true\"]\n", []string{"E4 monitor.command does not apply to kind \"http\""}},
		{"port on script", head + "kind = \"script\"\nport = 80\ncommand = [\"/bin/true\"]\n", []string{"E4 monitor.port does not apply to kind \"script\""}},
		{"address on status", head + "kind = \"status\"\naddress = \"local\"\n", []string{"E4 monitor.address does not apply to kind \"status\""}},
		{"interval too short", head + "kind = \"tcp\"\nport = 7\ninterval = \"10ms\"\n", []string{"E5 monitor.interval = 10ms is out of range: allowed are 50ms to 1h0m0s"}},
		{"interval too long", head + "kind = \"tcp\"\nport = 7\ninterval = \"2h\"\n", []string{"E5 monitor.interval = 2h0m0s is out of range"}},
		{"timeout not shorter than interval", head + "kind = \"tcp\"\nport = 7\ninterval = \"1s\"\ntimeout = \"1s\"\n", []string{"E6 monitor.timeout = 1s must be shorter than the interval (1s)"}},
		{"timeout longer than default interval", head + "kind = \"tcp\"\nport = 7\ntimeout = \"2s\"\n", []string{"E5 must be shorter than the interval (1s)"}},
		{"timeout too short", head + "kind = \"tcp\"\nport = 7\ntimeout = \"1ms\"\n", []string{"E5 monitor.timeout = 1ms is too short"}},
		{"bare number duration", head + "kind = \"tcp\"\nport = 7\ninterval = 5\n", []string{"E5 monitor.interval: must be a duration in quotes"}},
		{"duration without unit", head + "kind = \"tcp\"\nport = 7\ninterval = \"5\"\n", []string{"E5 \"5\" is not a duration"}},
		{"fall 0", head + "kind = \"tcp\"\nport = 7\nfall = 0\n", []string{"E5 monitor.fall = 0 is out of range: allowed are 1 to 100"}},
		{"rise 101", head + "kind = \"tcp\"\nport = 7\nrise = 101\n", []string{"E5 monitor.rise = 101 is out of range"}},
		{"on_fail unknown", head + "kind = \"tcp\"\nport = 7\non_fail = \"reboot\"\n", []string{"E5 monitor.on_fail = \"reboot\""}},
		{"restarts without restart", head + "kind = \"tcp\"\nport = 7\nrestarts = 2\n", []string{"E5 monitor.restarts applies only with on_fail = \"restart\""}},
		{"restarts out of range", head + "kind = \"tcp\"\nport = 7\non_fail = \"restart\"\nrestarts = 11\n", []string{"E6 monitor.restarts = 11 is out of range: allowed are 1 to 10"}},
		{"address not an IP", head + "kind = \"tcp\"\nport = 7\naddress = \"node1\"\n", []string{"E5 monitor.address = \"node1\": allowed are \"floating\""}},
		{"address unspecified", head + "kind = \"tcp\"\nport = 7\naddress = \"0.0.0.0\"\n", []string{"E5 monitor.address = \"0.0.0.0\""}},
		{"address multicast", head + "kind = \"tcp\"\nport = 7\naddress = \"ff02::1\"\n", []string{"E5 monitor.address = \"ff02::1\""}},
		{"http path relative", head + "kind = \"http\"\npath = \"index.html\"\n", []string{"E4 monitor.path = \"index.html\": a path starts with /"}},
		{"http path with a blank", head + "kind = \"http\"\npath = \"/a b\"\n", []string{"E4 monitor.path = \"/a b\""}},
		{"http host with a blank", head + "kind = \"http\"\nhost = \"a b\"\n", []string{"E4 monitor.host = \"a b\""}},
		{"http host empty", head + "kind = \"http\"\nhost = \"\"\n", []string{"E4 monitor.host = \"\""}},
		{"http expect empty", head + "kind = \"http\"\nexpect = []\n", []string{"E4 monitor.expect is empty"}},
		{"http expect not a status", head + "kind = \"http\"\nexpect = [200, 99]\n", []string{"E4 monitor.expect: 99 is not an HTTP status"}},
		{"script without command", head + "kind = \"script\"\n", []string{"E1 a script monitor needs command"}},
		{"script relative command", head + "kind = \"script\"\ncommand = [\"check\"]\n", []string{"E4 monitor.command: \"check\" is not an absolute path"}},
		{"status on an address-only group", "[[monitor]]\ngroup = \"IPaddr::192.0.2.11/24\"\nkind = \"status\"\n", []string{"E3 a status monitor asks the group's resource scripts, and group IPaddr::192.0.2.11/24 has none"}},
		{"floating probe of a group without address", "[[monitor]]\ngroup = \"web\"\nkind = \"http\"\n", []string{"E2 group web has no floating address to probe: set address = \"local\""}},
		{"local probe of a group without address", "[[monitor]]\ngroup = \"web\"\nkind = \"http\"\naddress = \"local\"\n", nil},
		{"name with a blank", head + "kind = \"tcp\"\nport = 7\nname = \"my check\"\n", []string{"E5 monitor.name = \"my check\""}},
		{"same name twice in a group", head + "kind = \"http\"\n" + head + "kind = \"http\"\npath = \"/x\"\n", []string{"E4 monitor \"http:80\" of group 192.0.2.10 is defined twice (first on line 1)"}},
		{"same kind twice with names", head + "kind = \"http\"\n" + head + "kind = \"http\"\nname = \"other\"\n", nil},
		{"same name in two groups", head + "kind = \"tcp\"\nport = 7\n[[monitor]]\ngroup = \"web\"\nkind = \"tcp\"\nport = 7\naddress = \"local\"\n", nil},
		{"unknown key in the second monitor", head + "kind = \"tcp\"\nport = 7\n\n[[monitor]] # db\ngroup = \"web\"\nkind = \"status\"\nintreval = \"2s\"\n", []string{"E9 unknown key \"monitor.intreval\" in [[monitor]]"}},
		{"unknown sub-table", head + "kind = \"tcp\"\nport = 7\n[monitor.extra]\na = 1\n", []string{"E5 unknown key \"monitor.extra\""}},
		{"inline array refused", "monitor = [{group = \"192.0.2.10\", kind = \"http\"}]\n", []string{"E1 write each monitor as a [[monitor]] section"}},
		{"a single table is not an array", "[monitor]\ngroup = \"192.0.2.10\"\n", []string{"E1 incompatible types"}},
		{"wrong type", head + "kind = \"tcp\"\nport = \"80\"\n", []string{"E4 incompatible types"}},
		{"every error of a monitor", "[[monitor]]\nkind = \"tcp\"\nport = 0\nfall = 0\n", []string{"E1 a monitor needs group", "E3 monitor.port = 0", "E4 monitor.fall = 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, d := monitorsOf(t, tc.text)
			expectDiags(t, d, tc.diags...)
		})
	}
}

func TestMonitorStatusUp(t *testing.T) {
	def, listed := Monitor{}, Monitor{Expect: []int{200, 401}}
	for _, tc := range []struct {
		m    Monitor
		code int
		up   bool
	}{{def, 200, true}, {def, 302, true}, {def, 399, true}, {def, 199, false}, {def, 404, false}, {def, 500, false},
		{listed, 401, true}, {listed, 200, true}, {listed, 204, false}} {
		if got := tc.m.StatusUp(tc.code); got != tc.up {
			t.Errorf("expect %v: StatusUp(%d) = %v", tc.m.Expect, tc.code, got)
		}
	}
}
