package codec

import (
	"fmt"
	"strconv"
	"strings"
)

// Receive-side limits of spec 4.7.
const (
	// MaxMissing bounds the missing-seq list kept per sender; when a new
	// gap would exceed it, the oldest entries are forgotten.
	MaxMissing = 500
	// MaxGap is the largest gap that is requested packet by packet; a
	// bigger one restarts tracking at the new seq ("lost a lot of packets!").
	MaxGap = 250
)

// Verdict says what to do with one received sequenced message.
type Verdict uint8

// Verdicts. Only Accept delivers the message; every verdict means the
// packet was authentic, so the link it came on is alive.
const (
	// Accept: new; deliver it.
	Accept Verdict = iota + 1
	// Duplicate: already seen (the copy from another link, or an old seq
	// not missing); drop it quietly. This is normal, not an error.
	Duplicate
	// Replay: older generation than already seen; drop it. Heartbeat
	// logs "attempted replay attack".
	Replay
	// Early: a non-status message of a newer generation, before the status
	// message that starts it; drop it. Once the status resets tracking the
	// seq shows up as missing and is requested again.
	Early
	// Unsequenced: an NS_* message; sequence rules do not apply.
	Unsequenced
)

var verdictNames = [...]string{"invalid", "accept", "duplicate", "replay", "early", "unsequenced"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "verdict(" + strconv.Itoa(int(v)) + ")"
}

// Observation is the outcome of [SeqState.Observe]. Besides the verdict it
// carries what the caller should do or log.
type Observation struct {
	Verdict Verdict
	// Request lists the seqs newly found missing: send one NS_rexmit for
	// each (see [RexmitRequest]), after a delay, until they arrive or are
	// given up ([SeqState.GiveUp]). Ascending.
	Request []uint64
	// Lost counts the seqs skipped by this message, for the log line
	// "K lost packet(s) for [N] [last:seq]".
	Lost uint64
	// Resync is set when the gap exceeded MaxGap: nothing is requested and
	// tracking restarts at this seq ("lost a lot of packets!").
	Resync bool
	// Forgotten lists missing seqs dropped to keep the list under
	// MaxMissing; they will never be requested again.
	Forgotten []uint64
	// Filled is set when the message was a missing seq; GapClosed when it
	// was the last missing one ("No pkts missing from N!").
	Filled, GapClosed bool
	// Restarted is set when a status message carried a newer generation
	// than the one tracked: the sender restarted and tracking was reset.
	// It is not set on first contact.
	Restarted bool
	// Ackable is set for a message accepted in order with no gap before
	// it: under protocol=1 the caller may ack it (spec 4.7).
	Ackable bool
}

// SeqState is the receive-side sequence tracking of one sender (spec 4.7):
// its generation, the highest seq seen, and the seqs still missing. The
// zero value knows nothing of the sender yet. The caller keeps one per
// peer node (its own included: heartbeat tracks its looped-back messages
// too) and steps it with every received copy of every sequenced message.
// Copy it with Clone, not by assignment, which would share the list.
type SeqState struct {
	gen      uint64
	genKnown bool
	last     uint64
	started  bool     // a message of gen has been accepted; last is valid
	missing  []uint64 // ascending, all < last
}

// Clone returns an independent copy.
func (s *SeqState) Clone() SeqState {
	c := *s
	c.missing = s.Missing()
	return c
}

// Generation returns the tracked generation and whether one is known.
func (s *SeqState) Generation() (uint64, bool) { return s.gen, s.genKnown }

// Last returns the highest seq accepted in the current generation.
func (s *SeqState) Last() uint64 { return s.last }

// Missing returns the seqs still missing, ascending.
func (s *SeqState) Missing() []uint64 { return append([]uint64(nil), s.missing...) }

// AckSeq returns the highest seq up to which nothing is missing.
func (s *SeqState) AckSeq() uint64 {
	if len(s.missing) > 0 {
		return s.missing[0] - 1
	}
	return s.last
}

// GiveUp forgets a missing seq after an NS_nak_rexmit ("Irretrievably lost
// packet") and reports whether it was missing.
func (s *SeqState) GiveUp(seq uint64) bool {
	i, ok := s.find(seq)
	if ok {
		s.missing = append(s.missing[:i], s.missing[i+1:]...)
	}
	return ok
}

// Observe judges one received message of generation gen and sequence seq;
// status says whether its type is "status", the only type that may start
// a new generation.
func (s *SeqState) Observe(gen, seq uint64, status bool) Observation {
	switch {
	case !s.genKnown:
		// First contact: adopt the sender's generation whatever the type.
		s.gen, s.genKnown = gen, true
	case gen < s.gen:
		return Observation{Verdict: Replay}
	case gen > s.gen && !status:
		return Observation{Verdict: Early}
	case gen > s.gen:
		*s = SeqState{gen: gen, genKnown: true}
		o := s.observeSeq(seq)
		o.Restarted = true
		return o
	}
	return s.observeSeq(seq)
}

func (s *SeqState) observeSeq(seq uint64) Observation {
	switch {
	case !s.started:
		s.started, s.last = true, seq
		return Observation{Verdict: Accept, Ackable: true}
	case seq == s.last:
		return Observation{Verdict: Duplicate}
	case seq < s.last:
		i, ok := s.find(seq)
		if !ok {
			return Observation{Verdict: Duplicate}
		}
		s.missing = append(s.missing[:i], s.missing[i+1:]...)
		return Observation{Verdict: Accept, Filled: true, GapClosed: len(s.missing) == 0}
	}
	lost := seq - s.last - 1 // seq > s.last, so no overflow
	o := Observation{Verdict: Accept, Lost: lost}
	switch {
	case lost == 0:
		o.Ackable = len(s.missing) == 0
	case lost > MaxGap:
		o.Resync, o.Forgotten, s.missing = true, s.missing, nil
	default:
		for q := s.last + 1; q < seq; q++ {
			o.Request = append(o.Request, q)
		}
		s.missing = append(s.missing, o.Request...)
		if over := len(s.missing) - MaxMissing; over > 0 {
			o.Forgotten = append([]uint64(nil), s.missing[:over]...)
			s.missing = append(s.missing[:0], s.missing[over:]...)
		}
	}
	s.last = seq
	return o
}

func (s *SeqState) find(seq uint64) (int, bool) {
	for i, q := range s.missing {
		if q == seq {
			return i, true
		}
	}
	return 0, false
}

// ObserveMessage is Observe with the type, generation (hg) and seq taken
// from m. NS_* messages get the verdict Unsequenced and leave s alone. A
// sequenced message without a valid hex seq or hg is an error matching
// ErrMalformed.
func (s *SeqState) ObserveMessage(m *Message) (Observation, error) {
	t, _ := m.Get("t")
	if strings.HasPrefix(t, "NS_") {
		return Observation{Verdict: Unsequenced}, nil
	}
	seq, err := hexField(m, "seq")
	if err != nil {
		return Observation{}, err
	}
	gen, err := hexField(m, "hg")
	if err != nil {
		return Observation{}, err
	}
	return s.Observe(gen, seq, t == "status"), nil
}

// hexField parses a lowercase-hex numeric field such as seq, hg or ackseq.
func hexField(m *Message, name string) (uint64, error) {
	return numField(m, name, 16)
}

func numField(m *Message, name string, base int) (uint64, error) {
	v, ok := m.Get(name)
	if !ok {
		return 0, fmt.Errorf("codec: message %q has no %s field: %w", clip(typeOf(m)), name, ErrMalformed)
	}
	n, err := strconv.ParseUint(v, base, 64)
	if err != nil {
		return 0, fmt.Errorf("codec: message %q: field %s=%q is not a base-%d number: %w", clip(typeOf(m)), name, clip(v), base, ErrMalformed)
	}
	return n, nil
}

func typeOf(m *Message) string {
	t, _ := m.Get("t")
	return t
}
