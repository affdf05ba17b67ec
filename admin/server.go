package admin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/netutil"

	"github.com/understudy-ha/understudy/config"
)

// Options configure a Server.
type Options struct {
	// Dir is the configuration directory, holding understudy.passwd.
	Dir string
	// StateDir keeps the self-signed certificate ([paths] state_dir).
	StateDir string
	// Settings are understudy.toml's [admin] table.
	Settings config.AdminSettings
	// Backend answers status, commands and the log.
	Backend Backend
	// Metrics serves the body of GET /metrics (see package
	// admin/metrics); nil: /metrics is not found.
	Metrics http.Handler
	// Logger receives logins, refusals and commands, one line each.
	Logger *slog.Logger
}

// Times the protocol itself fixes.
const (
	// loginTimeout is how long a challenge waits for its login.
	loginTimeout = 30 * time.Second
	// sessionLifetime ends every session, however busy.
	sessionLifetime = 12 * time.Hour
	maxSessions     = 256
	maxLogins       = 256
	maxHeaderBytes  = 16 << 10
)

// Server is the admin port: an HTTPS server answering the signed admin
// protocol (see the package doc) and /metrics, to which more handlers
// can be added (Handle), for instance a web console using CheckPassword
// and its own Sessions.
type Server struct {
	o    Options
	log  *slog.Logger
	cert tls.Certificate
	fp   string
	mux  *http.ServeMux
	now  func() time.Time

	pw       atomic.Pointer[Password]
	logins   *Sessions[challenge]
	sessions *Sessions[session]
	limit    *limiter
	basic    basicCache
	// slow admits one argon2id computation at a time (each takes
	// DefaultKDF's 19 MiB).
	slow chan struct{}

	mu      sync.Mutex
	servers []*http.Server
	addrs   []net.Addr
}

// NewServer loads the admin password and the certificate and builds the
// server; it listens on nothing yet (Start). Without a password file it
// fails with an error wrapping ErrNoPassword that says how to set one.
func NewServer(o Options) (*Server, error) {
	if o.Backend == nil {
		return nil, errors.New("admin: no backend")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	pw, err := LoadPassword(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("admin port not started: %w", err)
	}
	cert, err := ServerCertificate(o.Settings, o.StateDir)
	if err != nil {
		return nil, fmt.Errorf("admin port not started: %w", err)
	}
	s := &Server{
		o: o, log: o.Logger, cert: cert, mux: http.NewServeMux(), now: time.Now,
		logins:   NewSessions[challenge](maxLogins, loginTimeout, loginTimeout),
		sessions: NewSessions[session](maxSessions, o.Settings.SessionIdle, sessionLifetime),
		limit:    newLimiter(o.Settings.LoginFailures, o.Settings.LoginWindow),
		slow:     make(chan struct{}, 1),
	}
	if len(cert.Certificate) > 0 {
		s.fp = Fingerprint(cert.Certificate[0])
	}
	s.pw.Store(&pw)
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("POST "+PathChallenge, s.handleChallenge)
	s.mux.HandleFunc("POST "+PathLogin, s.handleLogin)
	s.mux.Handle("POST "+PathLogout, s.signed(s.apiLogout, 0))
	s.mux.Handle("GET "+PathStatus, s.signed(s.apiStatus, 0))
	s.mux.Handle("POST "+PathCommand, s.signed(s.apiCommand, 0))
	s.mux.Handle("GET "+PathLog, s.signed(s.apiLog, MaxLogWait))
	s.mux.HandleFunc("GET "+PathMetrics, s.handleMetrics)
}

// Handle adds a handler to the admin port, with http.ServeMux patterns
// ("GET /console/", "/"). It gets the same TLS, connection and request
// size limits, and a write deadline of [admin] request_timeout, which a
// streaming handler (server-sent events) extends with
// http.ResponseController. It must check its own authentication
// (CheckPassword for a password, a Sessions of its own for cookies) and
// set its own security headers.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Fingerprint is the SHA-256 fingerprint of the port's certificate.
func (s *Server) Fingerprint() string { return s.fp }

// TLSConfig is the server's TLS configuration.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{s.cert}}
}

// Handler is the server's whole HTTP handler (without TLS): for tests
// and for serving it on a listener of one's own.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		r.Body = http.MaxBytesReader(w, r.Body, int64(s.o.Settings.MaxRequest))
		// A client that does not read its answer holds nothing for long.
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.o.Settings.RequestTimeout))
		s.mux.ServeHTTP(w, r)
	})
}

// ReloadPassword reads the password file again (after `understudy
// passwd`, on reload). On an error the old password stays. When the
// password changed, every session ends.
func (s *Server) ReloadPassword() (changed bool, err error) {
	pw, err := LoadPassword(s.o.Dir)
	if err != nil {
		return false, err
	}
	if old := s.pw.Swap(&pw); old.StoredKey != pw.StoredKey {
		s.sessions.Clear()
		s.basic.forget()
		s.log.Info("admin password changed: every admin session ended")
		return true, nil
	}
	return false, nil
}

// Start listens on every address of [admin] listen and serves each in a
// goroutine of its own. If one address cannot be listened on, none is
// and the error says which. Addrs tells the addresses bound.
func (s *Server) Start() error {
	var lns []net.Listener
	for _, addr := range s.o.Settings.ListenAddrs() {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return fmt.Errorf("admin port: %w", err)
		}
		lns = append(lns, ln)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ln := range lns {
		srv := s.httpServer()
		s.servers = append(s.servers, srv)
		s.addrs = append(s.addrs, ln.Addr())
		limited := netutil.LimitListener(ln, s.o.Settings.MaxConns)
		go func() {
			if err := srv.ServeTLS(limited, "", ""); !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("admin port stopped", "addr", ln.Addr().String(), "err", err)
			}
		}()
		s.log.Info("admin port listening", "addr", ln.Addr().String(), "fingerprint", s.fp)
	}
	return nil
}

// httpServer is one listener's http.Server: header, body and idle
// limits here; each API request sets its own write deadline.
func (s *Server) httpServer() *http.Server {
	t := s.o.Settings.RequestTimeout
	// HTTP/1.1 only: one request at a time per connection keeps the
	// timeouts simple, and a session's requests in order.
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	return &http.Server{
		Protocols:         &protocols,
		Handler:           s.Handler(),
		TLSConfig:         s.TLSConfig(),
		ReadHeaderTimeout: t,
		ReadTimeout:       t,
		IdleTimeout:       2 * MaxLogWait,
		MaxHeaderBytes:    maxHeaderBytes,
		// TLS handshake failures of scanners and of clients that refused
		// the certificate are not worth more than debug.
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
}

// Addrs are the addresses Start listens on.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]net.Addr(nil), s.addrs...)
}

// Shutdown stops listening and waits, until ctx ends, for the requests
// in flight (a log follow waits up to MaxLogWait).
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	servers := s.servers
	s.servers, s.addrs = nil, nil
	s.mu.Unlock()
	var errs []error
	for _, srv := range servers {
		errs = append(errs, srv.Shutdown(ctx))
	}
	return errors.Join(errs...)
}
