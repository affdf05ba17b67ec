package admin_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
)

func TestClusterCommand(t *testing.T) {
	for _, tt := range []struct {
		c    admin.Command
		want control.Command
		wait time.Duration
		ok   bool
		err  string
	}{
		{admin.Standby(cluster.SetLocal), control.Command{Cmd: cluster.CmdStandby, Set: cluster.SetLocal}, control.MaxWait, true, ""},
		{admin.Takeover(""), control.Command{Cmd: cluster.CmdTakeover, Set: cluster.SetAll}, control.MaxWait, true, ""},
		{admin.Move("192.0.2.10", "node2"), control.Command{Cmd: cluster.CmdMove, Group: "192.0.2.10", Node: "node2"}, control.MaxWait, true, ""},
		{admin.Move("192.0.2.10", ""), control.Command{Cmd: cluster.CmdMove, Group: "192.0.2.10"}, control.MaxWait, true, ""},
		{admin.Clear("g"), control.Command{Cmd: cluster.CmdClear, Group: "g"}, control.MaxWait, true, ""},
		{admin.Maintenance(true), control.Command{Cmd: cluster.CmdMaintenance, On: true}, control.MaxWait, true, ""},
		{admin.Maintenance(false), control.Command{Cmd: cluster.CmdMaintenance}, control.MaxWait, true, ""},
		{admin.Command{Name: admin.CmdMove, Args: map[string]string{"group": "g", "wait": "0"}}, control.Command{Cmd: cluster.CmdMove, Group: "g"}, 0, true, ""},
		{admin.Command{Name: admin.CmdClear, Args: map[string]string{"group": "g", "wait": "5s"}}, control.Command{Cmd: cluster.CmdClear, Group: "g"}, 5 * time.Second, true, ""},
		{admin.Command{Name: admin.CmdReload}, control.Command{}, 0, false, ""},
		{admin.Command{Name: admin.CmdClearLog}, control.Command{}, 0, false, ""},
		{admin.Command{Name: "frobnicate"}, control.Command{}, 0, false, ""},
		{admin.Command{Name: admin.CmdMove}, control.Command{}, 0, true, "move: which group?"},
		{admin.Command{Name: admin.CmdMaintenance, Args: map[string]string{"mode": "yes"}}, control.Command{}, 0, true, `maintenance "yes": want on or off`},
		{admin.Command{Name: admin.CmdClear, Args: map[string]string{"group": "g", "node": "n"}}, control.Command{}, 0, true, "clear: it takes no node"},
		{admin.Command{Name: admin.CmdStandby, Args: map[string]string{"set": "none"}}, control.Command{}, 0, true, "wrong resources(none)"},
		{admin.Command{Name: admin.CmdMove, Args: map[string]string{"group": "g", "force": "1"}}, control.Command{}, 0, true, `move takes no argument "force"`},
		{admin.Command{Name: admin.CmdMove, Args: map[string]string{"group": "g", "wait": "1h"}}, control.Command{}, 0, true, "move: wait 1h: want 0 to 10m0s"},
		{admin.Command{Name: admin.CmdMove, Args: map[string]string{"group": "g", "wait": "soon"}}, control.Command{}, 0, true, `move: wait soon: invalid duration "soon"`},
	} {
		got, wait, ok, err := admin.ClusterCommand(tt.c)
		if ok && err == nil {
			if back := admin.CommandOf(got); back.Name != tt.c.Name || fmt.Sprint(back.Args) != fmt.Sprint(withoutWait(tt.c.Args)) {
				t.Errorf("CommandOf(ClusterCommand(%+v)) = %+v", tt.c, back)
			}
		}
		if ok != tt.ok || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%+v: ok %v, err %v; want ok %v, err %q", tt.c, ok, err, tt.ok, tt.err)
			continue
		}
		if err == nil && ok && (got != tt.want || wait != tt.wait) {
			t.Errorf("%+v: %+v waiting %v, want %+v waiting %v", tt.c, got, wait, tt.want, tt.wait)
		}
	}
}

// withoutWait is args without wait, and with set "" read as all.
func withoutWait(args map[string]string) map[string]string {
	out := maps.Clone(args)
	delete(out, "wait")
	if s, ok := out["set"]; ok && s == "" {
		out["set"] = "all"
	}
	return out
}

// FuzzClusterCommand: any command either is no cluster command, or is
// refused with a reason, or reads as one that CommandOf writes back
// the same.
func FuzzClusterCommand(f *testing.F) {
	f.Add("move", "group", "g", "node", "node2")
	f.Add("maintenance", "mode", "on", "wait", "5s")
	f.Add("standby", "set", "failback", "wait", "0")
	f.Add("clear", "group", "", "force", "1")
	f.Fuzz(func(t *testing.T, name, k1, v1, k2, v2 string) {
		c := admin.Command{Name: name, Args: map[string]string{k1: v1, k2: v2}}
		cmd, wait, ok, err := admin.ClusterCommand(c)
		if !ok || err != nil {
			return
		}
		if wait < 0 || wait > control.MaxWait {
			t.Fatalf("%+v: wait %v out of range", c, wait)
		}
		again, _, ok, err := admin.ClusterCommand(admin.CommandOf(cmd))
		if !ok || err != nil || again != cmd {
			t.Fatalf("%+v read as %+v, written back as %+v, read again as %+v (%v)", c, cmd, admin.CommandOf(cmd), again, err)
		}
	})
}
