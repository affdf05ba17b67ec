// Package admin is the admin port: HTTPS on TCP 9050 ([admin] listen of
// understudy.toml), through which `understudy --host` runs status,
// standby, takeover, reload and log on a node from another machine, and
// Prometheus scrapes /metrics. understudy-admin(7) is the operator's
// description; this is the implementer's.
//
// # Pieces
//
//	passwd.go     understudy.passwd: SetPassword, LoadPassword, Password
//	prompt.go     reading passwords and questions on a terminal
//	cert.go       the server's certificate, self-signed on first start
//	trust.go      the client's check of it: fingerprint, CA, known hosts
//	protocol.go   wire format: paths, headers, MACs, header parsing
//	sessions.go   Sessions: bounded table of sessions with idle expiry
//	ratelimit.go  failed logins per source
//	auth.go       login, signed requests, CheckPassword
//	server.go     Server: options, routes, listening, Handle
//	handlers.go   the endpoints
//	backend.go    Backend (the daemon's side), Command, Answer, LogQuery
//	client.go     Client (the CLI's side)
//	metrics/      the Prometheus metrics served on /metrics
//
// The daemon builds a Server with NewServer (which refuses to start
// without a password file) and Start; the CLI calls Dial and the
// Client's methods. The package decides nothing about the cluster: its
// Backend, implemented by the daemon, does.
//
// # Protocol
//
// Over TLS 1.2 or 1.3, HTTP/1.1, JSON bodies; b64 below is unpadded
// base64url, u64 an 8-byte big-endian number, f(x) = u64(len(x)) || x.
// The password file holds salt, argon2id cost and, with
// S = argon2id(password, salt, t, m, p, 32 bytes):
//
//	ClientKey = HMAC-SHA256(S, "Client Key")
//	StoredKey = SHA-256(ClientKey)
//	ServerKey = HMAC-SHA256(S, "Server Key")
//
// Login (SCRAM, RFC 5802, with argon2id for PBKDF2):
//
//	POST /api/v1/challenge  {"client_nonce": b64(32 random bytes)}
//	  -> {"session": b64(32 random bytes: the server nonce), "salt": b64, "t", "m", "p"}
//	AM    = "understudy-admin-1" || 0x00 || client nonce || server nonce
//	proof = ClientKey XOR HMAC-SHA256(StoredKey, AM)
//	POST /api/v1/login  {"session": ..., "proof": b64(proof)}
//	  server: SHA-256(proof XOR HMAC(StoredKey, AM)) == StoredKey, in constant time
//	  -> {"server_signature": b64(HMAC-SHA256(ServerKey, AM)), "idle_seconds": N}
//	  the client checks server_signature: the node holds the password file
//	K = HMAC-SHA256(ClientKey, "Session Key" || AM)
//
// A challenge lives 30 s, is used once and only from its source
// address. Every later request carries
//
//	Understudy-Session: the session
//	Understudy-Seq:     n, decimal, greater than the session's last
//	Understudy-Mac:     b64(HMAC-SHA256(K, "understudy-admin-1 request" ||
//	                        u64(n) || f(method) || f(path?query) || f(body)))
//
// and the server refuses (401) an unknown or expired session, a MAC that
// does not match, an n not above the last accepted. Its answer carries
// Understudy-Seq: n and Understudy-Mac: b64(HMAC-SHA256(K,
// "understudy-admin-1 response" || u64(n) || u64(status) || f(body))),
// which the client checks. Sessions end after [admin] session_idle
// unused, after 12 hours, on logout, or when the password changes.
//
//	GET  /api/v1/status        -> control.Status
//	POST /api/v1/command       {"name": "standby", "args": {"set": "all"}} -> Answer
//	GET  /api/v1/log?n=&since=&level=&text=&after=&wait=  -> {"records": [...]}
//	POST /api/v1/logout        -> {}
//	GET  /metrics              Prometheus text; HTTP Basic auth (admin,
//	                           password) unless [admin] metrics_auth = false
//
// A refusal is {"error": "...", "code": C} with C one of session (log in
// again), auth (wrong password), limit (too many failures: wait),
// request (malformed, replayed or altered) and backend (the daemon
// could not answer). Refusals before a session exists are not signed.
//
// # Limits
//
// Request bodies over [admin] max_request bytes are refused; reading a
// request and answering it are bounded by request_timeout (a log
// request with wait= by up to MaxLogWait more); max_conns connections
// are served at once. A source (an IPv4 address, an IPv6 /64) may fail
// login_failures times, refilled over login_window; then every login,
// signed request and Basic auth from it is refused (429) until it may
// try again. Every failure is logged with the source address, and the
// first refusal of a limited source. Every command is logged with its
// arguments, source and answer.
//
// # Threat model
//
//   - A network attacker who cannot break TLS learns nothing; one who can
//     (a client that accepted a wrong certificate) still cannot forge,
//     alter or replay a request or an answer, nor learn the password
//     from a login, but can read what passes and may try password
//     guesses offline against a recorded login, at argon2id's cost.
//   - Guessing online is bounded by the per-source rate limit.
//   - Reading understudy.passwd gives StoredKey and ServerKey: not enough
//     to log in (that needs ClientKey, only guessing the password gives
//     it), enough to impersonate a node to a client that trusts the
//     attacker's certificate, and enough to guess passwords offline.
//   - Not defended: a root user on a node (it is the node), a weak
//     password, traffic analysis, denial of service by flooding the
//     port (bounded, not prevented), /metrics Basic auth, which sends
//     the password itself (over TLS) and so trusts the certificate check.
package admin
