package hooks

import (
	"encoding/json"
	"strings"
	"time"
)

// Kind names an event, as [[hook]] events lists it.
type Kind string

// The events, the same as config.HookEvents.
const (
	// NodeUp: a node was heard, for the first time or again. Node.
	NodeUp Kind = "node_up"
	// NodeDead: a node was silent for deadtime. Node.
	NodeDead Kind = "node_dead"
	// LinkUp, LinkDead: a heartbeat link to a node came up or went
	// silent. Node, Link.
	LinkUp   Kind = "link_up"
	LinkDead Kind = "link_dead"
	// GroupAcquiring: this node starts taking a group. Group.
	GroupAcquiring Kind = "group_acquiring"
	// GroupRunning: every resource of the group started here. Group.
	GroupRunning Kind = "group_running"
	// GroupReleased: this node stopped the group and let its addresses
	// go. Group.
	GroupReleased Kind = "group_released"
	// GroupFailed: the group failed here (a resource did not start, or
	// its monitors found it down). Group, Reason.
	GroupFailed Kind = "group_failed"
	// MonitorDown, MonitorUp: a monitor found its service down (fall
	// failures in a row) or up again (rise successes). Group, Monitor,
	// Address, Reason.
	MonitorDown Kind = "monitor_down"
	MonitorUp   Kind = "monitor_up"
	// GuardRefused: the split-brain guard did not take an address that
	// another host still answers for. Group, Address.
	GuardRefused Kind = "guard_refused"
	// ReloadApplied, ReloadRefused: a changed configuration was taken,
	// or refused (Reason: why; the old one goes on).
	ReloadApplied Kind = "reload_applied"
	ReloadRefused Kind = "reload_refused"
)

// Kinds are every event, in the order understudy.toml(5) lists them.
var Kinds = []Kind{NodeUp, NodeDead, LinkUp, LinkDead, GroupAcquiring, GroupRunning, GroupReleased,
	GroupFailed, MonitorDown, MonitorUp, GuardRefused, ReloadApplied, ReloadRefused}

// Event is one thing that happened. Fields that do not apply to its
// Kind are empty.
type Event struct {
	Kind Kind `json:"event"`
	// Time is when it happened; Notify sets it when zero.
	Time time.Time `json:"time"`
	// LocalNode is the node running the hook; Notify sets it.
	LocalNode string `json:"local_node"`
	// Node is the node the event is about: this node for group, monitor,
	// guard and reload events.
	Node    string `json:"node,omitempty"`
	Group   string `json:"group,omitempty"`
	Link    string `json:"link,omitempty"`
	Monitor string `json:"monitor,omitempty"`
	Address string `json:"address,omitempty"`
	// Reason is one line saying why, when there is more to say.
	Reason string `json:"reason,omitempty"`
}

// Environ returns the event as UNDERSTUDY_* variables, those that are
// empty left out.
func (e Event) Environ() []string {
	env := []string{"UNDERSTUDY_EVENT=" + string(e.Kind), "UNDERSTUDY_TIME=" + e.Time.Format(time.RFC3339Nano)}
	for _, v := range [][2]string{{"LOCAL_NODE", e.LocalNode}, {"NODE", e.Node}, {"GROUP", e.Group},
		{"LINK", e.Link}, {"MONITOR", e.Monitor}, {"ADDRESS", e.Address}, {"REASON", e.Reason}} {
		if v[1] != "" {
			env = append(env, "UNDERSTUDY_"+v[0]+"="+oneLine(v[1]))
		}
	}
	return env
}

// oneLine turns line breaks and other control characters into blanks,
// so that a value is one line for a shell script.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// JSON returns the event as one line of JSON, newline included.
func (e Event) JSON() []byte {
	b, _ := json.Marshal(e) // strings and a time: cannot fail
	return append(b, '\n')
}
