package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleDir copies ha.d/ into a temporary directory with authkeys at mode
// 600 (git does not keep modes).
func sampleDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"ha.cf", "haresources", "authkeys", "understudy.toml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "ha.d", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckSamples(t *testing.T) {
	dir := sampleDir(t)
	code, out, errs := runCmd("check", "-c", dir, "--node", "node1")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"authkeys:19: warning: key 1 uses the sample's secret \"ReplaceThisSecretBeforeUse\"",
		": OK for node node1 (0 errors, 1 warning)",
		"skipped, since this machine is " + thisMachine(t) + ", not node1 (run check on node1 itself):\n" +
			"    - heartbeat interfaces and serial devices\n    - ucast peers resolve\n",
		"nodes     node1 node2", "native: 192.0.2.10/24"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// thisMachine is the node name check finds for this machine.
func thisMachine(t *testing.T) string {
	t.Helper()
	h, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return strings.ToLower(h)
}

// TestCheckOnTheNode: run on the node itself (its name from nodeinfo),
// check runs the daemon's checks of this machine and skips none; a
// medium on an interface this machine lacks makes the files unusable,
// as it makes the daemon exit 6.
func TestCheckOnTheNode(t *testing.T) {
	dir := sampleDir(t)
	os.WriteFile(filepath.Join(dir, "nodeinfo"), []byte("node1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ha.cf"), []byte("node node1 node2\nucast lo 127.0.0.1\nauto_failback on\nlogfacility daemon\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "haresources"), []byte("node1 192.0.2.10/24/lo\n"), 0o644)
	code, out, _ := runCmd("check", "-c", dir)
	if code != exitOK || strings.Contains(out, "skipped") || !strings.Contains(out, "OK for node node1") {
		t.Errorf("on the node: exit %d\n%s", code, out)
	}
	os.WriteFile(filepath.Join(dir, "ha.cf"), []byte("node node1 node2\nucast nosuch0 127.0.0.1\nauto_failback on\nlogfacility daemon\n"), 0o644)
	code, out, _ = runCmd("check", "-c", dir, "--node", "node1")
	if code != exitFail || !strings.Contains(out, dir+"/ha.cf:2: error: ucast names interface nosuch0, which this machine does not have") {
		t.Errorf("a missing interface on the node: exit %d\n%s", code, out)
	}
	// The same files judged for node2 from here: the interface is not
	// checked, and the output says so.
	code, out, _ = runCmd("check", "-c", dir, "--node", "node2", "--json")
	var rep struct {
		OK      bool
		Skipped []string
		Here    string
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if code != exitOK || !rep.OK || rep.Here != "node1" || len(rep.Skipped) != 3 || rep.Skipped[0] != "heartbeat interfaces and serial devices" {
		t.Errorf("for node2: exit %d, %+v\n%s", code, rep, out)
	}
}

func TestCheckErrors(t *testing.T) {
	dir := sampleDir(t)
	os.WriteFile(filepath.Join(dir, "ha.cf"), []byte("node node1\nbcast eth0\nauto_failback on\nlogfacility daemon\ndeadtime 10s\nbogus 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "haresources"), []byte("node1 192.0.2.10 nosuchscript\n"), 0o644)
	code, out, _ := runCmd("check", "-c", dir, "--node", "node1")
	if code != exitFail {
		t.Fatalf("exit %d, want %d\n%s", code, exitFail, out)
	}
	for _, want := range []string{
		dir + "/ha.cf:5: error: deadtime",
		dir + "/ha.cf:6: error: unknown directive \"bogus\"",
		dir + "/haresources:1: error: group 192.0.2.10: cannot locate resource script nosuchscript: " + dir + "/resource.d/nosuchscript does not exist; /etc/init.d/nosuchscript does not exist; /usr/lib/understudy/resource.d/nosuchscript does not exist",
		"NOT USABLE for node node1 (3 errors, 1 warning)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCmd("check", "-c", dir, "--node", "node9")
	if code != exitFail || !strings.Contains(out, `this node, "node9", is not a node of ha.cf`) {
		t.Errorf("unknown local node: exit %d\n%s", code, out)
	}
}

func TestCheckJSON(t *testing.T) {
	dir := sampleDir(t)
	code, out, _ := runCmd("check", "-c", dir, "--node", "NODE1", "--json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var rep struct {
		OK          bool
		Node        string
		Diagnostics []any
		Config      struct {
			Nodes  []string
			Timing map[string]string
			Groups []struct{ Key string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	if !rep.OK || rep.Node != "node1" || rep.Diagnostics == nil || len(rep.Config.Nodes) != 2 ||
		rep.Config.Timing["deadtime"] != "10s" || rep.Config.Groups[0].Key != "IPaddr::192.0.2.10/24" {
		t.Errorf("report = %+v", rep)
	}
}

func TestCheckUsage(t *testing.T) {
	for _, args := range [][]string{
		{"check", "-c", filepath.Join(t.TempDir(), "missing")},
		{"check", "--bogus"},
		{"check", "extra"},
		{"nosuchcommand"},
		{},
	} {
		if code, _, _ := runCmd(args...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, _ := runCmd("check", "-h"); code != exitOK {
		t.Errorf("check -h: exit %d", code)
	}
}

// TestCheckMonitors: the summary shows each monitor under its group and
// each hook, and --json carries them.
func TestCheckMonitors(t *testing.T) {
	dir := sampleDir(t)
	toml := "[[monitor]]\ngroup = \"IPaddr::192.0.2.10/24\"\nkind = \"http\"\ninterval = \"200ms\"\ntimeout = \"100ms\"\n\n" +
		"[[hook]]\nprogram = [\"/bin/true\"]\nevents = [\"group_failed\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "understudy.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd("check", "-c", dir, "--node", "node1")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"    monitor http:80: http HEAD /, port 80 of the floating address, where the group runs, every 200ms, timeout 100ms, down after 3, up after 2, then fail over (understudy.toml line 1)\n",
		"  hook      /bin/true on group_failed, timeout 10s (understudy.toml line 7)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = runCmd("check", "-c", dir, "--node", "node1", "--json")
	var rep struct {
		Config struct {
			Monitors []struct{ Name, Group, Interval string }
			Hooks    []struct{ Program []string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Config.Monitors) != 1 || rep.Config.Monitors[0].Interval != "200ms" || rep.Config.Monitors[0].Group != "IPaddr::192.0.2.10/24" || len(rep.Config.Hooks) != 1 {
		t.Errorf("JSON config = %+v", rep.Config)
	}
}

// TestCheckAdminPassword: an admin port without a password file is a
// warning that says how to set one; a password file others can read is
// one too.
func TestCheckAdminPassword(t *testing.T) {
	dir := sampleDir(t)
	toml := filepath.Join(dir, "understudy.toml")
	b, err := os.ReadFile(toml)
	if err != nil || !strings.Contains(string(b), "\n# listen = [") {
		t.Fatalf("the sample understudy.toml has no listen line to set: %v", err)
	}
	os.WriteFile(toml, []byte(strings.Replace(string(b), "\n# listen = [", "\nlisten = [", 1)), 0o644)
	code, out, _ := runCmd("check", "-c", dir, "--node", "node1")
	if code != exitOK || !strings.Contains(out, "no admin password is set") || !strings.Contains(out, "understudy passwd -c "+dir) {
		t.Errorf("exit %d, want 0 and a warning with the fix:\n%s", code, out)
	}
	os.WriteFile(filepath.Join(dir, "understudy.passwd"), []byte("x\n"), 0o644)
	os.Chmod(filepath.Join(dir, "understudy.passwd"), 0o644)
	if _, out, _ := runCmd("check", "-c", dir, "--node", "node1"); !strings.Contains(out, "mode 0644 is too open") {
		t.Errorf("an open password file is not reported:\n%s", out)
	}
}

// TestCheckDefences: the summary shows the ping nodes, how this node
// fences, each group's nodes and the digest; --json carries them.
func TestCheckDefences(t *testing.T) {
	dir := sampleDir(t)
	hacf, err := os.ReadFile(filepath.Join(dir, "ha.cf"))
	if err != nil {
		t.Fatal(err)
	}
	n := bytes.Count(hacf, []byte("\n")) // the lines added are n+1 to n+3
	hacf = append(hacf, "ping 192.0.2.254\nping_group uplink 198.51.100.1 198.51.100.2\nstonith_host node1 null node2\n"...)
	toml := "[[group]]\nname = \"IPaddr::192.0.2.10/24\"\nnodes = [\"node1\"]\n\n[fence]\ntimeout = \"30s\"\n"
	for name, text := range map[string][]byte{"ha.cf": hacf, "understudy.toml": []byte(toml)} {
		if err := os.WriteFile(filepath.Join(dir, name), text, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, out, _ := runCmd("check", "-c", dir, "--node", "node1")
	for _, want := range []string{
		fmt.Sprintf("  ping      ping node 192.0.2.254, dead after 10s (line %d)\n", n+1),
		fmt.Sprintf("  ping      ping group uplink: 198.51.100.1 198.51.100.2, dead after 10s (line %d)\n", n+2),
		fmt.Sprintf("  fencing   stonith null with 1 parameter(s), used by node node1 (line %d): reset, timeout 30s, again every 5s until it works\n", n+3),
		"    nodes: node1 (understudy.toml line 1)\n",
		"  digest    ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = runCmd("check", "-c", dir, "--node", "node2")
	if !strings.Contains(out, "  fencing   none for node node2: it takes a dead peer's groups without fencing it\n") {
		t.Errorf("node2 has no stonith device; output:\n%s", out)
	}
	_, out, _ = runCmd("check", "-c", dir, "--node", "node1", "--json")
	var rep struct {
		Config struct {
			PingNodes    []struct{ Name string }    `json:"ping_nodes"`
			Stonith      []map[string]any           `json:"stonith"`
			GroupNodes   []struct{ Nodes []string } `json:"group_nodes"`
			Fencing      bool
			Digest       string
			GroupDigests map[string]string `json:"group_digests"`
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	c := rep.Config
	if len(c.PingNodes) != 2 || len(c.Stonith) != 1 || c.Stonith[0]["params"] != nil || len(c.GroupNodes) != 1 ||
		!c.Fencing || len(c.Digest) != 16 || c.GroupDigests["IPaddr::192.0.2.10/24"] == "" {
		t.Errorf("JSON config = %+v", c)
	}
}
