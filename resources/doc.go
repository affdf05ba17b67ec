// Package resources carries out what the cluster decides: it takes and
// releases resource groups (haresources lines) on this node.
//
// New builds the whole of it for the daemon, once, as an *Actuator:
// Acquire (the split-brain guard, then the group's resources), Release,
// Restart (a service monitor's restart in place: the scripts stopped
// and started again, the addresses kept), CheckScripts (a status
// monitor's probe),
// Prepare and Unprepare (the guard's probe started ahead, when a peer's
// heartbeats are late), Announce (the gratuitous ARP / unsolicited NA
// burst again for the addresses held), Snapshot for status, SetConfig
// for a reload, Close. What a takeover needs is prepared once: the
// resolutions of the floating addresses (kept current by a netlink
// subscription), the packet sockets, the netlink request buffer; a
// takeover of a prepared group costs one netlink request and one
// announcement per address before its scripts run. Underneath:
//   - Guard is the split-brain guard: probes of the group's floating
//     addresses before it is taken (ARP, RFC 5227, for IPv4; duplicate
//     address detection, RFC 4862, for IPv6), repeated while the group is
//     prepared, and the policy for what they find (a claim refuses the
//     group with a *ClaimError matching ErrAddressInUse; a probe that
//     cannot run is logged and the group taken anyway). Its doc comment
//     is the policy and its safety argument; guard_test.go tests it.
//   - Runner starts a group's resources left to right and stops them
//     right to left (heartbeat-spec §2.5), one operation per group at a
//     time, each call bounded by resources.timeout. Every resource goes
//     to a Handler:
//   - Scripts runs resource scripts from resource.d/ then /etc/init.d/ as
//     heartbeat does: `script ARGS... start|stop|status`, with
//     heartbeat's environment (§6.7), status judged from stdout (§2.4),
//     and the script's whole process group killed on timeout;
//   - IPHandler adds floating addresses natively (package ipaddr),
//     announces them (the first round at once, the rest in the
//     background), probes for them and announces them again on demand
//     (package neigh).
//
// Every side effect sits behind a small interface so that tests, and a
// daemon in a dry-run mode, can replace it: Options for New, Handler for
// the runner, commandRunner for scripts, addrHolder / announcer / prober
// for addresses, groupProber / groupWatch for the guard.
//
// This package decides nothing about ownership: whether and when to
// acquire, release or retry a refused group is the cluster's call. It
// logs only through the *slog.Logger it is given.
//
// It imports config (types only) and its own sub-packages, never cluster;
// the daemon imports it, and nothing below it (ipaddr, neigh, netlink).
package resources
