package cluster_test

import (
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/cluster/clustertest"
)

// TestReqnodes: a heartbeat node that took us for a flow-control peer
// asks for the node list and waits, without a timeout, for the answer
// (heartbeat-spec §4.7); we answer with every node in ha.cf order.
func TestReqnodes(t *testing.T) {
	cfg := cluster.Config{Self: "node2", Nodes: []string{"node1", "node2"}, Keepalive: 100 * time.Millisecond,
		Warntime: 300 * time.Millisecond, Deadtime: 500 * time.Millisecond, Initdead: 2 * time.Second}
	now := clustertest.Epoch
	n := cluster.New(cfg, now)
	n.Step(cluster.Recv{Now: now, Link: "eth1", Msg: cluster.Msg{Type: "status", Src: "node1", Gen: 1, Fields: []cluster.KV{{K: "st", V: "up"}}}})
	out := n.Step(cluster.Recv{Now: now, Link: "eth1", Msg: cluster.Msg{Type: "reqnodes", Src: "node1", Dest: "node2", Gen: 1}})
	var rep *cluster.Msg
	for i, m := range out.Messages {
		if m.Type == "repnodes" {
			rep = &out.Messages[i]
		}
	}
	if rep == nil {
		t.Fatalf("no repnodes in %v", out.Messages)
	}
	if rep.Dest != "node1" || rep.Get("nodelist") != "node1 node2 " || rep.Get("delnodelist") != " " {
		t.Errorf("repnodes = %v", rep)
	}
	// A reqnodes addressed to another node is not ours to answer.
	out = n.Step(cluster.Recv{Now: now, Link: "eth1", Msg: cluster.Msg{Type: "reqnodes", Src: "node1", Dest: "node3", Gen: 1}})
	for _, m := range out.Messages {
		if m.Type == "repnodes" {
			t.Errorf("answered a reqnodes for node3: %v", m)
		}
	}
}
