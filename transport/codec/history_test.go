package codec_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/transport/codec"
)

func sent(t *testing.T, seq uint64) *codec.Message {
	return msg(t, "t=status", "src=node1", "seq="+strconv.FormatUint(seq, 16), "hg=6b02c8d3")
}

func newHistory(t *testing.T, size int, seqs ...uint64) *codec.History {
	t.Helper()
	h := codec.NewHistory(size, 240*time.Millisecond)
	for _, q := range seqs {
		if err := h.Record(sent(t, q)); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func TestHistoryAnswer(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		size       int
		sent       []uint64
		first      uint64
		last       uint64
		wantResend []uint64
		wantNak    map[uint64]string
	}{
		{"held", 10, seqRange(1, 5), 3, 3, []uint64{3}, nil},
		{"range", 10, seqRange(1, 5), 2, 4, []uint64{2, 3, 4}, nil},
		{"not sent yet", 10, seqRange(1, 5), 6, 6, nil, map[uint64]string{6: codec.NakNotFound}},
		{"overwritten by the ring", 4, seqRange(1, 10), 5, 8, []uint64{7, 8}, map[uint64]string{5: codec.NakTooLow, 6: codec.NakTooLow}},
		{"nothing sent", 4, nil, 1, 1, nil, map[uint64]string{1: codec.NakNotFound}},
		{"at most 50 per request", 500, seqRange(1, 100), 1, 100, seqRange(1, 50), nil},
		{"reversed range asks nothing", 10, seqRange(1, 5), 4, 2, nil, nil},
		{"range up to the last seq", 10, []uint64{1<<64 - 1}, 1<<64 - 1, 1<<64 - 1, []uint64{1<<64 - 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHistory(t, tt.size, tt.sent...)
			req := msg(t, "t=NS_rexmit", "dest=node1", "firstseq="+strconv.FormatUint(tt.first, 10), "lastseq="+strconv.FormatUint(tt.last, 10), "src=node2")
			r, err := h.Answer(req, "node2", t0)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, m := range r.Resend {
				q, _ := strconv.ParseUint(mustGet(t, m, "seq"), 16, 64)
				got = append(got, q)
			}
			if len(got) != len(tt.wantResend) || (len(got) > 0 && (got[0] != tt.wantResend[0] || got[len(got)-1] != tt.wantResend[len(got)-1])) {
				t.Errorf("resent %v, want %v", got, tt.wantResend)
			}
			if len(r.Nak) != len(tt.wantNak) {
				t.Fatalf("naks %v, want %v", r.Nak, tt.wantNak)
			}
			for _, n := range r.Nak {
				q, err := codec.ParseNak(n)
				if err != nil || mustGet(t, n, "info") != tt.wantNak[q] || mustGet(t, n, "dest") != "node2" || mustGet(t, n, "t") != "NS_nak_rexmit" {
					t.Errorf("nak %v (seq %d, %v), want info %q for node2", n, q, err, tt.wantNak[q])
				}
			}
		})
	}
}

func mustGet(t *testing.T, m *codec.Message, name string) string {
	t.Helper()
	v, ok := m.Get(name)
	if !ok {
		t.Fatalf("%v: no %s", m, name)
	}
	return v
}

// TestHistoryRateLimit: a seq re-sent less than minInterval ago is not
// re-sent again (several links each carry the same request).
func TestHistoryRateLimit(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := newHistory(t, 10, 1, 2, 3)
	req := codec.RexmitRequest("node1", 2)
	steps := []struct {
		at   time.Duration
		want int
	}{{0, 1}, {100 * time.Millisecond, 0}, {239 * time.Millisecond, 0}, {240 * time.Millisecond, 1}, {300 * time.Millisecond, 0}}
	for _, s := range steps {
		r, err := h.Answer(req, "node2", t0.Add(s.at))
		if err != nil || len(r.Resend) != s.want || len(r.Nak) != 0 {
			t.Errorf("at %v: resent %d naks %d (%v), want %d", s.at, len(r.Resend), len(r.Nak), err, s.want)
		}
	}
}

func TestHistoryRecord(t *testing.T) {
	h := newHistory(t, 10, 1, 2)
	if err := h.Record(sent(t, 2)); err == nil {
		t.Error("recording seq 2 twice should fail")
	}
	if err := h.Record(msg(t, "t=status")); !errors.Is(err, codec.ErrMalformed) {
		t.Errorf("no seq: %v", err)
	}
	m, ok := h.Get(2)
	if !ok || mustGet(t, m, "seq") != "2" {
		t.Fatalf("Get(2) = %v %v", m, ok)
	}
	// The history keeps its own copy.
	_ = m.Set("seq", "99")
	if m2, _ := h.Get(2); mustGet(t, m2, "seq") != "2" {
		t.Error("history shares its message with the caller")
	}
}

func TestControlMessages(t *testing.T) {
	tests := []struct {
		m    *codec.Message
		want string
	}{
		{codec.RexmitRequest("node1", 26), "t=NS_rexmit dest=node1 firstseq=26 lastseq=26"},
		{codec.NakRexmit("node2", 26, codec.NakNotFound), "t=NS_nak_rexmit firstseq=1a dest=node2 info=seqno not found"},
		{codec.AckMsg("node2", 26), "t=NS_ackmsg dest=node2 ackseq=1a"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	if q, err := codec.ParseAck(codec.AckMsg("n", 26)); q != 26 || err != nil {
		t.Errorf("ParseAck = %d, %v", q, err)
	}
	first, last, err := codec.ParseRexmit(msg(t, "t=NS_rexmit", "firstseq=7"))
	if first != 7 || last != 7 || err != nil {
		t.Errorf("ParseRexmit without lastseq = %d %d %v", first, last, err)
	}
	if _, _, err := codec.ParseRexmit(msg(t, "t=NS_rexmit", "firstseq=1a")); !errors.Is(err, codec.ErrMalformed) {
		t.Errorf("hex firstseq in a request: %v, want ErrMalformed (requests are decimal)", err)
	}
}

// TestGapToRetransmit wires the two halves: the receiver's gap becomes
// NS_rexmit requests that the sender's history answers with the very
// messages, which then fill the gap.
func TestGapToRetransmit(t *testing.T) {
	h := newHistory(t, 500, seqRange(1, 6)...)
	var rx codec.SeqState
	for _, q := range []uint64{1, 2, 6} {
		m, _ := h.Get(q)
		if _, err := rx.ObserveMessage(m); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range rx.Missing() {
		r, err := h.Answer(codec.RexmitRequest("node1", q), "node2", time.Time{})
		if err != nil || len(r.Resend) != 1 {
			t.Fatalf("seq %d: %v %v", q, r, err)
		}
		o, _ := rx.ObserveMessage(r.Resend[0])
		if o.Verdict != codec.Accept || !o.Filled {
			t.Errorf("seq %d: %+v", q, o)
		}
	}
	if len(rx.Missing()) != 0 {
		t.Errorf("still missing %v", rx.Missing())
	}
}
