package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// HookEvents are the events a [[hook]] may name, in the order
// understudy.toml(5) lists them. Package hooks defines one Kind for each.
var HookEvents = []string{
	"node_up", "node_dead",
	"link_up", "link_dead",
	"group_acquiring", "group_running", "group_released", "group_failed",
	"monitor_down", "monitor_up",
	"guard_refused",
	"reload_applied", "reload_refused",
}

// DefaultHookTimeout bounds one run of a hook program: a mail handed to
// sendmail or a POST to a web hook takes well under a second, and a hook
// that hangs must not hold up the next events for long.
const DefaultHookTimeout = 10 * time.Second

// Hook is one [[hook]] of understudy.toml: a program run on events, with
// the event in its environment and as one JSON line on its stdin.
type Hook struct {
	// Line is the line of its [[hook]] header.
	Line int `json:"line"`
	// Program is the program, an absolute path, and its arguments.
	Program []string `json:"program"`
	// Events are the events it runs on; empty means every event.
	Events []string `json:"events,omitempty"`
	// Timeout bounds one run; then its process group is killed.
	Timeout time.Duration `json:"-"`
}

// Wants reports whether the hook runs on the event.
func (h Hook) Wants(event string) bool {
	return len(h.Events) == 0 || slices.Contains(h.Events, event)
}

// MarshalJSON writes the timeout in Go's notation ("10s").
func (h Hook) MarshalJSON() ([]byte, error) {
	type plain Hook
	return json.Marshal(struct {
		plain
		Timeout string `json:"timeout"`
	}{plain(h), h.Timeout.String()})
}

// String describes the hook in one line, for understudy check.
func (h Hook) String() string {
	on := "every event"
	if len(h.Events) > 0 {
		on = strings.Join(h.Events, " ")
	}
	return fmt.Sprintf("%s on %s, timeout %s", strings.Join(h.Program, " "), on, h.Timeout)
}

type rawHook struct {
	Program []string `toml:"program"`
	Events  []string `toml:"events"`
	Timeout duration `toml:"timeout"`
}

// Range of the hook timeout.
const (
	minHookTimeout = 100 * time.Millisecond
	maxHookTimeout = time.Hour
)

// parseHooks validates every [[hook]] and returns those without errors.
func parseHooks(md toml.MetaData, raws []rawHook, text string, r reporter) []Hook {
	var out []Hook
	tomlEachElement(md, text, "hook", len(raws), r, func(i int, set map[string]bool, e *elemReporter) {
		if h := parseHook(raws[i], set, e); e.ok {
			h.Line = tomlArrayLine(text, "hook", i, "")
			out = append(out, h)
		}
	})
	return out
}

func parseHook(raw rawHook, set map[string]bool, e *elemReporter) Hook {
	e.unknownKeys(set, func(k string) bool { return k == "program" || k == "events" || k == "timeout" })
	h := Hook{Program: raw.Program, Timeout: DefaultHookTimeout}
	e.argv("program", "a hook", h.Program)
	if set["events"] {
		if len(raw.Events) == 0 {
			e.errorf("events", "hook.events is empty: list the events, or leave events out for every event")
		}
		for i, ev := range raw.Events {
			switch {
			case !slices.Contains(HookEvents, ev):
				e.errorf("events", "hook.events: %q is not an event: allowed are %s", ev, strings.Join(HookEvents, ", "))
			case slices.Contains(raw.Events[:i], ev):
				e.errorf("events", "hook.events names %q twice", ev)
			default:
				h.Events = append(h.Events, ev)
			}
		}
	}
	if set["timeout"] {
		h.Timeout = time.Duration(raw.Timeout)
		if h.Timeout < minHookTimeout || h.Timeout > maxHookTimeout {
			e.errorf("timeout", "hook.timeout = %s is out of range: allowed are %s to %s", h.Timeout, minHookTimeout, maxHookTimeout)
		}
	}
	return h
}
