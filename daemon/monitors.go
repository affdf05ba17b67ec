package daemon

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/proc"
	"github.com/understudy-ha/understudy/monitor"
)

// The service monitors as the loop runs them. The state machine says
// which monitors run on this node (Output.RunMonitors, the whole set
// whenever it changes); the scheduler (package monitor) probes them in
// its own goroutines and puts every result on a channel that the loop
// drains, each result becoming a cluster.MonitorResult: the loop never
// waits for a probe. Which address a monitor probes is settled here,
// from config.Monitor.Where: the group's first floating address; this
// node's own address on its subnet (monitor.LocalAddress), or the
// address its name resolves to for a group without one; or the fixed
// address written.

// scheduler is what the loop needs of the monitor scheduler
// (*monitor.Scheduler, a test's fake): Set never waits for a probe.
type scheduler interface {
	Set([]monitor.Spec) error
	Results() <-chan monitor.Result
	Stop()
}

// monitors is the loop's view of the service monitors. Only the loop
// touches it, groups excepted.
type monitors struct {
	sched scheduler
	// running are the monitors the scheduler runs, as it was given them.
	running map[cluster.MonitorRef]monitor.Spec
	// groups are the configured groups by key, read by status probes
	// from the scheduler's goroutines.
	groups atomic.Pointer[map[string]config.Group]
	// selfAddr is what this node's name resolves to (or selfErr why
	// not), for a monitor with address "local" of a group without a
	// floating address: resolved at start and at each reload, and only
	// when such a monitor exists, so that no lookup holds the loop up
	// meanwhile.
	selfAddr netip.Addr
	selfErr  error
	// logged is the address problem logged of each monitor, so that it
	// is logged once, not at every change of the set.
	logged map[cluster.MonitorRef]string
	// local finds this node's address on a floating address's subnet
	// (monitor.LocalAddress).
	local func(vip netip.Addr) (netip.Addr, error)
	// stale: a reload changed the configuration; the monitors that run
	// are given their new specs (and addresses) at the next step, even
	// when the state machine's set stays the same.
	stale bool
}

// resolveTimeout bounds the lookup of this node's name.
const resolveTimeout = 2 * time.Second

// newMonitors is the daemon's monitors, with a scheduler that runs
// nothing yet; status probes ask the actuator (ops) for the group's
// scripts' status.
func (d *daemon) newMonitors(cfg *config.Config) *monitors {
	m := &monitors{running: map[cluster.MonitorRef]monitor.Spec{}, logged: map[cluster.MonitorRef]string{}, local: monitor.LocalAddress}
	m.sched = monitor.New(monitor.Options{Status: d.checkScripts, Env: proc.Environ(), Logger: d.log})
	m.configure(cfg, d.self)
	return m
}

// configure takes a configuration's groups, and resolves this node's
// name if a monitor needs it.
func (m *monitors) configure(cfg *config.Config, self string) {
	groups := map[string]config.Group{}
	for _, g := range cfg.Groups {
		groups[g.Key] = g
	}
	m.groups.Store(&groups)
	needs := slices.ContainsFunc(cfg.Monitors, func(mon config.Monitor) bool {
		_, floating := groups[mon.Group].FloatingAddr()
		return mon.Where == config.WhereLocal && !floating
	})
	if !needs {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", self)
	m.selfAddr, m.selfErr = netip.Addr{}, nil
	switch {
	case err != nil:
		m.selfErr = fmt.Errorf("this node's name %s does not resolve: %v", self, err)
	case len(addrs) == 0:
		m.selfErr = fmt.Errorf("this node's name %s resolves to no address", self)
	default:
		m.selfAddr = addrs[0].Unmap()
	}
}

// checkScripts is the status monitors' probe: the status of the group's
// scripts, from the scheduler's goroutines.
func (d *daemon) checkScripts(ctx context.Context, key string) error {
	g, ok := (*d.mons.groups.Load())[key]
	if !ok {
		return fmt.Errorf("no group %s in the configuration", key)
	}
	return d.ops.act.CheckScripts(ctx, g)
}

// applyMonitors carries out a step's monitors: the set the state
// machine asks for when it changed, or after a reload.
func (d *daemon) applyMonitors(out cluster.Output) {
	switch {
	case out.MonitorsChanged:
		d.runMonitors(out.RunMonitors)
	case d.mons.stale:
		d.runMonitors(d.node.RunMonitors())
	}
	d.mons.stale = false
}

// runMonitors makes refs the monitors that run here, each at the
// address its Where says.
func (d *daemon) runMonitors(refs []cluster.MonitorRef) {
	m := d.mons
	var specs []monitor.Spec
	running := map[cluster.MonitorRef]monitor.Spec{}
	for _, ref := range refs {
		i := slices.IndexFunc(d.cfg.Monitors, func(c config.Monitor) bool { return c.Group == ref.Group && c.Name == ref.Monitor })
		g, ok := d.cfg.Group(ref.Group)
		if i < 0 || !ok {
			d.log.Error("the cluster asks for a monitor the configuration does not have", "group", ref.Group, "monitor", ref.Monitor)
			continue
		}
		sp := monitor.Spec{Monitor: d.cfg.Monitors[i]}
		var err error
		sp.Addr, sp.Source, err = m.address(sp.Monitor, g)
		if err != nil && m.logged[ref] != err.Error() {
			d.log.Error("monitor has no address to probe; each probe fails until it has", "group", ref.Group, "monitor", ref.Monitor, "err", err)
		}
		if err != nil {
			m.logged[ref] = err.Error()
		} else {
			delete(m.logged, ref)
		}
		specs = append(specs, sp)
		running[ref] = sp
	}
	if err := m.sched.Set(specs); err != nil {
		d.log.Error("monitors not changed", "err", err)
		return
	}
	m.running = running
}

// address is the address a monitor probes, and the source of its
// probes (invalid: the kernel's choice), on this node.
func (m *monitors) address(mon config.Monitor, g config.Group) (addr, src netip.Addr, err error) {
	if mon.Kind == config.KindStatus {
		return addr, src, nil
	}
	vip, floating := g.FloatingAddr()
	switch mon.Where {
	case config.WhereFixed:
		return mon.Address, src, nil
	case config.WhereLocal:
		if !floating {
			return m.selfAddr, m.selfAddr, m.selfErr
		}
		a, err := m.local(vip)
		return a, a, err
	}
	if !floating && mon.Kind.Network() {
		return addr, src, fmt.Errorf("group %s has no floating address", g.Key)
	}
	return vip, src, nil
}

// results is where the loop reads the probes' results.
func (m *monitors) results() <-chan monitor.Result { return m.sched.Results() }

// monitorResult is one probe's result as the state machine's event; a
// result of a monitor that no longer runs here (the set changed while
// it was on its way) is dropped. Every result of a running monitor is
// counted in the metrics.
func (d *daemon) monitorResult(r monitor.Result) cluster.Event {
	ref := cluster.MonitorRef{Group: r.Group, Monitor: r.Name}
	if _, ok := d.mons.running[ref]; !ok {
		return nil
	}
	d.metrics.MonitorCheck(monitorSubject(ref), r.OK, r.Latency)
	return cluster.MonitorResult{Now: time.Now(), Group: r.Group, Monitor: r.Name, OK: r.OK, Reason: r.Reason}
}

// monitorSubject names a monitor as the state machine's transitions do:
// "GROUP[NAME]".
func monitorSubject(ref cluster.MonitorRef) string { return ref.Group + "[" + ref.Monitor + "]" }

// parseMonitorSubject reads "GROUP[NAME]" (a name holds no bracket).
func parseMonitorSubject(s string) (cluster.MonitorRef, bool) {
	i := strings.LastIndexByte(s, '[')
	if i <= 0 || !strings.HasSuffix(s, "]") || i+2 > len(s)-1 {
		return cluster.MonitorRef{}, false
	}
	return cluster.MonitorRef{Group: s[:i], Monitor: s[i+1 : len(s)-1]}, true
}

// addressOf is the address a running monitor probes, "" if none.
func (m *monitors) addressOf(ref cluster.MonitorRef) string {
	if sp, ok := m.running[ref]; ok && sp.Addr.IsValid() {
		return sp.Addr.String()
	}
	return ""
}

// stop ends every probe; after the loop.
func (m *monitors) stop() { m.sched.Stop() }
