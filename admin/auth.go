package admin

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// challenge is a login between its two requests.
type challenge struct {
	clientNonce, serverNonce []byte
	source                   string
}

// session is a logged-in client.
type session struct {
	key     []byte
	lastSeq uint64
}

// ErrWrongPassword is CheckPassword's answer to a wrong password.
var ErrWrongPassword = errors.New("wrong password")

// LimitedError refuses a source that failed too many logins.
type LimitedError struct{ Wait time.Duration }

func (e *LimitedError) Error() string {
	return fmt.Sprintf("too many failed logins from this address: try again in %s", e.Wait)
}

// apiError is a refusal with its HTTP status and protocol code.
type apiError struct {
	status    int
	code, msg string
}

func (e *apiError) Error() string { return e.msg }

var (
	errBadMAC = &apiError{status: http.StatusUnauthorized, code: "request", msg: "request refused: its signature does not match (altered, or signed with another key)"}
	errReplay = &apiError{status: http.StatusUnauthorized, code: "request", msg: "request refused: its sequence number was used already (a replay)"}
)

// allow checks the rate limit for src; the first refusal since it ran
// out is logged.
func (s *Server) allow(r *http.Request, src string) error {
	ok, wait, first := s.limit.Allow(src)
	if ok {
		return nil
	}
	if first {
		s.log.Warn("admin logins refused: too many failures", "source", r.RemoteAddr, "retry_in", wait)
	}
	return &LimitedError{Wait: wait}
}

// fail counts and logs one failed authentication.
func (s *Server) fail(r *http.Request, src, what string) {
	s.limit.Fail(src)
	s.log.Warn("admin authentication failed", "source", r.RemoteAddr, "why", what, "path", r.URL.Path)
}

// readJSON reads the whole body into v strictly: one JSON object, no
// unknown field, nothing after it.
func readJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err)
	}
	return decodeJSON(body, v)
}

func decodeJSON(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return &apiError{status: http.StatusBadRequest, code: "request", msg: "malformed request: " + err.Error()}
	}
	if _, err := d.Token(); err != io.EOF {
		return &apiError{status: http.StatusBadRequest, code: "request", msg: "malformed request: data after the JSON object"}
	}
	return nil
}

func bodyError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &apiError{status: http.StatusRequestEntityTooLarge, code: "request", msg: fmt.Sprintf("request body over %d bytes", mb.Limit)}
	}
	return &apiError{status: http.StatusBadRequest, code: "request", msg: "reading the request: " + err.Error()}
}

// refuse writes an unsigned error response.
func refuse(w http.ResponseWriter, err error) {
	status, body := errorBody(err)
	var le *LimitedError
	if errors.As(err, &le) {
		w.Header().Set("Retry-After", strconv.Itoa(int(le.Wait/time.Second)))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// errorBody is the status and JSON body of a refusal.
func errorBody(err error) (int, []byte) {
	var ae *apiError
	var le *LimitedError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &le):
		ae = &apiError{status: http.StatusTooManyRequests, code: "limit", msg: le.Error()}
	default:
		ae = &apiError{status: http.StatusInternalServerError, code: "backend", msg: err.Error()}
	}
	b, _ := json.Marshal(errorResponse{Error: ae.msg, Code: ae.code})
	return ae.status, append(b, '\n')
}

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}

// readLogin reads the body of a login request into v, after the rate
// limit of its source; it refuses the request and returns false if it
// cannot.
func (s *Server) readLogin(w http.ResponseWriter, r *http.Request, v any) (src string, ok bool) {
	src = sourceKey(r.RemoteAddr)
	err := s.allow(r, src)
	if err == nil {
		err = readJSON(r, v)
	}
	if err != nil {
		refuse(w, err)
		return "", false
	}
	return src, true
}

// handleChallenge opens a login: it remembers the client's nonce with
// a fresh server nonce and sends the password's salt and cost.
func (s *Server) handleChallenge(w http.ResponseWriter, r *http.Request) {
	var req challengeRequest
	src, ok := s.readLogin(w, r, &req)
	if !ok {
		return
	}
	cn, err := decode32(req.ClientNonce)
	if err != nil {
		refuse(w, &apiError{status: http.StatusBadRequest, code: "request", msg: "client_nonce: " + err.Error()})
		return
	}
	sn := make([]byte, nonceLen)
	rand.Read(sn)
	id := b64.EncodeToString(sn)
	s.logins.Add(id, challenge{clientNonce: cn, serverNonce: sn, source: src})
	pw := s.pw.Load()
	writeJSON(w, challengeResponse{Session: id, Salt: b64.EncodeToString(pw.Salt),
		Time: pw.KDF.Time, Memory: pw.KDF.Memory, Threads: pw.KDF.Threads})
}

// handleLogin checks the client's proof against StoredKey, learns
// ClientKey from it, and opens the session.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	src, ok := s.readLogin(w, r, &req)
	if !ok {
		return
	}
	c, ok := s.logins.Take(req.Session)
	if !ok || c.source != src {
		refuse(w, &apiError{status: http.StatusUnauthorized, code: "session", msg: "no such login in progress (it took too long): start again"})
		return
	}
	proof, err := decode32(req.Proof)
	if err != nil {
		refuse(w, &apiError{status: http.StatusBadRequest, code: "request", msg: "proof: " + err.Error()})
		return
	}
	pw := s.pw.Load()
	am := authMessage(c.clientNonce, c.serverNonce)
	clientKey := xor32(proof, hmacSum(pw.StoredKey[:], am))
	stored := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(stored[:], pw.StoredKey[:]) != 1 {
		s.fail(r, src, "wrong password")
		refuse(w, &apiError{status: http.StatusUnauthorized, code: "auth", msg: "wrong password"})
		return
	}
	s.sessions.Add(req.Session, session{key: sessionKey(clientKey, am)})
	s.log.Info("admin login", "source", r.RemoteAddr)
	writeJSON(w, loginResponse{ServerSignature: b64.EncodeToString(hmacSum(pw.ServerKey[:], am)),
		IdleSeconds: int(s.o.Settings.SessionIdle / time.Second)})
}

// apiFunc answers a signed request; its result is sent as JSON, its
// error as a refusal, both signed.
type apiFunc func(ctx context.Context, r *http.Request, body []byte) (any, error)

// signed checks a request's session, MAC and sequence number before f
// sees it, and signs f's answer. extra is added to the request timeout
// (a log follow waits).
func (s *Server) signed(f apiFunc, extra time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src := sourceKey(r.RemoteAddr)
		if err := s.allow(r, src); err != nil {
			refuse(w, err)
			return
		}
		hdr, err := parseSigned(r.Header)
		if err != nil {
			s.fail(r, src, err.Error())
			refuse(w, &apiError{status: http.StatusUnauthorized, code: "request", msg: err.Error()})
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			refuse(w, bodyError(err))
			return
		}
		var key []byte
		err = s.sessions.Use(b64.EncodeToString(hdr.session), func(ss *session) error {
			if !hmac.Equal(requestMAC(ss.key, hdr.seq, r.Method, r.RequestURI, body), hdr.mac) {
				return errBadMAC
			}
			if hdr.seq <= ss.lastSeq {
				return errReplay
			}
			ss.lastSeq, key = hdr.seq, ss.key
			return nil
		})
		switch {
		case errors.Is(err, ErrNoSession):
			refuse(w, &apiError{status: http.StatusUnauthorized, code: "session", msg: err.Error()})
			return
		case err != nil:
			s.fail(r, src, err.Error())
			refuse(w, err)
			return
		}
		timeout := s.o.Settings.RequestTimeout + extra
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(timeout + time.Second))
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		status, out := http.StatusOK, []byte(nil)
		if v, err := f(ctx, r, body); err != nil {
			status, out = errorBody(err)
		} else {
			out, _ = json.Marshal(v)
			out = append(out, '\n')
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set(HeaderSeq, strconv.FormatUint(hdr.seq, 10))
		h.Set(HeaderMAC, b64.EncodeToString(responseMAC(key, hdr.seq, status, out)))
		w.WriteHeader(status)
		w.Write(out)
	})
}

// basicCache remembers the last password that passed CheckPassword, as
// a keyed hash, so that a Prometheus scraping every 15 s does not cost
// an argon2id each time.
type basicCache struct {
	mu   sync.Mutex
	key  [32]byte // random, per process
	hash []byte
	pw   *Password // the password file it was checked against
}

func (c *basicCache) sum(pw string) []byte {
	if c.key == ([32]byte{}) {
		rand.Read(c.key[:])
	}
	return hmacSum(c.key[:], []byte(pw))
}

func (c *basicCache) hit(p *Password, pw string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pw == p && c.hash != nil && hmac.Equal(c.sum(pw), c.hash)
}

func (c *basicCache) store(p *Password, pw string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pw, c.hash = p, c.sum(pw)
}

func (c *basicCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pw, c.hash = nil, nil
}

// CheckPassword checks a password sent in the clear over TLS (HTTP
// Basic auth of /metrics, a console's login form) against the password
// file, with the same rate limit and log lines as the admin protocol's
// logins. It returns nil, ErrWrongPassword, a *LimitedError, or ctx's
// error while waiting for another check to finish.
func (s *Server) CheckPassword(r *http.Request, password string) error {
	src := sourceKey(r.RemoteAddr)
	if err := s.allow(r, src); err != nil {
		return err
	}
	pw := s.pw.Load()
	if s.basic.hit(pw, password) {
		return nil
	}
	select {
	case s.slow <- struct{}{}:
	case <-r.Context().Done():
		return r.Context().Err()
	}
	ok := pw.Check(password)
	<-s.slow
	if !ok {
		s.fail(r, src, "wrong password")
		return ErrWrongPassword
	}
	s.basic.store(pw, password)
	return nil
}
