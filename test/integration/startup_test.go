package integration

import (
	"testing"
	"time"
)

// Both nodes start together: the preferred node gets its group, whatever
// auto_failback says.
func TestStartupBothNodesPreferredOwns(t *testing.T) {
	for _, fb := range []string{"on", "off"} {
		t.Run("auto_failback_"+fb, func(t *testing.T) {
			l := newLab(t, labOptions{autoFailback: fb})
			l.start("node1", "node2")
			l.serving("node1")
			l.always(settle, "after start-up", l.heldBy(vip, "node1"))
		})
	}
}

// node2 boots first and, after initdead, takes node1's group. When node1
// boots, auto_failback on gives the group back to it...
func TestStartupLateNodeAutoFailbackOn(t *testing.T) {
	l := newLab(t, labOptions{autoFailback: "on"})
	l.start("node2")
	l.serving("node2")
	l.start("node1")
	l.serving("node1")
	l.always(settle, "after failback", l.heldBy(vip, "node1"))
}

// ...and auto_failback off leaves it where it is.
func TestStartupLateNodeAutoFailbackOff(t *testing.T) {
	l := newLab(t, labOptions{autoFailback: "off"})
	l.start("node2")
	l.serving("node2")
	l.start("node1")
	l.eventually(10*time.Second, "node1 must see node2", l.logged("node1", "subject=node2", "to=active"))
	l.always(settle, "auto_failback off: node2 keeps the group", l.heldBy(vip, "node2"))
	l.eventually(5*time.Second, "node2 must still serve", l.answeredBy(vip, "node2"))
}
