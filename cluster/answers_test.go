package cluster_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/cluster/clustertest"
	"github.com/understudy-ha/understudy/config"
)

// hbPeer drives node1's state machine by hand against node2, a
// heartbeat 3.0.6 peer played by the test: it sends what heartbeat
// sends (no us_held) and nothing it is not told to.
type hbPeer struct {
	t       *testing.T
	n       *cluster.Node
	cfg     cluster.Config
	now     time.Time
	alive   bool // node2 sends a status every keepalive while run runs
	answers []string
	sent    []cluster.Msg
	ops     map[string]cluster.Op // operations node1 runs, by group
}

// newHBPeer returns node1, stable and running web, with node2 running db.
func newHBPeer(t *testing.T) *hbPeer {
	cfg := cluster.Config{Self: "node1", Nodes: []string{"node1", "node2"},
		Groups:    []cluster.GroupSpec{{Key: "web", Node: "node1"}, {Key: "db", Node: "node2"}},
		Keepalive: 100 * time.Millisecond, Warntime: 300 * time.Millisecond, Deadtime: 500 * time.Millisecond,
		Initdead: 2 * time.Second, AutoFailback: config.FailbackOn}
	h := &hbPeer{t: t, cfg: cfg, now: clustertest.Epoch, alive: true, ops: map[string]cluster.Op{}}
	h.n = cluster.New(cfg, h.now)
	h.step(cluster.Tick{Now: h.now})
	h.from(cluster.MsgStatus, "st", "active")
	h.from(cluster.MsgResource, "rsc_hold", "local", "rtype", "full", "isstable", "1")
	h.done("web", nil)
	if snap := h.n.Snapshot(); snap.State != "stable" || snap.Groups[0].State != "running" {
		t.Fatalf("set-up: %+v", snap)
	}
	h.sent = nil
	return h
}

func (h *hbPeer) step(ev cluster.Event) {
	out := h.n.Step(ev)
	for _, a := range out.Answers {
		h.answers = append(h.answers, a.String())
	}
	h.sent = append(h.sent, out.Messages...)
	for _, k := range out.Release {
		h.ops[k] = cluster.Release
	}
	for _, k := range out.Acquire {
		h.ops[k] = cluster.Acquire
	}
}

// flux puts node1's resources in flux: a reload changes web's
// resources, so web is released, then started again.
func (h *hbPeer) flux() {
	h.cfg.Groups = slices.Clone(h.cfg.Groups)
	h.cfg.Groups[0].Digest += "+"
	h.step(cluster.Reconfigure{Now: h.now, Config: h.cfg})
	if h.ops["web"] != cluster.Release {
		h.t.Fatal("the reload did not restart web")
	}
}

// from delivers a message from node2.
func (h *hbPeer) from(typ string, kv ...string) {
	m := cluster.Msg{Type: typ, Src: "node2", Gen: 1}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Fields = append(m.Fields, cluster.KV{K: kv[i], V: kv[i+1]})
	}
	h.step(cluster.Recv{Now: h.now, Link: "eth1", Msg: m})
}

// ask delivers node2's step info of a standby handshake for set.
func (h *hbPeer) ask(set, info string) {
	h.from(cluster.MsgAskResources, "rsc_hold", set, "info", info)
}

// done ends node1's operation on group.
func (h *hbPeer) done(group string, err error) {
	op, ok := h.ops[group]
	if !ok {
		h.t.Fatalf("no operation on %s", group)
	}
	delete(h.ops, group)
	h.step(cluster.OpDone{Now: h.now, Group: group, Op: op, Err: err})
}

// run advances the time by d in keepalive steps.
func (h *hbPeer) run(d time.Duration) {
	for end := h.now.Add(d); h.now.Before(end); {
		h.now = h.now.Add(100 * time.Millisecond)
		if h.alive {
			h.from(cluster.MsgStatus, "st", "active")
		}
		h.step(cluster.Tick{Now: h.now})
	}
}

func (h *hbPeer) admin(cmd cluster.AdminCmd, set cluster.Set, id uint64) {
	h.step(cluster.Admin{Now: h.now, Cmd: cmd, Set: set, ID: id})
}

// sentStep reports whether node1 sent an ask_resources with info.
func (h *hbPeer) sentStep(info string) bool {
	return slices.ContainsFunc(h.sent, func(m cluster.Msg) bool { return m.Type == cluster.MsgAskResources && m.Get("info") == info })
}

// TestAnswers plays operator commands against a heartbeat peer and checks
// every answer, in order.
func TestAnswers(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		play func(h *hbPeer)
		want []string
	}{{
		name: "standby done when the partner says done",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdStandby, cluster.SetAll, 7)
			h.ask("all", "other")
			h.done("web", nil)
			if !h.sentStep("done") {
				h.t.Fatal("node1 did not say done")
			}
			h.ask("all", "done")
		},
		want: []string{"7 accepted (standby handshake begun with node2)", "7 done (node2 took over [all])"},
	}, {
		name: "standby fails when the partner is silent",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdStandby, cluster.SetAll, 7)
			h.run(2 * time.Second)
		},
		want: []string{"7 accepted (standby handshake begun with node2)", "7 failed (no reply from node2 within 1s)"},
	}, {
		name: "standby fails when the partner dies",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdStandby, cluster.SetAll, 7)
			h.ask("all", "other")
			h.alive = false
			h.run(time.Second)
		},
		want: []string{"7 accepted (standby handshake begun with node2)", "7 failed (cancelled: node node2 died)"},
	}, {
		name: "standby fails when the partner never says done",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdStandby, cluster.SetAll, 7)
			h.ask("all", "other")
			h.done("web", nil)
			h.run(time.Hour + time.Second)
		},
		want: []string{"7 accepted (standby handshake begun with node2)", "7 failed (the handshake with node2 did not finish within 1h0m0s)"},
	}, {
		name: "standby fails when a group does not stop",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdStandby, cluster.SetAll, 7)
			h.ask("all", "other")
			h.done("web", boom)
			h.ask("all", "done")
		},
		want: []string{"7 accepted (standby handshake begun with node2)", "7 failed (web failed to stop here)"},
	}, {
		name: "standby in flux waits, then is done",
		play: func(h *hbPeer) {
			h.flux()
			h.admin(cluster.CmdStandby, cluster.SetLocal, 7)
			h.done("web", nil) // released
			h.done("web", nil) // started again
			h.ask("local", "other")
			h.done("web", nil)
			h.ask("local", "done")
		},
		want: []string{"7 accepted (waiting until the resources in flux settle)", "7 done (node2 took over [local])"},
	}, {
		name: "standby in flux is given up",
		play: func(h *hbPeer) {
			h.flux()
			h.admin(cluster.CmdStandby, cluster.SetLocal, 7)
			h.run(11 * time.Second) // web's release never ends
		},
		want: []string{"7 accepted (waiting until the resources in flux settle)", "7 failed (given up: the resources stayed in flux)"},
	}, {
		name: "standby in flux fails when the partner dies",
		play: func(h *hbPeer) {
			h.flux()
			h.admin(cluster.CmdStandby, cluster.SetLocal, 7)
			h.alive = false
			h.run(time.Second)
		},
		want: []string{"7 accepted (waiting until the resources in flux settle)", "7 failed (no other node is alive to take over)"},
	}, {
		name: "standby in flux superseded by the peer's takeover",
		play: func(h *hbPeer) {
			h.flux()
			h.admin(cluster.CmdStandby, cluster.SetLocal, 7)
			h.from(cluster.MsgTakeover, "rsc_hold", "foreign")
		},
		want: []string{"7 accepted (waiting until the resources in flux settle)", "7 failed (superseded: node2 asked this node to hand over [local])"},
	}, {
		name: "a newer command supersedes",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdStandby, cluster.SetAll, 7)
			h.admin(cluster.CmdTakeover, cluster.SetAll, 8)
		},
		want: []string{"7 accepted (standby handshake begun with node2)", "7 failed (superseded by a newer request)",
			"8 accepted (asked the other nodes to hand over [all])"},
	}, {
		name: "takeover done when the set is acquired",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdTakeover, cluster.SetAll, 7)
			h.ask("all", "me")
			if !h.sentStep("other") {
				h.t.Fatal("node1 did not say other")
			}
			h.from(cluster.MsgResource, "rsc_hold", "none", "rtype", "full", "isstable", "0", "info", "standby")
			h.ask("all", "done")
			h.done("db", nil)
		},
		want: []string{"7 accepted (asked the other nodes to hand over [all])", "7 done (took over [all] from node2)"},
	}, {
		name: "takeover fails when a group does not start",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdTakeover, cluster.SetAll, 7)
			h.ask("all", "me")
			h.from(cluster.MsgResource, "rsc_hold", "none", "rtype", "full", "isstable", "0", "info", "standby")
			h.ask("all", "done")
			h.done("db", boom)
		},
		want: []string{"7 accepted (asked the other nodes to hand over [all])", "7 failed (db failed to start here)"},
	}, {
		// heartbeat drops an hb_takeover while its resources are in flux,
		// without a word.
		name: "takeover fails when no peer begins",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdTakeover, cluster.SetLocal, 7)
			h.run(10900 * time.Millisecond)
			if len(h.answers) != 1 {
				h.t.Fatalf("answered before the deadline: %q", h.answers)
			}
			h.run(200 * time.Millisecond)
		},
		want: []string{"7 accepted (asked the other nodes to hand over [local])", "7 failed (no other node began to hand over [local] within 11s)"},
	}, {
		name: "takeover fails when no peer is left",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdTakeover, cluster.SetLocal, 7)
			h.alive = false
			h.run(time.Second)
		},
		want: []string{"7 accepted (asked the other nodes to hand over [local])", "7 failed (no other node is alive any more)"},
	}, {
		name: "a shutdown fails the command under way",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdStandby, cluster.SetAll, 7)
			h.step(cluster.Shutdown{Now: h.now})
			h.admin(cluster.CmdStandby, cluster.SetAll, 8)
			h.done("web", nil)
			h.admin(cluster.CmdTakeover, cluster.SetAll, 9)
		},
		want: []string{"7 accepted (standby handshake begun with node2)", "7 failed (shutting down)",
			"8 refused (this node is shutting down)", "9 refused (this node has shut down)"},
	}, {
		name: "refused: no live peer",
		play: func(h *hbPeer) {
			h.alive = false
			h.run(time.Second)
			h.admin(cluster.CmdStandby, cluster.SetAll, 7)
			h.admin(cluster.CmdTakeover, cluster.SetAll, 8)
		},
		want: []string{"7 refused (no other node is alive to take over)", "8 refused (no other node is alive)"},
	}, {
		name: "nothing to do",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdStandby, cluster.SetNone, 7)
			h.admin(cluster.CmdTakeover, cluster.SetNone, 8)
			h.admin(cluster.AdminCmd(99), cluster.SetAll, 9)
		},
		want: []string{"7 done (nothing to do: [none] names no group of this node)", "8 done (nothing to do: [none] names no group)",
			"9 refused (unknown command)"},
	}, {
		name: "id 0: nobody waits, no answer",
		play: func(h *hbPeer) {
			h.admin(cluster.CmdStandby, cluster.SetAll, 0)
			h.run(2 * time.Second)
			h.admin(cluster.CmdTakeover, cluster.SetAll, 0)
			h.run(12 * time.Second)
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHBPeer(t)
			tt.play(h)
			if got, want := strings.Join(h.answers, "\n"), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("answers:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestVerdictString names every verdict.
func TestVerdictString(t *testing.T) {
	var got []string
	for v := cluster.Verdict(0); v <= cluster.Failed+1; v++ {
		got = append(got, fmt.Sprintf("%s/%v", v, v.Final()))
	}
	want := "verdict 0/true accepted/false done/true refused/true failed/true verdict 5/true"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("got %s, want %s", s, want)
	}
}
