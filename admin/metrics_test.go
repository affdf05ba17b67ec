package admin_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/admintest"
	"github.com/understudy-ha/understudy/admin/metrics"
	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
)

func getMetrics(t *testing.T, s *admintest.Server, user, pw string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx(t), "GET", "https://"+s.Addr+"/metrics", nil)
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	resp, err := raw().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMetricsAuth(t *testing.T) {
	m := metrics.New("v9")
	m.Reload(true)
	s := admintest.Start(t, &admintest.Backend{}, func(o *admin.Options) {
		o.Metrics = m
		o.Settings.LoginFailures = 3
	})
	if code, _ := getMetrics(t, s, "", ""); code != http.StatusUnauthorized {
		t.Errorf("no auth: %d", code)
	}
	for range 2 {
		if code, body := getMetrics(t, s, "admin", admintest.Password); code != 200 || !strings.Contains(body, `understudy_reloads_total{result="ok"} 1`) {
			t.Fatalf("right password: %d %q", code, body)
		}
	}
	if code, _ := getMetrics(t, s, "root", admintest.Password); code != http.StatusUnauthorized {
		t.Errorf("wrong user: %d", code)
	}
	if code, _ := getMetrics(t, s, "admin", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", code)
	}
	getMetrics(t, s, "admin", "wrong")
	if code, _ := getMetrics(t, s, "admin", admintest.Password); code != http.StatusTooManyRequests {
		t.Errorf("after 3 failures: %d", code)
	}
	if !s.Logged("why=\"wrong user\"") || !s.Logged("why=\"wrong password\" path=/metrics") {
		t.Error("failures not logged")
	}
}

func TestMetricsOpen(t *testing.T) {
	m := metrics.New("v9")
	st := control.Status{Cluster: cluster.Snapshot{Self: "node1", Status: "active",
		Nodes: []cluster.NodeStatus{{Name: "node2", Status: "dead", Links: map[string]string{"eth1": "dead", "eth0": "up"}}},
		Groups: []cluster.GroupStatus{{Key: "192.0.2.100", State: "held", Owner: "node1", Monitors: []cluster.MonitorStatus{
			{Name: "http:80", Runs: true, State: "up"}, {Name: "tcp:22", Runs: true, State: "unknown"}}},
			{Key: "web", State: "stopped", Owner: "node2", Monitors: []cluster.MonitorStatus{{Name: "http:80", State: "up"}}}}},
		Links: []control.LinkStatus{{Name: "eth0", Up: true}}}
	m.SetState(func() metrics.State { return admin.MetricsState(st) })
	s := admintest.Start(t, &admintest.Backend{}, func(o *admin.Options) {
		o.Metrics = m
		o.Settings.MetricsAuth = false
	})
	code, body := getMetrics(t, s, "", "")
	for _, want := range []string{
		`understudy_node_up{node="node1"} 1`, `understudy_node_up{node="node2"} 0`,
		`understudy_link_up{node="node1",link="eth0"} 1`, `understudy_link_up{node="node2",link="eth0"} 1`,
		`understudy_link_up{node="node2",link="eth1"} 0`,
		`understudy_group_held{group="192.0.2.100"} 1`, `understudy_group_held{group="web"} 0`,
		`understudy_group_owner{group="web",owner="node2"} 1`,
		`understudy_monitor_up{monitor="192.0.2.100[http:80]",node="node1"} 1`,
		`understudy_monitor_up{monitor="192.0.2.100[tcp:22]",node="node1"} 0`,
	} {
		if code != 200 || !strings.Contains(body, want+"\n") {
			t.Errorf("%d: no %s in\n%s", code, want, body)
		}
	}
	if strings.Contains(body, `monitor="web[http:80]"`) {
		t.Errorf("a monitor that does not run here has a gauge:\n%s", body)
	}
	s2 := admintest.Start(t, &admintest.Backend{}, nil)
	if code, _ := getMetrics(t, s2, "admin", admintest.Password); code != http.StatusNotFound {
		t.Errorf("no metrics: %d", code)
	}
}
