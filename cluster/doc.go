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
//     resource message that is still on its way;
//   - a node that gets "other" for a handshake it no longer runs (its
//     "me" came late, retransmitted after a cut) tells an Understudy
//     partner (understudy-standby-cancel), which would otherwise wait an
//     hour for "done";
//   - service monitors, moves of one group, failure marks cleared by an
//     operator and maintenance (below) use Understudy's own message types
//     and status fields, which heartbeat ignores.
//
// # Service monitors
//
// The daemon's scheduler probes the services and feeds every raw result
// as a MonitorResult; the machine counts them and decides. The rules:
//
//   - Counting, per monitor on this node: unknown until Rise successes
//     in a row (up) or Fall failures in a row (down); from up, Fall
//     failures make it down; from down, Rise successes make it up.
//     Every change is a Transition of kind "monitor". Output.RunMonitors
//     says which monitors run here: those that run everywhere (address
//     "local" or fixed) always, the others while their group runs here
//     (not while it starts, stops or is restarted). Results of monitors
//     that do not run here are ignored; a monitor that ran only where its
//     group ran is unknown again, its counts reset, once it no longer
//     runs here.
//   - Health of a group on a node: down if a monitor that applies there
//     is down, up if all are up, else unknown (no monitor applies: a
//     group watched only where it runs, on a node that does not run
//     it). Each node announces its health for every group with monitors,
//     and the groups whose monitor failed there (see below), in its
//     status heartbeats (us_health, us_failed: heartbeat ignores them;
//     without monitors the status message is heartbeat's, unchanged),
//     and sends one at once when they change.
//   - On the node running the group, a monitor down with Fall failures
//     in a row: with on_fail = "restart" and restarts left, the group is
//     restarted in place (Output.Restart; its addresses stay up). That
//     resets only the counts in a row: the next action needs Fall new
//     failures, and the monitor gets its restarts back only once it is
//     up again. Otherwise — or when the restart fails — the group has
//     failed here (its monitor mark: this node does not take it while
//     the mark holds) and is handed to the first node, its preferred node
//     first, then in ha.cf order, that can take it: alive, stable, not
//     marked failed for it (start or monitor), its service not down
//     there, and, for a group with a monitor that runs everywhere, its
//     service known up there. The group is released here first; then an
//     Understudy node gets it by a message (understudy-hand-over) and
//     takes it, while the others leave it to that node for two dead
//     times; so it never runs on both. A heartbeat node cannot be handed
//     one group: this node goes standby toward it for the set the group
//     belongs to (heartbeat's own handshake, §5.8), and the other groups
//     of that set held here move with it. Of what heartbeat 3.0.6 does
//     on each message, that is the only way: a resource message that no
//     longer lists the group changes its bookkeeping and takes nothing;
//     Understudy's message types reach no rc.d script; an unasked
//     ip-request-resp would make it run takegroup without counting the
//     group as held, so its resource messages would then deny holding
//     it. In auto_failback legacy, where there is no such bookkeeping,
//     the hand-over is heartbeat's ip-request-resp.
//   - When no node can take it, the group stays where it runs (it may
//     still serve some clients: better than nowhere), with one ERROR line
//     and a note in Snapshot; it is handed over as soon as a node can take
//     it. A group whose monitor failed on every node therefore stays on
//     the last one, and one that runs nowhere then stays stopped (as
//     after start failures): no ping-pong. Each move needs a new cause
//     (the simulator checks this after every step).
//   - A monitor mark clears by itself when the node's own monitors see
//     the service healthy again (its health there is up: for a node that
//     does not run the group, its monitors that run everywhere), when the
//     node holding the group dies or leaves it running nowhere (then
//     every node may try again, as for start failures), when the node's
//     daemon restarts (its marks are its own word), or when a reload
//     changes the group's monitors; an operator clears it (CmdClear).
//   - Any move of a running group — failover, failback, a standby's
//     hand-over, a move — goes only to a node whose copy of the service
//     is known up when the group has monitors that run everywhere; the
//     holder keeps a group its partner cannot take, and status says why
//     (a heartbeat partner takes whole sets: such a standby is refused).
//     A group that runs nowhere goes to owner(): any node whose service
//     is not down for it, unknown included.
//
// # Operators' commands
//
// Besides standby and takeover: move one group (CmdMove; the holder
// releases it and hands it over; toward or from a heartbeat node only
// when heartbeat's handshake moves that group alone), clear a group's
// failure marks on every node (CmdClear), and maintenance (CmdMaintenance):
// cluster-wide, announced in every status heartbeat (us_maint, with an
// epoch so that every node settles on the latest word), while on the
// cluster acts on no failure — no takeover when a node dies or leaves,
// no monitor restart or failover, no failback, no orphan adoption, no
// operator standby, takeover or move — and resources stay as they are;
// monitors, heartbeats, status and the healing rule of partitions go on.
// Turned off, each node re-evaluates at once (groups that run nowhere are
// placed, monitors acted upon). heartbeat nodes know nothing of it.
//
// Imports point inward: this package imports nothing of Understudy's but
// config's plain types.
package cluster
