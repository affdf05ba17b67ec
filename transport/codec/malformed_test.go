package codec_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/transport/codec"
)

type malformedCase struct {
	name   string
	in     string
	kind   error // ErrMalformed, ErrTooLarge or ErrUnsupported; nil: must parse
	offset int   // expected FormatError.Offset; -1: not checked
}

// malformedCases lists each way a frame can be malformed, with the offset
// the error must point at.
func malformedCases() []malformedCase {
	atLimit := "###\n11:(0)t=status,%%%\n0:,"
	atLimit += strings.Repeat("!", codec.MaxFrame-len(atLimit)) // ignored, but counted
	return []malformedCase{
		{"empty input", "", codec.ErrMalformed, 0},
		{"unknown start", "hello", codec.ErrMalformed, 0},
		{"netstring start without newline", "###", codec.ErrMalformed, 0},
		{"too large", "###\n" + strings.Repeat("x", codec.MaxFrame), codec.ErrTooLarge, codec.MaxFrame},
		{"exactly the limit is read", atLimit, nil, 0},
		{"one byte over the limit", atLimit + "!", codec.ErrTooLarge, codec.MaxFrame},
		{"netstring truncated before end marker", "###\n11:(0)t=status,", codec.ErrMalformed, 19},
		{"netstring length missing", "###\n:(0)t=status,%%%\n", codec.ErrMalformed, 4},
		{"netstring length without colon", "###\n11", codec.ErrMalformed, 6},
		{"netstring length too big", "###\n99999999999:(0)t=x,%%%\n", codec.ErrMalformed, 4},
		{"netstring runs past end", "###\n50:(0)t=status,%%%\n", codec.ErrMalformed, 7},
		{"netstring without comma", "###\n10:(0)t=status;%%%\n", codec.ErrMalformed, 17},
		{"field without type prefix", "###\n8:t=status,%%%\n", codec.ErrMalformed, 4},
		{"field type (9)", "###\n11:(9)t=status,%%%\n", codec.ErrMalformed, 4},
		{"nested message (2)", "###\n11:(2)t=status,%%%\n", codec.ErrUnsupported, 4},
		{"compressed (4)", "###\n" + netItem("(4)_compressed_payload=xyz") + "%%%\n", codec.ErrUnsupported, 4},
		{"field without =", "###\n9:(0)status,%%%\n", codec.ErrMalformed, 4},
		{"empty name", "###\n" + netItem("(0)=status") + "%%%\n", codec.ErrMalformed, 4},
		{"empty value", "###\n5:(0)t=,%%%\n", codec.ErrMalformed, 4},
		{"name with blank", "###\n" + netItem("(0)a b=xyz") + "%%%\n", codec.ErrMalformed, 4},
		{"duplicate name", "###\n" + netItem("(0)t=a") + netItem("(0)t=b") + "%%%\n", codec.ErrMalformed, 13},
		{"two auth fields", "###\n12:(0)auth=1 a,12:(0)auth=1 b,%%%\n", codec.ErrMalformed, 19},
		{"binary auth field", "###\n" + netItem("(1)auth=1 a") + "%%%\n", codec.ErrMalformed, 4},
		{"too many fields", tooManyFields(), codec.ErrMalformed, -1},
		{"trailer not a netstring", "###\n%%%\n1 abc", codec.ErrMalformed, 9},
		{"trailer truncated", "###\n%%%\n42:1 abc", codec.ErrMalformed, 11},
		{"classic without end", ">>>\nt=status\n", codec.ErrMalformed, 13},
		{"classic end without newline", ">>>\nt=status\n<<<", codec.ErrMalformed, 16},
		{"classic line without =", ">>>\nstatus\n<<<\n", codec.ErrMalformed, 4},
		{"classic empty value", ">>>\nt=\n<<<\n", codec.ErrMalformed, 6},
		{"classic empty name", ">>>\n=x\n<<<\n", codec.ErrMalformed, 4},
		{"classic (0) prefix", ">>>\n(0)t=x\n<<<\n", codec.ErrMalformed, 4},
		{"classic nested", ">>>\n(2)t=x\n<<<\n", codec.ErrUnsupported, 4},
		{"classic bad base64", ">>>\n(1)u=!!!!\n<<<\n", codec.ErrMalformed, 9},
		{"classic non-canonical base64", ">>>\n(1)u=AB==\n<<<\n", codec.ErrMalformed, 9},
		{"classic CR in base64", ">>>\n(1)u=AA\r==\n<<<\n", codec.ErrMalformed, 9},
		{"classic duplicate", ">>>\nt=a\nt=b\n<<<\n", codec.ErrMalformed, 8},
		{"classic start not first", "x\n>>>\nt=a\n<<<\n", codec.ErrMalformed, 0},
	}
}

func tooManyFields() string {
	var b strings.Builder
	b.WriteString("###\n")
	for i := range codec.MaxFields + 1 {
		name := "f" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		b.WriteString(netItem("(0)" + name + "=v"))
	}
	b.WriteString("%%%\n")
	return b.String()
}

func TestMalformed(t *testing.T) {
	for _, tt := range malformedCases() {
		t.Run(tt.name, func(t *testing.T) {
			_, err := codec.Parse([]byte(tt.in))
			if tt.kind == nil {
				if err != nil {
					t.Fatalf("input of %d bytes refused: %v", len(tt.in), err)
				}
				return
			}
			var fe *codec.FormatError
			if !errors.As(err, &fe) || !errors.Is(err, codec.ErrMalformed) || !errors.Is(err, tt.kind) {
				t.Fatalf("Parse = %v, want *FormatError matching %v", err, tt.kind)
			}
			if tt.offset >= 0 && fe.Offset != tt.offset {
				t.Errorf("offset %d, want %d (%v)", fe.Offset, tt.offset, err)
			}
			if fe.Reason == "" || errors.Is(err, codec.ErrBadAuth) {
				t.Errorf("bad error %v", err)
			}
		})
	}
}

func netItem(s string) string { return strconv.Itoa(len(s)) + ":" + s + "," }

// TestLeniency covers what heartbeat accepts and so must we (spec 4.3,
// 4.4): junk between a length and its colon, bytes after the trailer or
// the "<<<" line, leading blank lines, a trailing NUL of old UDP senders.
func TestLeniency(t *testing.T) {
	for _, in := range []string{
		"###\n11 junk:(0)t=status,%%%\n",
		"###\n011:(0)t=status,%%%\n",
		"###\n11:(0)t=status,%%%\n3:1 x,anything after",
		"\n\n>>>\nt=status\n<<<\n",
		">>>\nt=status\n<<<\n\x00",
		">>>\nt=status\n<<< and more\n",
		">>>\nt=a=b=c\n<<<\n",
	} {
		p, err := codec.Parse([]byte(in))
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if v, _ := p.Message.Get("t"); v != "status" && v != "a=b=c" {
			t.Errorf("Parse(%q): t = %q", in, v)
		}
	}
}
