package codec

import (
	"fmt"
	"strconv"
	"time"
)

// Send-side retransmission limits of spec 4.7.
const (
	// HistorySize is how many sent sequenced messages heartbeat keeps.
	HistorySize = 500
	// MaxRexmitPerRequest bounds the messages re-sent for one NS_rexmit.
	MaxRexmitPerRequest = 50
)

// Reasons carried in NS_nak_rexmit's info field. Wire strings.
const (
	NakTooLow   = "seqno too low"   // older than anything still held
	NakNotFound = "seqno not found" // not held (newer than the newest, or never sent)
)

// History is the sender's ring of recently sent sequenced messages, used
// to answer NS_rexmit requests. It keeps the messages themselves: a
// retransmission is the same fields (seq and inner auth included) encoded
// again, with a fresh trailer.
type History struct {
	slots       []histEntry
	minInterval time.Duration
	oldest      uint64 // lowest seq recorded and not yet overwritten
	newest      uint64
	any         bool
}

type histEntry struct {
	seq      uint64
	msg      *Message
	resentAt time.Time // zero: never re-sent
}

// NewHistory returns a ring of size messages (HistorySize if size <= 0).
// A message is not re-sent again within minInterval of its last
// retransmission; heartbeat uses max_rexmit_delay - 10 ms (240 ms).
func NewHistory(size int, minInterval time.Duration) *History {
	if size <= 0 {
		size = HistorySize
	}
	return &History{slots: make([]histEntry, size), minInterval: minInterval}
}

// Record keeps a copy of a sequenced message just sent. Its seq (hex) must
// be higher than every recorded one.
func (h *History) Record(m *Message) error {
	seq, err := hexField(m, "seq")
	if err != nil {
		return err
	}
	if h.any && seq <= h.newest {
		return fmt.Errorf("codec: history: seq %d recorded after %d: seqs must increase", seq, h.newest)
	}
	size := uint64(len(h.slots))
	h.slots[seq%size] = histEntry{seq: seq, msg: m.Clone()}
	if !h.any {
		h.oldest, h.any = seq, true
	}
	h.newest = seq
	if seq >= size && seq-size+1 > h.oldest {
		h.oldest = seq - size + 1
	}
	return nil
}

// Get returns the recorded message with sequence seq.
func (h *History) Get(seq uint64) (*Message, bool) {
	if !h.any || seq < h.oldest || seq > h.newest {
		return nil, false
	}
	e := h.slots[seq%uint64(len(h.slots))]
	if e.msg == nil || e.seq != seq {
		return nil, false
	}
	return e.msg.Clone(), true
}

// Reply is the answer to one NS_rexmit request.
type Reply struct {
	Resend []*Message // recorded messages to encode and send again, in seq order
	Nak    []*Message // NS_nak_rexmit messages for seqs no longer held
}

// Answer handles an NS_rexmit request from node requester at time now:
// each requested seq still held is re-sent unless it was re-sent within
// minInterval; each one not held is refused with NS_nak_rexmit. At most
// MaxRexmitPerRequest seqs of the range are considered.
func (h *History) Answer(req *Message, requester string, now time.Time) (Reply, error) {
	first, last, err := ParseRexmit(req)
	if err != nil {
		return Reply{}, err
	}
	var r Reply
	for seq, n := first, 0; seq <= last && n < MaxRexmitPerRequest; seq, n = seq+1, n+1 {
		r.add(h.answerOne(seq, requester, now))
		if seq == ^uint64(0) {
			break
		}
	}
	return r, nil
}

func (r *Reply) add(resend, nak *Message) {
	if resend != nil {
		r.Resend = append(r.Resend, resend)
	}
	if nak != nil {
		r.Nak = append(r.Nak, nak)
	}
}

func (h *History) answerOne(seq uint64, requester string, now time.Time) (resend, nak *Message) {
	m, ok := h.Get(seq)
	if !ok {
		reason := NakNotFound
		if h.any && seq < h.oldest {
			reason = NakTooLow
		}
		return nil, NakRexmit(requester, seq, reason)
	}
	e := &h.slots[seq%uint64(len(h.slots))]
	if !e.resentAt.IsZero() && now.Sub(e.resentAt) < h.minInterval {
		return nil, nil
	}
	e.resentAt = now
	return m, nil
}

// RexmitRequest builds "t=NS_rexmit dest firstseq lastseq" asking node dest
// for its message seq (decimal, one seq per request as heartbeat does).
// The caller adds the standard fields (src, srcuuid, hg, ts, ttl).
func RexmitRequest(dest string, seq uint64) *Message {
	s := strconv.FormatUint(seq, 10)
	return mustMessage("t", "NS_rexmit", "dest", dest, "firstseq", s, "lastseq", s)
}

// NakRexmit builds "t=NS_nak_rexmit firstseq dest info" telling dest that
// seq (hex, unlike the request) cannot be re-sent; reason is NakTooLow or
// NakNotFound.
func NakRexmit(dest string, seq uint64, reason string) *Message {
	return mustMessage("t", "NS_nak_rexmit", "firstseq", strconv.FormatUint(seq, 16), "dest", dest, "info", reason)
}

// AckMsg builds "t=NS_ackmsg dest ackseq" acknowledging dest's seq (hex).
func AckMsg(dest string, seq uint64) *Message {
	return mustMessage("t", "NS_ackmsg", "dest", dest, "ackseq", strconv.FormatUint(seq, 16))
}

// ParseRexmit returns the seq range of an NS_rexmit (decimal firstseq and
// lastseq; lastseq defaults to firstseq).
func ParseRexmit(m *Message) (first, last uint64, err error) {
	if first, err = numField(m, "firstseq", 10); err != nil {
		return 0, 0, err
	}
	if _, ok := m.Get("lastseq"); !ok {
		return first, first, nil
	}
	if last, err = numField(m, "lastseq", 10); err != nil {
		return 0, 0, err
	}
	return first, last, nil
}

// ParseNak returns the seq (hex firstseq) of an NS_nak_rexmit.
func ParseNak(m *Message) (uint64, error) { return hexField(m, "firstseq") }

// ParseAck returns the seq (hex ackseq) of an NS_ackmsg.
func ParseAck(m *Message) (uint64, error) { return hexField(m, "ackseq") }

// mustMessage builds a message from name/value pairs. Empty values (a
// caller's empty dest) become one blank, as heartbeat does.
func mustMessage(kv ...string) *Message {
	m := &Message{fields: make([]Field, 0, len(kv)/2)}
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1]
		if v == "" {
			v = " "
		}
		m.fields = append(m.fields, Field{Name: kv[i], Value: v})
	}
	return m
}
