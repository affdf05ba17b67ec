// Package codec is heartbeat 3.0.6's message format: the ordered field
// model, the two wire encodings, the auth digests, and the per-sender
// sequence and generation bookkeeping. It is written from the behavioural
// specification (shared/design/heartbeat-spec.md, sections 3.2-3.4 and 4),
// not from heartbeat's code.
//
// What it does not do: no sockets, ttys, goroutines, clocks, randomness or
// logging. Every function is a function of its arguments; time, where a
// rule needs it, is passed in. Imports point inward: the standard library
// and config (for the authkeys types) only.
//
// # Netstring frame (what heartbeat 3.0.6 + cluster-glue 1.0.12 sends on UDP)
//
//	"###\n"                                      start marker
//	LEN ":" "(" T ")" NAME "=" VALUE ","         one netstring per field, in order
//	...                                          T is 0 (string) or 1 (binary);
//	LEN ":" "(0)auth=" IDX " " DIGEST ","        VALUE is raw bytes, never escaped
//	"%%%\n"                                      end marker
//	LEN ":" IDX " " DIGEST ","                   trailer: signs "###\n" ... "%%%\n"
//
// LEN is the decimal byte count between ":" and ",". The inner auth field
// signs the classic rendering below (without the auth field and without
// the ">>>"/"<<<" lines); the trailer signs the exact body bytes from the
// first "#" to the "\n" of "%%%\n", inner auth field included. On receipt
// only the trailer is checked, as heartbeat does (spec 3.4).
//
// # Classic frame (serial links, the FIFO, and what the inner auth signs)
//
//	">>>\n"
//	NAME "=" VALUE "\n"                          string field; "\n" in VALUE is sent as 0x13
//	"(1)" NAME "=" BASE64 "\n"                   binary field, standard padded base64
//	...
//	"auth=" IDX " " DIGEST "\n"                  signs the field lines above it
//	"<<<\n"
//
// # Digests (spec 3.2)
//
// DIGEST is lowercase hex of HMAC-SHA1 ("sha1"), HMAC-MD5 ("md5"),
// HMAC-SHA256 ("sha256", Understudy's own; heartbeat peers cannot verify
// it) keyed with the secret's bytes, or of an unpadded CRC-32/POSIX
// ("crc", printed without leading zeros). A packet is verified with the key
// stored under the index it names, not with the receiver's outbound key
// (heartbeat's key-rotation bug, spec 3.4, is deliberately not copied).
//
// # Sequence numbers (spec 4.7)
//
// [SeqState] judges each received sequenced message of one sender (accept,
// duplicate, replay, gap) and lists the sequence numbers to request with
// NS_rexmit. [History] is the sender's ring of recent messages that answers
// those requests, or refuses them with NS_nak_rexmit.
//
// Every frame-level error is a [*FormatError] (errors.Is ErrMalformed, with
// the byte offset and a reason) or an [*AuthError] (errors.Is ErrBadAuth,
// ErrUnknownKey or ErrBadDigest). No input makes the decoder panic, and
// input larger than [MaxFrame] is refused before it is read.
package codec
