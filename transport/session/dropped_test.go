package session_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/transport/codec"
	"github.com/understudy-ha/understudy/transport/session"
)

// Every dropped frame is an *Error whose Reason, sentinel and text say
// why, and where the codec found it.
func TestDropped(t *testing.T) {
	a := node("node1", 7)
	good := encode(t, a, status("1")).Packet
	otherSecret := encode(t, node("node1", 7, func(o *session.Options) { o.Keys = keys("wrong") }), status("1")).Packet
	key5 := encode(t, node("node1", 7, func(o *session.Options) {
		o.Keys = config.AuthKeys{Active: 5, Keys: map[int]config.AuthKey{5: {Index: 5, Method: config.CRC}}}
	}), status("1")).Packet
	noTrailer := good[:bytes.Index(good, []byte("%%%\n"))+4]
	noSeq, err := codec.EncodeNetstring(mustMsg(t, "t=status", "src=node1", "hg=7"), keys("s").ActiveKey())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		frame    []byte
		reason   session.Reason
		sentinel error
		src      string
		// text is part of the error message.
		text string
	}{
		{"random bytes", []byte("\x8f\x01GET / HTTP/1.1\r\n"), session.Malformed, session.ErrMalformed, "", "at byte 0"},
		{"cut short", good[:40], session.Malformed, session.ErrMalformed, "", "netstring frame at byte"},
		{"no sequence number", noSeq, session.Malformed, session.ErrMalformed, "node1", "no seq field"},
		{"no trailer", noTrailer, session.BadAuth, session.ErrBadAuth, "node1", "trailer"},
		{"other secret", otherSecret, session.BadDigest, session.ErrBadDigest, "node1", "key 1"},
		{"unknown key index", key5, session.UnknownKey, session.ErrUnknownKey, "node1", "key 5"},
		{"not a node", encode(t, node("node3", 1), status("1")).Packet, session.NotNode, session.ErrNotNode, "node3", `"node3", which is not a node of ha.cf`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := node("node2", 9)
			r, err := b.Decode(tt.frame, t0)
			var se *session.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want a *session.Error", err, err)
			}
			if se.Reason != tt.reason || session.ReasonOf(err) != tt.reason || !errors.Is(err, tt.sentinel) || se.Src != tt.src {
				t.Errorf("got reason %s, src %q, error %v; want %s from %q", se.Reason, se.Src, err, tt.reason, tt.src)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not say %q", err, tt.text)
			}
			if r.Deliver || len(r.Replies) > 0 {
				t.Errorf("dropped frame gave %+v", r)
			}
			var fe *codec.FormatError
			var ae *codec.AuthError
			switch tt.reason {
			case session.Malformed:
				if tt.src == "" && !errors.As(err, &fe) {
					t.Errorf("no *codec.FormatError in %v", err)
				}
			case session.BadAuth, session.UnknownKey, session.BadDigest:
				if !errors.As(err, &ae) || r.Packet == nil {
					t.Errorf("no *codec.AuthError in %v, or no parsed packet", err)
				}
			}
		})
	}
	// The reasons are told apart.
	for _, s := range []error{session.ErrMalformed, session.ErrBadAuth, session.ErrUnknownKey, session.ErrBadDigest, session.ErrNotNode, session.ErrReplay} {
		if errors.Is(&session.Error{Reason: session.Replay}, s) != (s == session.ErrReplay) {
			t.Errorf("a replay error matches %v", s)
		}
	}
}

func mustMsg(t *testing.T, words ...string) *codec.Message {
	t.Helper()
	m := &codec.Message{}
	for _, w := range words {
		k, v, _ := strings.Cut(w, "=")
		if err := m.Add(codec.Field{Name: k, Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	return m
}
