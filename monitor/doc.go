// Package monitor probes services: the [[monitor]] sections of
// understudy.toml (config.Monitor), run over and over by a Scheduler,
// which reports every probe's raw result on a channel.
//
// It decides nothing. Counting failures and successes in a row (fall,
// rise), restarting or failing a group over, and telling the other nodes
// are the cluster state machine's; the daemon feeds it these Results.
// Which monitors run on this node, and at which address, is the
// daemon's to say too: it hands the Scheduler Specs with the address
// resolved (see LocalAddress for address = "local").
//
// The probes:
//   - http, https: a HEAD request on a fresh connection, without proxy or
//     redirects; up when the status is one the monitor expects (200 to
//     399 by default). TLS certificates are not verified.
//   - ftp, smtp: up when the server's first line starts with 220,
//     unasked; the probe then sends QUIT and hangs up.
//   - tcp: up when the connection is accepted. A hung process whose
//     listening socket is still open looks up to it: the kernel
//     completes the handshake from the listen backlog. Use an http, ftp
//     or smtp monitor, or a script, to see a hang.
//   - script: up when the program exits 0; it runs in a process group of
//     its own, killed at the timeout, with UNDERSTUDY_GROUP,
//     UNDERSTUDY_MONITOR and UNDERSTUDY_ADDRESS in its environment.
//   - status: up when the function the caller gives (Options.Status: the
//     group's resource scripts' status operation) returns nil; this
//     package does not import resources.
//
// Every probe is bounded by the monitor's timeout, and a probe that
// cannot run at all (no address, no program, no status function) fails
// with the reason: a monitor is never up by default.
//
// It imports config (types only) and internal/proc; only the daemon
// should import it.
package monitor
