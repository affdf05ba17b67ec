package daemon

import (
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
)

func testConfig() *config.Config {
	return &config.Config{
		HACF: config.HACF{Nodes: []string{"node1", "node2"}, Hopfudge: 1, MaxRexmitDelay: 250 * time.Millisecond,
			Media: []config.Medium{{Type: config.Ucast}, {Type: config.Serial}}},
		Auth: config.AuthKeys{Active: 1, Keys: map[int]config.AuthKey{1: {Index: 1, Method: config.SHA1, Secret: "s"}}},
	}
}

func TestWireRoundTrip(t *testing.T) {
	now := time.Unix(1795344600, 0)
	a := newWire("node1", make([]byte, 16), 7, testConfig())
	b := newWire("node2", make([]byte, 16), 9, testConfig())
	a.load = func() string { return "0.00 0.00 0.00 1/1 1" }
	send := func(m cluster.Msg) received {
		t.Helper()
		out, err := a.encode(m, now)
		if err != nil {
			t.Fatal(err)
		}
		if out.Text == nil || out.Packet[0] != '#' || out.Text[0] != '>' {
			t.Fatalf("want netstring packet and classic text, got %q / %q", out.Packet[:4], out.Text[:4])
		}
		r, err := b.decode(out.Packet, now)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := send(cluster.Msg{Type: "status", Fields: []cluster.KV{{K: "st", V: "up"}, {K: "dt", V: "1f4"}}})
	if !r.deliver || r.dup || r.msg.Src != "node1" || r.msg.Gen != 7 || r.msg.Get("st") != "up" || len(r.msg.Fields) != 2 {
		t.Fatalf("status = %+v", r)
	}
	// The same frame again (a second link) is a duplicate.
	out, _ := a.encode(cluster.Msg{Type: "starting"}, now)
	if r, _ := b.decode(out.Packet, now); !r.deliver || r.dup {
		t.Fatalf("first copy: %+v", r)
	}
	if r, _ := b.decode(out.Text, now); !r.deliver || !r.dup {
		t.Fatalf("classic copy from the serial link must be a duplicate: %+v", r)
	}
	// A gap asks for a retransmission; a's history answers it.
	a.seq++
	r = send(cluster.Msg{Type: "resource", Dest: "node2", Fields: []cluster.KV{{K: "rsc_hold", V: "none"}}})
	if len(r.replies) != 1 || r.msg.Dest != "node2" {
		t.Fatalf("gap: %+v", r)
	}
	req, err := b.resend(r.replies[0], now)
	if err != nil {
		t.Fatal(err)
	}
	back, err := a.decode(req.Packet, now)
	if err != nil || len(back.replies) != 1 {
		t.Fatalf("rexmit answer: %+v %v", back, err)
	}
	if typ, _ := back.replies[0].Get("t"); typ != "NS_nak_rexmit" {
		t.Errorf("a never sent that seq: want a nak, got %s", back.replies[0])
	}
	// Own messages and strangers are not delivered.
	own, _ := b.encode(cluster.Msg{Type: "status"}, now)
	if r, err := b.decode(own.Packet, now); err != nil || r.deliver {
		t.Errorf("own message delivered: %+v %v", r, err)
	}
	c := newWire("node3", make([]byte, 16), 1, testConfig())
	strange, _ := c.encode(cluster.Msg{Type: "status"}, now)
	if _, err := b.decode(strange.Packet, now); err == nil {
		t.Error("a node that is not in ha.cf must be refused")
	}
}

func TestWireRejectsBadSignature(t *testing.T) {
	now := time.Now()
	a := newWire("node1", make([]byte, 16), 1, testConfig())
	other := testConfig()
	other.Auth.Keys[1] = config.AuthKey{Index: 1, Method: config.SHA1, Secret: "wrong"}
	b := newWire("node2", make([]byte, 16), 1, other)
	out, _ := a.encode(cluster.Msg{Type: "status"}, now)
	if _, err := b.decode(out.Packet, now); err == nil {
		t.Fatal("a message signed with another secret was accepted")
	}
}
