// Package session is heartbeat 3.0.6's session layer, between the codec
// and the cluster state machine (shared/design/heartbeat-spec.md sections
// 4.6 and 4.7): the standard fields every message carries (src, srcuuid,
// seq, hg, ts, ld, ttl, dest, destuuid), the send sequence and the history
// that answers retransmission requests, the per-sender sequence and
// generation judgement of received messages, the peers' UUIDs, and the
// NS_ protocol messages (NS_rexmit, NS_nak_rexmit).
//
// A [Session] is one node's side of it. [Session.Encode] turns a
// [Message] into signed frames in the encodings the links need;
// [Session.Decode] verifies one received frame and says what to do with
// it: deliver it (or a duplicate of it) to the cluster, send the replies
// it calls for (already encoded), log a note. A frame that is dropped
// comes back as an [*Error] whose [Reason] tells why (malformed, bad
// auth, unknown key, bad digest, not a node, replay), so that callers can
// count and rate-limit by reason with errors.Is or errors.As.
//
// A passive session ([Options].Passive) judges frames the same way
// without taking part: `understudy decode` reads captures with one.
//
// What it does not do: no sockets, goroutines, clocks or logging; time is
// passed in. It knows nothing of cluster decisions: message types other
// than NS_ ones and their own fields pass through unread. Imports point
// inward: transport (for [transport.Outbound]), the codec and config.
// Not safe for concurrent use; the daemon's loop owns it.
package session
