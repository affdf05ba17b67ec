package daemon

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/hooks"
	"github.com/understudy-ha/understudy/resources"
	"github.com/understudy-ha/understudy/transport/session"
)

// TestLoopStartupAndHeartbeatLoss: with node2 alive and holding its own
// group, node1 takes only its own; when node2's heartbeats stop, node1
// takes node2's group after the dead time, and says so in its next
// resource message once the acquisition is done.
func TestLoopStartupAndHeartbeatLoss(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, labHares)
		said := l.live(2*time.Second, "active", l.stableHolding("192.0.2.20"))
		if !slices.ContainsFunc(said, func(m session.Message) bool { return m.Type == "starting" }) {
			t.Fatalf("node1 never said starting; it said %v", types(said))
		}
		if got := l.act.ops(); !slices.Equal(got, []string{"acquire 192.0.2.10 1"}) {
			t.Fatalf("operations with node2 alive = %v, want node1's own group only", got)
		}
		if !heldIn(said, "192.0.2.10") {
			t.Errorf("node1 never told node2 it holds 192.0.2.10: %v", said)
		}

		// node2 falls silent (its last heartbeat went out 100 ms ago):
		// dead after its 500 ms dead time, not before.
		time.Sleep(300 * time.Millisecond)
		synctest.Wait()
		if got := l.act.ops(); len(got) != 1 {
			t.Fatalf("node2's group taken before its dead time: %v", got)
		}
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		if got := l.act.ops(); !slices.Equal(got, []string{"acquire 192.0.2.10 1", "acquire 192.0.2.20 1"}) {
			t.Fatalf("operations after node2 died = %v, want node2's group acquired", got)
		}
		if !l.logged("node node2 is dead") {
			t.Errorf("no log line says node2 is dead:\n%s", l.log)
		}
		for _, ev := range []struct {
			kind    hooks.Kind
			subject string
		}{{hooks.NodeUp, "node2"}, {hooks.LinkUp, "node2"}, {hooks.GroupRunning, "192.0.2.10"},
			{hooks.NodeDead, "node2"}, {hooks.GroupAcquiring, "192.0.2.20"}} {
			if !l.events.told(ev.kind, ev.subject) {
				t.Errorf("the hooks did not hear %s of %s: %+v", ev.kind, ev.subject, l.events.events)
			}
		}
		// The acquisition's end is the next step: its resource message
		// lists both groups.
		if said := l.heard(); !heldIn(said, "192.0.2.10 192.0.2.20") {
			t.Errorf("after the takeover node1 said %v; want us_held with both groups", said)
		}
	})
}

// TestLoopGuardRefusalWaits: an acquire the split-brain guard refuses
// is retried a dead time later, not given up and not repeated at once.
func TestLoopGuardRefusalWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "node1 192.0.2.10\n")
		l.act.failWith("192.0.2.10", &resources.ClaimError{Group: "192.0.2.10"})
		time.Sleep(1100 * time.Millisecond) // initdead: node2 never heard
		l.heard()
		if got := l.act.ops(); !slices.Equal(got, []string{"acquire 192.0.2.10 1"}) {
			t.Fatalf("operations = %v, want one refused acquire", got)
		}
		l.act.failWith("192.0.2.10", nil)
		time.Sleep(600 * time.Millisecond)
		synctest.Wait()
		if got := l.act.ops(); !slices.Equal(got, []string{"acquire 192.0.2.10 1", "acquire 192.0.2.10 1"}) || !l.act.runs("192.0.2.10") {
			t.Fatalf("operations = %v, want the acquire retried once after the dead time", got)
		}
	})
}

// TestLoopOperatorAnswers: an operator's command gets what the cluster
// decided: refused with the reason when nobody can take over; accepted,
// then done, when node2 completes the standby handshake.
func TestLoopOperatorAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "node1 192.0.2.10\n")
		time.Sleep(1100 * time.Millisecond) // alone: node1 holds its group
		l.heard()
		r := l.ask(ctlReq{cmd: cluster.CmdStandby, set: "all", answers: make(chan control.Answer, 2)})
		got := answers(t, r.answers)
		if len(got) != 1 || got[0].Verdict != control.VerdictRefused || !strings.Contains(got[0].Reason, "no other node is alive") {
			t.Fatalf("standby with no peer: answers %v, want one refusal saying no other node is alive", got)
		}

		// node2 comes up; node1 is stable and keeps its group.
		l.live(time.Second, "active", l.stableHolding(" "))
		r = l.ask(ctlReq{cmd: cluster.CmdStandby, set: "all", answers: make(chan control.Answer, 2)})
		// node2 plays heartbeat's handshake: "other", then, once node1
		// said "done", takes the group and says "done" too.
		l.live(time.Second, "active", func(m session.Message) {
			if m.Type != "ask_resources" {
				return
			}
			switch field(m, "info") {
			case "me":
				l.say("ask_resources", "dest", "node1", "rsc_hold", "all", "info", "other")
			case "done":
				l.say("ask_resources", "dest", "node1", "rsc_hold", "all", "info", "done")
				l.say("resource", "rsc_hold", "foreign", "rtype", "full", "isstable", "1", "us_held", "192.0.2.10")
			}
		})
		got = answers(t, r.answers)
		if len(got) != 2 || got[0].Verdict != control.VerdictAccepted || got[1].Verdict != control.VerdictDone {
			t.Fatalf("standby with node2 alive: answers %v, want accepted then done", got)
		}
		if ops := l.act.ops(); ops[len(ops)-1] != "release 192.0.2.10 1" || l.act.runs("192.0.2.10") {
			t.Errorf("operations = %v, want the group released for node2", ops)
		}
		if len(l.d.waiting) != 0 {
			t.Errorf("%d answered commands still waiting", len(l.d.waiting))
		}
	})
}

// TestLoopReload: a broken configuration is refused with the old one
// kept; a valid one that adds a group is applied and the group placed.
func TestLoopReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "node1 192.0.2.10\n")
		time.Sleep(1100 * time.Millisecond)
		l.heard()
		hares := filepath.Join(l.dir, "haresources")
		os.WriteFile(hares, []byte("node1 192.0.2.10\nnode9 192.0.2.30\n"), 0o644)
		r := l.ask(ctlReq{reload: make(chan error, 1)})
		if err := <-r.reload; err == nil || !strings.Contains(err.Error(), "node9") {
			t.Fatalf("reload of a haresources naming an unknown node: err = %v, want a refusal naming node9", err)
		}
		if !l.logged("reload refused", "node9") || !l.events.told(hooks.ReloadRefused, "node1") {
			t.Errorf("the refusal is not logged or not told to the hooks:\n%s", l.log)
		}
		// The file watcher and the operator both ask: the problems are
		// logged once.
		r = l.ask(ctlReq{reload: make(chan error, 1)})
		if err := <-r.reload; err == nil {
			t.Fatal("the same broken configuration was accepted the second time")
		}
		if n := strings.Count(l.log.String(), "node9"); n != 1 || !l.logged("refused again for the same problems") {
			t.Errorf("the same refusal logged %d times with its problems, want once and then one short line:\n%s", n, l.log)
		}
		os.WriteFile(hares, []byte("node1 192.0.2.10\nnode1 192.0.2.30\n"), 0o644)
		r = l.ask(ctlReq{reload: make(chan error, 1)})
		if err := <-r.reload; err != nil {
			t.Fatalf("valid reload refused: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if got := l.act.ops(); !slices.Equal(got, []string{"acquire 192.0.2.10 1", "acquire 192.0.2.30 1"}) {
			t.Fatalf("operations after the reload = %v, want the new group acquired", got)
		}
		if !l.logged("configuration reloaded", "groups added: 192.0.2.30") || !l.events.told(hooks.ReloadApplied, "node1") {
			t.Errorf("no summary line of the reload:\n%s", l.log)
		}
	})
}

// TestLoopShutdownHandsOver: cancelling the loop releases what the node
// holds, says shutdone once nothing is held, and returns nil.
func TestLoopShutdownHandsOver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, labHares)
		l.live(2*time.Second, "active", l.stableHolding("192.0.2.20"))
		l.cancel()
		if err := <-l.done; err != nil {
			t.Fatalf("loop ended with %v, want nil after a clean hand-over", err)
		}
		l.done <- nil // for the cleanup
		if got := l.act.ops(); !slices.Equal(got, []string{"acquire 192.0.2.10 1", "release 192.0.2.10 1"}) {
			t.Errorf("operations = %v, want the held group released", got)
		}
		said := l.heard()
		if len(said) == 0 || said[len(said)-1].Type != "shutdone" {
			t.Errorf("last message = %v, want shutdone", types(said))
		}
	})
}

func types(ms []session.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Type)
	}
	return out
}

// heldIn reports whether some resource message says exactly held.
func heldIn(ms []session.Message, held string) bool {
	return slices.ContainsFunc(ms, func(m session.Message) bool { return m.Type == "resource" && field(m, "us_held") == held })
}
