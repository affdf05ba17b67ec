package cluster_test

import (
	"fmt"
	"os"
	"slices"
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
// operator commands, time; in programs of the second form, services
// that fail their monitors, moves, clears and maintenance, and a node
// that plays heartbeat) and checks the safety invariants after every
// step (no ping-pong among them), and that every operator command is
// answered in its step and, once accepted, gets at most one final
// answer. At the end it heals everything (the second form also brings
// every service up, ends maintenance and clears every group's failure
// marks), lets the cluster settle, and checks that every group that
// never failed to start is held by exactly one node and that a command
// still waiting for its final answer waits for a deadline at most an
// hour away. The simulated links lose nothing to a cut shorter than the
// dead time: the session layer retransmits it when the link heals.
func FuzzCluster(f *testing.F) {
	f.Add([]byte{0, 1, 9, 9, 2, 9, 9, 0, 9, 9})
	f.Add([]byte{0, 1, 9, 4, 9, 9, 5, 9, 9, 3, 9})
	f.Add([]byte{0x80, 0, 1, 2, 9, 9, 4, 9, 6, 9, 7, 9, 8, 9, 9})
	f.Add([]byte{0x41, 0, 1, 9, 10, 9, 11, 9, 12, 9, 9, 13, 9})
	f.Add([]byte{0x80, 0, 1, 2, 9, 9, 14, 9, 0x1e, 9, 4, 14, 9, 5, 9})
	// The second form: 'M', a configuration byte, then ops of 5 bits.
	f.Add([]byte{progV2, 0x00, 0, 0x20, 9, 9, 16, 9, 9, 0x17})
	f.Add([]byte{progV2, 0x8c, 0, 0x20, 0x40, 9, 9, 0x30, 9, 0x12, 9, 0x15, 0x02, 9, 0x16, 9})
	f.Add([]byte{progV2, 0x24, 0, 0x20, 9, 9, 16, 9, 9, 0x13, 9, 0x14, 9})
	f.Add([]byte{progV2, 0x4a, 0, 0x20, 9, 9, 0x31, 9, 0x11, 9, 0x04, 0x19, 0x05, 9})
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

// progV2 starts a program of the second form.
const progV2 = 'M'

// fuzzRun is one program's run.
type fuzzRun struct {
	t          *testing.T
	logf       func(string)
	s          *clustertest.Sim
	nodes      []string
	groups     []cluster.GroupSpec
	everFailed map[string]bool
	trace      []string
}

// runProg runs a program. The first form: a configuration byte (bits
// 0-1 the failback policy, bit 7 a third node), then one byte per op:
// its low nibble the op (0-15 of do), its high nibble the node, group or
// time. The second form: progV2, a configuration byte (the same, and
// see monitorsFor), then one byte per op: its low 5 bits the op (0-31),
// its high 3 bits the node, group or time.
func runProg(t *testing.T, prog []byte, logf func(string)) {
	if len(prog) == 0 || len(prog) > 200 {
		return
	}
	v2 := prog[0] == progV2 && len(prog) > 1
	c := prog[0]
	if v2 {
		c, prog = prog[1], prog[1:]
	}
	failback := []config.AutoFailback{config.FailbackOn, config.FailbackOff, config.FailbackLegacy}[int(c&0x03)%3]
	nodes := []string{"node1", "node2"}
	// legacy is heartbeat's two-node protocol: no holdings are
	// exchanged, so a third node's groups cannot be sorted out.
	if c&0x80 != 0 && failback != config.FailbackLegacy {
		nodes = append(nodes, "node3")
	}
	groups := []cluster.GroupSpec{{Key: "web", Node: "node1"}, {Key: "db", Node: "node2"}, {Key: "mail", Node: nodes[len(nodes)-1]}}
	if v2 {
		monitorsFor(groups, c)
	}
	cfg := cluster.Config{Nodes: nodes, Groups: groups, Keepalive: 100 * time.Millisecond, Warntime: 300 * time.Millisecond,
		Deadtime: 500 * time.Millisecond, Initdead: 2 * time.Second, AutoFailback: failback}
	r := &fuzzRun{t: t, logf: logf, s: clustertest.New(cfg, []string{"eth1", "ttyS0"}, 50*time.Millisecond),
		nodes: nodes, groups: groups, everFailed: map[string]bool{}}
	if v2 && c&0x20 != 0 && len(nodes) == 2 {
		r.s.Heartbeat["node2"] = true
	}
	for i, b := range prog[1:] {
		op, sel := int(b&0x0f), int(b>>4)
		if v2 {
			op, sel = int(b&0x1f), int(b>>5)
		}
		r.do(i, op, sel)
		if o := r.s.Output(); logf != nil {
			logf(r.trace[len(r.trace)-1] + "\n" + o)
		}
		if len(r.s.Violations) > 0 {
			t.Fatalf("after %s:\n%s", strings.Join(r.trace, " "), strings.Join(r.s.Violations, "\n"))
		}
	}
	r.settle(v2)
}

// monitorsFor gives the groups monitors, from the configuration byte
// of a program of the second form: web an owner's monitor (bit 2: it
// restarts once first); db an owner's (bit 3: one that runs
// everywhere); with bit 4, mail both; bit 6: fall and rise 1, not 2.
// Bit 5 makes node2 play heartbeat in a two-node cluster.
func monitorsFor(groups []cluster.GroupSpec, c byte) {
	fr := 2
	if c&0x40 != 0 {
		fr = 1
	}
	mon := func(name string, everywhere bool) cluster.MonitorSpec {
		return cluster.MonitorSpec{Name: name, Fall: fr, Rise: fr, Everywhere: everywhere, OnFail: config.OnFailFailover}
	}
	web := mon("http", false)
	if c&0x04 != 0 {
		web.OnFail, web.Restarts = config.OnFailRestart, 1
	}
	groups[0].Monitors = []cluster.MonitorSpec{web}
	groups[1].Monitors = []cluster.MonitorSpec{mon("local", c&0x08 != 0)}
	if c&0x10 != 0 {
		groups[2].Monitors = []cluster.MonitorSpec{mon("smtp", false), mon("local", true)}
	}
}

// do runs op i: which node, peer, group or time sel selects.
func (r *fuzzRun) do(i, op, sel int) {
	s, nodes, groups := r.s, r.nodes, r.groups
	n := nodes[sel%len(nodes)]
	peer := nodes[(sel+1)%len(nodes)]
	g := groups[sel%len(groups)].Key
	id := uint64(i + 1)
	r.trace = append(r.trace, fmt.Sprintf("%d:%d/%s/%s", i, op, n, g))
	if op >= 18 && op <= 22 && s.Heartbeat[n] {
		return // no such command on a heartbeat node
	}
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
		s.Fault(clustertest.FailStart, n, g, !s.FailStart[n+"|"+g])
		r.everFailed[g] = true
	case 8:
		s.Fault(clustertest.InUse, n, g, !s.InUse[n+"|"+g])
	case 14:
		// A reload: mail comes and goes, db's resources change.
		c := s.Base
		db := groups[1]
		db.Digest = fmt.Sprint(sel)
		c.Groups = []cluster.GroupSpec{groups[0], db}
		if len(s.Base.Groups) < 3 {
			c.Groups = append(c.Groups, groups[2])
		}
		s.Base = c
		for _, name := range s.Names() {
			c.Self = name
			s.Event(name, cluster.Reconfigure{Now: s.Now, Config: c})
		}
	case 9, 15:
		s.Run(time.Duration(sel+1) * 150 * time.Millisecond)
	case 10:
		s.Event(n, cluster.Admin{Now: s.Now, Cmd: cluster.CmdStandby, Set: cluster.SetAll, ID: id})
	case 11:
		s.Event(n, cluster.Admin{Now: s.Now, Cmd: cluster.CmdTakeover, Set: cluster.SetLocal, ID: id})
	case 12:
		s.Event(n, cluster.Admin{Now: s.Now, Cmd: cluster.CmdStandby, Set: cluster.SetForeign, ID: id})
	case 13:
		s.Run(time.Duration(sel+1) * 10 * time.Millisecond)
	case 16:
		s.Fault(clustertest.ServiceDown, n, g, !s.ServiceIsDown(n, g))
	case 17:
		s.Fault(clustertest.ServiceCrash, n, g, true)
	case 18:
		s.Event(n, cluster.Admin{Now: s.Now, Cmd: cluster.CmdMove, Group: g, Node: peer, ID: id})
	case 19:
		s.Event(n, cluster.Admin{Now: s.Now, Cmd: cluster.CmdMove, Group: g, ID: id})
	case 20:
		s.Event(n, cluster.Admin{Now: s.Now, Cmd: cluster.CmdClear, Group: g, ID: id})
	case 21, 22:
		s.Event(n, cluster.Admin{Now: s.Now, Cmd: cluster.CmdMaintenance, On: op == 21, ID: id})
	case 23:
		s.Run(time.Duration(sel+1) * time.Second)
	case 24:
		s.Cut(n, peer, "eth1", false)
	default:
		s.Run(time.Duration(sel+1) * 50 * time.Millisecond)
	}
}

// settle heals everything, lets the cluster settle and checks the end
// state. A program of the second form also brings every service up,
// ends maintenance and clears every group's failure marks first, as an
// operator would.
func (r *fuzzRun) settle(v2 bool) {
	t, s, nodes := r.t, r.s, r.nodes
	trace := strings.Join(r.trace, " ")
	for _, a := range nodes {
		for _, b := range nodes {
			s.Cut(a, b, "", false)
		}
	}
	clear(s.InUse)
	if v2 {
		for _, n := range nodes {
			for _, g := range r.groups {
				s.Fault(clustertest.ServiceDown, n, g.Key, false)
				s.Fault(clustertest.ServiceCrash, n, g.Key, false)
			}
		}
		// Turned off on one Understudy node, once the nodes have heard
		// each other again, maintenance ends everywhere.
		s.Run(time.Second)
		names := slices.DeleteFunc(s.Names(), func(n string) bool { return s.Heartbeat[n] })
		if len(names) > 0 {
			s.Event(names[0], cluster.Admin{Now: s.Now, Cmd: cluster.CmdMaintenance, On: false, ID: 1001})
		}
		s.Run(2 * time.Second)
		for i, g := range r.groups {
			if names := slices.DeleteFunc(s.Names(), func(n string) bool { return s.Heartbeat[n] }); len(names) > 0 {
				s.Event(names[0], cluster.Admin{Now: s.Now, Cmd: cluster.CmdClear, Group: g.Key, ID: uint64(1002 + i)})
			}
		}
	}
	s.Run(15 * time.Second)
	if o := s.Output(); r.logf != nil {
		r.logf("settle\n" + o)
	}
	if len(s.Violations) > 0 {
		t.Fatalf("after %s and settling:\n%s", trace, strings.Join(s.Violations, "\n"))
	}
	for _, name := range s.Names() {
		for id := range s.Unanswered(name) {
			due, ok := cluster.AnswerDue(s.Node(name))
			if !ok || due.Sub(s.Now) > cluster.StandbyDoneTimeout {
				t.Fatalf("after %s and settling, %s's command %d waits for its answer without a deadline (%v, %v): %s",
					trace, name, id, due.Sub(clustertest.Epoch), ok, cluster.DebugState(s.Node(name)))
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
		if holders > 1 || (holders == 0 && !r.everFailed[g.Key]) {
			var st []string
			for _, n := range s.Names() {
				snap, _ := s.Snapshot(n)
				st = append(st, fmt.Sprintf("%+v\n  %s", snap, cluster.DebugState(s.Node(n))))
			}
			t.Fatalf("after %s and settling, group %s has %d holders among %v:\n%s", trace, g.Key, holders, s.Names(), strings.Join(st, "\n"))
		}
	}
}
