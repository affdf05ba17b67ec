package codec_test

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/understudy-ha/understudy/transport/codec"
)

// randomMessage builds a valid message with 0-12 fields. Values are any
// bytes (classic: without 0x13, which it reserves for newline).
func randomMessage(t *testing.T, r *rand.Rand, classic bool) *codec.Message {
	const nameChars = "abcdefghijklmnopqrstuvwxyz0123456789_-.()<>#%"
	m := &codec.Message{}
	for i := range r.IntN(13) {
		name := []byte{"tsdx"[r.IntN(4)]}
		for range r.IntN(8) {
			name = append(name, nameChars[r.IntN(len(nameChars))])
		}
		name = append(name, strconv.Itoa(i)...) // unique
		value := make([]byte, 1+r.IntN(40))
		for j := range value {
			value[j] = byte(r.IntN(256))
			if classic && value[j] == 0x13 {
				value[j] = '\n'
			}
		}
		var err error
		if r.IntN(4) == 0 {
			err = m.SetBinary(string(name), value)
		} else {
			err = m.Set(string(name), string(value))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// TestRoundTripProperty: for random messages, every encoding under every
// method decodes to the same message, and flipping any single bit of the
// frame makes it fail to decode.
func TestRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		for _, enc := range encoders {
			m := randomMessage(t, r, enc.name == "classic")
			k := key(t, 1+i%4)
			b, err := enc.fn(m, k)
			if err != nil {
				t.Fatalf("%s %v: %v", enc.name, m, err)
			}
			got, err := codec.Decode(b, labKeys())
			if err != nil || !got.Equal(m) {
				t.Fatalf("%s key %d: %v %v\nframe %q\nwant %v", enc.name, k.Index, got, err, b, m)
			}
			if i%10 == 0 {
				checkBitFlips(t, b)
			}
		}
	}
}

func checkBitFlips(t *testing.T, b []byte) {
	t.Helper()
	for pos := range b {
		for bit := range 8 {
			c := append([]byte(nil), b...)
			c[pos] ^= 1 << bit
			if m, err := codec.Decode(c, labKeys()); err == nil {
				t.Fatalf("bit %d of byte %d flipped, still accepted: %v\n%q", bit, pos, m, c)
			}
		}
	}
}

func TestEncodeClassicRefuses0x13(t *testing.T) {
	m := msg(t, "t=x", "info=a\x13b")
	if _, err := codec.EncodeClassic(m, key(t, 1)); !errors.Is(err, codec.ErrInvalidField) {
		t.Errorf("EncodeClassic: %v", err)
	}
	if _, err := codec.EncodeNetstring(m, key(t, 1)); err != nil {
		t.Errorf("EncodeNetstring: %v", err)
	}
}
