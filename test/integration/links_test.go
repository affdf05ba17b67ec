package integration

import (
	"testing"
	"time"
)

// Cutting the crossover cable leaves the serial link: no failover, and
// both logs say the UDP link is dead.
func TestOneLinkCutNoFailover(t *testing.T) {
	l := newLab(t, labOptions{})
	l.start("node1", "node2")
	l.serving("node1")

	l.nodes["node1"].ns.IP(t, "link", "del", "eth1") // takes node2's end with it
	for _, p := range [][2]string{{"node1", "node2"}, {"node2", "node1"}} {
		l.eventually(10*time.Second, p[0]+" must log the crossover link dead",
			l.logged(p[0], "kind=link", "subject="+p[1]+":eth1", "to=dead"))
	}
	l.always(settle, "one link of two cut", l.heldBy(vip, "node1"))
	l.eventually(5*time.Second, "node1 must still serve", l.answeredBy(vip, "node1"))
	for _, p := range [][2]string{{"node1", "node2"}, {"node2", "node1"}} {
		if ok, _ := l.logged(p[0], "kind=node", "subject="+p[1], "to=dead")(); ok {
			t.Errorf("%s declared %s dead with the serial link still up", p[0], p[1])
		}
	}
}

// kill -9 of the owner's daemon: the machine, its address and its web
// server live on. node2 declares node1 dead but must not take an address
// that still answers on the LAN: no duplicate, and the service keeps
// answering from node1. The restarted daemon adopts what runs.
func TestDaemonKilledOwnerKeepsServing(t *testing.T) {
	l := newLab(t, labOptions{})
	l.start("node1", "node2")
	l.serving("node1")

	l.kill("node1")
	l.eventually(10*time.Second, "node2 must say node1 is dead", l.logged("node2", "kind=node", "subject=node1", "to=dead"))
	l.always(settle, "after node1's daemon died", func() (bool, string) {
		if ok, said := l.heldBy(vip, "node1")(); !ok {
			return false, said
		}
		return l.answeredBy(vip, "node1")()
	})

	l.start("node1")
	l.eventually(10*time.Second, "the restarted daemon must adopt its address",
		l.logged("node1", "address already held, adopted", "addr="+vip+"/24"))
	l.eventually(10*time.Second, "the restarted daemon must adopt the web server",
		l.logged("node1", "resource already running, adopted", "resource=demoweb"))
	l.always(settle, "after the restart", func() (bool, string) {
		if ok, said := l.heldBy(vip, "node1")(); !ok {
			return false, said
		}
		return l.answeredBy(vip, "node1")()
	})
	out := l.cli("node1", "status")
	if len(out) == 0 {
		t.Errorf("understudy status printed nothing")
	}
	t.Logf("status on node1:\n%s", out)
}
