package cluster_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/cluster/clustertest"
	"github.com/understudy-ha/understudy/config"
)

// FuzzCluster drives two or three nodes with a random sequence of events
// (starts, crashes, shutdowns, link cuts, failing and blocked starts,
// operator commands, time) and checks the safety invariants after every
// step, and that every operator command is answered in its step and,
// once accepted, gets at most one final answer. At the end it heals
// everything, lets the cluster settle, and checks that every group that
// never failed is held by exactly one node and that a command still
// waiting for its final answer waits for a deadline at most an hour
// away. The simulated links lose nothing to a cut shorter than the dead
// time: the session layer retransmits it when the link heals.
func FuzzCluster(f *testing.F) {
	f.Add([]byte{0, 1, 9, 9, 2, 9, 9, 0, 9, 9})
	f.Add([]byte{0, 1, 9, 4, 9, 9, 5, 9, 9, 3, 9})
	f.Add([]byte{0x80, 0, 1, 2, 9, 9, 4, 9, 6, 9, 7, 9, 8, 9, 9})
	f.Add([]byte{0x41, 0, 1, 9, 10, 9, 11, 9, 12, 9, 9, 13, 9})
	f.Add([]byte{0x80, 0, 1, 2, 9, 9, 14, 9, 0x1e, 9, 4, 14, 9, 5, 9})
	f.Fuzz(func(t *testing.T, prog []byte) { runProg(t, prog, nil) })
}

// TestFuzzReplay prints the whole run of one fuzz input:
//
//	FUZZ_REPLAY=testdata/fuzz/FuzzCluster/ID go test -run TestFuzzReplay -v ./cluster/
func TestFuzzReplay(t *testing.T) {
	path := os.Getenv("FUZZ_REPLAY")
	if path == "" {
		t.Skip("set FUZZ_REPLAY to a corpus file to replay it verbosely")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(b), "[]byte(")
	prog, err := strconv.Unquote(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), ")")))
	if err != nil {
		t.Fatal(err)
	}
	runProg(t, []byte(prog), func(s string) { t.Log(s) })
}

func runProg(t *testing.T, prog []byte, logf func(string)) {
	{
		if len(prog) == 0 || len(prog) > 200 {
			return
		}
		failback := []config.AutoFailback{config.FailbackOn, config.FailbackOff, config.FailbackLegacy}[int(prog[0]&0x03)%3]
		nodes := []string{"node1", "node2"}
		// legacy is heartbeat's two-node protocol: no holdings are
		// exchanged, so a third node's groups cannot be sorted out.
		if prog[0]&0x80 != 0 && failback != config.FailbackLegacy {
			nodes = append(nodes, "node3")
		}
		groups := []cluster.GroupSpec{{Key: "web", Node: "node1"}, {Key: "db", Node: "node2"}, {Key: "mail", Node: nodes[len(nodes)-1]}}
		cfg := cluster.Config{Nodes: nodes, Groups: groups, Keepalive: 100 * time.Millisecond, Warntime: 300 * time.Millisecond,
			Deadtime: 500 * time.Millisecond, Initdead: 2 * time.Second, AutoFailback: failback}
		s := clustertest.New(cfg, []string{"eth1", "ttyS0"}, 50*time.Millisecond)
		everFailed := map[string]bool{}
		var trace []string
		for i, b := range prog[1:] {
			n := nodes[int(b>>4)%len(nodes)]
			peer := nodes[(int(b>>4)+1)%len(nodes)]
			g := groups[int(b>>4)%len(groups)].Key
			op := b & 0x0f
			trace = append(trace, fmt.Sprintf("%d:%d/%s/%s", i, op, n, g))
			switch op {
			case 0, 1:
				s.Start(n)
			case 2:
				s.Crash(n)
			case 3:
				s.Event(n, cluster.Shutdown{Now: s.Now})
			case 4:
				s.Cut(n, peer, "", true)
			case 5:
				s.Cut(n, peer, "", false)
			case 6:
				s.Cut(n, peer, "eth1", true)
			case 7:
				s.FailStart[n+"|"+g] = !s.FailStart[n+"|"+g]
				everFailed[g] = true
			case 8:
				s.InUse[n+"|"+g] = !s.InUse[n+"|"+g]
			case 14:
				// A reload: mail comes and goes, db's resources change.
				c := s.Base
				c.Groups = []cluster.GroupSpec{groups[0], {Key: "db", Node: "node2", Digest: fmt.Sprint(b >> 4)}}
				if len(s.Base.Groups) < 3 {
					c.Groups = append(c.Groups, groups[2])
				}
				s.Base = c
				for _, name := range s.Names() {
					c.Self = name
					s.Event(name, cluster.Reconfigure{Now: s.Now, Config: c})
				}
			case 9, 15:
				s.Run(time.Duration(b>>4+1) * 150 * time.Millisecond)
			case 10:
				s.Event(n, cluster.Admin{Now: s.Now, Cmd: cluster.CmdStandby, Set: cluster.SetAll, ID: uint64(i + 1)})
			case 11:
				s.Event(n, cluster.Admin{Now: s.Now, Cmd: cluster.CmdTakeover, Set: cluster.SetLocal, ID: uint64(i + 1)})
			case 12:
				s.Event(n, cluster.Admin{Now: s.Now, Cmd: cluster.CmdStandby, Set: cluster.SetForeign, ID: uint64(i + 1)})
			case 13:
				s.Run(time.Duration(b>>4+1) * 10 * time.Millisecond)
			}
			if o := s.Output(); logf != nil {
				logf(trace[len(trace)-1] + "\n" + o)
			}
			if len(s.Violations) > 0 {
				t.Fatalf("after %s:\n%s", strings.Join(trace, " "), strings.Join(s.Violations, "\n"))
			}
		}
		// Heal everything and let it settle.
		for _, a := range nodes {
			for _, b := range nodes {
				s.Cut(a, b, "", false)
			}
		}
		clear(s.InUse)
		s.Run(15 * time.Second)
		if o := s.Output(); logf != nil {
			logf("settle\n" + o)
		}
		if len(s.Violations) > 0 {
			t.Fatalf("after %s and settling:\n%s", strings.Join(trace, " "), strings.Join(s.Violations, "\n"))
		}
		for _, name := range s.Names() {
			for id := range s.Unanswered(name) {
				due, ok := cluster.AnswerDue(s.Node(name))
				if !ok || due.Sub(s.Now) > cluster.StandbyDoneTimeout {
					t.Fatalf("after %s and settling, %s's command %d waits for its answer without a deadline (%v, %v): %s",
						strings.Join(trace, " "), name, id, due.Sub(clustertest.Epoch), ok, cluster.DebugState(s.Node(name)))
				}
			}
		}
		if len(s.Names()) == 0 {
			return
		}
		for _, g := range s.Base.Groups {
			holders := 0
			for _, n := range s.Names() {
				if s.Held(n, g.Key) {
					holders++
				}
			}
			if holders > 1 || (holders == 0 && !everFailed[g.Key]) {
				var st []string
				for _, n := range s.Names() {
					snap, _ := s.Snapshot(n)
					st = append(st, fmt.Sprintf("%+v\n  %s", snap, cluster.DebugState(s.Node(n))))
				}
				t.Fatalf("after %s and settling, group %s has %d holders among %v:\n%s", strings.Join(trace, " "), g.Key, holders, s.Names(), strings.Join(st, "\n"))
			}
		}
	}
}
