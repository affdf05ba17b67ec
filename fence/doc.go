// Package fence fences a peer: it makes sure a node declared dead is
// really off before its groups are taken, so that the two never hold a
// shared disk or an address at once.
//
// The mechanism (this package): a Fencer, built by New from the
// configuration, knows the ways this node fences, in order:
//   - understudy.toml's fence command ([fence] command): the program is
//     run with the node's name as its last argument, and with
//     UNDERSTUDY_NODE, UNDERSTUDY_LOCAL_NODE and UNDERSTUDY_FENCE_ACTION
//     (reset or off) in its environment;
//   - or the stonith devices of ha.cf that this node may use (stonith
//     lines, and stonith_host lines naming * or this node), each through
//     cluster-glue's stonith(8):
//     "stonith -t TYPE -F FILE -T reset|off NODE", FILE being the
//     stonith line's own, or for a stonith_host line a file of its
//     parameters written for the attempt (mode 600, removed afterwards),
//     so that a password never shows in the process list.
//
// Fence tries them in that order until one exits 0, each in a process
// group of its own, killed after [fence] timeout (default 60s). It
// returns a Result: fenced or not, and for each attempt the program's
// last output line and why it failed. It decides nothing and retries
// nothing.
//
// The policy (the cluster state machine's and the daemon's, documented
// in ha.cf(5) and understudy.toml(5); built on this package exactly so):
//  1. When a peer is declared dead and this node would take any of its
//     groups, and New returned a Fencer (fencing is configured for this
//     node), the node fences the peer first. Nothing of the peer's is
//     taken before Fence reports success. A peer that shut down cleanly
//     (it announced that it released everything) is not fenced,
//     as in heartbeat.
//  2. Every node that is to take some of the peer's groups fences it
//     first, as every heartbeat node that takes over resets first; the
//     outcome is announced with heartbeat's t=stonith message (node=N,
//     result=OK, bad, n_stnth or unneeded), which heartbeat nodes log.
//  3. A failed fence blocks the takeover of the peer's groups: one ERROR
//     is logged with Result.String (heartbeat logs "STONITH of N failed.
//     Retrying..." every time), the groups stay stopped here, status
//     shows them waiting for fencing, and Fence is tried again every
//     [fence] retry_interval (default 5s, heartbeat's pace) until it
//     succeeds, the peer is heard again, or an operator confirms.
//  4. An operator confirms by hand that the peer is off (as meatware's
//     "meatclient -c NODE" does): the daemon cancels the attempt in
//     flight (its context) and the takeover goes on as after a success.
//     With the meatware plugin itself, meatclient answers the running
//     stonith(8); set [fence] timeout long enough for a person to act.
//  5. When the peer is heard again before fencing succeeded, the
//     retries stop and nothing is taken: it was not dead.
//  6. Without a Fencer the groups are taken at once, with a WARN that
//     nothing fenced the peer (heartbeat: "No STONITH device
//     configured.").
//
// It imports config (types only) and internal/proc.
package fence
