package metrics_test

import (
	"bytes"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/understudy-ha/understudy/admin/metrics"
)

// scrape serves m once and parses the answer with Prometheus' own text
// parser.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); ct != metrics.ContentType {
		t.Errorf("content type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("%v\n%s", err, rec.Body)
	}
	return fams
}

// value finds the sample of family name whose labels include want.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want ...string) *dto.Metric {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no %s", name)
	}
	if f.GetHelp() == "" {
		t.Errorf("%s has no help", name)
	}
next:
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for i := 0; i < len(want); i += 2 {
			if labels[want[i]] != want[i+1] {
				continue next
			}
		}
		return m
	}
	t.Fatalf("no %s%v", name, want)
	return nil
}

func TestCounters(t *testing.T) {
	m := metrics.New("v1.2.3")
	for range 3 {
		m.HeartbeatSent("eth0")
	}
	m.HeartbeatSent("/dev/ttyS0")
	m.HeartbeatReceived("node2", "eth0")
	m.HeartbeatLate("node2", "eth0")
	m.HeartbeatsLost("node2", "eth0", 4)
	m.BadPacket("bad-auth")
	m.BadPacket("bad-auth")
	m.BadPacket("replay")
	m.GuardRefusal("address-answers")
	m.Reload(true)
	m.Reload(false)
	m.Reload(false)
	fams := scrape(t, m)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"understudy_heartbeats_sent_total", []string{"link", "eth0"}, 3},
		{"understudy_heartbeats_sent_total", []string{"link", "/dev/ttyS0"}, 1},
		{"understudy_heartbeats_received_total", []string{"node", "node2", "link", "eth0"}, 1},
		{"understudy_heartbeats_late_total", []string{"node", "node2"}, 1},
		{"understudy_heartbeats_lost_total", []string{"node", "node2"}, 4},
		{"understudy_bad_packets_total", []string{"reason", "bad-auth"}, 2},
		{"understudy_bad_packets_total", []string{"reason", "replay"}, 1},
		{"understudy_guard_refusals_total", []string{"reason", "address-answers"}, 1},
		{"understudy_reloads_total", []string{"result", "ok"}, 1},
		{"understudy_reloads_total", []string{"result", "invalid"}, 2},
		{"understudy_scrapes_total", nil, 1},
	} {
		if got := value(t, fams, c.name, c.labels...).GetCounter().GetValue(); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if fams["understudy_heartbeats_sent_total"].GetType() != dto.MetricType_COUNTER {
		t.Error("not a counter")
	}
	bi := value(t, fams, "understudy_build_info", "version", "v1.2.3")
	if bi.GetGauge().GetValue() != 1 {
		t.Error("build info")
	}
	if got := value(t, scrape(t, m), "understudy_scrapes_total").GetCounter().GetValue(); got != 2 {
		t.Errorf("scrapes %v", got)
	}
}

func TestHistograms(t *testing.T) {
	m := metrics.New("v1")
	m.Takeover("192.0.2.100", true, 300*time.Millisecond)
	m.Takeover("192.0.2.100", true, 3*time.Second)
	m.Takeover("192.0.2.100", false, 500*time.Second)
	m.ScriptRun("httpd", "start", "ok", 20*time.Millisecond)
	m.ScriptRun("httpd", "stop", "timeout", 60*time.Second)
	m.MonitorCheck("web", true, 2*time.Millisecond)
	m.MonitorCheck("web", false, 5*time.Second)
	fams := scrape(t, m)
	h := value(t, fams, "understudy_takeover_duration_seconds", "group", "192.0.2.100", "result", "ok").GetHistogram()
	if h.GetSampleCount() != 2 || math.Abs(h.GetSampleSum()-3.3) > 1e-9 {
		t.Errorf("takeover count %d sum %v", h.GetSampleCount(), h.GetSampleSum())
	}
	cum := map[float64]uint64{}
	for _, b := range h.Bucket {
		cum[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	if cum[0.25] != 0 || cum[0.5] != 1 || cum[2.5] != 1 || cum[5] != 2 || cum[300] != 2 {
		t.Errorf("buckets %v", cum)
	}
	failed := value(t, fams, "understudy_takeover_duration_seconds", "result", "failed").GetHistogram()
	last := failed.Bucket[len(failed.Bucket)-2] // the last before +Inf
	if failed.GetSampleCount() != 1 || last.GetUpperBound() != 300 || last.GetCumulativeCount() != 0 ||
		failed.Bucket[len(failed.Bucket)-1].GetCumulativeCount() != 1 {
		t.Errorf("500 s is above every bucket but +Inf: %v", failed)
	}
	if value(t, fams, "understudy_script_duration_seconds", "resource", "httpd", "op", "stop", "outcome", "timeout").GetHistogram().GetSampleCount() != 1 {
		t.Error("script timeout")
	}
	if value(t, fams, "understudy_monitor_checks_total", "monitor", "web", "result", "down").GetCounter().GetValue() != 1 {
		t.Error("monitor down")
	}
	if value(t, fams, "understudy_monitor_latency_seconds", "monitor", "web").GetHistogram().GetSampleCount() != 2 {
		t.Error("monitor latency")
	}
}

func TestState(t *testing.T) {
	m := metrics.New("v1")
	started := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	m.SetState(func() metrics.State {
		return metrics.State{
			Started: started,
			Nodes:   []metrics.Node{{Name: "node1", Status: "active", Up: true}, {Name: "node2", Status: "dead"}},
			Links:   []metrics.Link{{Node: "node1", Name: "eth0", Up: true}, {Node: "node2", Name: "eth0"}},
			Groups: []metrics.Group{{Name: "192.0.2.100", State: "held", Owner: "node1", Held: true},
				{Name: "web \"quoted\"\n", State: "stopped"}},
			Monitors: []metrics.Monitor{{Name: "http", Node: "node1", Up: true}},
		}
	})
	fams := scrape(t, m)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"understudy_node_up", []string{"node", "node1"}, 1},
		{"understudy_node_up", []string{"node", "node2"}, 0},
		{"understudy_node_status", []string{"node", "node2", "status", "dead"}, 1},
		{"understudy_link_up", []string{"node", "node2", "link", "eth0"}, 0},
		{"understudy_group_held", []string{"group", "192.0.2.100"}, 1},
		{"understudy_group_held", []string{"group", "web \"quoted\"\n"}, 0},
		{"understudy_group_owner", []string{"group", "web \"quoted\"\n", "owner", "none"}, 1},
		{"understudy_group_state", []string{"group", "192.0.2.100", "state", "held"}, 1},
		{"understudy_monitor_up", []string{"monitor", "http", "node", "node1"}, 1},
		{"understudy_start_time_seconds", nil, float64(started.Unix())},
	} {
		if got := value(t, fams, c.name, c.labels...).GetGauge().GetValue(); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

func TestSeriesBounded(t *testing.T) {
	m := metrics.New("v1")
	for i := range 1500 {
		m.BadPacket(strings.Repeat("x", i%40) + string(rune('a'+i%26)) + string(rune(i)))
	}
	f := scrape(t, m)["understudy_bad_packets_total"]
	if n := len(f.Metric); n != 1001 {
		t.Errorf("%d series, want 1000 and other", n)
	}
	if value(t, map[string]*dto.MetricFamily{"f": f}, "f", "reason", "other").GetCounter().GetValue() != 500 {
		t.Error("the rest is not counted under other")
	}
}
