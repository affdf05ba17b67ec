// Package admintest helps test code that uses the admin port: a
// recording Backend, a password file that is cheap to check, and an
// admin server on an httptest TLS server whose log lines are kept.
package admintest

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
)

// Password is the admin password of Start's servers.
const Password = "correct horse battery"

// CheapKDF makes test logins fast; never use it for real.
var CheapKDF = admin.KDF{Time: 1, Memory: 64, Threads: 1}

// WritePassword writes dir/understudy.passwd for pw with CheapKDF.
func WritePassword(t testing.TB, dir, pw string) admin.Password {
	t.Helper()
	p, err := admin.NewPassword(pw, CheapKDF)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := p.MarshalText()
	if err := os.WriteFile(filepath.Join(dir, admin.PasswdFile), text, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Backend is an admin.Backend: Status returns St, Command records each
// command and returns Answer (Accepted when unset) or Err, Log answers
// from Ring (a ring of 100 when nil) and the log file LogFile.
type Backend struct {
	St      control.Status
	Answer  *admin.Answer
	Err     error
	Ring    *logging.Ring
	LogFile string
	// Block makes every call wait until its context ends.
	Block bool

	mu   sync.Mutex
	cmds []admin.Command
}

var _ admin.Backend = (*Backend)(nil)

func (b *Backend) block(ctx context.Context) error {
	if b.Block {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

// Status returns b.St.
func (b *Backend) Status(ctx context.Context) (control.Status, error) {
	if err := b.block(ctx); err != nil {
		return control.Status{}, err
	}
	return b.St, b.Err
}

// Command records c.
func (b *Backend) Command(ctx context.Context, c admin.Command) (admin.Answer, error) {
	if err := b.block(ctx); err != nil {
		return admin.Answer{}, err
	}
	b.mu.Lock()
	b.cmds = append(b.cmds, c)
	b.mu.Unlock()
	if b.Err != nil {
		return admin.Answer{}, b.Err
	}
	if b.Answer != nil {
		return *b.Answer, nil
	}
	return admin.Answer{Verdict: admin.Accepted}, nil
}

// Commands are the commands received so far.
func (b *Backend) Commands() []admin.Command {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]admin.Command(nil), b.cmds...)
}

// Log answers from b.Ring and b.LogFile.
func (b *Backend) Log(ctx context.Context, q admin.LogQuery) ([]logging.Record, error) {
	if err := b.block(ctx); err != nil {
		return nil, err
	}
	b.mu.Lock()
	if b.Ring == nil {
		b.Ring = logging.NewRing(100, slog.LevelDebug)
	}
	r := b.Ring
	b.mu.Unlock()
	return admin.LogFromRing(ctx, r, b.LogFile, q)
}

// Server is an admin server on an httptest TLS server.
type Server struct {
	*admin.Server
	HTTP *httptest.Server
	// Addr is the host:port to dial.
	Addr string
	// Dir holds the password file.
	Dir string
	// Log keeps the server's log lines (logins, refusals, commands).
	Log *logging.Ring
}

// Settings are the [admin] settings Start uses unless edit changes
// them: the defaults with metrics served.
func Settings() config.AdminSettings {
	return config.DefaultAdminSettings()
}

// Start runs an admin server for b with Password set, on a loopback
// httptest TLS server closed in t.Cleanup. edit, if not nil, changes
// the options first.
func Start(t testing.TB, b admin.Backend, edit func(*admin.Options)) *Server {
	t.Helper()
	dir := t.TempDir()
	WritePassword(t, dir, Password)
	ring := logging.NewRing(1000, slog.LevelDebug)
	o := admin.Options{Dir: dir, StateDir: filepath.Join(dir, "state"), Settings: Settings(), Backend: b,
		Logger: slog.New(ring.Handler())}
	if edit != nil {
		edit(&o)
	}
	s, err := admin.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(s.Handler())
	ts.TLS = s.TLSConfig()
	// Refused certificates are tested on purpose: keep their handshake
	// errors out of the test output.
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return &Server{Server: s, HTTP: ts, Addr: ts.Listener.Addr().String(), Dir: dir, Log: ring}
}

// Dial logs in to s with the password and its fingerprint pinned.
func (s *Server) Dial(t testing.TB) *admin.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := admin.Dial(ctx, admin.ClientOptions{Addr: s.Addr, Password: Password,
		Trust: admin.Trust{Fingerprint: s.Fingerprint()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Logged reports whether the server logged a line containing text.
func (s *Server) Logged(text string) bool {
	return len(s.Log.Query(logging.Query{Text: text})) > 0
}
