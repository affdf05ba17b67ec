package admin

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
)

// DefaultClientTimeout bounds one request of a Client.
const DefaultClientTimeout = 10 * time.Second

// maxResponse bounds what a client reads: a log of MaxFileRecords.
const maxResponse = 64 << 20

// ClientOptions say which admin port to reach and how.
type ClientOptions struct {
	// Addr is HOST[:PORT], the port 9050 by default (--host).
	Addr string
	// Password is the admin password (UNDERSTUDY_PASSWORD, or asked).
	Password string
	// Trust decides whether the certificate is the node's.
	Trust Trust
	// Timeout bounds each request (DefaultClientTimeout if 0); a log
	// follow adds its wait.
	Timeout time.Duration
}

// Client is a logged-in session on one node's admin port: what
// `understudy --host` uses. It sends one request at a time (the
// sequence numbers must arrive in order); its methods may be called from
// several goroutines and then wait for each other. When the node forgot
// the session (it restarted, or the session was idle too long) the
// client logs in again once and repeats the request, which the node
// had refused without acting on it.
type Client struct {
	o    ClientOptions
	addr string
	base string
	hc   *http.Client

	mu      sync.Mutex
	session string
	key     []byte
	seq     uint64
	fp      string
}

// RemoteError is a node's refusal.
type RemoteError struct {
	Addr   string
	Status int
	// Code is the protocol's: session, auth, limit, request, backend.
	Code string
	Msg  string
	// Signed: the refusal came signed with the session key, so it is
	// the node's own word; unsigned refusals (before a session exists)
	// could come from anyone on the path.
	Signed bool
}

func (e *RemoteError) Error() string { return e.Addr + ": " + e.Msg }

// Is makes errors.Is(err, ErrWrongPassword) true for a wrong password.
func (e *RemoteError) Is(target error) bool { return target == ErrWrongPassword && e.Code == "auth" }

// Dial checks the node's certificate (asking Trust.Ask, outside the
// handshake, about an unknown one) and logs in.
func Dial(ctx context.Context, o ClientOptions) (*Client, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultClientTimeout
	}
	c := &Client{o: o, addr: HostPort(o.Addr)}
	c.base = "https://" + c.addr
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// connect builds the HTTP client for the trust in force and logs in;
// an unknown host that the operator accepts is remembered and the login
// tried again with its fingerprint.
func (c *Client) connect(ctx context.Context) error {
	cfg, err := c.o.Trust.tlsConfig(c.addr)
	if err != nil {
		return err
	}
	c.hc = &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, Proxy: nil,
		TLSHandshakeTimeout: c.o.Timeout, MaxIdleConnsPerHost: 1}}
	err = c.login(ctx)
	var uh *UnknownHostError
	if !errors.As(err, &uh) || c.o.Trust.Ask == nil {
		return err
	}
	yes, err := c.o.Trust.Ask(uh.Addr, uh.Fingerprint)
	if err != nil {
		return err
	}
	if !yes {
		return uh
	}
	if err := rememberHost(uh.File, uh.Addr, uh.Fingerprint); err != nil {
		return err
	}
	c.o.Trust = Trust{Fingerprint: uh.Fingerprint}
	return c.connect(ctx)
}

// Fingerprint is the fingerprint of the certificate the node presented.
func (c *Client) Fingerprint() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fp
}

// post sends an unsigned JSON request (challenge, login) and decodes a
// 200 answer into out.
func (c *Client) post(ctx context.Context, path string, in, out any) error {
	b, _ := json.Marshal(in)
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	status, _, body, err := c.send(req)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return c.remoteError(status, body, false)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: malformed answer: %w", c.addr, err)
	}
	return nil
}

// send does one HTTP exchange and reads the whole answer.
func (c *Client) send(req *http.Request) (int, http.Header, []byte, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		var uh *UnknownHostError
		var mm *MismatchError
		if errors.As(err, &uh) {
			return 0, nil, nil, uh
		}
		if errors.As(err, &mm) {
			return 0, nil, nil, mm
		}
		return 0, nil, nil, fmt.Errorf("admin port %s: %w", c.addr, err)
	}
	defer resp.Body.Close()
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		c.fp = Fingerprint(resp.TLS.PeerCertificates[0].Raw)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("admin port %s: reading the answer: %w", c.addr, err)
	}
	return resp.StatusCode, resp.Header, body, nil
}

func (c *Client) remoteError(status int, body []byte, signed bool) error {
	var er errorResponse
	if json.Unmarshal(body, &er) != nil || er.Error == "" {
		er.Error = fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	}
	return &RemoteError{Addr: c.addr, Status: status, Code: er.Code, Msg: er.Error, Signed: signed}
}

// login runs the challenge and the proof (see the package doc), checks
// the node's own proof, and keeps the session key. Called with c.mu
// held or before c is shared.
func (c *Client) login(ctx context.Context) error {
	cn := make([]byte, nonceLen)
	rand.Read(cn)
	var ch challengeResponse
	if err := c.post(ctx, PathChallenge, challengeRequest{ClientNonce: b64.EncodeToString(cn)}, &ch); err != nil {
		return err
	}
	sn, err := decode32(ch.Session)
	if err != nil {
		return fmt.Errorf("%s: malformed challenge: %w", c.addr, err)
	}
	salt, err := b64.DecodeString(ch.Salt)
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return fmt.Errorf("%s: malformed challenge: bad salt", c.addr)
	}
	kdf := KDF{Time: ch.Time, Memory: ch.Memory, Threads: ch.Threads}
	if err := kdf.check(); err != nil {
		return fmt.Errorf("%s: the node asks for an unreasonable cost: %w", c.addr, err)
	}
	ks := deriveKeys(c.o.Password, salt, kdf)
	am := authMessage(cn, sn)
	proof := xor32(ks.client[:], hmacSum(ks.stored[:], am))
	var lr loginResponse
	if err := c.post(ctx, PathLogin, loginRequest{Session: ch.Session, Proof: b64.EncodeToString(proof)}, &lr); err != nil {
		return err
	}
	sig, err := b64.DecodeString(lr.ServerSignature)
	if err != nil || !hmac.Equal(sig, hmacSum(ks.server[:], am)) {
		return fmt.Errorf("%s: the node accepted the login but could not prove that it holds the password file: it is not a node of this cluster", c.addr)
	}
	c.session, c.key, c.seq = ch.Session, sessionKey(ks.client[:], am), 0
	return nil
}

// call sends a signed request and decodes the signed answer into out.
func (c *Client) call(ctx context.Context, method, path, query string, in, out any, extra time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	for retry := 0; ; retry++ {
		err := c.callOnce(ctx, method, path, query, body, out, extra)
		var re *RemoteError
		if retry > 0 || !errors.As(err, &re) || re.Code != "session" {
			return err
		}
		if err := c.login(ctx); err != nil {
			return err
		}
	}
}

func (c *Client) callOnce(ctx context.Context, method, path, query string, body []byte, out any, extra time.Duration) error {
	uri := path
	if query != "" {
		uri += "?" + query
	}
	c.seq++
	seq := c.seq
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout+extra)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+uri, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set(HeaderSession, c.session)
	req.Header.Set(HeaderSeq, strconv.FormatUint(seq, 10))
	req.Header.Set(HeaderMAC, b64.EncodeToString(requestMAC(c.key, seq, method, req.URL.RequestURI(), body)))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	status, h, rb, err := c.send(req)
	if err != nil {
		return err
	}
	if h.Get(HeaderMAC) == "" {
		return c.remoteError(status, rb, false)
	}
	mac, err := decode32(h.Get(HeaderMAC))
	if err != nil || h.Get(HeaderSeq) != strconv.FormatUint(seq, 10) || !hmac.Equal(mac, responseMAC(c.key, seq, status, rb)) {
		return fmt.Errorf("%s: the answer's signature does not match: it was altered on the way, or is not the node's", c.addr)
	}
	if status != http.StatusOK {
		return c.remoteError(status, rb, true)
	}
	if out != nil {
		if err := json.Unmarshal(rb, out); err != nil {
			return fmt.Errorf("%s: malformed answer: %w", c.addr, err)
		}
	}
	return nil
}

// Status is the node's status, as `understudy status` shows it.
func (c *Client) Status(ctx context.Context) (control.Status, error) {
	var st control.Status
	err := c.call(ctx, http.MethodGet, PathStatus, "", nil, &st, 0)
	return st, err
}

// Command sends a command (Standby, Takeover, Command{Name: CmdReload},
// …) and returns the node's answer; a refusal is an Answer, not an
// error (see Answer.Err).
func (c *Client) Command(ctx context.Context, cmd Command) (Answer, error) {
	if err := cmd.check(); err != nil {
		return Answer{}, err
	}
	var a Answer
	err := c.call(ctx, http.MethodPost, PathCommand, "", cmd, &a, 0)
	return a, err
}

// Log returns the node's records that q selects, newest first.
func (c *Client) Log(ctx context.Context, q LogQuery) ([]logging.Record, error) {
	var lr logResponse
	err := c.call(ctx, http.MethodGet, PathLog, q.values().Encode(), nil, &lr, min(q.Wait, MaxLogWait))
	return lr.Records, err
}

// followWait is how long each poll of Follow waits for news.
const followWait = 25 * time.Second

// Follow calls fn with each new record that q selects (q.N and q.After
// are ignored), oldest first, as it is logged, until ctx ends (then it
// returns nil) or fn or a request fails. It starts after the newest
// record the node holds now: call Log first to show what came before.
func (c *Client) Follow(ctx context.Context, q LogQuery, fn func(logging.Record) error) error {
	return FollowLog(ctx, c, q, fn)
}

// LogReader is a node's log: a Client, or the local control socket.
type LogReader interface {
	Log(ctx context.Context, q LogQuery) ([]logging.Record, error)
}

// FollowLog is Client.Follow for any LogReader: it polls r with q.After
// and q.Wait.
func FollowLog(ctx context.Context, r LogReader, q LogQuery, fn func(logging.Record) error) error {
	// The newest record of any kind gives the ID to follow from.
	last, err := r.Log(ctx, LogQuery{N: 1})
	if err != nil {
		return err
	}
	var after uint64
	if len(last) > 0 {
		after = last[0].ID
	}
	for ctx.Err() == nil {
		q.N, q.After, q.Wait = 0, after, followWait
		recs, err := r.Log(ctx, q)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		for i := len(recs) - 1; i >= 0; i-- {
			if err := fn(recs[i]); err != nil {
				return err
			}
			after = max(after, recs[i].ID)
		}
	}
	return nil
}

// Close ends the session on the node (best effort, a few seconds at
// most).
func (c *Client) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), min(c.o.Timeout, 3*time.Second))
	defer cancel()
	err := c.call(ctx, http.MethodPost, PathLogout, "", struct{}{}, nil, 0)
	c.hc.CloseIdleConnections()
	return err
}
