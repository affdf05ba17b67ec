package hooks

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
)

func TestKindsAreConfigs(t *testing.T) {
	var names []string
	for _, k := range Kinds {
		names = append(names, string(k))
	}
	if !slices.Equal(names, config.HookEvents) {
		t.Errorf("hooks.Kinds %v\n!= config.HookEvents %v", names, config.HookEvents)
	}
}

func TestEnviron(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 4, 5, 123456789, time.FixedZone("", 3600))
	for _, tc := range []struct {
		ev   Event
		want []string
	}{
		{Event{Kind: NodeDead, Time: at, LocalNode: "node1", Node: "node2"},
			[]string{"UNDERSTUDY_EVENT=node_dead", "UNDERSTUDY_TIME=2026-11-22T10:04:05.123456789+01:00", "UNDERSTUDY_LOCAL_NODE=node1", "UNDERSTUDY_NODE=node2"}},
		{Event{Kind: LinkDead, Time: at, LocalNode: "node1", Node: "node2", Link: "eth1"},
			[]string{"UNDERSTUDY_EVENT=link_dead", "UNDERSTUDY_TIME=2026-11-22T10:04:05.123456789+01:00", "UNDERSTUDY_LOCAL_NODE=node1", "UNDERSTUDY_NODE=node2", "UNDERSTUDY_LINK=eth1"}},
		{Event{Kind: MonitorDown, Time: at, LocalNode: "n", Node: "n", Group: "192.0.2.10", Monitor: "http:80", Address: "192.0.2.10", Reason: "HTTP status 503\nService Unavailable"},
			[]string{"UNDERSTUDY_EVENT=monitor_down", "UNDERSTUDY_TIME=2026-11-22T10:04:05.123456789+01:00", "UNDERSTUDY_LOCAL_NODE=n", "UNDERSTUDY_NODE=n",
				"UNDERSTUDY_GROUP=192.0.2.10", "UNDERSTUDY_MONITOR=http:80", "UNDERSTUDY_ADDRESS=192.0.2.10", "UNDERSTUDY_REASON=HTTP status 503 Service Unavailable"}},
	} {
		if got := tc.ev.Environ(); !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.ev.Kind, got, tc.want)
		}
	}
}

func TestJSON(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 4, 5, 0, time.UTC)
	ev := Event{Kind: GroupFailed, Time: at, LocalNode: "node1", Node: "node1", Group: "192.0.2.10", Reason: "monitor http:80 down"}
	want := `{"event":"group_failed","time":"2026-11-22T10:04:05Z","local_node":"node1","node":"node1","group":"192.0.2.10","reason":"monitor http:80 down"}` + "\n"
	if got := string(ev.JSON()); got != want {
		t.Errorf("JSON:\n got %s\nwant %s", got, want)
	}
	var back Event
	if err := json.Unmarshal(ev.JSON(), &back); err != nil || back != ev {
		t.Errorf("round trip: %+v %v", back, err)
	}
}
