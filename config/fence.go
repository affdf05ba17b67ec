package config

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// FenceAction is what fencing does to a node.
type FenceAction string

// The fence actions, stonith(8)'s -T values.
const (
	// FenceReset power-cycles the node: heartbeat's choice, and the
	// default, so that the node comes back and rejoins.
	FenceReset FenceAction = "reset"
	// FenceOff powers it off until someone powers it on again.
	FenceOff FenceAction = "off"
)

// FenceSettings are the [fence] table of understudy.toml: how this node
// fences a peer declared dead. Command is the alternative to ha.cf's
// stonith and stonith_host lines (both at once is an error); Action,
// Timeout and RetryInterval apply to either.
type FenceSettings struct {
	// Command fences a node: the program, an absolute path, and its
	// arguments; the node's name is added as the last argument. Exit
	// status 0 means the node is fenced. Empty: ha.cf's stonith lines
	// fence, if there are any.
	Command []string `toml:"command" json:"command,omitempty"`
	// Action is reset (the default) or off.
	Action FenceAction `toml:"action" json:"action"`
	// Timeout bounds one attempt; then its process group is killed and
	// the attempt fails. Default 60s; 1s to 1h.
	Timeout time.Duration `toml:"timeout" json:"-"`
	// RetryInterval is the pause after a failed attempt before the next.
	// Default 5s, as heartbeat retries; 1s to 1h.
	RetryInterval time.Duration `toml:"retry_interval" json:"-"`
}

// DefaultFenceSettings is the [fence] table when it is absent.
func DefaultFenceSettings() FenceSettings {
	return FenceSettings{Action: FenceReset, Timeout: 60 * time.Second, RetryInterval: 5 * time.Second}
}

// fenceDurations are the [fence] keys that hold durations.
var fenceDurations = []string{"timeout", "retry_interval"}

func (f FenceSettings) validate(r reporter, text string) {
	line := func(k string) int { return tomlKeyLine(text, toml.Key{"fence", k}) }
	switch {
	case f.Command == nil:
	case len(f.Command) == 0:
		r.errorf(line("command"), "fence.command is empty: name the program, as [\"/path/to/program\", \"arg\", ...], or leave command out")
	case !filepath.IsAbs(f.Command[0]):
		r.errorf(line("command"), "fence.command: %q is not an absolute path: name the program in full", f.Command[0])
	case slices.ContainsFunc(f.Command, func(a string) bool { return strings.ContainsRune(a, 0) }):
		r.errorf(line("command"), "fence.command: an argument holds a NUL character")
	}
	if f.Action != FenceReset && f.Action != FenceOff {
		r.errorf(line("action"), "fence.action = %q: allowed are \"reset\" (the default) and \"off\"", f.Action)
	}
	for _, d := range []struct {
		k string
		v time.Duration
	}{{"timeout", f.Timeout}, {"retry_interval", f.RetryInterval}} {
		if d.v < time.Second || d.v > time.Hour {
			r.errorf(line(d.k), "fence.%s = %s is out of range: allowed are 1s to 1h", d.k, d.v)
		}
	}
}

// checkFencing runs the checks between [fence] and ha.cf: one way to
// fence, not two, and [fence] settings that something uses.
func (c *Config) checkFencing(text string, r reporter) {
	f := c.Settings.Fence
	switch {
	case len(f.Command) > 0 && len(c.Stonith) > 0:
		r.errorf(tomlKeyLine(text, toml.Key{"fence", "command"}),
			"fence.command and the stonith lines of ha.cf (line %d) both say how to fence a node: keep one", c.Stonith[0].Line)
	case len(f.Command) == 0 && len(c.Stonith) == 0 && !f.same(DefaultFenceSettings()):
		r.warnf(tomlKeyLine(text, toml.Key{"fence"}), "[fence] is set, but nothing fences: add fence.command, or stonith or stonith_host lines to ha.cf")
	}
}

func (f FenceSettings) same(o FenceSettings) bool {
	return slices.Equal(f.Command, o.Command) && f.Action == o.Action && f.Timeout == o.Timeout && f.RetryInterval == o.RetryInterval
}

// Fencing reports whether node fences its peers: it has a fence command,
// or a stonith device it may use.
func (c *Config) Fencing(node string) bool {
	return len(c.Settings.Fence.Command) > 0 || slices.ContainsFunc(c.Stonith, func(d StonithDevice) bool { return d.UsableBy(node) })
}
