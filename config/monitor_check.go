package config

import (
	"errors"
	"io/fs"
	"strings"
)

// checkMonitorGroups checks each monitor against the group it names: the
// group exists, has a floating address when one is to be probed, and has
// resource scripts for a status monitor. text is understudy.toml.
func checkMonitorGroups(text string, mons []Monitor, groups []Group, r reporter) {
	for _, m := range mons {
		line := func(key string) int { return tomlArrayLine(text, "monitor", m.elem, key) }
		i := -1
		for j, g := range groups {
			if g.Key == m.Group {
				i = j
			}
		}
		if i < 0 {
			r.errorf(line("group"), "monitor.group = %q is not a group of haresources%s", m.Group, groupHint(m.Group, groups))
			continue
		}
		g := groups[i]
		if _, ok := g.FloatingAddr(); !ok && m.Kind.Network() && m.Where == WhereFloating {
			r.errorf(line("group"), "monitor %s: group %s has no floating address to probe: set address = \"local\" or an IP address", m.Name, g.Key)
		}
		if m.Kind == KindStatus && !g.HasScripts() {
			r.errorf(line("kind"), "monitor %s: a status monitor asks the group's resource scripts, and group %s has none (only addresses)", m.Name, g.Key)
		}
	}
}

// groupHint helps with a group named otherwise than by its key: by its
// address when the key is IPaddr::ADDR/..., or in another case.
func groupHint(name string, groups []Group) string {
	var keys []string
	for _, g := range groups {
		if a, ok := g.FloatingAddr(); (ok && a.String() == name) || strings.EqualFold(g.Key, name) {
			return ": did you mean \"" + g.Key + "\"? (a group is named by its first resource as written)"
		}
		keys = append(keys, g.Key)
	}
	if len(keys) == 0 {
		return " (it has none)"
	}
	return " (groups: " + strings.Join(keys, ", ") + ")"
}

// checkPrograms looks on this machine for the programs of script
// monitors and hooks. A missing one is a warning, since check may run on
// another machine than the one that will run them; one that is there
// but cannot run is an error.
func checkPrograms(cfg *Config, env Env, r reporter) {
	for _, m := range cfg.Monitors {
		if m.Kind == KindScript {
			checkProgram(env, r, m.Line, "monitor "+m.Name+": program", m.Command[0])
		}
	}
	for _, h := range cfg.Hooks {
		checkProgram(env, r, h.Line, "hook program", h.Program[0])
	}
}

// checkProgram looks for one program on this machine: missing is a
// warning, there but unable to run an error.
func checkProgram(env Env, r reporter, line int, what, path string) {
	st, err := env.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.warnf(line, "%s %s does not exist on this machine", what, path)
	case err != nil:
		r.errorf(line, "%s %s: %v", what, path, err)
	case !st.Mode().IsRegular():
		r.errorf(line, "%s %s is not a regular file", what, path)
	case st.Mode().Perm()&0o111 == 0:
		r.errorf(line, "%s %s is not executable", what, path)
	}
}
