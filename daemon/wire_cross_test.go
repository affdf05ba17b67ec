package daemon

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/session"
)

// Temporary: the session package must put the same bytes on the wire as
// wire.go did.
func TestWireSessionSameBytes(t *testing.T) {
	now := time.Unix(1795344600, 0)
	load := func() string { return "0.00 0.00 0.00 1/1 1" }
	mk := func(self string, gen uint64) (*wire, *session.Session) {
		c := testConfig()
		w := newWire(self, bytes.Repeat([]byte{self[4]}, 16), gen, c)
		w.load = load
		s := session.New(session.Options{Self: self, UUID: bytes.Repeat([]byte{self[4]}, 16), Generation: gen,
			RexmitDelay: c.MaxRexmitDelay, Load: load,
			Config: session.Config{Keys: c.Auth, Nodes: c.Nodes, TTL: len(c.Nodes) + c.Hopfudge, Classic: true}})
		return w, s
	}
	aw, as := mk("node1", 7)
	bw, bs := mk("node2", 9)
	var golden strings.Builder
	same := func(what string, o1, o2 transport.Outbound) {
		t.Helper()
		if !bytes.Equal(o1.Packet, o2.Packet) || !bytes.Equal(o1.Text, o2.Text) {
			t.Fatalf("%s:\nwire    %q\nsession %q", what, o1.Packet, o2.Packet)
		}
		fmt.Fprintf(&golden, "%s\n%s\n%s\n", what, o1.Packet, o1.Text)
	}
	toS := func(m cluster.Msg) session.Message {
		sm := session.Message{Type: m.Type, Dest: m.Dest}
		for _, f := range m.Fields {
			sm.Fields = append(sm.Fields, session.Field{Name: f.K, Value: f.V})
		}
		return sm
	}
	enc := func(what string, w *wire, s *session.Session, m cluster.Msg) transport.Outbound {
		t.Helper()
		o1, err1 := w.encode(m, now)
		o2, err2 := s.Encode(toS(m), now)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		same(what, o1, o2)
		return o1
	}
	dec := func(what string, w *wire, s *session.Session, frame []byte) {
		t.Helper()
		r1, err1 := w.decode(frame, now)
		r2, err2 := s.Decode(frame, now)
		if (err1 == nil) != (err2 == nil) || r1.deliver != r2.Deliver || r1.dup != r2.Dup || r1.note != r2.Note || len(r1.replies) != len(r2.Replies) {
			t.Fatalf("%s: wire %+v %v\nsession %+v %v", what, r1, err1, r2, err2)
		}
		if r1.msg.Type != r2.Msg.Type || r1.msg.Src != r2.Msg.Src || r1.msg.Dest != r2.Msg.Dest || r1.msg.Gen != r2.Msg.Gen || len(r1.msg.Fields) != len(r2.Msg.Fields) {
			if r1.deliver {
				t.Fatalf("%s: msg %+v vs %+v", what, r1.msg, r2.Msg)
			}
		}
		for i, m := range r1.replies {
			o1, err := w.resend(m, now)
			if err != nil {
				t.Fatal(err)
			}
			same(fmt.Sprintf("%s reply %d", what, i), o1, r2.Replies[i])
		}
	}
	s1 := enc("status", aw, as, cluster.Msg{Type: "status", Fields: []cluster.KV{{K: "st", V: "up"}, {K: "dt", V: "1f4"}}})
	dec("b gets status", bw, bs, s1.Packet)
	dec("b gets status on serial", bw, bs, s1.Text)
	r := enc("b to a", bw, bs, cluster.Msg{Type: "resource", Dest: "node1", Fields: []cluster.KV{{K: "rsc_hold", V: "all"}}})
	dec("a gets resource", aw, as, r.Packet)
	aw.seq++
	as.Encode(session.Message{Type: "lost"}, now) // the same seq, lost
	g := enc("a after a gap", aw, as, cluster.Msg{Type: "resource", Dest: "node2", Fields: []cluster.KV{{K: "rsc_hold", V: "none"}}})
	r1, _ := bw.decode(g.Packet, now)
	r2, _ := bs.Decode(g.Packet, now)
	o1, _ := bw.resend(r1.replies[0], now)
	same("rexmit request", o1, r2.Replies[0])
	// a answers: wire never recorded the skipped seq (nak), session did (resend): compare the nak path with a seq neither holds
	req := enc("NS_rexmit far", bw, bs, cluster.Msg{Type: "NS_rexmit", Dest: "node1", Fields: []cluster.KV{{K: "firstseq", V: "90"}, {K: "lastseq", V: "90"}}})
	dec("a answers far", aw, as, req.Packet)
	req2 := enc("NS_rexmit held", bw, bs, cluster.Msg{Type: "NS_rexmit", Dest: "node1", Fields: []cluster.KV{{K: "firstseq", V: "1"}, {K: "lastseq", V: "1"}}})
	dec("a answers held", aw, as, req2.Packet)
	nak := enc("nak", aw, as, cluster.Msg{Type: "NS_nak_rexmit", Dest: "node2", Fields: []cluster.KV{{K: "firstseq", V: "2"}, {K: "info", V: "seqno not found"}}})
	dec("b gets nak", bw, bs, nak.Packet)
	if out := os.Getenv("GOLDEN_OUT"); out != "" {
		os.WriteFile(out, []byte(golden.String()), 0o644)
	}
}
