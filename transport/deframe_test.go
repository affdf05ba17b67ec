package transport

import (
	"bytes"
	"strings"
	"testing"
)

const (
	frameA = ">>>\nt=status\nsrc=node1\nauth=1 abc\n<<<\n"
	frameB = ">>>\nt=status\nsrc=node2\nauth=1 def\n<<<\n"
)

func deframeAll(max int, chunks ...string) ([]string, int) {
	d := newDeframer(max)
	var out []string
	for _, c := range chunks {
		d.feed([]byte(c), func(f []byte) { out = append(out, string(f)) })
	}
	return out, d.dropped
}

func TestDeframer(t *testing.T) {
	tests := []struct {
		name    string
		max     int
		in      []string
		want    []string
		dropped int
	}{
		{name: "one frame", in: []string{frameA}, want: []string{frameA}},
		{name: "two frames back to back", in: []string{frameA + frameB}, want: []string{frameA, frameB}},
		{name: "split in every byte", in: strings.Split(frameA+frameB, ""), want: []string{frameA, frameB}},
		{name: "garbage lines before and between", in: []string{"noise\n\x00\xff\n" + frameA + "junk line\n" + frameB},
			want: []string{frameA, frameB}, dropped: 19},
		{name: "garbage glued before start marker", in: []string{"hg=6b0>>>\nt=status\nsrc=node1\nauth=1 abc\n<<<\n"},
			want: []string{frameA}, dropped: 6},
		{name: "start marker with trailing junk", in: []string{">>>xx\nt=status\nsrc=node1\nauth=1 abc\n<<<yy\n"},
			want: []string{frameA}, dropped: 4},
		{name: "new start abandons a cut-off frame", in: []string{">>>\nt=status\nseq=4\n" + frameB},
			want: []string{frameB}, dropped: 19},
		{name: "end line without start is garbage", in: []string{"<<<\n" + frameA}, want: []string{frameA}, dropped: 4},
		{name: "unterminated frame emits nothing", in: []string{">>>\nt=status\n"}},
		{name: "oversized frame dropped, next kept", max: len(frameA),
			in:   []string{">>>\nt=status\nsrc=a-very-long-node-name-indeed\nauth=1 abc\n<<<\n" + frameB},
			want: []string{frameB}},
		{name: "frame exactly at the limit", max: len(frameA), in: []string{frameA}, want: []string{frameA}},
		{name: "endless line without newline skipped", max: 64,
			in:   []string{strings.Repeat("x", 100), strings.Repeat("y", 100), "\n" + frameA},
			want: []string{frameA}, dropped: 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			max := tt.max
			if max == 0 {
				max = MaxFrame
			}
			got, dropped := deframeAll(max, tt.in...)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("frames:\n got %q\nwant %q", got, tt.want)
			}
			if tt.dropped != 0 && dropped != tt.dropped {
				t.Errorf("dropped %d bytes, want %d", dropped, tt.dropped)
			}
		})
	}
}

func TestDeframerFramesAreOwned(t *testing.T) {
	d := newDeframer(MaxFrame)
	var got [][]byte
	d.feed([]byte(frameA+frameB), func(f []byte) { got = append(got, f) })
	if len(got) != 2 || string(got[0]) != frameA || string(got[1]) != frameB {
		t.Fatalf("got %q", got)
	}
}

func TestIsClassic(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{frameA, true},
		{">>>\n<<<\n", true},
		{"###\n5:(0)t=x,%%%\n", false},
		{">>>\nt=status\n", false},
		{">>>\nt=x\n>>>\nt=y\n<<<\n", false},
		{">>>\nt=x\n<<<\nt=y\n<<<\n", false},
		{">>>\nt=x<<<\n", false},
	} {
		if got := isClassic([]byte(tt.in)); got != tt.want {
			t.Errorf("isClassic(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzDeframer checks that no input panics, that every frame is a
// classic frame within the limit, and that frames survive any garbage
// that ends in a newline.
func FuzzDeframer(f *testing.F) {
	f.Add([]byte(frameA), []byte("garbage\n"))
	f.Add([]byte(">>>\n>>>\n<<<\n"), []byte("<<<"))
	f.Add([]byte("\x00\xff>>>"), []byte{})
	f.Fuzz(func(t *testing.T, noise, tail []byte) {
		const max = 256
		d := newDeframer(max)
		var got [][]byte
		emit := func(fr []byte) { got = append(got, fr) }
		d.feed(noise, emit)
		d.feed([]byte("\n"+frameA), emit)
		d.feed(tail, emit)
		for _, fr := range got {
			if len(fr) > max || !bytes.HasPrefix(fr, []byte(">>>\n")) || !bytes.HasSuffix(fr, []byte("<<<\n")) {
				t.Fatalf("bad frame %q", fr)
			}
		}
		if !bytes.Contains(noise, []byte(">>>")) && (len(got) == 0 || string(got[0]) != frameA) {
			t.Fatalf("frame after noise %q lost: %q", noise, got)
		}
	})
}
