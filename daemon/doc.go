// Package daemon is the running Understudy node: it wires the
// configuration, the heartbeat links and session (transport/session:
// standard fields, sequence numbers, retransmissions), the cluster state
// machine and the resources (resources.New, held behind the small
// actuator interface of ops.go) into one loop.
//
// The loop decides nothing. It turns what happens — a frame on a link, a
// timer, a finished resource operation, a service monitor's result, an
// operator's command, a signal — into events for cluster.Node, and
// carries out the Output: log the transitions, start releases and then
// acquisitions and restarts in place in goroutines that report back,
// send the messages on every link, and give the monitor scheduler
// (package monitor) the monitors that run here (monitors.go), whose
// results come back on a channel: no probe ever holds the loop up. Between the session
// and the cluster it only renames message fields (session.go). The
// split-brain guard and its policy belong to package resources; ops.go
// only turns the guard's refusal into cluster.ErrAddressInUse.
//
// It owns the node's persistent identity in the state directory: the
// generation number, incremented and made durable before the first
// message goes out (heartbeat-spec §4.7), and the node UUID.
package daemon
