package resources

import (
	"fmt"
	"time"
)

// State is where a resource stands on this node, as the runner last saw
// it.
type State int

const (
	// Unknown: never started, stopped or asked about.
	Unknown State = iota
	// Starting: its start call is running.
	Starting
	// Running: started, adopted, or status said running.
	Running
	// Stopping: its stop call is running.
	Stopping
	// Stopped: stopped, or status said not running.
	Stopped
	// Failed: its last start or stop failed; Err says why.
	Failed
)

var stateNames = [...]string{"unknown", "starting", "running", "stopping", "stopped", "failed"}

func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "State(?)"
	}
	return stateNames[s]
}

// ResourceStatus is one resource in a status view.
type ResourceStatus struct {
	Token string `json:"token"`
	State State  `json:"state"`
	// Adopted is true when start found it already running and left it.
	Adopted bool `json:"adopted,omitempty"`
	// Err is the last error, if the last operation failed.
	Err string `json:"err,omitempty"`
	// Since is when State was entered.
	Since time.Time `json:"since"`
}

// GroupStatus is one group in a status view, resources in group order.
type GroupStatus struct {
	Key       string           `json:"key"`
	Resources []ResourceStatus `json:"resources"`
}

// Summary is heartbeat's statgroup answer: "ALL" resources running,
// "NONE", or "SOME".
func (g GroupStatus) Summary() string {
	n := 0
	for _, r := range g.Resources {
		if r.State == Running {
			n++
		}
	}
	switch n {
	case len(g.Resources):
		return "ALL"
	case 0:
		return "NONE"
	}
	return "SOME"
}

// MarshalText makes a State print as its name in JSON (status --json).
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a State's name back (the control socket's client).
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("unknown resource state %q", b)
}
