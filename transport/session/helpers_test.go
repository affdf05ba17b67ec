package session_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/codec"
	"github.com/understudy-ha/understudy/transport/session"
)

var t0 = time.Unix(1795344600, 0)

func keys(secret string) config.AuthKeys {
	return config.AuthKeys{Active: 1, Keys: map[int]config.AuthKey{1: {Index: 1, Method: config.SHA1, Secret: secret}}}
}

// node returns a session of the two-node lab cluster (node1, node2) with
// a serial link, signing with sha1 "s", at generation gen.
func node(self string, gen uint64, opts ...func(*session.Options)) *session.Session {
	o := session.Options{Self: self, UUID: bytes.Repeat([]byte{self[len(self)-1]}, 16), Generation: gen,
		RexmitDelay: 250 * time.Millisecond, Load: func() string { return "0.00 0.00 0.00 1/1 1" },
		Config: session.Config{Keys: keys("s"), Nodes: []string{"node1", "node2"}, TTL: 3, Classic: true}}
	for _, f := range opts {
		f(&o)
	}
	return session.New(o)
}

func encode(t *testing.T, s *session.Session, m session.Message) transport.Outbound {
	t.Helper()
	o, err := s.Encode(m, t0)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func decode(t *testing.T, s *session.Session, frame []byte) session.Received {
	t.Helper()
	r, err := s.Decode(frame, t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func status(seqHint string) session.Message {
	return session.Message{Type: "status", Fields: []session.Field{{Name: "st", Value: "active"}, {Name: "info", Value: seqHint}}}
}

// wireMsg reads back an encoded frame, standard fields included.
func wireMsg(t *testing.T, frame []byte) *codec.Message {
	t.Helper()
	m, err := codec.Decode(frame, keys("s"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func get(m *codec.Message, name string) string {
	v, _ := m.Get(name)
	return v
}
