package codec_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/understudy-ha/understudy/transport/codec"
)

// rx is one received copy in a SeqState scenario.
type rx struct {
	gen, seq uint64
	status   bool
	want     codec.Verdict
	request  []uint64 // expected Observation.Request
	check    func(t *testing.T, o codec.Observation)
}

const g = 100 // a generation

// seqScenarios are fed to one fresh SeqState each, step by step.
var seqScenarios = []struct {
	name        string
	steps       []rx
	wantMissing []uint64
	wantLast    uint64
}{
	{"in order", []rx{{gen: g, seq: 1, status: true, want: codec.Accept}, {gen: g, seq: 2, want: codec.Accept}, {gen: g, seq: 3, want: codec.Accept}}, nil, 3},
	{"first contact mid-stream is not a gap", []rx{{gen: g, seq: 4000, want: codec.Accept}, {gen: g, seq: 4001, want: codec.Accept}}, nil, 4001},
	{"duplicate from a second link", []rx{{gen: g, seq: 1, want: codec.Accept}, {gen: g, seq: 1, want: codec.Duplicate}, {gen: g, seq: 2, want: codec.Accept}, {gen: g, seq: 2, want: codec.Duplicate}}, nil, 2},
	{"old duplicate", []rx{{gen: g, seq: 5, want: codec.Accept}, {gen: g, seq: 6, want: codec.Accept}, {gen: g, seq: 5, want: codec.Duplicate}}, nil, 6},
	{"gap requests each missing seq", []rx{{gen: g, seq: 1, want: codec.Accept}, {gen: g, seq: 5, want: codec.Accept, request: []uint64{2, 3, 4}, check: lost(3)}}, []uint64{2, 3, 4}, 5},
	{"gap filled out of order", []rx{
		{gen: g, seq: 1, want: codec.Accept},
		{gen: g, seq: 4, want: codec.Accept, request: []uint64{2, 3}},
		{gen: g, seq: 3, want: codec.Accept, check: filled(false)},
		{gen: g, seq: 3, want: codec.Duplicate},
		{gen: g, seq: 2, want: codec.Accept, check: filled(true)},
	}, nil, 4},
	{"reordering as in the lab: 0x12 before 0x11", []rx{
		{gen: g, seq: 0x10, want: codec.Accept},
		{gen: g, seq: 0x12, want: codec.Accept, request: []uint64{0x11}},
		{gen: g, seq: 0x11, want: codec.Accept, check: filled(true)},
	}, nil, 0x12},
	{"no ack while a gap is open", []rx{
		{gen: g, seq: 1, want: codec.Accept, check: ackable(true)},
		{gen: g, seq: 3, want: codec.Accept, request: []uint64{2}, check: ackable(false)},
		{gen: g, seq: 4, want: codec.Accept, check: ackable(false)},
	}, []uint64{2}, 4},
	{"gap over MaxGap resyncs", []rx{{gen: g, seq: 1, want: codec.Accept}, {gen: g, seq: 3, want: codec.Accept, request: []uint64{2}}, {gen: g, seq: 300, want: codec.Accept, check: resync}}, nil, 300},
	{"gap of exactly MaxGap is requested", []rx{{gen: g, seq: 1, want: codec.Accept}, {gen: g, seq: 252, want: codec.Accept, request: seqRange(2, 251), check: lost(250)}}, seqRange(2, 251), 252},
	{"older generation is a replay", []rx{{gen: g, seq: 7, want: codec.Accept}, {gen: g - 1, seq: 8, status: true, want: codec.Replay}, {gen: g - 1, seq: 8, want: codec.Replay}}, nil, 7},
	{"newer generation in a status restarts tracking", []rx{
		{gen: g, seq: 900, want: codec.Accept},
		{gen: g + 1, seq: 1, status: true, want: codec.Accept, check: restarted},
		{gen: g + 1, seq: 2, want: codec.Accept},
		{gen: g, seq: 901, want: codec.Replay},
	}, nil, 2},
	{"newer generation before its status is early", []rx{
		{gen: g, seq: 900, want: codec.Accept},
		{gen: g + 1, seq: 2, want: codec.Early},
		{gen: g + 1, seq: 1, status: true, want: codec.Accept, check: restarted},
		{gen: g + 1, seq: 3, want: codec.Accept, request: []uint64{2}},
	}, []uint64{2}, 3},
	{"restart drops the old missing list", []rx{
		{gen: g, seq: 1, want: codec.Accept},
		{gen: g, seq: 5, want: codec.Accept, request: []uint64{2, 3, 4}},
		{gen: g + 1, seq: 1, status: true, want: codec.Accept},
	}, nil, 1},
	{"missing list is capped at MaxMissing", []rx{
		{gen: g, seq: 1, want: codec.Accept},
		{gen: g, seq: 252, want: codec.Accept, request: seqRange(2, 251)},
		{gen: g, seq: 503, want: codec.Accept, request: seqRange(253, 502)},
		{gen: g, seq: 505, want: codec.Accept, request: []uint64{504}, check: forgot(2)},
	}, append(append(seqRange(3, 251), seqRange(253, 502)...), 504), 505},
	{"huge seq does not overflow", []rx{{gen: g, seq: 1<<64 - 2, want: codec.Accept}, {gen: g, seq: 1<<64 - 1, want: codec.Accept}, {gen: g, seq: 1<<64 - 1, want: codec.Duplicate}}, nil, 1<<64 - 1},
}

func TestSeqStateScenarios(t *testing.T) {
	for _, tt := range seqScenarios {
		t.Run(tt.name, func(t *testing.T) {
			var s codec.SeqState
			for i, step := range tt.steps {
				o := s.Observe(step.gen, step.seq, step.status)
				if o.Verdict != step.want || !slices.Equal(o.Request, step.request) {
					t.Fatalf("step %d (gen %d seq %d): %v request %v; want %v request %v", i, step.gen, step.seq, o.Verdict, o.Request, step.want, step.request)
				}
				if step.check != nil {
					step.check(t, o)
				}
			}
			if got := s.Missing(); !slices.Equal(got, tt.wantMissing) {
				t.Errorf("missing %v, want %v", got, tt.wantMissing)
			}
			if s.Last() != tt.wantLast {
				t.Errorf("last %d, want %d", s.Last(), tt.wantLast)
			}
		})
	}
}

func seqRange(a, b uint64) (r []uint64) {
	for q := a; q <= b; q++ {
		r = append(r, q)
	}
	return r
}

func lost(n uint64) func(*testing.T, codec.Observation) {
	return func(t *testing.T, o codec.Observation) {
		if o.Lost != n {
			t.Errorf("lost %d, want %d", o.Lost, n)
		}
	}
}

func filled(closed bool) func(*testing.T, codec.Observation) {
	return func(t *testing.T, o codec.Observation) {
		if !o.Filled || o.GapClosed != closed {
			t.Errorf("filled %v gapClosed %v, want true %v", o.Filled, o.GapClosed, closed)
		}
	}
}

func ackable(want bool) func(*testing.T, codec.Observation) {
	return func(t *testing.T, o codec.Observation) {
		if o.Ackable != want {
			t.Errorf("ackable %v, want %v", o.Ackable, want)
		}
	}
}

func forgot(want ...uint64) func(*testing.T, codec.Observation) {
	return func(t *testing.T, o codec.Observation) {
		if !slices.Equal(o.Forgotten, want) {
			t.Errorf("forgotten %v, want %v", o.Forgotten, want)
		}
	}
}

func resync(t *testing.T, o codec.Observation) {
	if !o.Resync || len(o.Request) != 0 || !slices.Equal(o.Forgotten, []uint64{2}) {
		t.Errorf("resync %v request %v forgotten %v; want resync, nothing requested, 2 forgotten", o.Resync, o.Request, o.Forgotten)
	}
}

func restarted(t *testing.T, o codec.Observation) {
	if !o.Restarted {
		t.Error("restart not reported")
	}
}

func TestSeqStateGiveUpAndAckSeq(t *testing.T) {
	var s codec.SeqState
	s.Observe(1, 1, true)
	s.Observe(1, 5, false)
	if s.AckSeq() != 1 {
		t.Errorf("AckSeq %d, want 1", s.AckSeq())
	}
	if !s.GiveUp(2) || s.GiveUp(2) {
		t.Error("GiveUp(2) should succeed once")
	}
	if s.AckSeq() != 2 {
		t.Errorf("AckSeq %d, want 2 (3 still missing)", s.AckSeq())
	}
	s.Observe(1, 3, false)
	s.Observe(1, 4, false)
	if s.AckSeq() != 5 || len(s.Missing()) != 0 {
		t.Errorf("AckSeq %d missing %v, want 5 and none", s.AckSeq(), s.Missing())
	}
}

func TestObserveMessage(t *testing.T) {
	var s codec.SeqState
	tests := []struct {
		name    string
		m       *codec.Message
		want    codec.Verdict
		wantErr bool
	}{
		{"status", msg(t, "t=status", "seq=1f", "hg=6b02c8d3"), codec.Accept, false},
		{"duplicate", msg(t, "t=status", "seq=1f", "hg=6b02c8d3"), codec.Duplicate, false},
		{"hex seq", msg(t, "t=resource", "seq=20", "hg=6b02c8d3"), codec.Accept, false},
		{"NS_ messages bypass", msg(t, "t=NS_ackmsg", "ackseq=1", "hg=1"), codec.Unsequenced, false},
		{"no seq", msg(t, "t=resource", "hg=6b02c8d3"), 0, true},
		{"bad hg", msg(t, "t=resource", "seq=21", "hg=xyz"), 0, true},
		{"replay", msg(t, "t=status", "seq=22", "hg=6b02c8d2"), codec.Replay, false},
	}
	for _, tt := range tests {
		o, err := s.ObserveMessage(tt.m)
		if (err != nil) != tt.wantErr || o.Verdict != tt.want {
			t.Errorf("%s: %v %v, want %v (error %v)", tt.name, o.Verdict, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, codec.ErrMalformed) {
			t.Errorf("%s: %v is not ErrMalformed", tt.name, err)
		}
	}
}
