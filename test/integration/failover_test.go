package integration

import (
	"testing"
	"time"
)

// node1 loses power: node2 takes the group over; node1 boots again and,
// with auto_failback on, takes it back.
func TestPowerOffFailoverAndFailback(t *testing.T) {
	l := newLab(t, labOptions{})
	l.start("node1", "node2")
	l.serving("node1")

	l.powerOff("node1")
	l.serving("node2")
	l.eventually(5*time.Second, "node2 must say node1 is dead", l.logged("node2", "kind=node", "subject=node1", "to=dead"))

	l.boot("node1")
	l.serving("node1")
	l.always(settle, "after failback", l.heldBy(vip, "node1"))
}

// SIGTERM on the owner: it releases its group, tells node2, and exits 0;
// node2 takes over at once.
func TestGracefulStopHandsOver(t *testing.T) {
	l := newLab(t, labOptions{})
	l.start("node1", "node2")
	l.serving("node1")

	if err := l.stop("node1"); err != nil {
		t.Fatalf("node1's daemon after SIGTERM: %v, want exit status 0", err)
	}
	l.serving("node2")
	if got := l.holders(vip); len(got) != 1 {
		t.Fatalf("%s held by %v after the hand-over", vip, got)
	}
}

// understudy standby moves node1's group to node2; understudy takeover
// brings it back.
func TestStandbyAndTakeoverCLI(t *testing.T) {
	l := newLab(t, labOptions{})
	l.start("node1", "node2")
	l.serving("node1")
	// An operator command while resources are in flux is refused (logged
	// as delayed), as in heartbeat: wait until both sides are quiet.
	l.eventually(10*time.Second, "node1 must settle", l.quiet("node1"))
	l.eventually(10*time.Second, "node2 must settle", l.quiet("node2"))

	l.cli("node1", "standby")
	l.serving("node2")
	l.always(time.Second, "after standby", l.heldBy(vip, "node2"))
	l.eventually(10*time.Second, "node1 must settle", l.quiet("node1"))
	l.eventually(10*time.Second, "node2 must settle", l.quiet("node2"))

	l.cli("node1", "takeover")
	l.serving("node1")
	l.always(time.Second, "after takeover", l.heldBy(vip, "node1"))
}
