package session_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/session"
)

// testdata/wire-golden.txt holds the frames daemon/wire.go, the code
// Session replaced, put on the wire in this exchange (each frame in both
// encodings, after a line naming it). Session must send the same bytes:
// heartbeat 3.0.6 peers read them (test/interop).
func TestGoldenFrames(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "wire-golden.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	put := func(what string, o transport.Outbound) {
		fmt.Fprintf(&got, "%s\n%s\n%s\n", what, o.Packet, o.Text)
	}
	a := node("node1", 7, func(o *session.Options) { o.UUID = bytes.Repeat([]byte{'1'}, 16) })
	b := node("node2", 9, func(o *session.Options) { o.UUID = bytes.Repeat([]byte{'2'}, 16) })
	send := func(what string, s *session.Session, m session.Message) transport.Outbound {
		o := encode(t, s, m)
		put(what, o)
		return o
	}
	recv := func(what string, s *session.Session, frame []byte) session.Received {
		r, _ := s.Decode(frame, t0)
		for i, o := range r.Replies {
			put(fmt.Sprintf("%s reply %d", what, i), o)
		}
		return r
	}
	s1 := send("status", a, session.Message{Type: "status", Fields: []session.Field{{Name: "st", Value: "up"}, {Name: "dt", Value: "1f4"}}})
	recv("b gets status", b, s1.Packet)
	recv("b gets status on serial", b, s1.Text)
	r := send("b to a", b, session.Message{Type: "resource", Dest: "node1", Fields: []session.Field{{Name: "rsc_hold", Value: "all"}}})
	recv("a gets resource", a, r.Packet)
	encode(t, a, session.Message{Type: "lost"})
	g := send("a after a gap", a, session.Message{Type: "resource", Dest: "node2", Fields: []session.Field{{Name: "rsc_hold", Value: "none"}}})
	put("rexmit request", decode(t, b, g.Packet).Replies[0])
	rexmit := func(what, seq string) transport.Outbound {
		return send(what, b, session.Message{Type: "NS_rexmit", Dest: "node1", Fields: []session.Field{{Name: "firstseq", Value: seq}, {Name: "lastseq", Value: seq}}})
	}
	recv("a answers far", a, rexmit("NS_rexmit far", "90").Packet)
	recv("a answers held", a, rexmit("NS_rexmit held", "1").Packet)
	nak := send("nak", a, session.Message{Type: "NS_nak_rexmit", Dest: "node2", Fields: []session.Field{{Name: "firstseq", Value: "2"}, {Name: "info", Value: "seqno not found"}}})
	recv("b gets nak", b, nak.Packet)
	if got.String() != string(want) {
		t.Errorf("frames differ from testdata/wire-golden.txt:\n%s", got.String())
	}
}
