// Package transport moves heartbeat frames over the configured media:
// UDP broadcast, multicast and unicast (IPv4 and IPv6) and null-modem
// serial lines (shared/design/heartbeat-spec.md sections 4.1 and 4.11).
//
// Each medium is one small type behind the [Link] interface: Send puts one
// frame on the wire within a bounded time, received frames arrive on the
// channel given in [Options], and link status changes (up/down, with the
// cause) on another. A [Fanout] sends every outbound message on every
// link, as heartbeat does; receivers see duplicates, which the codec's
// sequence checks drop. An [Outbound] carries the message in both
// encodings, because heartbeat puts netstring on UDP and classic text on
// serial lines (spec 4.5, 4.11); [OpenAll] builds the Fanout from ha.cf's
// media.
//
// Every link of a Fanout sends from its own goroutine and queue (8
// frames, the oldest dropped when full), so Fanout.Send never waits: a
// serial line whose reader stopped delays neither the caller, nor the
// other links, nor frame reception. [Fanout.Stats] counts, per link,
// frames sent, failed, dropped from the queue and not sent while the link
// was closed, opens and failed opens, and the last error. A link of
// OpenAll that fails to open (device missing, port locked, interface
// absent) or breaks later (a tty read or write I/O error or hangup, a
// UDP socket whose interface was deleted) is closed and reopened in the
// background, 100 ms after the failure, then doubling up to 5 s, in the
// network namespace OpenAll ran in; Status says down once, with the
// cause, and up once it works again, never once per attempt.
//
// Links are named as heartbeat names them: after the interface ("hb0")
// for UDP media and after the tty path ("/dev/ttyS0") for serial, so a
// bcast and a ucast on hb0 share the link name "hb0".
//
// What it does not do: it does not parse, sign or verify messages (that
// is transport/codec), and it does not judge node liveness, which needs
// decoded messages (a later layer). A link is "up" here when its I/O
// works and "down" when sending or receiving fails; a serial link with
// nobody at the other end stays up, because CLOCAL lines cannot tell.
//
// Serial framing: the byte stream is split into classic frames on
// ">>>\n" ... "<<<\n" lines, with a size limit and resynchronisation
// after garbage; the frame bytes are handed on unparsed.
//
// Serial ports are locked with UUCP lock files (package tty); a lock
// whose owner is gone or a zombie is taken over.
//
// Concurrency: every link starts its goroutines when opened and stops
// them all before Close returns; Close never waits on the network or on
// the consumer of the channels. Linux only (SO_BINDTODEVICE, termios).
package transport
