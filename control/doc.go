// Package control is the operator's way into a running daemon: a local
// Unix socket that answers `understudy status`, `understudy standby` and
// `understudy takeover`.
//
// The daemon calls Listen to create the socket (mode 0600; a stale socket
// left by a crashed daemon is replaced, a live one is refused with
// ErrRunning) and Serve to answer on it through a Backend, the daemon's
// two-method view of itself. The CLI calls GetStatus and SendAdmin.
//
// # Protocol
//
// One connection carries one exchange: the client writes one JSON request
// on one line, the server writes one JSON response on one line and closes
// the connection.
//
//	{"cmd":"status"}                   {"ok":true,"status":{...Status...}}
//	{"cmd":"standby","set":"all"}      {"ok":true}
//	{"cmd":"takeover","set":"local"}   {"ok":false,"error":"..."}
//	{"cmd":"reload"}                   {"ok":true} or every problem of the new configuration
//
// set is all, local, foreign or failback (= foreign), as hb_standby and
// hb_takeover take it (heartbeat-spec §6.4); empty means all. Standby and
// takeover return once the daemon has accepted the command: the handshake
// itself is asynchronous and shows in the log and in status.
//
// # Safety
//
// Only root may use the socket. The file mode keeps other users from
// connecting, and the server checks the peer's credentials (SO_PEERCRED)
// on every connection and refuses any uid but 0 with an error reply — the
// mode alone is not trusted, since it is set after bind. Every exchange
// is bounded: Server.Timeout covers reading the request, the backend call
// and writing the reply; requests over MaxRequest bytes are refused;
// Server.MaxConns connections are served at once. A malformed request
// gets an error reply and changes nothing. Every standby or takeover, and
// every refusal, is logged in one line with the peer's uid and pid.
//
// This package decides nothing: the daemon's Backend turns commands into
// cluster events and builds Status from cluster and resources snapshots.
// It imports those two packages for their types only.
package control
