package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/hooks"
	"github.com/understudy-ha/understudy/monitor"
	"github.com/understudy-ha/understudy/transport/session"
)

// fakeScheduler records the sets of monitors the loop gives it; the
// test plays the probes' results on results.
type fakeScheduler struct {
	mu      sync.Mutex
	sets    [][]monitor.Spec
	results chan monitor.Result
}

func newFakeScheduler() *fakeScheduler {
	return &fakeScheduler{results: make(chan monitor.Result, 64)}
}

func (f *fakeScheduler) Set(specs []monitor.Spec) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sets = append(f.sets, slices.Clone(specs))
	return nil
}

func (f *fakeScheduler) Results() <-chan monitor.Result { return f.results }
func (f *fakeScheduler) Stop()                          {}

// running describes the last set: "GROUP[NAME] ADDR:PORT" each.
func (f *fakeScheduler) running() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sets) == 0 {
		return nil
	}
	var out []string
	for _, sp := range f.sets[len(f.sets)-1] {
		out = append(out, fmt.Sprintf("%s[%s] %s:%d", sp.Group, sp.Name, sp.Addr, sp.Port))
	}
	return out
}

// probe plays n results of one monitor, as its probes would send them.
func (l *lab) probe(group, name string, ok bool, n int) {
	l.t.Helper()
	for range n {
		r := monitor.Result{Group: group, Name: name, OK: ok, At: time.Now(), Latency: 3 * time.Millisecond}
		if !ok {
			r.Reason = "dial tcp 192.0.2.10:80: connect: connection refused"
			r.Err = fmt.Errorf("%s", r.Reason)
		}
		l.sched.results <- r
		synctest.Wait()
	}
}

func (f *fakeActuator) Restart(ctx context.Context, g config.Group) error {
	f.record(fmt.Sprintf("restart %s %d", g.Key, len(g.Resources)))
	if err := f.wait(ctx, g); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fail["restart "+g.Key]
}

func (f *fakeActuator) CheckScripts(ctx context.Context, g config.Group) error {
	f.record("check " + g.Key)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fail["check "+g.Key]
}

// with returns the calls that start with one of the words.
func (f *fakeActuator) with(words ...string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(f.calls), func(c string) bool {
		return !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(c, w+" ") })
	})
}

// webMonitor is the monitor: defaults but for the interval and
// the timeout (fall 3, rise 2, on_fail failover); more is added to it.
func webMonitor(group string, more ...string) string {
	return fmt.Sprintf("[[monitor]]\ngroup = %q\nkind = \"http\"\nport = 80\ninterval = \"200ms\"\ntimeout = \"100ms\"\n%s", group, strings.Join(more, "\n")+"\n")
}

// snapMonitor is the cluster's view of one monitor here.
func (l *lab) snapMonitor(group, name string) cluster.MonitorStatus {
	l.t.Helper()
	st := l.ctlStatus()
	for _, g := range st.Cluster.Groups {
		for _, m := range g.Monitors {
			if g.Key == group && m.Name == name {
				return m
			}
		}
	}
	l.t.Fatalf("no monitor %s[%s] in the status", group, name)
	return cluster.MonitorStatus{}
}

// ctlStatus asks the loop for its status, as the control socket does.
func (l *lab) ctlStatus() control.Status {
	l.t.Helper()
	r := l.ask(ctlReq{status: true, reply: make(chan control.Status, 1)})
	return <-r.reply
}

// TestLoopMonitorFailsOver: the monitor runs while node1 runs its group;
// fall failures in a row release the group and hand it to node2 by
// message; the monitor stops running here; the hooks hear monitor_down
// (with the address probed) and group_failed; every check is counted.
func TestLoopMonitorFailsOver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "node1 192.0.2.10\n", webMonitor("192.0.2.10"))
		l.live(2*time.Second, "active", l.stableHolding(" "))
		if got := l.act.ops(); !slices.Equal(got, []string{"acquire 192.0.2.10 1"}) {
			t.Fatalf("operations = %v, want node1's group acquired", got)
		}
		if got := l.sched.running(); !slices.Equal(got, []string{"192.0.2.10[http:80] 192.0.2.10:80"}) {
			t.Fatalf("monitors running = %q, want the http monitor at the floating address", got)
		}
		l.probe("192.0.2.10", "http:80", true, 2)
		l.probe("192.0.2.10", "http:80", false, 2)
		if got := l.act.ops(); len(got) != 1 {
			t.Fatalf("the group moved after 2 failures of 3: %v", got)
		}
		l.probe("192.0.2.10", "http:80", false, 1)
		said := l.live(500*time.Millisecond, "active", nil)
		if got := l.act.ops(); !slices.Equal(got, []string{"acquire 192.0.2.10 1", "release 192.0.2.10 1"}) {
			t.Fatalf("operations after 3 failures = %v, want the group released", got)
		}
		if !slices.ContainsFunc(said, func(m session.Message) bool {
			return m.Type == cluster.MsgHandOver && field(m, "group") == "192.0.2.10" && field(m, "to") == "node2" && field(m, "step") == "give"
		}) {
			t.Errorf("node1 did not hand the group to node2: it said %v", types(said))
		}
		if got := l.sched.running(); len(got) != 0 {
			t.Errorf("monitors running after the release = %q, want none (the group runs elsewhere)", got)
		}
		if mf := l.ctlStatus().Cluster.Groups[0].MonitorFailed; !slices.Equal(mf, []string{"node1"}) {
			t.Errorf("monitor_failed_on = %v, want node1", mf)
		}
		l.events.mu.Lock()
		var down *hooks.Event
		for i, ev := range l.events.events {
			if ev.Kind == hooks.MonitorDown {
				down = &l.events.events[i]
			}
		}
		l.events.mu.Unlock()
		if down == nil || down.Group != "192.0.2.10" || down.Monitor != "http:80" || down.Address != "192.0.2.10" || !strings.Contains(down.Reason, "connection refused") {
			t.Errorf("monitor_down event = %+v, want the group, the monitor, its address and the reason", down)
		}
		if !l.events.told(hooks.GroupFailed, "192.0.2.10") || !l.events.told(hooks.GroupReleased, "192.0.2.10") {
			t.Errorf("the hooks did not hear group_failed and group_released: %+v", l.events.events)
		}
		text := string(l.d.metrics.Text())
		for _, want := range []string{`understudy_monitor_checks_total{monitor="192.0.2.10[http:80]",result="down"} 3`,
			`understudy_monitor_checks_total{monitor="192.0.2.10[http:80]",result="up"} 2`} {
			if !strings.Contains(text, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if !l.logged("monitor", "192.0.2.10[http:80]", "from=up", "to=down") {
			t.Errorf("no log line of the monitor going down:\n%s", l.log)
		}
	})
}

// TestLoopMonitorRestartsInPlace: with on_fail = "restart", fall
// failures restart the group in place (no release); results during the
// restart count for nothing; fall new failures after it, with no
// restart left, fail the group over.
func TestLoopMonitorRestartsInPlace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "node1 192.0.2.10\n", webMonitor("192.0.2.10", `on_fail = "restart"`))
		l.act.delay = 300 * time.Millisecond // each operation takes that long
		l.live(3*time.Second, "active", l.stableHolding(" "))
		l.probe("192.0.2.10", "http:80", false, 3)
		if got := l.act.with("restart", "release"); !slices.Equal(got, []string{"restart 192.0.2.10 1"}) {
			t.Fatalf("operations after 3 failures = %v, want one restart in place", got)
		}
		if got := l.sched.running(); len(got) != 0 {
			t.Errorf("monitors running while the group restarts = %q, want none", got)
		}
		l.probe("192.0.2.10", "http:80", false, 3) // late results of probes in flight
		l.live(time.Second, "active", nil)
		if got := l.act.with("restart", "release"); len(got) != 1 {
			t.Fatalf("results during the restart acted upon: %v", got)
		}
		if got := l.sched.running(); len(got) != 1 {
			t.Fatalf("monitors running after the restart = %q, want the http monitor again", got)
		}
		if m := l.snapMonitor("192.0.2.10", "http:80"); m.Restarts != 1 || m.MaxRestarts != 1 || m.Failures != 0 {
			t.Errorf("monitor after the restart: %+v, want 1 restart of 1 and the failures in a row reset", m)
		}
		l.probe("192.0.2.10", "http:80", false, 3)
		l.live(time.Second, "active", nil)
		if got := l.act.with("restart", "release"); !slices.Equal(got, []string{"restart 192.0.2.10 1", "release 192.0.2.10 1"}) {
			t.Fatalf("operations = %v, want the group released once its restart was used", got)
		}
		if !l.logged("restart in place 1 of 1") || !l.logged("restarted in place") {
			t.Errorf("the restart is not logged:\n%s", l.log)
		}
	})
}

// TestLoopMonitorResultsNotRunningHere: results of a monitor that does
// not run here (node2's group, an unknown name) change nothing and are
// not counted.
func TestLoopMonitorResultsNotRunningHere(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, labHares, webMonitor("192.0.2.10"), webMonitor("192.0.2.20"))
		l.live(2*time.Second, "active", l.stableHolding("192.0.2.20"))
		if got := l.sched.running(); !slices.Equal(got, []string{"192.0.2.10[http:80] 192.0.2.10:80"}) {
			t.Fatalf("monitors running = %q, want node1's group's only", got)
		}
		l.probe("192.0.2.20", "http:80", false, 5)
		l.probe("192.0.2.10", "nosuch", false, 5)
		l.live(500*time.Millisecond, "active", nil)
		if m := l.snapMonitor("192.0.2.20", "http:80"); m.Failures != 0 || m.State != "unknown" || m.Runs {
			t.Errorf("node2's monitor here: %+v, want untouched", m)
		}
		if got := l.act.ops(); !slices.Equal(got, []string{"acquire 192.0.2.10 1"}) {
			t.Errorf("operations = %v, want node1's acquire only", got)
		}
		if text := string(l.d.metrics.Text()); strings.Contains(text, "192.0.2.20[http:80]") || strings.Contains(text, "nosuch") {
			t.Errorf("results of monitors not running here were counted:\n%s", text)
		}
	})
}

// TestLoopMonitorReload: a reload that changes a monitor's probe (its
// port) gives the scheduler the new spec though the state machine's set
// stays the same; one that removes it stops it.
func TestLoopMonitorReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "node1 192.0.2.10\n", webMonitor("192.0.2.10", `name = "web"`))
		time.Sleep(1100 * time.Millisecond) // alone after initdead: node1 runs its group
		l.heard()
		if got := l.sched.running(); !slices.Equal(got, []string{"192.0.2.10[web] 192.0.2.10:80"}) {
			t.Fatalf("monitors running = %q", got)
		}
		toml := filepath.Join(l.dir, "understudy.toml")
		text, _ := os.ReadFile(toml)
		os.WriteFile(toml, []byte(strings.Replace(string(text), "port = 80", "port = 8080", 1)), 0o644)
		if r := l.ask(ctlReq{reload: make(chan error, 1)}); <-r.reload != nil {
			t.Fatal("reload refused")
		}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if got := l.sched.running(); !slices.Equal(got, []string{"192.0.2.10[web] 192.0.2.10:8080"}) {
			t.Fatalf("monitors running after the port changed = %q, want port 8080", got)
		}
		os.WriteFile(toml, []byte(strings.SplitN(string(text), "[[monitor]]", 2)[0]), 0o644)
		if r := l.ask(ctlReq{reload: make(chan error, 1)}); <-r.reload != nil {
			t.Fatal("reload refused")
		}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if got := l.sched.running(); len(got) != 0 {
			t.Errorf("monitors running after the monitor was removed = %q, want none", got)
		}
		if got := l.act.ops(); !slices.Equal(got, []string{"acquire 192.0.2.10 1"}) {
			t.Errorf("operations = %v: a reload of the monitors alone must not touch the group", got)
		}
	})
}

// TestLoopOperatorCommands: move, clear and maintenance reach the
// cluster from the control socket's requests and are answered.
func TestLoopOperatorCommands(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "node1 192.0.2.10\n", webMonitor("192.0.2.10"))
		l.live(2*time.Second, "active", l.stableHolding(" "))
		ask := func(r ctlReq) []control.Answer {
			r.answers = make(chan control.Answer, 2)
			return answers(t, l.ask(r).answers)
		}
		if got := ask(ctlReq{cmd: cluster.CmdMaintenance, on: true}); len(got) != 1 || got[0].Verdict != control.VerdictDone {
			t.Fatalf("maintenance on: %v", got)
		}
		if !l.ctlStatus().Cluster.Maintenance {
			t.Error("status does not say maintenance")
		}
		if got := ask(ctlReq{cmd: cluster.CmdMove, group: "192.0.2.10", node: "node2"}); len(got) != 1 || got[0].Verdict != control.VerdictRefused ||
			!strings.Contains(got[0].Reason, "maintenance") {
			t.Errorf("move in maintenance: %v, want refused", got)
		}
		ask(ctlReq{cmd: cluster.CmdMaintenance, on: false})
		if got := ask(ctlReq{cmd: cluster.CmdClear, group: "192.0.2.10"}); len(got) != 1 || got[0].Verdict != control.VerdictDone {
			t.Errorf("clear: %v", got)
		}
		// Moving a group with a monitor that runs only where it runs:
		// node1 releases it and hands it to node2, which says it runs it.
		r := l.ask(ctlReq{cmd: cluster.CmdMove, group: "192.0.2.10", node: "node2", answers: make(chan control.Answer, 2)})
		l.live(time.Second, "active", func(m session.Message) {
			if m.Type == cluster.MsgHandOver && field(m, "step") == "give" {
				l.say(cluster.MsgHandOver, "group", "192.0.2.10", "to", "node2", "step", "took")
				l.say("resource", "rsc_hold", "foreign", "rtype", "full", "isstable", "1", "us_held", "192.0.2.10")
			}
		})
		if got := answers(t, r.answers); len(got) != 2 || got[0].Verdict != control.VerdictAccepted || got[1].Verdict != control.VerdictDone {
			t.Errorf("move to node2: %v, want accepted then done", got)
		}
		if got := l.act.ops(); !slices.Equal(got, []string{"acquire 192.0.2.10 1", "release 192.0.2.10 1"}) {
			t.Errorf("operations = %v, want the group released for node2", got)
		}
	})
}

// TestCheckScripts: a status monitor asks the actuator about the group
// as configured.
func TestCheckScripts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "node1 192.0.2.10 httpd\n")
		if err := l.d.checkScripts(context.Background(), "192.0.2.10"); err != nil {
			t.Errorf("check: %v", err)
		}
		l.act.failWith("check 192.0.2.10", fmt.Errorf("resource httpd is not running"))
		if err := l.d.checkScripts(context.Background(), "192.0.2.10"); err == nil || !strings.Contains(err.Error(), "httpd") {
			t.Errorf("check of a stopped httpd: %v", err)
		}
		if err := l.d.checkScripts(context.Background(), "192.0.2.99"); err == nil || !strings.Contains(err.Error(), "no group 192.0.2.99") {
			t.Errorf("check of an unknown group: %v", err)
		}
		if got := l.act.with("check"); !slices.Equal(got, []string{"check 192.0.2.10", "check 192.0.2.10"}) {
			t.Errorf("calls = %v", got)
		}
	})
}

func TestMonitorAddress(t *testing.T) {
	vipGroup := config.Group{Key: "192.0.2.10", Resources: []config.Resource{{Token: "httpd"},
		{Token: "192.0.2.10", IP: &config.IPSpec{Addr: netip.MustParseAddr("192.0.2.10")}}}}
	bare := config.Group{Key: "httpd", Resources: []config.Resource{{Token: "httpd"}}}
	m := &monitors{selfErr: fmt.Errorf("this node's name node1 does not resolve"), local: func(vip netip.Addr) (netip.Addr, error) {
		if vip == netip.MustParseAddr("192.0.2.10") {
			return netip.MustParseAddr("192.0.2.1"), nil
		}
		return netip.Addr{}, fmt.Errorf("no address of this node is on the subnet of %s", vip)
	}}
	other := config.Group{Key: "198.51.100.10", Resources: []config.Resource{{Token: "198.51.100.10", IP: &config.IPSpec{Addr: netip.MustParseAddr("198.51.100.10")}}}}
	for _, tt := range []struct {
		mon       config.Monitor
		g         config.Group
		addr, src string
		err       string
	}{
		{config.Monitor{Kind: config.KindHTTP, Where: config.WhereFloating}, vipGroup, "192.0.2.10", "invalid IP", ""},
		{config.Monitor{Kind: config.KindScript, Where: config.WhereFloating}, vipGroup, "192.0.2.10", "invalid IP", ""},
		{config.Monitor{Kind: config.KindScript, Where: config.WhereFloating}, bare, "invalid IP", "invalid IP", ""},
		{config.Monitor{Kind: config.KindTCP, Where: config.WhereFloating}, bare, "invalid IP", "invalid IP", "group httpd has no floating address"},
		{config.Monitor{Kind: config.KindStatus, Where: config.WhereFloating}, vipGroup, "invalid IP", "invalid IP", ""},
		{config.Monitor{Kind: config.KindTCP, Where: config.WhereFixed, Address: netip.MustParseAddr("127.0.0.1")}, bare, "127.0.0.1", "invalid IP", ""},
		{config.Monitor{Kind: config.KindTCP, Where: config.WhereLocal}, bare, "invalid IP", "invalid IP", "does not resolve"},
		{config.Monitor{Kind: config.KindTCP, Where: config.WhereLocal}, vipGroup, "192.0.2.1", "192.0.2.1", ""},
		{config.Monitor{Kind: config.KindTCP, Where: config.WhereLocal}, other, "invalid IP", "invalid IP", "no address of this node is on the subnet of 198.51.100.10"},
	} {
		addr, src, err := m.address(tt.mon, tt.g)
		if addr.String() != tt.addr || src.String() != tt.src || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s %s of %s: %v from %v, %v; want %s from %s, %q", tt.mon.Kind, tt.mon.Where, tt.g.Key, addr, src, err, tt.addr, tt.src, tt.err)
		}
	}
}

func TestParseMonitorSubject(t *testing.T) {
	for s, want := range map[string]string{"g[web]": "g web", "IPaddr::192.0.2.10/24[http:80]": "IPaddr::192.0.2.10/24 http:80",
		"g": "", "g[]": "", "[web]": "", "g[web": ""} {
		ref, ok := parseMonitorSubject(s)
		if got := ref.Group + " " + ref.Monitor; ok != (want != "") || ok && got != want {
			t.Errorf("%q: %q %v, want %q", s, got, ok, want)
		}
	}
}

// TestStatusMonitorProbes: the real scheduler's status probes ask the
// actuator about the group's scripts (checkScripts), and report what it
// says, without the loop waiting for them.
func TestStatusMonitorProbes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "node1 192.0.2.10 httpd\n", `[[monitor]]
group = "192.0.2.10"
kind = "status"
interval = "200ms"
timeout = "100ms"
`)
		m := l.d.newMonitors(l.d.cfg)
		defer m.stop()
		if err := m.sched.Set([]monitor.Spec{{Monitor: l.d.cfg.Monitors[0]}}); err != nil {
			t.Fatal(err)
		}
		next := func() monitor.Result {
			select {
			case r := <-m.results():
				return r
			case <-time.After(time.Second):
				t.Fatal("no result within a second")
				return monitor.Result{}
			}
		}
		if r := next(); !r.OK || r.Group != "192.0.2.10" || r.Name != "status" {
			t.Errorf("first probe: %+v, want up", r)
		}
		l.act.failWith("check 192.0.2.10", fmt.Errorf("resource httpd is not running (its status)"))
		next() // may have started before the failure
		if r := next(); r.OK || !strings.Contains(r.Reason, "httpd is not running") {
			t.Errorf("probe of a stopped httpd: %+v", r)
		}
	})
}
