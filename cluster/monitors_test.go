package cluster_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/cluster/clustertest"
	"github.com/understudy-ha/understudy/config"
)

func TestFromConfigMonitors(t *testing.T) {
	c := &config.Config{HACF: config.HACF{Nodes: []string{"node1", "node2"}},
		Groups: []config.Group{
			{Key: "192.0.2.10", Node: "node1", Resources: []config.Resource{{Token: "192.0.2.10"}, {Token: "httpd"}}},
			{Key: "db", Node: "node2", Resources: []config.Resource{{Token: "db"}}},
		},
		Monitors: []config.Monitor{
			{Name: "http:80", Group: "192.0.2.10", Where: config.WhereFloating, Fall: 3, Rise: 2, OnFail: config.OnFailRestart, Restarts: 2},
			{Name: "local", Group: "192.0.2.10", Where: config.WhereLocal, Fall: 1, Rise: 5, OnFail: config.OnFailFailover},
		}}
	cc := cluster.FromConfig(c, "node1")
	want := []cluster.MonitorSpec{
		{Name: "http:80", Fall: 3, Rise: 2, OnFail: config.OnFailRestart, Restarts: 2},
		{Name: "local", Fall: 1, Rise: 5, Everywhere: true, OnFail: config.OnFailFailover},
	}
	if got := cc.Groups[0].Monitors; !slices.Equal(got, want) {
		t.Errorf("monitors of %s: got %+v, want %+v", cc.Groups[0].Key, got, want)
	}
	if got := cc.Groups[1].Monitors; len(got) != 0 {
		t.Errorf("db has no monitor, got %+v", got)
	}
	if cc.Groups[0].Digest != "192.0.2.10 httpd" {
		t.Errorf("digest %q", cc.Groups[0].Digest)
	}
}

// lone is a node alone in its cluster, stable with web running, web
// watched where it runs and db everywhere.
func lone(t *testing.T) (*cluster.Node, time.Time) {
	cfg := cluster.Config{Self: "node1", Nodes: []string{"node1"}, Keepalive: 100 * time.Millisecond,
		Deadtime: 500 * time.Millisecond, Initdead: time.Second, AutoFailback: config.FailbackOn,
		Groups: []cluster.GroupSpec{
			{Key: "web", Node: "node1", Monitors: []cluster.MonitorSpec{{Name: "http", Fall: 2, Rise: 2, OnFail: config.OnFailFailover}}},
			{Key: "db", Node: "node1", Monitors: []cluster.MonitorSpec{{Name: "local", Fall: 1, Rise: 1, Everywhere: true}}},
		}}
	now := clustertest.Epoch
	n := cluster.New(cfg, now)
	out := n.Step(cluster.Tick{Now: now})
	// Alone, it is stable at once and takes both groups; the everywhere
	// monitor runs from the first step.
	if !out.MonitorsChanged || !slices.Equal(out.RunMonitors, []cluster.MonitorRef{{Group: "db", Monitor: "local"}}) {
		t.Fatalf("first step: changed %v, run %v", out.MonitorsChanged, out.RunMonitors)
	}
	if !slices.Equal(out.Acquire, []string{"web", "db"}) {
		t.Fatalf("alone and stable: acquires %v", out.Acquire)
	}
	if out = n.Step(cluster.Tick{Now: now}); out.MonitorsChanged {
		t.Fatalf("nothing changed, but told again: %v", out.RunMonitors)
	}
	out = n.Step(cluster.OpDone{Now: now, Group: "web", Op: cluster.Acquire})
	if !out.MonitorsChanged || len(out.RunMonitors) != 2 {
		t.Fatalf("web runs: its monitor must run too, got %v (changed %v)", out.RunMonitors, out.MonitorsChanged)
	}
	n.Step(cluster.OpDone{Now: now, Group: "db", Op: cluster.Acquire})
	n.Step(cluster.MonitorResult{Now: now, Group: "db", Monitor: "local", OK: true})
	return n, now
}

func monitorState(n *cluster.Node, group string) cluster.MonitorStatus {
	for _, g := range n.Snapshot().Groups {
		if g.Key == group {
			return g.Monitors[0]
		}
	}
	return cluster.MonitorStatus{}
}

// TestMonitorCounting: unknown until rise successes or fall failures in
// a row; results of monitors that do not run here are ignored.
func TestMonitorCounting(t *testing.T) {
	n, now := lone(t)
	steps := []struct {
		ok    bool
		state string
	}{{true, "unknown"}, {true, "up"}, {false, "up"}, {true, "up"}, {false, "up"}, {false, "down"}, {true, "down"}, {true, "up"}}
	for i, s := range steps {
		n.Step(cluster.MonitorResult{Now: now, Group: "web", Monitor: "http", OK: s.ok, Reason: "refused"})
		if got := monitorState(n, "web").State; got != s.state {
			t.Fatalf("after result %d (%v): %s, want %s", i, s.ok, got, s.state)
		}
	}
	for _, ev := range []cluster.MonitorResult{
		{Now: now, Group: "web", Monitor: "nosuch"},
		{Now: now, Group: "nosuch", Monitor: "http"},
	} {
		out := n.Step(ev)
		if len(out.Transitions) > 0 {
			t.Errorf("%+v: a result of no monitor changed something: %v", ev, out.Transitions)
		}
	}
}

// TestMonitorDownAlone: a lone node whose monitor fails keeps the group
// (no other node), says so in one ERROR line, and does not say it again.
func TestMonitorDownAlone(t *testing.T) {
	n, now := lone(t)
	var errs []string
	for range 10 {
		out := n.Step(cluster.MonitorResult{Now: now, Group: "web", Monitor: "http", OK: false, Reason: "refused"})
		if len(out.Release) > 0 {
			t.Fatalf("released %v with no other node to take it", out.Release)
		}
		for _, tr := range out.Transitions {
			if tr.Level == "error" {
				errs = append(errs, tr.String())
			}
		}
		now = now.Add(100 * time.Millisecond)
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "stays on node1") {
		t.Fatalf("want one ERROR line saying it stays, got %q", errs)
	}
	snap := n.Snapshot()
	if g := snap.Groups[0]; g.State != "running" || g.Health != "down" || !slices.Equal(g.MonitorFailed, []string{"node1"}) || g.Note == "" {
		t.Errorf("snapshot: %+v", g)
	}
	// The service comes back: rise successes clear the mark.
	for range 2 {
		n.Step(cluster.MonitorResult{Now: now, Group: "web", Monitor: "http", OK: true})
	}
	if g := n.Snapshot().Groups[0]; len(g.MonitorFailed) != 0 || g.Health != "up" || g.Note != "" {
		t.Errorf("after the service came back: %+v", g)
	}
}

// TestStatusFields: the status heartbeat carries us_health and us_failed
// only with monitors; a heartbeat node's status (none of them) leaves a
// peer with no health and no marks.
func TestStatusFields(t *testing.T) {
	n, now := lone(t)
	out := n.Step(cluster.Tick{Now: now.Add(time.Second)})
	var st *cluster.Msg
	for i, m := range out.Messages {
		if m.Type == cluster.MsgStatus {
			st = &out.Messages[i]
		}
	}
	if st == nil {
		t.Fatal("no status heartbeat after a keepalive")
	}
	if st.Get("us_health") != "web:unknown db:up" || st.Get("us_failed") != " " {
		t.Errorf("status: %v", st)
	}
	cfg := cluster.Config{Self: "node1", Nodes: []string{"node1"}, Keepalive: 100 * time.Millisecond, Deadtime: 500 * time.Millisecond,
		Groups: []cluster.GroupSpec{{Key: "web", Node: "node1"}}}
	plain := cluster.New(cfg, now)
	for _, m := range plain.Step(cluster.Tick{Now: now}).Messages {
		if m.Type == cluster.MsgStatus && len(m.Fields) != 2 {
			t.Errorf("without monitors the status is heartbeat's (st, dt): %v", m)
		}
	}
}

// TestMaintenanceWord: a node takes maintenance from a peer's status
// when the peer's epoch is higher, or equal from a node later in ha.cf;
// a value it cannot read changes nothing.
func TestMaintenanceWord(t *testing.T) {
	cfg := cluster.Config{Self: "node2", Nodes: []string{"node1", "node2", "node3"}, Keepalive: 100 * time.Millisecond,
		Deadtime: 500 * time.Millisecond, Initdead: time.Second, AutoFailback: config.FailbackOn}
	now := clustertest.Epoch
	n := cluster.New(cfg, now)
	n.Step(cluster.Tick{Now: now})
	from := func(src, v string) {
		n.Step(cluster.Recv{Now: now, Link: "eth1", Msg: cluster.Msg{Type: cluster.MsgStatus, Src: src, Gen: 1,
			Fields: []cluster.KV{{K: "st", V: "active"}, {K: "dt", V: "1f4"}, {K: "us_maint", V: v}}}})
	}
	for _, c := range []struct {
		src, v string
		on     bool
		by     string
	}{
		{"node1", "on:1:node1", true, "node1"},
		{"node3", "garbage", true, "node1"},
		{"node3", "off:0:node3", true, "node1"}, // epoch 0 is no word
		{"node3", "off:1:node1", true, "node1"}, // the same word, not newer
		{"node3", "off:1:node3", false, ""},     // equal epoch, later node
		{"node1", "on:1:node1", false, ""},      // older
		{"node1", "on:2:node1", true, "node1"},  // newer
		{"node1", "off:x:node1", true, "node1"}, // unreadable
		{"node3", "on:9:nodeX", true, "node1"},  // no node of ha.cf
		{"node1", "off:10:node1", false, ""},
	} {
		from(c.src, c.v)
		if s := n.Snapshot(); s.Maintenance != c.on || s.MaintenanceBy != c.by {
			t.Errorf("after %s from %s: maintenance %v by %q, want %v by %q", c.v, c.src, s.Maintenance, s.MaintenanceBy, c.on, c.by)
		}
	}
}

// TestRestartInPlace: on_fail restart restarts the group once; results
// that come while it restarts count for nothing; after it, Fall new
// failures are needed, and with no restart left the group fails here.
func TestRestartInPlace(t *testing.T) {
	cfg := cluster.Config{Self: "node1", Nodes: []string{"node1"}, Keepalive: 100 * time.Millisecond,
		Deadtime: 500 * time.Millisecond, Initdead: time.Second, AutoFailback: config.FailbackOn,
		Groups: []cluster.GroupSpec{{Key: "web", Node: "node1", Monitors: []cluster.MonitorSpec{
			{Name: "http", Fall: 2, Rise: 1, OnFail: config.OnFailRestart, Restarts: 1}}}}}
	now := clustertest.Epoch
	n := cluster.New(cfg, now)
	n.Step(cluster.Tick{Now: now})
	n.Step(cluster.OpDone{Now: now, Group: "web", Op: cluster.Acquire})
	fail := func() cluster.Output {
		return n.Step(cluster.MonitorResult{Now: now, Group: "web", Monitor: "http", Reason: "refused"})
	}
	if out := fail(); len(out.Restart) > 0 {
		t.Fatal("restarted after one failure, fall is 2")
	}
	out := fail()
	if !slices.Equal(out.Restart, []string{"web"}) || !out.MonitorsChanged || len(out.RunMonitors) != 0 {
		t.Fatalf("fall reached: want a restart and the monitor stopped meanwhile, got %+v", out)
	}
	if out := fail(); len(out.Transitions) > 0 || len(out.Restart) > 0 {
		t.Errorf("a result during the restart counted: %v", out.Transitions)
	}
	out = n.Step(cluster.OpDone{Now: now, Group: "web", Op: cluster.Restart})
	if g := n.Snapshot().Groups[0]; g.State != "running" || g.Monitors[0].State != "down" || g.Monitors[0].Failures != 0 || g.Monitors[0].Restarts != 1 {
		t.Fatalf("after the restart: %+v", g)
	}
	if !out.MonitorsChanged || len(out.RunMonitors) != 1 {
		t.Errorf("the monitor must run again: %+v", out)
	}
	if out := fail(); len(out.Restart) > 0 || len(out.Transitions) > 0 {
		t.Errorf("one failure after the restart acted: %+v", out)
	}
	out = fail()
	if len(out.Restart) > 0 || n.Snapshot().Groups[0].MonitorFailed == nil {
		t.Errorf("no restart left: the group must fail here, got %+v, %+v", out, n.Snapshot().Groups[0])
	}
}
