package session_test

import (
	"errors"
	"testing"

	"github.com/understudy-ha/understudy/transport/session"
)

// FuzzDecode feeds arbitrary frames to a node: nothing panics, every
// dropped frame is a *session.Error with a known Reason, and what is
// delivered names a sender of ha.cf other than the node itself.
func FuzzDecode(f *testing.F) {
	a := node("node1", 7)
	for _, m := range []session.Message{status("1"), {Type: "NS_rexmit", Dest: "node2", Fields: []session.Field{{Name: "firstseq", Value: "1"}}},
		{Type: "NS_nak_rexmit", Dest: "node2", Fields: []session.Field{{Name: "firstseq", Value: "1"}}}} {
		o, err := a.Encode(m, t0)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(o.Packet)
		f.Add(o.Text)
	}
	f.Add([]byte("###\n%%%\n"))
	f.Fuzz(func(t *testing.T, frame []byte) {
		b := node("node2", 9)
		encode(t, b, status("1"))
		for range 2 { // the second time, as a copy from another link
			r, err := b.Decode(frame, t0)
			if err != nil {
				var se *session.Error
				if !errors.As(err, &se) || se.Reason < session.Malformed || se.Reason > session.Replay || err.Error() == "" {
					t.Fatalf("error %v (%T)", err, err)
				}
				return
			}
			if r.Deliver && (r.Msg.Src != "node1" || r.Msg.Type == "") {
				t.Fatalf("delivered %+v", r.Msg)
			}
		}
	})
}
