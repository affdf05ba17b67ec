package daemon

import (
	"testing"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/hooks"
)

func TestHookEvent(t *testing.T) {
	for _, tc := range []struct {
		t    cluster.Transition
		want hooks.Event // Kind "" = no event
	}{
		{cluster.Transition{Kind: "node", Subject: "node2", From: "unknown", To: "active"}, hooks.Event{Kind: hooks.NodeUp, Node: "node2"}},
		{cluster.Transition{Kind: "node", Subject: "node2", From: "active", To: "dead", Reason: "silent"}, hooks.Event{Kind: hooks.NodeDead, Node: "node2", Reason: "silent"}},
		{cluster.Transition{Kind: "cluster", Subject: "node2", From: "dead", To: "active"}, hooks.Event{Kind: hooks.NodeUp, Node: "node2"}},
		{cluster.Transition{Kind: "node", Subject: "node2", From: "up", To: "active"}, hooks.Event{}},
		{cluster.Transition{Kind: "node", Subject: "node1", From: "up", To: "active"}, hooks.Event{}},
		{cluster.Transition{Kind: "node", Subject: "node2", From: "dead", To: "dead"}, hooks.Event{}},
		{cluster.Transition{Kind: "link", Subject: "node2:/dev/ttyS0", From: "dead", To: "up"}, hooks.Event{Kind: hooks.LinkUp, Node: "node2", Link: "/dev/ttyS0"}},
		{cluster.Transition{Kind: "link", Subject: "node2:eth1", From: "up", To: "dead"}, hooks.Event{Kind: hooks.LinkDead, Node: "node2", Link: "eth1"}},
		{cluster.Transition{Kind: "group", Subject: "g", From: "stopped", To: "acquiring"}, hooks.Event{Kind: hooks.GroupAcquiring, Node: "node1", Group: "g"}},
		{cluster.Transition{Kind: "group", Subject: "g", From: "acquiring", To: "running"}, hooks.Event{Kind: hooks.GroupRunning, Node: "node1", Group: "g"}},
		{cluster.Transition{Kind: "group", Subject: "g", From: "releasing", To: "stopped"}, hooks.Event{Kind: hooks.GroupReleased, Node: "node1", Group: "g"}},
		{cluster.Transition{Kind: "group", Subject: "g", From: "waiting", To: "stopped"}, hooks.Event{}},
		{cluster.Transition{Kind: "group", Subject: "g", From: "acquiring", To: "failed"}, hooks.Event{Kind: hooks.GroupFailed, Node: "node1", Group: "g"}},
		{cluster.Transition{Kind: "group", Subject: "g", From: "failed", To: "failed"}, hooks.Event{}},
		{cluster.Transition{Kind: "group", Subject: "g", From: "releasing", To: "stop-failed"}, hooks.Event{Kind: hooks.GroupFailed, Node: "node1", Group: "g"}},
		{cluster.Transition{Kind: "group", Subject: "g", From: "acquiring", To: "waiting", Reason: "in use"}, hooks.Event{Kind: hooks.GuardRefused, Node: "node1", Group: "g", Reason: "in use"}},
		{cluster.Transition{Kind: "standby", Subject: "node1"}, hooks.Event{}},
		{cluster.Transition{Kind: "group", Subject: "g", From: "running", To: "failed", Reason: "failed here: monitor http:80 down"},
			hooks.Event{Kind: hooks.GroupFailed, Node: "node1", Group: "g", Reason: "failed here: monitor http:80 down"}},
		{cluster.Transition{Kind: "group", Subject: "g", From: "restarting", To: "failed"}, hooks.Event{Kind: hooks.GroupFailed, Node: "node1", Group: "g"}},
		{cluster.Transition{Kind: "group", Subject: "g", From: "running", To: "restarting"}, hooks.Event{}},
		{cluster.Transition{Kind: "monitor", Subject: "IPaddr::192.0.2.10/24[http:80]", From: "up", To: "down", Reason: "3 failures in a row"},
			hooks.Event{Kind: hooks.MonitorDown, Node: "node1", Group: "IPaddr::192.0.2.10/24", Monitor: "http:80", Reason: "3 failures in a row"}},
		{cluster.Transition{Kind: "monitor", Subject: "g[web]", From: "unknown", To: "down"}, hooks.Event{Kind: hooks.MonitorDown, Node: "node1", Group: "g", Monitor: "web"}},
		{cluster.Transition{Kind: "monitor", Subject: "g[web]", From: "down", To: "up"}, hooks.Event{Kind: hooks.MonitorUp, Node: "node1", Group: "g", Monitor: "web"}},
		{cluster.Transition{Kind: "monitor", Subject: "g[web]", From: "unknown", To: "up"}, hooks.Event{}},
		{cluster.Transition{Kind: "monitor", Subject: "g[web]", From: "up", To: "unknown"}, hooks.Event{}},
		{cluster.Transition{Kind: "monitor", Subject: "g[]", From: "up", To: "down"}, hooks.Event{}},
		{cluster.Transition{Kind: "monitor", Subject: "web", From: "up", To: "down"}, hooks.Event{}},
	} {
		got, ok := hookEvent("node1", tc.t)
		if ok != (tc.want.Kind != "") || ok && got != tc.want {
			t.Errorf("%v: got %+v (%v), want %+v", tc.t, got, ok, tc.want)
		}
	}
}
