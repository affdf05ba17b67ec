package cluster

import (
	"fmt"
	"time"
)

// DebugState renders the internals a scenario cannot see, for tests.
func DebugState(n *Node) string {
	return fmt.Sprintf("rs=%s phase=%s pending=%+v req=%+v last=%q", n.rs, n.standby.phase, n.op.pending, n.op.req, n.told.resource)
}

// AnswerDue is the latest time by which the command under way gets its
// final answer, or the next deadline that moves it on (a standby that
// waits for calm, then its handshake); false when none is under way or
// no deadline is set.
func AnswerDue(n *Node) (time.Time, bool) {
	var due time.Time
	switch n.op.req.stage {
	case reqSettling:
		due = n.op.pending.until
	case reqHandshake:
		if n.standby.phase != sbNone {
			due = n.standby.deadline
		}
	case reqAsked, reqMoving:
		due = n.op.req.until
	}
	return due, !due.IsZero()
}

// StandbyDoneTimeout is the longest wait of a handshake.
const StandbyDoneTimeout = standbyDoneTimeout
