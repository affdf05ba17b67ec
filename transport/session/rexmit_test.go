package session_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/session"
)

// node2 misses two of node1's messages: it asks for each with NS_rexmit,
// node1 answers from its history with the same bytes, and node2 takes
// them as new.
func TestLostPacketsAskedAndResent(t *testing.T) {
	a, b := node("node1", 7), node("node2", 9)
	decode(t, b, encode(t, a, status("1")).Packet)
	lost := []transport.Outbound{encode(t, a, status("2")), encode(t, a, status("3"))}
	r := decode(t, b, encode(t, a, status("4")).Packet)
	if !r.Deliver || r.Note != "2 lost packet(s) for [node1]" || len(r.Replies) != 2 {
		t.Fatalf("after the gap: %+v", r)
	}
	for i, req := range r.Replies {
		m := wireMsg(t, req.Packet)
		want := []string{"2", "3"}[i]
		if get(m, "t") != "NS_rexmit" || get(m, "dest") != "node1" || get(m, "firstseq") != want || get(m, "lastseq") != want ||
			get(m, "src") != "node2" || get(m, "seq") != "" || req.Text == nil {
			t.Fatalf("request %d: %s", i, m)
		}
		ans := decode(t, a, req.Packet)
		if ans.Deliver || len(ans.Replies) != 1 || !bytes.Equal(ans.Replies[0].Packet, lost[i].Packet) || !bytes.Equal(ans.Replies[0].Text, lost[i].Text) {
			t.Fatalf("answer to %s: %+v", want, ans)
		}
		got := decode(t, b, ans.Replies[0].Packet)
		if !got.Deliver || got.Dup || !got.Seq.Filled || !slices.Contains(got.Msg.Fields, session.Field{Name: "info", Value: want}) {
			t.Fatalf("re-sent %s: %+v", want, got)
		}
	}
	// A second request for the same seq, too soon, is not answered;
	// after RexmitDelay-10ms it is.
	again := r.Replies[0].Packet
	if ans, _ := a.Decode(again, t0); len(ans.Replies) != 0 {
		t.Errorf("re-sent twice within the interval: %+v", ans)
	}
	if ans, _ := a.Decode(again, t0.Add(240*time.Millisecond)); len(ans.Replies) != 1 {
		t.Errorf("not re-sent after the interval: %+v", ans)
	}
}

// A request for a seq the sender no longer holds is refused with
// NS_nak_rexmit; the requester gives the seq up, and a late copy is then
// only a duplicate.
func TestNakRexmit(t *testing.T) {
	a, b := node("node1", 7), node("node2", 9)
	decode(t, b, encode(t, a, status("1")).Packet)
	late := encode(t, a, status("2"))
	r := decode(t, b, encode(t, a, status("3")).Packet)
	// node1's history is gone (a fresh session of the same generation).
	forgetful := node("node1", 7)
	ans := decode(t, forgetful, r.Replies[0].Packet)
	if len(ans.Replies) != 1 {
		t.Fatalf("answer %+v", ans)
	}
	nak := wireMsg(t, ans.Replies[0].Packet)
	if get(nak, "t") != "NS_nak_rexmit" || get(nak, "dest") != "node2" || get(nak, "firstseq") != "2" || get(nak, "info") != "seqno not found" {
		t.Fatalf("nak %s", nak)
	}
	got := decode(t, b, ans.Replies[0].Packet)
	if got.Deliver || got.Note != "irretrievably lost packet: node node1 seq 2" {
		t.Fatalf("nak received: %+v", got)
	}
	if got := decode(t, b, late.Packet); !got.Dup {
		t.Errorf("late copy of a given-up seq: %+v", got)
	}
}

// Protocol messages for another node are not answered.
func TestRexmitForAnotherNode(t *testing.T) {
	a := node("node1", 7, func(o *session.Options) { o.Nodes = []string{"node1", "node2", "node3"} })
	encode(t, a, status("1"))
	req := encode(t, node("node2", 9), session.Message{Type: "NS_rexmit", Dest: "node3", Fields: []session.Field{{Name: "firstseq", Value: "1"}}})
	if r := decode(t, a, req.Packet); len(r.Replies) != 0 || r.Deliver {
		t.Fatalf("answered a request for node3: %+v", r)
	}
}

// A passive session (understudy decode) judges every sender and answers
// nothing.
func TestPassive(t *testing.T) {
	p := session.New(session.Options{Passive: true, Config: session.Config{Keys: keys("s")}})
	a, c := node("node1", 7), node("node3", 1)
	decode(t, p, encode(t, a, status("1")).Packet)
	encode(t, a, status("2"))
	r := decode(t, p, encode(t, a, status("3")).Packet)
	if !r.Deliver || r.Seq.Lost != 1 || len(r.Replies) != 0 {
		t.Fatalf("gap: %+v", r)
	}
	if r := decode(t, p, encode(t, c, status("1")).Packet); !r.Deliver || r.Msg.Src != "node3" {
		t.Fatalf("a sender of no ha.cf: %+v", r)
	}
	req := encode(t, c, session.Message{Type: "NS_rexmit", Fields: []session.Field{{Name: "firstseq", Value: "1"}}})
	if r := decode(t, p, req.Packet); len(r.Replies) != 0 || r.Deliver {
		t.Fatalf("answered a request: %+v", r)
	}
}
