// Package control is the operator's way into a running daemon: a local
// Unix socket that answers `understudy status`, `standby`, `takeover`,
// `move`, `clear`, `maintenance`, `reload` and `log`, and heartbeat's cl_status, hb_standby and hb_takeover
// (package hbcompat).
//
// The daemon calls Listen to create the socket (mode 0600; a stale socket
// left by a crashed daemon is replaced, a live one is refused with
// ErrRunning) and Serve to answer on it through a Backend, the daemon's
// view of itself. The commands call GetStatus, Admin (standby and
// takeover), Send (any operator's Command), SendReload, GetLog and
// ClearLog.
//
// # Protocol
//
// One connection carries one exchange: the client writes one JSON request
// on one line, the server writes its JSON response lines and closes the
// connection. Every request but a waiting standby or takeover gets
// exactly one line: a waiting operator's command gets two.
//
//	{"cmd":"status"}                   {"ok":true,"status":{...Status...}}
//	{"cmd":"standby","set":"all"}      {"ok":true,"verdict":"accepted"}
//	{"cmd":"takeover","set":"local"}   {"ok":false,"error":"takeover [local] refused: ...","verdict":"refused","reason":"..."}
//	{"cmd":"standby","wait_ms":30000}  {"ok":true,"verdict":"accepted"}
//	                                   {"ok":true,"verdict":"done"}
//	{"cmd":"move","group":"192.0.2.10","node":"node2","wait_ms":30000}
//	                                   {"ok":true,"verdict":"accepted","reason":"..."}
//	                                   {"ok":true,"verdict":"done","reason":"node2 runs 192.0.2.10"}
//	{"cmd":"clear","group":"192.0.2.10"}  {"ok":true,"verdict":"done","reason":"..."}
//	{"cmd":"maintenance","mode":"on"}  {"ok":true,"verdict":"done","reason":"..."}
//	{"cmd":"reload"}                   {"ok":true} or every problem of the new configuration
//	{"cmd":"log","log":{"n":50}}       {"ok":true,"records":[...newest first...]}
//	{"cmd":"clear-log"}                {"ok":true,"cleared":1000}
//
// set is all, local, foreign or failback (= foreign), as hb_standby and
// hb_takeover take it (heartbeat-spec §6.4); empty means all. move takes
// a group (its key) and optionally a node (none: the best other node),
// clear a group, maintenance a mode, on or off; each command refuses
// the arguments of the others. The answer to standby, takeover, move,
// clear and maintenance is the cluster's (see Answer): refused and done
// end the exchange at once; accepted is followed, when the request
// carries wait_ms, by a second line with the outcome (done or failed),
// or, when the wait runs out first, by accepted again with a reason
// saying it is still running. Without wait_ms (every client before the
// field) the exchange ends with the first answer, and ok keeps its old
// meaning: true when the command was taken on. Fields are append-only:
// old clients work with new daemons, and Admin asks an older daemon,
// which refuses unknown fields, again without wait_ms; Send reports a
// daemon older than move, clear or maintenance as such.
//
// A log request's query (LogQuery) may wait, with after and wait_ms, for
// records newer than the last one seen: the way `understudy log
// --follow` polls. A Backend that keeps no log (one without the methods
// of LogBackend) refuses it.
//
// # Safety
//
// Only root may use the socket. The file mode keeps other users from
// connecting, and the server checks the peer's credentials (SO_PEERCRED)
// on every connection and refuses any uid but 0 with an error reply — the
// mode alone is not trusted, since it is set after bind. Every exchange
// is bounded: Server.RequestTimeout (2 s) covers reading the request,
// Server.Timeout the backend call and writing the reply; requests over
// MaxRequest bytes are refused; Server.MaxConns (64) connections are
// served at once, and when all are taken the one that has waited longest
// without sending its request is closed to make room, so that idle
// connections cannot keep a real request out. A malformed request
// gets an error reply and changes nothing. Every operator's command, and
// every refusal, is logged in one line with the peer's uid and pid.
//
// This package decides nothing: the daemon's Backend turns commands into
// cluster events, relays the cluster's answers, and builds Status from
// cluster and resources snapshots.
// It imports those two packages for their types only.
package control
