package admin

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func headers(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestParseSigned(t *testing.T) {
	id := b64.EncodeToString(bytes.Repeat([]byte{7}, 32))
	mac := b64.EncodeToString(bytes.Repeat([]byte{9}, 32))
	s, err := parseSigned(headers(HeaderSession, id, HeaderSeq, "42", HeaderMAC, mac))
	if err != nil || s.seq != 42 || s.session[0] != 7 || s.mac[31] != 9 {
		t.Fatalf("good: %+v %v", s, err)
	}
	if s, err := parseSigned(headers(HeaderSession, id, HeaderSeq, "9223372036854775807", HeaderMAC, mac)); err != nil || s.seq != 1<<63-1 {
		t.Errorf("largest seq: %v", err)
	}
	for _, tc := range []struct {
		name string
		h    http.Header
		want string
	}{
		{"none", headers(), "want one Understudy-Session header, got 0"},
		{"two sessions", headers(HeaderSession, id, HeaderSession, id, HeaderSeq, "1", HeaderMAC, mac), "got 2"},
		{"short session", headers(HeaderSession, id[:42], HeaderSeq, "1", HeaderMAC, mac), "42 characters, want 43"},
		{"padded", headers(HeaderSession, id[:42]+"=", HeaderSeq, "1", HeaderMAC, mac), "illegal base64"},
		{"std alphabet", headers(HeaderSession, strings.Repeat("+", 43), HeaderSeq, "1", HeaderMAC, mac), "illegal base64"},
		{"seq 0", headers(HeaderSession, id, HeaderSeq, "0", HeaderMAC, mac), `"0" is not a sequence number`},
		{"seq leading zero", headers(HeaderSession, id, HeaderSeq, "01", HeaderMAC, mac), "not a sequence number"},
		{"seq sign", headers(HeaderSession, id, HeaderSeq, "+1", HeaderMAC, mac), "not a sequence number"},
		{"seq 2^63", headers(HeaderSession, id, HeaderSeq, "9223372036854775808", HeaderMAC, mac), "not a sequence number"},
		{"seq huge", headers(HeaderSession, id, HeaderSeq, strings.Repeat("9", 5000), HeaderMAC, mac), "5000 digits"},
		{"no mac", headers(HeaderSession, id, HeaderSeq, "1"), "Understudy-Mac header, got 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseSigned(tc.h)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// FuzzParseSigned: the authentication headers of any request either
// parse into exactly what they say or are refused, without panic.
func FuzzParseSigned(f *testing.F) {
	id := b64.EncodeToString(bytes.Repeat([]byte{7}, 32))
	f.Add(id, "1", id)
	f.Add(id, "18446744073709551615", "")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, sess, seq, mac string) {
		s, err := parseSigned(headers(HeaderSession, sess, HeaderSeq, seq, HeaderMAC, mac))
		if err != nil {
			return
		}
		if len(s.session) != 32 || len(s.mac) != 32 || s.seq == 0 || s.seq >= 1<<63 ||
			b64.EncodeToString(s.session) != sess || b64.EncodeToString(s.mac) != mac {
			t.Fatalf("accepted %q %q %q as %+v", sess, seq, mac, s)
		}
	})
}

func TestMACsDiffer(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	base := requestMAC(key, 1, "POST", "/api/v1/command", []byte("{}"))
	for name, m := range map[string][]byte{
		"seq":           requestMAC(key, 2, "POST", "/api/v1/command", []byte("{}")),
		"method":        requestMAC(key, 1, "GET", "/api/v1/command", []byte("{}")),
		"path":          requestMAC(key, 1, "POST", "/api/v1/command?", []byte("{}")),
		"body":          requestMAC(key, 1, "POST", "/api/v1/command", []byte("{} ")),
		"shifted":       requestMAC(key, 1, "POST", "/api/v1/command{", []byte("}")),
		"key":           requestMAC(bytes.Repeat([]byte{2}, 32), 1, "POST", "/api/v1/command", []byte("{}")),
		"as a response": responseMAC(key, 1, 200, []byte("{}")),
	} {
		if bytes.Equal(m, base) {
			t.Errorf("%s does not change the MAC", name)
		}
	}
}

func TestParseLogQuery(t *testing.T) {
	since := time.Date(2026, 11, 22, 10, 0, 0, 5, time.UTC)
	q := LogQuery{N: 10, Since: since, Level: "warn", Text: "a b&c", After: 7, Wait: 25 * time.Second}
	got, err := parseLogQuery(q.values().Encode())
	if err != nil || got != q {
		t.Fatalf("round trip %+v %v", got, err)
	}
	for raw, want := range map[string]string{
		"n=-1":                              "out of range",
		"n=1&n=2":                           "n given 2 times",
		"level=loud":                        "unknown log level",
		"since=yesterday":                   "since",
		"wait=1h":                           "out of range",
		"after=x":                           "after",
		"x=1":                               `unknown parameter "x"`,
		"%zz":                               "invalid URL escape",
		"text=" + strings.Repeat("t", 1025): "longer than",
	} {
		if _, err := parseLogQuery(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.30s: %v, want %q", raw, err, want)
		}
	}
}

func FuzzParseLogQuery(f *testing.F) {
	f.Add("n=10&level=warn&text=x&after=3&wait=25s&since=2026-11-22T10:00:00Z")
	f.Add("n=1&n=1")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseLogQuery(raw)
		if err != nil {
			return
		}
		if q.N < 0 || q.Wait < 0 || q.Wait > MaxLogWait {
			t.Fatalf("accepted %+v", q)
		}
		if _, err := q.Query(); err != nil {
			t.Fatalf("accepted a level Query refuses: %v", err)
		}
		again, err := parseLogQuery(q.values().Encode())
		if err != nil || !again.Since.Equal(q.Since) || again.N != q.N || again.Text != q.Text || again.Level != q.Level {
			t.Fatalf("%+v written back reads %+v %v", q, again, err)
		}
	})
}

func TestCommandCheck(t *testing.T) {
	if err := (Command{Name: "move", Args: map[string]string{"group": "web ü", "node": "node2"}}).check(); err != nil {
		t.Errorf("good: %v", err)
	}
	many := map[string]string{}
	for i := range 17 {
		many[string(rune('a'+i))] = "x"
	}
	for _, tc := range []struct {
		c    Command
		want string
	}{
		{Command{}, "command name"},
		{Command{Name: "Standby"}, "lower-case"},
		{Command{Name: strings.Repeat("x", 65)}, "up to 64"},
		{Command{Name: "x", Args: many}, "17 arguments"},
		{Command{Name: "x", Args: map[string]string{"a b": "1"}}, `argument name "a b"`},
		{Command{Name: "x", Args: map[string]string{"a": "1\n2"}}, "control character"},
		{Command{Name: "x", Args: map[string]string{"a": strings.Repeat("v", 1025)}}, "too long"},
	} {
		if err := tc.c.check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.c, err, tc.want)
		}
	}
}

// FuzzDecodeCommand: a command body decodes strictly and checks, or is
// refused.
func FuzzDecodeCommand(f *testing.F) {
	f.Add([]byte(`{"name":"standby","args":{"set":"all"}}`))
	f.Add([]byte(`{"name":"x"} {}`))
	f.Add([]byte(`{"name":"x","extra":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var c Command
		if decodeJSON(body, &c) != nil || c.check() != nil {
			return
		}
		b, _ := json.Marshal(c)
		var again Command
		if err := decodeJSON(b, &again); err != nil || again.check() != nil || again.Name != c.Name || len(again.Args) != len(c.Args) {
			t.Fatalf("%q: re-encoded %s refused: %v", body, b, err)
		}
	})
}
