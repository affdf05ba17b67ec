// Package capture is `understudy decode`: it reads a capture of heartbeat
// traffic (pcap, pcapng, or the raw byte stream of a serial line), and
// judges every heartbeat message in it with the same code as the daemon
// (a passive transport/session: authentication, then the per-sender
// sequence and generation rules), then reports each message with its
// fields and verdict, as text or JSON.
//
// It lives in internal because it is the command's logic, not an API:
// cmd/understudy parses the flags, opens the file and maps the outcome
// to an exit status. What it does not do: capture packets, or judge
// anything the session layer does not (liveness, ownership).
package capture
