package cluster

import "fmt"

// DebugState renders the internals a scenario cannot see, for tests.
func DebugState(n *Node) string {
	return fmt.Sprintf("rs=%s phase=%s pending=%+v last=%q", n.rs, n.standby.phase, n.op.pending, n.told.resource)
}
