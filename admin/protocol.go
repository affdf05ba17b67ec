package admin

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// The protocol's HTTP paths. Everything under /api/v1/ but challenge and
// login is signed (see the package doc).
const (
	PathChallenge = "/api/v1/challenge"
	PathLogin     = "/api/v1/login"
	PathLogout    = "/api/v1/logout"
	PathStatus    = "/api/v1/status"
	PathCommand   = "/api/v1/command"
	PathLog       = "/api/v1/log"
	PathMetrics   = "/metrics"
)

// The headers that carry a signed request's session, sequence number and
// MAC, and a signed response's.
const (
	HeaderSession = "Understudy-Session"
	HeaderSeq     = "Understudy-Seq"
	HeaderMAC     = "Understudy-Mac"
)

// protoTag starts every signed message: it names the protocol version,
// so that a MAC of one version never verifies in another.
const protoTag = "understudy-admin-1"

// nonceLen is the length of the client's and the server's nonces; the
// server's nonce is also the session's name.
const nonceLen = 32

var b64 = base64.RawURLEncoding.Strict()

// challengeRequest opens a login: the client's nonce.
type challengeRequest struct {
	ClientNonce string `json:"client_nonce"`
}

// challengeResponse is the server's nonce (the session to be) and what
// the client needs to derive its keys from the password.
type challengeResponse struct {
	Session string `json:"session"`
	Salt    string `json:"salt"`
	Time    uint32 `json:"t"`
	Memory  uint32 `json:"m"`
	Threads uint8  `json:"p"`
}

// loginRequest proves that the client knows the password.
type loginRequest struct {
	Session string `json:"session"`
	Proof   string `json:"proof"`
}

// loginResponse proves that the server knows the password file.
type loginResponse struct {
	ServerSignature string `json:"server_signature"`
	// IdleSeconds: the session ends after this long unused.
	IdleSeconds int `json:"idle_seconds"`
}

// errorResponse is every refusal's body.
type errorResponse struct {
	Error string `json:"error"`
	// Code tells the client what to do: "session" (log in again),
	// "auth" (wrong password), "limit" (wait), "request" (a bug or an
	// attack), "backend" (the daemon could not answer).
	Code string `json:"code"`
}

// authMessage binds a login to both nonces.
func authMessage(clientNonce, serverNonce []byte) []byte {
	m := make([]byte, 0, len(protoTag)+1+2*nonceLen)
	m = append(m, protoTag...)
	m = append(m, 0)
	m = append(m, clientNonce...)
	return append(m, serverNonce...)
}

// sessionKey is the key that signs a session's requests and responses:
// only the client (which has the password) and the server (which learns
// ClientKey from the proof) can compute it.
func sessionKey(clientKey, am []byte) []byte {
	return hmacSum(clientKey, []byte("Session Key"), am)
}

// xor32 is a^b for 32-byte slices.
func xor32(a, b []byte) []byte {
	out := make([]byte, 32)
	for i := range out {
		out[i] = a[i] ^ b[i]
	}
	return out
}

// requestMAC signs one request: the sequence number, the method, the
// path with its query, and the body, each length-prefixed so that no
// two requests give the same input.
func requestMAC(key []byte, seq uint64, method, uri string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(protoTag + " request"))
	writeU64(m, seq)
	writeField(m, []byte(method))
	writeField(m, []byte(uri))
	writeField(m, body)
	return m.Sum(nil)
}

// responseMAC signs one response: the request's sequence number, the
// status code and the body.
func responseMAC(key []byte, seq uint64, status int, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(protoTag + " response"))
	writeU64(m, seq)
	writeU64(m, uint64(status))
	writeField(m, body)
	return m.Sum(nil)
}

type writer interface{ Write([]byte) (int, error) }

func writeU64(w writer, v uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	w.Write(b[:])
}

func writeField(w writer, p []byte) {
	writeU64(w, uint64(len(p)))
	w.Write(p)
}

// signedHeaders are the parsed authentication headers of a request.
type signedHeaders struct {
	session []byte
	seq     uint64
	mac     []byte
}

// errBadAuth is wrapped by parseSigned's errors.
var errBadAuth = errors.New("bad authentication headers")

// parseSigned reads the three authentication headers of a signed
// request. Each must be present exactly once: the session and MAC in
// unpadded base64url of exactly 32 bytes, the sequence number in decimal
// without sign or leading zero, 1 to 2^63-1.
func parseSigned(h http.Header) (signedHeaders, error) {
	one := func(name string) (string, error) {
		v := h.Values(name)
		if len(v) != 1 {
			return "", fmt.Errorf("%w: want one %s header, got %d", errBadAuth, name, len(v))
		}
		return v[0], nil
	}
	var s signedHeaders
	sess, err := one(HeaderSession)
	if err != nil {
		return s, err
	}
	if s.session, err = decode32(sess); err != nil {
		return s, fmt.Errorf("%w: %s: %v", errBadAuth, HeaderSession, err)
	}
	seq, err := one(HeaderSeq)
	if err != nil {
		return s, err
	}
	if s.seq, err = parseSeq(seq); err != nil {
		return s, fmt.Errorf("%w: %s: %v", errBadAuth, HeaderSeq, err)
	}
	mac, err := one(HeaderMAC)
	if err != nil {
		return s, err
	}
	if s.mac, err = decode32(mac); err != nil {
		return s, fmt.Errorf("%w: %s: %v", errBadAuth, HeaderMAC, err)
	}
	return s, nil
}

// decode32 decodes unpadded base64url that must hold exactly 32 bytes.
func decode32(s string) ([]byte, error) {
	if len(s) != b64.EncodedLen(32) {
		return nil, fmt.Errorf("%d characters, want %d", len(s), b64.EncodedLen(32))
	}
	return b64.DecodeString(s)
}

// parseSeq reads a sequence number: decimal, no sign, no leading zero,
// not 0, below 2^63.
func parseSeq(s string) (uint64, error) {
	if len(s) > 19 {
		return 0, fmt.Errorf("%d digits or more is not a sequence number", len(s))
	}
	if s == "" || s[0] == '0' {
		return 0, fmt.Errorf("%q is not a sequence number", s)
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a sequence number", s)
		}
	}
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil {
		return 0, fmt.Errorf("%q is not a sequence number", s)
	}
	return n, nil
}
