// Package metrics is Understudy's Prometheus metrics: counters and
// histograms of events that the daemon reports as they happen, and
// gauges of its state, read from a snapshot at each scrape. It writes
// the Prometheus text format (0.0.4) itself, with the standard library
// only. Every metric is listed in docs/metrics.md.
package metrics

import (
	"net/http"
	"runtime"
	"sync"
	"time"
)

// Buckets of the histograms, in seconds.
var (
	takeoverBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}
	scriptBuckets   = []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}
	monitorBuckets  = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
)

// State is the daemon's state as the gauges show it, taken at each
// scrape (see Metrics.SetState).
type State struct {
	// Started is when the daemon started.
	Started time.Time
	Nodes   []Node
	Links   []Link
	Groups  []Group
	// Monitors are the service monitors that run on this node.
	Monitors []Monitor
}

// Node is a cluster node as this node sees it.
type Node struct {
	Name string
	// Status is heartbeat's word: active, up, dead, init, ping, …
	Status string
	// Up: not dead.
	Up bool
}

// Link is a heartbeat link to a node (the node itself for its own
// media).
type Link struct {
	Node, Name string
	Up         bool
}

// Group is a resource group.
type Group struct {
	// Name is the group's key (its first resource, as haresources
	// names it).
	Name string
	// State is this node's state of the group (the cluster's word).
	State string
	// Owner is the node believed to hold it, "" for none.
	Owner string
	// Held: this node holds it.
	Held bool
}

// Monitor is one service monitor on a node: Up when it is up (rise
// successes in a row), not while down or not yet known. Name is
// "GROUP[NAME]", as MonitorCheck's label.
type Monitor struct {
	Name, Node string
	Up         bool
}

// Metrics holds the counters and histograms and serves them, with the
// state gauges and build information, as an http.Handler (GET /metrics
// on the admin port). The zero value is not usable: call New. All
// methods are safe for concurrent use and cheap (one mutex, no I/O).
type Metrics struct {
	version string

	mu            sync.Mutex
	state         func() State
	hbSent        *vec
	hbReceived    *vec
	hbLate        *vec
	hbLost        *vec
	badPackets    *vec
	takeovers     *vec
	scripts       *vec
	monitorChecks *vec
	monitorTime   *vec
	guard         *vec
	reloads       *vec
	scrapes       float64
}

// New returns the metrics of a daemon of the given version.
func New(version string) *Metrics {
	return &Metrics{
		version:       version,
		hbSent:        newCounter("understudy_heartbeats_sent_total", "Heartbeats this node sent, per link.", "link"),
		hbReceived:    newCounter("understudy_heartbeats_received_total", "Heartbeats received from a node, per link.", "node", "link"),
		hbLate:        newCounter("understudy_heartbeats_late_total", "Heartbeats from a node that came after warntime, per link.", "node", "link"),
		hbLost:        newCounter("understudy_heartbeats_lost_total", "Heartbeats from a node that never came (gaps in its sequence numbers), per link.", "node", "link"),
		badPackets:    newCounter("understudy_bad_packets_total", "Packets dropped, by reason.", "reason"),
		takeovers:     newHistogram("understudy_takeover_duration_seconds", "Takeovers of a group by this node, from decision to the last resource started, by result.", takeoverBuckets, "group", "result"),
		scripts:       newHistogram("understudy_script_duration_seconds", "Resource script runs, by resource, operation and outcome.", scriptBuckets, "resource", "op", "outcome"),
		monitorChecks: newCounter("understudy_monitor_checks_total", "Service monitor checks, by result.", "monitor", "result"),
		monitorTime:   newHistogram("understudy_monitor_latency_seconds", "Time a service monitor's check took.", monitorBuckets, "monitor"),
		guard:         newCounter("understudy_guard_refusals_total", "Takeovers the split-brain guard refused, by reason.", "reason"),
		reloads:       newCounter("understudy_reloads_total", "Configuration reloads, by result (ok, invalid).", "result"),
	}
}

// SetState sets the function the gauges are read from at each scrape
// (from the scrape's goroutine); it should be quick.
func (m *Metrics) SetState(f func() State) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.state = f
}

func (m *Metrics) locked(f func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f()
}

// HeartbeatSent counts one heartbeat sent on link.
func (m *Metrics) HeartbeatSent(link string) { m.locked(func() { m.hbSent.add(1, link) }) }

// HeartbeatReceived counts one heartbeat from node on link.
func (m *Metrics) HeartbeatReceived(node, link string) {
	m.locked(func() { m.hbReceived.add(1, node, link) })
}

// HeartbeatLate counts one late heartbeat from node on link.
func (m *Metrics) HeartbeatLate(node, link string) { m.locked(func() { m.hbLate.add(1, node, link) }) }

// HeartbeatsLost counts n heartbeats from node that never came on link.
func (m *Metrics) HeartbeatsLost(node, link string, n int) {
	m.locked(func() { m.hbLost.add(float64(n), node, link) })
}

// BadPacket counts one dropped packet; reason is one of a fixed set of
// words (bad-auth, replay, malformed, unknown-node, …).
func (m *Metrics) BadPacket(reason string) { m.locked(func() { m.badPackets.add(1, reason) }) }

// Takeover records a takeover of group and how long it took; ok is
// false when a resource failed to start.
func (m *Metrics) Takeover(group string, ok bool, d time.Duration) {
	m.locked(func() { m.takeovers.observe(d.Seconds(), group, result(ok, "ok", "failed")) })
}

// ScriptRun records one run of a resource script: op is start, stop or
// status; outcome is ok, failed or timeout.
func (m *Metrics) ScriptRun(resource, op, outcome string, d time.Duration) {
	m.locked(func() { m.scripts.observe(d.Seconds(), resource, op, outcome) })
}

// MonitorCheck records one check of a service monitor ("GROUP[NAME]")
// and its latency.
func (m *Metrics) MonitorCheck(monitor string, up bool, latency time.Duration) {
	m.locked(func() {
		m.monitorChecks.add(1, monitor, result(up, "up", "down"))
		m.monitorTime.observe(latency.Seconds(), monitor)
	})
}

// GuardRefusal counts a takeover the split-brain guard refused.
func (m *Metrics) GuardRefusal(reason string) { m.locked(func() { m.guard.add(1, reason) }) }

// Reload counts a configuration reload; ok is false when the new
// configuration was invalid and the old one stayed.
func (m *Metrics) Reload(ok bool) { m.locked(func() { m.reloads.add(1, result(ok, "ok", "invalid")) }) }

func result(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

// ServeHTTP writes every metric in the text format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", ContentType)
	w.Write(m.Text())
}

// Text is every metric in the text format.
func (m *Metrics) Text() []byte {
	m.mu.Lock()
	m.scrapes++
	stateFn := m.state
	var out writer
	out.gauge("understudy_build_info", "Always 1; the labels say which build runs.",
		[]string{"version", "goversion"}, [][]string{{m.version, runtime.Version()}}, []float64{1})
	for _, v := range []*vec{m.hbSent, m.hbReceived, m.hbLate, m.hbLost, m.badPackets, m.takeovers,
		m.scripts, m.monitorChecks, m.monitorTime, m.guard, m.reloads} {
		v.write(&out)
	}
	out.header("understudy_scrapes_total", "Scrapes of these metrics, this one included.", "counter")
	out.sample("understudy_scrapes_total", nil, nil, m.scrapes)
	m.mu.Unlock()
	if stateFn != nil {
		writeState(&out, stateFn())
	}
	return out.b.Bytes()
}

// writeState writes the gauges of a state snapshot.
func writeState(w *writer, st State) {
	if !st.Started.IsZero() {
		w.gauge("understudy_start_time_seconds", "When the daemon started, in seconds since the epoch.",
			nil, [][]string{nil}, []float64{float64(st.Started.UnixNano()) / 1e9})
	}
	var rows, statusRows [][]string
	var up, ones []float64
	for _, n := range st.Nodes {
		rows = append(rows, []string{n.Name})
		up = append(up, b2f(n.Up))
		statusRows = append(statusRows, []string{n.Name, n.Status})
		ones = append(ones, 1)
	}
	w.gauge("understudy_node_up", "1 if the node is alive as this node sees it, 0 if dead.", []string{"node"}, rows, up)
	w.gauge("understudy_node_status", "Always 1; the status label is the node's status as this node sees it.", []string{"node", "status"}, statusRows, ones)
	rows, up = nil, nil
	for _, l := range st.Links {
		rows = append(rows, []string{l.Node, l.Name})
		up = append(up, b2f(l.Up))
	}
	w.gauge("understudy_link_up", "1 if heartbeats arrive from the node on the link, 0 if not.", []string{"node", "link"}, rows, up)
	var held []float64
	var ownerRows, stateRows [][]string
	rows, ones = nil, nil
	for _, g := range st.Groups {
		rows = append(rows, []string{g.Name})
		held = append(held, b2f(g.Held))
		owner := g.Owner
		if owner == "" {
			owner = "none"
		}
		ownerRows = append(ownerRows, []string{g.Name, owner})
		stateRows = append(stateRows, []string{g.Name, g.State})
		ones = append(ones, 1)
	}
	w.gauge("understudy_group_held", "1 if this node holds the group.", []string{"group"}, rows, held)
	w.gauge("understudy_group_owner", "Always 1; the owner label is the node believed to hold the group (none if no node).", []string{"group", "owner"}, ownerRows, ones)
	w.gauge("understudy_group_state", "Always 1; the state label is this node's state of the group.", []string{"group", "state"}, stateRows, ones)
	rows, up = nil, nil
	for _, mo := range st.Monitors {
		rows = append(rows, []string{mo.Name, mo.Node})
		up = append(up, b2f(mo.Up))
	}
	w.gauge("understudy_monitor_up", "1 if the service monitor is up on the node (rise successes in a row), 0 while down or not yet known.", []string{"monitor", "node"}, rows, up)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
