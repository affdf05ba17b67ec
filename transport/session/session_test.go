package session_test

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/transport/codec"
	"github.com/understudy-ha/understudy/transport/session"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		classic bool
		m       session.Message
		deliver bool
		// wire is the order of the fields on the wire.
		wire string
	}{
		{"status broadcast", true, session.Message{Type: "status", Fields: []session.Field{{Name: "st", Value: "up"}, {Name: "dt", Value: "1f4"}}},
			true, "t st dt src srcuuid seq hg ts ld ttl"},
		{"addressed, no serial link", false, session.Message{Type: "ip-request", Dest: "node2", Fields: []session.Field{{Name: "rsc_hold", Value: "192.0.2.10 apache"}}},
			true, "t dest rsc_hold src srcuuid seq hg ts ld ttl"},
		{"protocol message: no seq, no ld, not delivered", true, session.Message{Type: "NS_ackmsg", Dest: "node2", Fields: []session.Field{{Name: "ackseq", Value: "1"}}},
			false, "t dest ackseq src srcuuid hg ts ttl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := node("node1", 7, func(o *session.Options) { o.Classic = tt.classic })
			b := node("node2", 9)
			out := encode(t, a, tt.m)
			if (out.Text != nil) != tt.classic || !bytes.HasPrefix(out.Packet, []byte("###\n")) {
				t.Fatalf("encodings: packet %q, text %q", out.Packet, out.Text)
			}
			var names []string
			for _, f := range wireMsg(t, out.Packet).Fields() {
				names = append(names, f.Name)
			}
			if got := strings.Join(names, " "); got != tt.wire {
				t.Errorf("wire fields %q, want %q", got, tt.wire)
			}
			r := decode(t, b, out.Packet)
			if r.Deliver != tt.deliver || r.Dup || len(r.Replies) != 0 || r.Note != "" {
				t.Fatalf("received %+v", r)
			}
			want := tt.m
			want.Src, want.Gen = "node1", 7
			if !reflect.DeepEqual(r.Msg, want) {
				t.Errorf("message\n got %+v\nwant %+v", r.Msg, want)
			}
			if r.Packet == nil || r.Packet.Format != codec.Netstring {
				t.Errorf("packet %+v", r.Packet)
			}
		})
	}
}

// Every message goes out on every link: the copy from the second link
// (here the serial line's classic text) is delivered as a duplicate.
func TestDuplicateOnTwoLinks(t *testing.T) {
	a, b := node("node1", 7), node("node2", 9)
	out := encode(t, a, status("x"))
	if r := decode(t, b, out.Packet); !r.Deliver || r.Dup || r.Seq.Verdict != codec.Accept {
		t.Fatalf("first copy %+v", r)
	}
	r := decode(t, b, out.Text)
	if !r.Deliver || !r.Dup || r.Seq.Verdict != codec.Duplicate || r.Packet.Format != codec.Classic || !slices.Contains(r.Msg.Fields, session.Field{Name: "st", Value: "active"}) {
		t.Fatalf("second copy %+v", r)
	}
}

func TestOwnBroadcastIgnored(t *testing.T) {
	a := node("node1", 7)
	out := encode(t, a, status("x"))
	r, err := a.Decode(out.Packet, t0)
	if err != nil || r.Deliver || len(r.Replies) != 0 {
		t.Fatalf("own message: %+v %v", r, err)
	}
}

// A node restarts with the next generation: a message before its first
// status is dropped quietly (early), the status starts the new
// generation, and the old generation is now a replay.
func TestGenerationChange(t *testing.T) {
	b := node("node2", 9)
	old := node("node1", 7)
	decode(t, b, encode(t, old, status("1")).Packet)
	stale := encode(t, old, status("2"))
	restarted := node("node1", 8)
	if r := decode(t, b, encode(t, restarted, session.Message{Type: "resource"}).Packet); r.Deliver || r.Seq.Verdict != codec.Early {
		t.Fatalf("message of the new generation before its status: %+v", r)
	}
	r := decode(t, b, encode(t, restarted, status("2")).Packet)
	if !r.Deliver || !r.Seq.Restarted || r.Msg.Gen != 8 || len(r.Replies) != 0 {
		t.Fatalf("status of the new generation: %+v", r)
	}
	_, err := b.Decode(stale.Packet, t0)
	if session.ReasonOf(err) != session.Replay || !strings.Contains(err.Error(), "generation 7 is older than 8") {
		t.Fatalf("old generation after the new one: %v", err)
	}
}

func TestReconfigure(t *testing.T) {
	a, b := node("node1", 7), node("node2", 9)
	c := node("node3", 1)
	if _, err := b.Decode(encode(t, c, status("x")).Packet, t0); session.ReasonOf(err) != session.NotNode {
		t.Fatalf("node3 before the reload: %v", err)
	}
	decode(t, b, encode(t, a, status("w")).Packet)
	// The reload adds node3 and a new key 2, which signs from now on.
	rotated := keys("s")
	rotated.Keys[2] = config.AuthKey{Index: 2, Method: config.MD5, Secret: "new"}
	rotated.Active = 2
	for _, s := range []*session.Session{a, b} {
		s.Reconfigure(session.Config{Keys: rotated, Nodes: []string{"node1", "node2", "node3"}, TTL: 4})
	}
	if r := decode(t, b, encode(t, c, status("y")).Packet); !r.Deliver || r.Msg.Src != "node3" {
		t.Fatalf("node3 after the reload: %+v", r)
	}
	out := encode(t, a, status("z"))
	if out.Text != nil {
		t.Error("no serial link any more, but a classic frame was made")
	}
	r := decode(t, b, out.Packet)
	if m := r.Packet.Message; !strings.HasPrefix(r.Packet.Trailer, "2 ") || get(m, "ttl") != "4" || get(m, "seq") != "2" {
		t.Errorf("after the reload: trailer %q, fields %s", r.Packet.Trailer, m)
	}
	// A node still on the old keys only is refused by a node that dropped them.
	b.Reconfigure(session.Config{Keys: config.AuthKeys{Active: 2, Keys: map[int]config.AuthKey{2: rotated.Keys[2]}}, Nodes: []string{"node1", "node2"}})
	if _, err := b.Decode(encode(t, node("node1", 7), status("old key")).Packet, t0); session.ReasonOf(err) != session.UnknownKey {
		t.Errorf("frame signed with a key dropped by the reload: %v", err)
	}
}
