// Fuzz targets for everything that reads untrusted bytes.
//
// Measured runs after the last change to the package's code (commit
// de4b249), go1.26.8, `go test -run '^$' -fuzz '^NAME$' -fuzztime 2m30s
// -parallel 1` (one worker: the 2-CPU machine was shared with another fuzz
// job), 2026-11-22 20:58-21:09 UTC, no failure:
//
//	FuzzDecodeNetstring  2m30s  5,289,875 execs
//	FuzzDecodeClassic    2m30s  4,450,166 execs
//	FuzzTrailer          2m30s  3,859,328 execs
//	FuzzSeqState         2m30s  1,019,372 execs
//
// Earlier 30 s runs of each (two workers) found nothing either, so
// testdata/fuzz/ holds no crashers yet; the seeds below are f.Add calls.
// A crasher found later goes to testdata/fuzz/<target>/ (go test writes it
// there) and must be committed: it then runs with every plain `go test`.
package codec_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/transport/codec"
)

// roundTrip checks the property shared by both decoders: whatever parses
// re-encodes (here with the crc key) to bytes that parse to the same
// fields, in the same format.
func roundTrip(t *testing.T, in []byte, format codec.Format) {
	p, err := codec.Parse(in)
	if err != nil {
		var fe *codec.FormatError
		if !errors.As(err, &fe) || !errors.Is(err, codec.ErrMalformed) {
			t.Fatalf("error %v is not a *FormatError matching ErrMalformed", err)
		}
		return
	}
	if err := p.Verify(labKeys()); err != nil {
		var ae *codec.AuthError
		if !errors.As(err, &ae) {
			t.Fatalf("verify error %v is not an *AuthError", err)
		}
	}
	if p.Format != format {
		return // the other target covers it
	}
	enc := codec.EncodeNetstring
	if format == codec.Classic {
		enc = codec.EncodeClassic
	}
	out, err := enc(p.Message, key(t, 3))
	if errors.Is(err, codec.ErrTooLarge) {
		return // classic base64 grows binary fields by a third
	}
	if err != nil {
		t.Fatalf("re-encode %v: %v", p.Message, err)
	}
	m, err := codec.Decode(out, labKeys())
	if err != nil {
		t.Fatalf("decode of re-encoded %q: %v", out, err)
	}
	if !m.Equal(p.Message) {
		t.Fatalf("round trip changed the message:\n got %v\nwant %v", m, p.Message)
	}
}

func FuzzDecodeNetstring(f *testing.F) {
	f.Add(readHex(f, "testdata/spec-8.5-bcast-status-sha1.hex")) // real heartbeat packet (spec 8.5)
	f.Add([]byte("###\n11:(0)t=status,%%%\n"))                   // no inner auth, no trailer
	f.Add([]byte("###\n%%%\n3:1 x,"))                            // no fields
	f.Add([]byte("###\n11xyz:(0)t=status,%%%\n0:,trailing"))     // junk before ':' is skipped; junk after the trailer ignored
	f.Add([]byte("###\n9:(1)u=\x00\n\xff,%%%\n"))                // binary value with NUL, newline, high byte
	f.Add([]byte("###\n10:(2)x=###\n,%%%\n"))                    // nested message: unsupported
	f.Add([]byte("###\n99999999999:(0)t=x,%%%\n"))               // absurd length
	f.Add([]byte("###\n4:(0)t=,%%%\n"))                          // empty value
	f.Add([]byte("###\n7:(0)t=a,7:(0)t=b,%%%\n"))                // duplicate name
	f.Fuzz(func(t *testing.T, in []byte) { roundTrip(t, in, codec.Netstring) })
}

func FuzzDecodeClassic(f *testing.F) {
	f.Add(readFile(f, "testdata/spec-4.11-serial-status-sha1.txt")) // real serial frame (spec 4.11)
	f.Add([]byte("\n\n>>>\nt=status\n<<<\n\x00"))                   // leading blank lines, trailing NUL (old UDP)
	f.Add([]byte(">>>\nv=a\x13b\n(1)u=AAEC\n<<<junk"))              // 0x13 newline byte; binary; junk after end
	f.Add([]byte(">>>\n(0)t=x\n<<<\n"))                             // "(0)" prefix refused
	f.Add([]byte(">>>\n(1)u=AA\r==\n<<<\n"))                        // CR inside base64
	f.Add([]byte(">>>\n(1)u=AB==\n<<<\n"))                          // non-canonical base64
	f.Add([]byte(">>>\nnoequals\n<<<\n"))                           // line without '='
	f.Add([]byte(">>>\nt=x\n"))                                     // no end line
	f.Fuzz(func(t *testing.T, in []byte) { roundTrip(t, in, codec.Classic) })
}

// FuzzTrailer keeps the captured body and fuzzes the trailer: nothing but
// the right digest under a configured key may verify.
func FuzzTrailer(f *testing.F) {
	raw := readHex(f, "testdata/spec-8.5-bcast-status-sha1.hex")
	end := bytes.Index(raw, []byte("%%%\n")) + 4
	body, trailer := raw[:end], raw[end:]
	f.Add(trailer)                                                    // the real trailer
	f.Add([]byte("42:1 0C580994175DF9AEE878F2598592FF89508604FD,"))   // upper case
	f.Add([]byte("10:3 7b76bba,"))                                    // crc-looking digest
	f.Add([]byte("2:1 ,"))                                            // no digest
	f.Add([]byte("45:015 0c580994175df9aee878f2598592ff89508604fd,")) // padded index
	f.Add([]byte(""))                                                 // no trailer
	f.Fuzz(func(t *testing.T, tr []byte) {
		in := append(bytes.Clone(body), tr...)
		p, err := codec.Parse(in)
		if err != nil {
			return
		}
		if p.Verify(labKeys()) != nil {
			return
		}
		idx, _, _ := strings.Cut(p.Trailer, " ")
		for _, k := range labKeys().Keys {
			if want, _ := codec.Sign(k, body); want == p.Trailer {
				return
			}
		}
		t.Fatalf("trailer %q (index %s) verified but is not a genuine signature", p.Trailer, idx)
	})
}

// FuzzSeqState steps one SeqState with arbitrary (gen, seq, status)
// triples and checks its invariants after every step.
func FuzzSeqState(f *testing.F) {
	f.Add([]byte{1, 1, 1, 1, 3, 0, 1, 2, 0, 1, 3, 0})   // gap then fill
	f.Add([]byte{5, 200, 1, 4, 1, 0, 6, 1, 1, 6, 9, 0}) // replay, restart, gap
	f.Add([]byte{1, 0, 1, 1, 255, 0, 1, 254, 0})        // large gaps
	f.Fuzz(func(t *testing.T, ops []byte) {
		var s codec.SeqState
		var seqBase uint64
		for i := 0; i+2 < len(ops); i += 3 {
			gen, seq, status := uint64(ops[i]), seqBase+uint64(ops[i+1]), ops[i+2]&1 == 1
			if ops[i+2]&2 != 0 {
				seqBase += 200 // lets gaps exceed MaxGap and the list fill up
			}
			before := s.Clone()
			o := s.Observe(gen, seq, status)
			checkSeqInvariants(t, &before, &s, gen, seq, o)
		}
	})
}

func checkSeqInvariants(t *testing.T, before, s *codec.SeqState, gen, seq uint64, o codec.Observation) {
	t.Helper()
	miss := s.Missing()
	if len(miss) > codec.MaxMissing {
		t.Fatalf("%d missing seqs, limit %d", len(miss), codec.MaxMissing)
	}
	for i, q := range miss {
		if q >= s.Last() || (i > 0 && miss[i-1] >= q) {
			t.Fatalf("missing list %v not ascending below last %d", miss, s.Last())
		}
	}
	if g, _ := before.Generation(); o.Verdict == codec.Replay && gen >= g {
		t.Fatalf("replay verdict for gen %d, tracked %d", gen, g)
	}
	if o.Verdict != codec.Accept && len(o.Request) > 0 {
		t.Fatalf("%v with requests %v", o.Verdict, o.Request)
	}
	if o.Verdict == codec.Accept {
		// An accepted seq is never accepted again in the same generation.
		if again := s.Clone(); again.Observe(gen, seq, false).Verdict == codec.Accept {
			t.Fatalf("gen %d seq %d accepted twice", gen, seq)
		}
	}
}
