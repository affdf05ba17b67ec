package admin_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/admintest"
	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
)

// raw is an HTTPS client that takes any certificate: an attacker's
// tool, or curl -k.
func raw() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestStatusCommandLog(t *testing.T) {
	b := &admintest.Backend{St: control.Status{Node: "node1", Version: "v1",
		Cluster: cluster.Snapshot{Self: "node1", Nodes: []cluster.NodeStatus{{Name: "node2", Status: "active"}}}}}
	s := admintest.Start(t, b, nil)
	c := s.Dial(t)

	st, err := c.Status(ctx(t))
	if err != nil || st.Node != "node1" || st.Cluster.Nodes[0].Name != "node2" {
		t.Fatalf("status %+v %v", st, err)
	}
	if c.Fingerprint() != s.Fingerprint() {
		t.Errorf("client saw %s, server has %s", c.Fingerprint(), s.Fingerprint())
	}

	a, err := c.Command(ctx(t), admin.Standby(cluster.SetForeign))
	if err != nil || a.Verdict != admin.Accepted {
		t.Fatalf("standby: %+v %v", a, err)
	}
	b.Answer = &admin.Answer{Verdict: admin.Refused, Reason: "node2 is dead"}
	a, err = c.Command(ctx(t), admin.Takeover(cluster.SetAll))
	if err != nil || a.Err() == nil || a.Err().Error() != "node2 is dead" {
		t.Fatalf("takeover: %+v %v", a, err)
	}
	want := []admin.Command{admin.Standby(cluster.SetForeign), admin.Takeover(cluster.SetAll)}
	if got := b.Commands(); len(got) != 2 || got[0].Name != "standby" || got[0].Args["set"] != "foreign" || got[1].Name != want[1].Name {
		t.Errorf("backend got %+v", got)
	}
	if !s.Logged("admin command cmd=takeover set=all source=127.0.0.1:") || !s.Logged(`verdict=refused reason="node2 is dead"`) {
		t.Errorf("command not logged with its source and verdict:\n%v", s.Log.Query(logging.Query{}))
	}

	b.Ring = logging.NewRing(10, nil)
	l := slog.New(b.Ring.Handler())
	l.Info("group acquired", "group", "web")
	l.Warn("late heartbeat", "node", "node2")
	recs, err := c.Log(ctx(t), admin.LogQuery{N: 5, Level: "warn"})
	if err != nil || len(recs) != 1 || recs[0].Text != "late heartbeat" || recs[0].ID != 2 {
		t.Fatalf("log: %+v %v", recs, err)
	}
	recs, err = c.Log(ctx(t), admin.LogQuery{Text: "GROUP"})
	if err != nil || len(recs) != 1 || recs[0].Attrs[0] != (logging.Attr{Key: "group", Value: "web"}) {
		t.Fatalf("log text: %+v %v", recs, err)
	}
	if recs, err = c.Log(ctx(t), admin.LogQuery{Since: time.Now().Add(time.Hour)}); err != nil || len(recs) != 0 {
		t.Fatalf("log since: %+v %v", recs, err)
	}
}

func TestFollow(t *testing.T) {
	b := &admintest.Backend{Ring: logging.NewRing(10, nil)}
	l := slog.New(b.Ring.Handler())
	l.Info("before")
	s := admintest.Start(t, b, nil)
	c := s.Dial(t)
	cx, cancel := context.WithCancel(ctx(t))
	defer cancel()
	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		done <- c.Follow(cx, admin.LogQuery{Level: "warn"}, func(r logging.Record) error {
			got <- r.Text
			if r.Text == "third" {
				cancel()
			}
			return nil
		})
	}()
	// The follower starts after the newest record when it starts: log
	// "ready" until it shows that it runs.
	deadline := time.After(15 * time.Second)
	for ready := false; !ready; {
		l.Warn("ready")
		select {
		case g := <-got:
			ready = g == "ready"
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("follow saw nothing")
		}
	}
	l.Info("not shown: info is below warn")
	l.Warn("second")
	l.Warn("third")
	var seen []string
	for len(seen) == 0 || seen[len(seen)-1] != "third" {
		select {
		case g := <-got:
			if g != "ready" { // more copies of ready may come
				seen = append(seen, g)
			}
		case <-deadline:
			t.Fatalf("follow saw only %v", seen)
		}
	}
	if !slices.Equal(seen, []string{"second", "third"}) {
		t.Errorf("followed %v", seen)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestWrongPasswordAndLimit(t *testing.T) {
	s := admintest.Start(t, &admintest.Backend{}, func(o *admin.Options) { o.Settings.LoginFailures = 2 })
	dial := func() error {
		c, err := admin.Dial(ctx(t), admin.ClientOptions{Addr: s.Addr, Password: "not the password",
			Trust: admin.Trust{Fingerprint: s.Fingerprint()}})
		if err == nil {
			c.Close()
		}
		return err
	}
	for range 2 {
		err := dial()
		if !errors.Is(err, admin.ErrWrongPassword) || !strings.Contains(err.Error(), "wrong password") {
			t.Fatalf("wrong password: %v", err)
		}
	}
	if !s.Logged("admin authentication failed source=127.0.0.1:") {
		t.Errorf("failure not logged with its source: %v", s.Log.Query(logging.Query{}))
	}
	err := dial()
	var re *admin.RemoteError
	if !errors.As(err, &re) || re.Code != "limit" || re.Status != http.StatusTooManyRequests || !strings.Contains(err.Error(), "try again in") {
		t.Fatalf("third try: %v", err)
	}
	// The right password is refused too while the source is limited.
	if _, err := admin.Dial(ctx(t), admin.ClientOptions{Addr: s.Addr, Password: admintest.Password,
		Trust: admin.Trust{Fingerprint: s.Fingerprint()}}); !errors.As(err, &re) || re.Code != "limit" {
		t.Fatalf("limited source with the right password: %v", err)
	}
	dial()
	if n := len(s.Log.Query(logging.Query{Text: "too many failures"})); n != 1 {
		t.Errorf("the refusal is logged once, not per attempt: %d lines", n)
	}
}

// recorder keeps a copy of the last request to a path, and can alter
// answers on their way back.
type recorder struct {
	h       http.Handler
	path    string
	last    *http.Request
	body    []byte
	tamper  bool
	lastSeq string
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == rc.path {
		rc.body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(rc.body))
		rc.last = r.Clone(context.Background())
	}
	if rc.tamper && r.URL.Path == admin.PathStatus {
		w = &tamperWriter{ResponseWriter: w}
	}
	rc.h.ServeHTTP(w, r)
}

type tamperWriter struct{ http.ResponseWriter }

func (t *tamperWriter) Write(b []byte) (int, error) {
	return t.ResponseWriter.Write(bytes.Replace(b, []byte("node1"), []byte("nodeX"), 1))
}

// resend sends a captured request again, as an attacker on the path
// could, possibly altered.
func resend(t *testing.T, s *admintest.Server, r *http.Request, body []byte, rawQuery string) *http.Response {
	t.Helper()
	u := *r.URL
	u.Scheme, u.Host = "https", s.Addr
	if rawQuery != "" {
		u.RawQuery = rawQuery
	}
	req, _ := http.NewRequestWithContext(ctx(t), r.Method, u.String(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	resp, err := raw().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestReplayAndAlteration(t *testing.T) {
	b := &admintest.Backend{St: control.Status{Node: "node1"}}
	s := admintest.Start(t, b, nil)
	rc := &recorder{h: s.Handler(), path: admin.PathCommand}
	s.HTTP.Config.Handler = rc
	c := s.Dial(t)
	if _, err := c.Command(ctx(t), admin.Standby(cluster.SetAll)); err != nil {
		t.Fatal(err)
	}
	captured, body := rc.last, rc.body
	if resp := resend(t, s, captured, body, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("replayed command: %s", resp.Status)
	}
	altered := bytes.Replace(body, []byte(`"all"`), []byte(`"local"`), 1)
	if resp := resend(t, s, captured, altered, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("altered body: %s", resp.Status)
	}
	// Bump the sequence number: the MAC covers it.
	captured.Header.Set(admin.HeaderSeq, "99")
	if resp := resend(t, s, captured, body, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("altered seq: %s", resp.Status)
	}
	if n := len(b.Commands()); n != 1 {
		t.Fatalf("the backend ran %d commands, want 1", n)
	}
	if !s.Logged("a replay") || !s.Logged("signature does not match") {
		t.Errorf("refusals not logged: %v", s.Log.Query(logging.Query{}))
	}
	// The client's next request still goes through: its seq is higher.
	if _, err := c.Status(ctx(t)); err != nil {
		t.Fatal(err)
	}

	rc.path = admin.PathLog
	if _, err := c.Log(ctx(t), admin.LogQuery{N: 1}); err != nil {
		t.Fatal(err)
	}
	rc.last.Header.Set(admin.HeaderSeq, "1000")
	if resp := resend(t, s, rc.last, nil, "n=1000"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("altered query: %s", resp.Status)
	}

	rc.tamper = true
	_, err := c.Status(ctx(t))
	if err == nil || !strings.Contains(err.Error(), "signature does not match") {
		t.Errorf("altered answer accepted: %v", err)
	}
}

func TestSessionEndsLoginAgain(t *testing.T) {
	b := &admintest.Backend{St: control.Status{Node: "node1"}}
	s := admintest.Start(t, b, nil)
	c := s.Dial(t)
	// The node changes its password: every session ends, and the
	// client's login again fails.
	admintest.WritePassword(t, s.Dir, "another password")
	if _, err := s.ReloadPassword(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Status(ctx(t)); !errors.Is(err, admin.ErrWrongPassword) {
		t.Errorf("after a password change: %v", err)
	}
	admintest.WritePassword(t, s.Dir, admintest.Password)
	s.ReloadPassword()
	// Same password again: the client logs in again by itself.
	if st, err := c.Status(ctx(t)); err != nil || st.Node != "node1" {
		t.Errorf("login again: %+v %v", st, err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestNoPassword(t *testing.T) {
	dir := t.TempDir()
	_, err := admin.NewServer(admin.Options{Dir: dir, StateDir: dir, Backend: &admintest.Backend{}})
	if !errors.Is(err, admin.ErrNoPassword) || !strings.Contains(err.Error(), "understudy passwd -c "+dir) {
		t.Fatalf("got %v", err)
	}
	if strings.Count(err.Error(), "\n") != 0 {
		t.Errorf("want one line: %q", err)
	}
}

func TestLimits(t *testing.T) {
	b := &admintest.Backend{}
	s := admintest.Start(t, b, func(o *admin.Options) {
		o.Settings.MaxRequest = 1024
		o.Settings.RequestTimeout = 200 * time.Millisecond
	})
	c := s.Dial(t)
	_, err := c.Command(ctx(t), admin.Command{Name: "move", Args: map[string]string{"group": strings.Repeat("g", 1000), "node": strings.Repeat("n", 1000)}})
	var re *admin.RemoteError
	if !errors.As(err, &re) || re.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("big request: %v", err)
	}
	b.Block = true
	if _, err := c.Status(ctx(t)); !errors.As(err, &re) || re.Code != "backend" || !re.Signed {
		t.Errorf("slow backend: %v", err)
	}
	b.Block = false
	// A log request may wait longer than request_timeout.
	if recs, err := c.Log(ctx(t), admin.LogQuery{After: 1000, Wait: 500 * time.Millisecond}); err != nil || len(recs) != 0 {
		t.Errorf("log wait beyond request_timeout: %v %v", recs, err)
	}
	resp, err := raw().Post("https://"+s.Addr+admin.PathChallenge, "application/json", strings.NewReader(`{"client_nonce":"x","more":1}`))
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown field: %v %v", resp.Status, err)
	}
	resp, err = raw().Get("https://" + s.Addr + admin.PathStatus)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned status: %v %v", resp.Status, err)
	}
}

func TestHandleMountsMore(t *testing.T) {
	s := admintest.Start(t, &admintest.Backend{}, nil)
	s.Handle("POST /console/login", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.CheckPassword(r, r.FormValue("password")); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		io.WriteString(w, "welcome")
	}))
	post := func(pw string) (int, string) {
		resp, err := raw().PostForm("https://"+s.Addr+"/console/login", map[string][]string{"password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post(admintest.Password); code != 200 || body != "welcome" {
		t.Errorf("right password: %d %q", code, body)
	}
	if code, body := post("wrong"); code != http.StatusForbidden || !strings.Contains(body, "wrong password") {
		t.Errorf("wrong password: %d %q", code, body)
	}
	if !s.Logged("admin authentication failed source=127.0.0.1:") {
		t.Error("console failure not logged")
	}
}

func TestStartShutdown(t *testing.T) {
	dir := t.TempDir()
	admintest.WritePassword(t, dir, admintest.Password)
	set := admintest.Settings()
	set.Listen = []string{"127.0.0.1:0"}
	s, err := admin.NewServer(admin.Options{Dir: dir, StateDir: filepath.Join(dir, "state"), Settings: set,
		Backend: &admintest.Backend{St: control.Status{Node: "n1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	addr := s.Addrs()[0].String()
	c, err := admin.Dial(ctx(t), admin.ClientOptions{Addr: addr, Password: admintest.Password, Trust: admin.Trust{Fingerprint: s.Fingerprint()}})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Status(ctx(t)); err != nil || st.Node != "n1" {
		t.Fatalf("%+v %v", st, err)
	}
	c.Close()
	if err := s.Shutdown(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Dial(ctx(t), admin.ClientOptions{Addr: addr, Password: admintest.Password, Trust: admin.Trust{Fingerprint: s.Fingerprint()}}); err == nil {
		t.Error("still answering after Shutdown")
	}
	// The self-signed pair was made and is kept.
	fp, ok, err := admin.LocalFingerprint(set, filepath.Join(dir, "state"))
	if err != nil || !ok || fp != s.Fingerprint() {
		t.Errorf("LocalFingerprint %s %v %v, server %s", fp, ok, err, s.Fingerprint())
	}
	// A second address that is taken: nothing listens, the error names it.
	set.Listen = []string{"127.0.0.1:0", addrInUse(t)}
	s2, _ := admin.NewServer(admin.Options{Dir: dir, StateDir: filepath.Join(dir, "state"), Settings: set, Backend: &admintest.Backend{}})
	if err := s2.Start(); err == nil || len(s2.Addrs()) != 0 {
		t.Errorf("taken address: %v, listening on %v", err, s2.Addrs())
	}
}

// addrInUse is a loopback address something listens on until the test
// ends.
func addrInUse(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}
