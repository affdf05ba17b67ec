package codec_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/transport/codec"
)

// Expected digests were computed independently with Python's hmac module
// and the CRC loop of spec 8.4.
func TestSign(t *testing.T) {
	tests := []struct {
		name string
		key  config.AuthKey
		data string
		want string
	}{
		{"crc check value", config.AuthKey{Index: 3, Method: config.CRC}, "123456789", "3 765e7680"},
		{"crc without leading zeros", config.AuthKey{Index: 3, Method: config.CRC}, "x40", "3 6a039b"},
		{"crc of empty input", config.AuthKey{Index: 3, Method: config.CRC}, "", "3 ffffffff"},
		{"crc", config.AuthKey{Index: 3, Method: config.CRC}, "t=ping\n", "3 aafeba98"},
		{"md5", config.AuthKey{Index: 2, Method: config.MD5, Secret: "othersecret"}, "t=ping\n", "2 811c62a2f7ffe9b6f66347bde7b52b48"},
		{"sha256", config.AuthKey{Index: 4, Method: config.SHA256, Secret: "understudy-secret"}, "t=ping\n", "4 328ef6465cbe6f1529d33fa0ebbea44f59114128d80d385871fb8b58f174d6ba"},
		{"sha1 key over 64 bytes is hashed first", config.AuthKey{Index: 15, Method: config.SHA1, Secret: strings.Repeat("k", 100)}, "t=ping\n", "15 bb360cc6f184708eb7ccdc844fb8d8f96926fdad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := codec.Sign(tt.key, []byte(tt.data))
			if err != nil || got != tt.want {
				t.Errorf("Sign = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := codec.Sign(config.AuthKey{Index: 1, Method: "rot13"}, nil); !errors.Is(err, codec.ErrUnknownKey) {
		t.Errorf("unknown method: %v", err)
	}
}

// signedStatus is a crc-signed netstring status with a known layout, for
// tampering with its auth strings.
func signedStatus(t *testing.T, idx int) []byte {
	t.Helper()
	b, err := codec.EncodeNetstring(msg(t, "t=status", "src=node1", "seq=1", "hg=1"), key(t, idx))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withTrailer replaces the trailer of a netstring frame.
func withTrailer(b []byte, trailer string) []byte {
	i := strings.Index(string(b), "%%%\n") + 4
	return []byte(string(b[:i]) + trailer)
}

func TestVerifyVerdicts(t *testing.T) {
	good := signedStatus(t, 1)
	body := string(withTrailer(good, ""))
	digest := string(good[len(good)-41 : len(good)-1]) // sha1 hex of the trailer
	classic, _ := codec.EncodeClassic(msg(t, "t=status", "src=node1"), key(t, 1))
	tests := []struct {
		name  string
		in    []byte
		want  error
		index int
	}{
		{"good sha1", good, nil, 0},
		{"good md5", signedStatus(t, 2), nil, 0},
		{"good crc", signedStatus(t, 3), nil, 0},
		{"good sha256", signedStatus(t, 4), nil, 0},
		{"trailer missing", []byte(body), codec.ErrBadAuth, -1},
		{"trailer empty", []byte(body + "0:,"), codec.ErrBadAuth, -1},
		{"trailer without digest", []byte(body + "2:1 ,"), codec.ErrBadAuth, -1},
		{"trailer without blank", []byte(body + "3:1ab,"), codec.ErrBadAuth, -1},
		{"trailer index not a number", []byte(body + "5:x abc,"), codec.ErrBadAuth, -1},
		{"trailer index too long", []byte(body + "5:001 a,"), codec.ErrBadAuth, -1},
		{"trailer digest with blank", []byte(body + "5:1 a b,"), codec.ErrBadAuth, -1},
		{"trailer names unknown index", withTrailer(good, "5:9 abc,"), codec.ErrUnknownKey, 9},
		{"trailer digest wrong", withTrailer(good, "5:1 abc,"), codec.ErrBadDigest, 1},
		{"trailer digest in upper case", []byte(body + "42:1 " + strings.ToUpper(digest) + ","), codec.ErrBadDigest, 1},
		{"body changed after signing", []byte(strings.Replace(string(good), "node1", "node2", 1)), codec.ErrBadDigest, 1},
		{"classic good", classic, nil, 0},
		{"classic auth missing", []byte(">>>\nt=status\nsrc=node1\n<<<\n"), codec.ErrBadAuth, -1},
		{"classic unknown index", []byte(strings.Replace(string(classic), "auth=1 ", "auth=7 ", 1)), codec.ErrUnknownKey, 7},
		{"classic field changed", []byte(strings.Replace(string(classic), "node1", "node3", 1)), codec.ErrBadDigest, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := codec.Decode(tt.in, labKeys())
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Decode: %v, want %v", err, tt.want)
			}
			if err == nil {
				return
			}
			var ae *codec.AuthError
			if !errors.As(err, &ae) || ae.Index != tt.index {
				t.Errorf("error %v: want *AuthError with index %d", err, tt.index)
			}
			if errors.Is(err, codec.ErrMalformed) {
				t.Errorf("auth failure reported as malformed: %v", err)
			}
		})
	}
}

// TestNetstringIgnoresInnerAuth: as in heartbeat (spec 3.4), a netstring
// frame is authenticated by its trailer only; the inner field may be
// absent (msgfmt netstring) or stale.
func TestNetstringIgnoresInnerAuth(t *testing.T) {
	body := "###\n11:(0)t=status,%%%\n"
	k := key(t, 1)
	tr, _ := codec.Sign(k, []byte(body))
	raw := []byte(body + "42:" + tr + ",")
	p, err := codec.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.InnerAuth != "" {
		t.Errorf("inner auth %q", p.InnerAuth)
	}
	if err := p.Verify(labKeys()); err != nil {
		t.Fatal(err)
	}
	stale := "###\n11:(0)t=status,14:(0)auth=1 abcd,%%%\n"
	tr, _ = codec.Sign(k, []byte(stale))
	if _, err := codec.Decode([]byte(stale+"42:"+tr+","), labKeys()); err != nil {
		t.Errorf("stale inner auth: %v", err)
	}
}

func TestVerifyZeroPacket(t *testing.T) {
	if err := (&codec.Packet{}).Verify(labKeys()); !errors.Is(err, codec.ErrBadAuth) {
		t.Errorf("zero Packet: %v, want ErrBadAuth", err)
	}
}
