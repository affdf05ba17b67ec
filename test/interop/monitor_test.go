package interop

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"
)

// TestMixedMonitor: in a mixed cluster (heartbeat 3.0.6 on node1,
// Understudy on node2, over ucast with sha1), Understudy runs its own
// group beta watched by a status monitor (the test script's status).
// The service dies (its state file goes): Understudy's monitor fails
// it, and the real heartbeat takes beta over, by heartbeat's own
// standby handshake; Understudy does not take it back.
func TestMixedMonitor(t *testing.T) {
	requireHeartbeat(t)
	requireUnderstudy(t)
	t.Parallel()
	c := newMixed(t, "ucast", 1)
	beta := mxGroups[1]
	toml := filepath.Join(c.us.haDir, "understudy.toml")
	f, err := os.OpenFile(toml, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "[[monitor]]\ngroup = %q\nkind = \"status\"\ninterval = \"500ms\"\ntimeout = \"450ms\"\n", beta.key())
	f.Close()
	c.startUp()
	c.eventually(within, "node2's monitor of beta must see it up", c.monitor(beta.key(), "up"))

	hbOff := len(readFile(c.hb.log))
	if err := os.Remove(filepath.Join(c.us.rscDir, "hbtest."+beta.tag)); err != nil {
		t.Fatal(err)
	}
	c.mark(c.us, "beta's service died")
	took := c.eventually(within, "heartbeat takes beta over from understudy", c.placement(hbNode, hbNode))
	t.Logf("beta's service died on node2: heartbeat runs it %v later; heartbeat: %q", took,
		grepLines(since(c.hb.log, hbOff), regexp.MustCompile(`standby|Standby|acquisition|Taking over`), 8))
	c.eventually(within, "both sides settle", c.quiet())
	c.always(3*time.Second, "understudy must not take beta back", c.placement(hbNode, hbNode))
	c.eventually(5*time.Second, "understudy logs its monitor down", logged(c.us.log, "kind=monitor", "subject="+beta.key()+"[status]", "to=down"))
	if st := c.monStatus(); !slices.Equal(st.failedOn(beta.key()), []string{usNode}) {
		t.Errorf("understudy's status of beta: monitor_failed_on %v, want [%s]", st.failedOn(beta.key()), usNode)
	}
	c.checkHeartbeatLog(0)
	c.checkCalls()
}

// mxMonStatus is the part of `understudy status --json` about monitors.
type mxMonStatus struct {
	Cluster struct {
		Groups []struct {
			Key           string   `json:"key"`
			MonitorFailed []string `json:"monitor_failed_on"`
			Monitors      []struct {
				Name  string `json:"name"`
				State string `json:"state"`
			} `json:"monitors"`
		} `json:"groups"`
	} `json:"cluster"`
}

func (c *mixed) monStatus() mxMonStatus {
	var st mxMonStatus
	if out, err := c.cli("status", "--json"); err == nil {
		json.Unmarshal([]byte(out), &st)
	}
	return st
}

func (st mxMonStatus) failedOn(key string) []string {
	for _, g := range st.Cluster.Groups {
		if g.Key == key {
			return g.MonitorFailed
		}
	}
	return nil
}

// monitor is a condition: Understudy's monitors of group key are all in
// state.
func (c *mixed) monitor(key, state string) func() (bool, string) {
	return func() (bool, string) {
		for _, g := range c.monStatus().Cluster.Groups {
			if g.Key == key && len(g.Monitors) > 0 {
				for _, m := range g.Monitors {
					if m.State != state {
						return false, fmt.Sprintf("monitor %s of %s is %s, want %s", m.Name, key, m.State, state)
					}
				}
				return true, ""
			}
		}
		return false, fmt.Sprintf("understudy's status has no monitor of %s", key)
	}
}
