package session_test

import "testing"

// BenchmarkEncode is one sequenced message, signed in both encodings.
func BenchmarkEncode(b *testing.B) {
	a := node("node1", 7)
	for b.Loop() {
		if _, err := a.Encode(status("x"), t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode is a node receiving a peer's status message (netstring,
// HMAC-SHA1): parse, verify, sequence judgement. Every iteration after
// the first is a duplicate, which is judged by the same path.
func BenchmarkDecode(b *testing.B) {
	a, r := node("node1", 7), node("node2", 9)
	o, err := a.Encode(status("x"), t0)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := r.Decode(o.Packet, t0); err != nil {
			b.Fatal(err)
		}
	}
}
