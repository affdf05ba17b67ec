// Package config reads a configuration directory (/etc/ha.d) into one
// immutable, validated value: heartbeat 3.0.6's ha.cf, haresources and
// authkeys, read with heartbeat's grammar (heartbeat-spec §1-§3), and
// Understudy's own optional understudy.toml (strict TOML: an unknown key
// is an error).
//
// Load is the entry point. It reads the four files and nothing else — no
// network, no interfaces, no processes — and returns a *Config together
// with Diagnostics: every problem of every file, each naming file:line,
// its severity, what is wrong and what is allowed. A Config is usable
// only when the diagnostics hold no Error; the daemon refuses to start
// on one, and a reload that has one changes nothing. Check adds the
// judgements that need the machine's files (resource scripts found in
// resource.d/ or /etc/init.d/); LocalNode finds this node's name as
// heartbeat does (nodeinfo, else uname -n).
//
// What the rest of Understudy takes from here:
//   - HACF: nodes, heartbeat media (Medium), timings, auto_failback,
//     logging directives, env lines;
//   - Groups: haresources lines, each with its preferred node and its
//     resources (native IP addresses as IPSpec, scripts with arguments);
//   - AuthKeys: the keys that sign and verify heartbeats;
//   - Settings: understudy.toml's tables ([resources], [ip], [paths]);
//     Monitors and Hooks: its [[monitor]] and [[hook]] sections.
//
// Values are plain data: the packages that act on them (transport,
// cluster, resources, monitor, hooks) import config for its types, and
// config imports none of them.
package config
