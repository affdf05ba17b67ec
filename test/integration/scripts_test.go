package integration

import (
	"strings"
	"testing"
	"time"
)

// stateScript is a resource script that keeps its state in the node's run
// directory; START is the body of its start action.
const stateScript = `#!/bin/sh
st=$(dirname "$HA_DIR")/run/$(basename "$0").state
case "$1" in
start) START ;;
stop) rm -f "$st" ;;
status) if [ -f "$st" ]; then echo running; else echo stopped; fi ;;
*) exit 1 ;;
esac
`

func script(start string) string {
	return strings.Replace(stateScript, "START", start, 1)
}

// A start script that fails on node1: node1 stops what it started and
// hands the group over; node2 runs it.
func TestStartScriptFails(t *testing.T) {
	l := newLab(t, labOptions{
		group: "node1 IPaddr2::" + vip + "/24/eth0 flaky demoweb",
		scripts: map[string]string{"flaky": script(
			`if [ "$HA_CURHOST" = node1 ]; then echo "flaky: cannot start on node1" >&2; exit 1; fi; touch "$st"`)},
	})
	l.start("node1", "node2")
	l.eventually(15*time.Second, "node1 must log the failed start",
		l.logged("node1", "resource=flaky", "exit status 1"))
	l.serving("node2")
	l.always(settle, "after the failed start", l.heldBy(vip, "node2"))
}

// A start script that hangs on node1 is killed at the resource timeout;
// that is a failed start, and node2 runs the group.
func TestStartScriptHangs(t *testing.T) {
	l := newLab(t, labOptions{
		group:   "node1 IPaddr2::" + vip + "/24/eth0 stuck demoweb",
		timeout: "2s",
		scripts: map[string]string{"stuck": script(
			`if [ "$HA_CURHOST" = node1 ]; then sleep 600; fi; touch "$st"`)},
	})
	l.start("node1", "node2")
	l.eventually(20*time.Second, "node1 must log the killed start",
		l.logged("node1", "resource=stuck", "killed process group"))
	l.serving("node2")
	l.always(settle, "after the hung start", l.heldBy(vip, "node2"))
	l.eventually(5*time.Second, "the hung script's process group must be killed", func() (bool, string) {
		for _, cmdline := range l.processes("node1") {
			if strings.Contains(cmdline, "sleep 600") {
				return false, "still running on node1: " + cmdline
			}
		}
		return true, ""
	})
}
