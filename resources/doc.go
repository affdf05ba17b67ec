// Package resources carries out what the cluster decides: it takes and
// releases resource groups (haresources lines) on this node.
//
// Runner starts a group's resources left to right and stops them right
// to left (heartbeat-spec §2.5), one operation per group at a time, each
// call bounded by resources.timeout. Every resource goes to a Handler:
//   - Scripts runs resource scripts from resource.d/ then /etc/init.d/ as
//     heartbeat does: `script ARGS... start|stop|status`, with
//     heartbeat's environment (§6.7), status judged from stdout (§2.4),
//     and the script's whole process group killed on timeout;
//   - IPHandler adds floating addresses natively (package ipaddr) and
//     announces them in the background (package neigh).
//
// Every side effect sits behind a small interface so that tests, and a
// daemon in a dry-run mode, can replace it: Handler for the runner,
// commandRunner for scripts, addrHolder / announcer / prober for
// addresses.
//
// This package decides nothing about ownership. The split-brain guard is
// exposed as IPHandler.Probe; whether to wait, warn or go ahead is the
// cluster's call. It logs only through the *slog.Logger it is given.
//
// It imports config (types only) and its own sub-packages; only
// cmd/understudy should import it.
package resources
