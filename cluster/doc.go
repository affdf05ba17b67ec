// Package cluster is Understudy's brain: a deterministic state machine that
// decides which node holds which resource group.
//
// A Node is a value that is stepped with events — a message received on a
// link, a tick carrying the time, a resource operation that finished, an
// operator's command, the order to shut down — and returns an Output: the
// messages to send, the groups to release and to acquire, and the
// transitions (each with its reason) that the caller logs, and the
// answers to operators' commands (accepted, then done or failed; or
// refused, or done at once: see Answer). There are no goroutines,
// sockets, clocks, randomness or logging in here; time arrives with the
// events. The daemon around it decides nothing.
//
// Step handles the event, then runs its passes in a fixed order (the
// passes array in node.go): liveness and timeouts first, then the
// decisions that place groups, then reconcile, which turns what the node
// wants into operations, then the messages that report progress.
//
// The protocol is heartbeat 3.0.6's haresources ("v1") protocol, so that an
// Understudy node and a heartbeat node form one cluster (heartbeat-spec §5):
// status heartbeats with deadtime/warntime/initdead; the nice-failback
// start-up negotiation (starting / resource messages) for auto_failback on
// and off; the ip-request protocol for legacy; the three-phase standby
// handshake (ask_resources me/other/done) behind hb_standby, hb_takeover and
// automatic failback; shutdone for graceful shutdown.
//
// Where heartbeat is unsafe Understudy differs, on purpose:
//   - every resource operation goes through one per-group state, so a group
//     is never acquired twice and never acquired while a peer that is alive
//     still holds it;
//   - a partition that heals does not restart both nodes: each group held
//     on both sides stays with one node chosen by the same rule everywhere
//     (its preferred node if that node holds it, else the first holder in
//     ha.cf node order), and the other node releases it;
//   - a group whose start fails is handed to a peer that has not failed it;
//     once it failed on every live node it stays stopped (no ping-pong);
//   - resource messages carry an extra field, us_held, listing the groups
//     an Understudy node holds, so that clusters of more than two
//     Understudy nodes know exactly who holds what (heartbeat ignores it),
//     and, while the split-brain guard holds a takeover back, us_want,
//     so that no other node adopts that group meanwhile; the standby
//     handshake's ask_resources messages carry us_held too, so that the
//     partner judges each step by what is held at that step, not by a
//     resource message that is still on its way.
//
// Imports point inward: this package imports nothing of Understudy's but
// config's plain types.
package cluster
