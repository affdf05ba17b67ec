package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/logging"
)

// Options configure a Console.
type Options struct {
	// Backend is this node: its status, the commands it carries out and
	// its log. The admin server's backend.
	Backend admin.Backend
	// Cluster, if set, gathers every node's own view of the cluster, as
	// `understudy status --cluster` does, this node's among them; the
	// overview shows them side by side. Nil: this node's view only.
	Cluster func(ctx context.Context) ([]NodeView, error)
	// Command, if set, sends a command to the named node's daemon (its
	// admin port, or Backend for this node): standby and takeover of
	// other nodes. Nil: only this node takes standby and takeover.
	Command func(ctx context.Context, node string, c admin.Command) (admin.Answer, error)
	// Log, if set, reads the cluster's log, each record marked with its
	// node (as admin.ClusterLog does). Nil: Backend.Log, this node's.
	// The live tail asks with Since and Wait set.
	Log func(ctx context.Context, q admin.LogQuery) ([]logging.Record, error)
	// Config, if set, reads this node's configuration files and
	// `understudy check`'s findings (CheckDir does). Nil: the
	// configuration page says it is not available.
	Config func(ctx context.Context) (ConfigReport, error)
	// Idle ends a console session unused this long; 0 means 15 minutes
	// (the admin port's session_idle is the natural value). Live updates
	// of an open page do not count as use.
	Idle time.Duration
	// Logger receives logins, logouts and every action with its source
	// and the answer; nil discards them.
	Logger *slog.Logger
}

// Session limits.
const (
	defaultIdle     = 15 * time.Minute
	sessionLifetime = 12 * time.Hour
	maxSessions     = 256
	// recentAnswers is how many answers to actions a session keeps to
	// show.
	recentAnswers = 5
)

// PasswordChecker checks the admin password of a login, with the admin
// port's rate limit per source: *admin.Server is one.
type PasswordChecker interface {
	CheckPassword(r *http.Request, password string) error
}

// Console is the web console: an http.Handler for the admin port's
// "/" (Mount puts it there).
type Console struct {
	o        Options
	log      *slog.Logger
	pw       PasswordChecker
	sessions *admin.Sessions[session]
	mux      *http.ServeMux
}

// New builds a console that checks passwords with pw.
func New(pw PasswordChecker, o Options) (*Console, error) {
	if o.Backend == nil {
		return nil, errors.New("console: no backend")
	}
	if pw == nil {
		return nil, errors.New("console: no password checker")
	}
	if o.Idle <= 0 {
		o.Idle = defaultIdle
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Console{o: o, log: o.Logger, pw: pw, mux: http.NewServeMux(),
		sessions: admin.NewSessions[session](maxSessions, o.Idle, sessionLifetime)}
	c.routes()
	return c, nil
}

// Mount serves a console for o on the admin port srv, at "/": every
// path the admin protocol and /metrics do not take. Its logins are
// checked by srv.CheckPassword.
func Mount(srv *admin.Server, o Options) (*Console, error) {
	c, err := New(srv, o)
	if err != nil {
		return nil, err
	}
	srv.Handle("/", c)
	return c, nil
}

// EndSessions logs every browser out: for when the admin password
// changes (the admin port ends its own sessions then, in
// ReloadPassword).
func (c *Console) EndSessions() {
	c.sessions.Clear()
	c.log.Info("console sessions ended")
}

func (c *Console) routes() {
	m := c.mux
	m.HandleFunc("GET /static/", serveStatic)
	m.HandleFunc("GET /login", c.loginPage)
	m.HandleFunc("POST /login", c.login)
	m.Handle("POST /logout", c.authed(c.logout, false))
	m.Handle("GET /{$}", c.authed(c.overviewPage, false))
	m.Handle("GET /live/overview", c.authed(c.overviewLive, true))
	m.Handle("POST /action", c.authed(c.action, false))
	m.Handle("GET /log", c.authed(c.logPage, false))
	m.Handle("GET /live/log", c.authed(c.logTail, true))
	m.Handle("GET /config", c.authed(c.configPage, false))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.errorPage(w, r, http.StatusNotFound, "No such page.")
	})
}

// ServeHTTP sets the security headers of every answer, refuses
// cross-site state changes (Sec-Fetch-Site, Origin), then serves the
// pages.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	if err := crossOrigin.Check(r); err != nil {
		c.log.Warn("console request refused: cross-origin", "source", r.RemoteAddr, "path", r.URL.Path)
		c.errorPage(w, r, http.StatusForbidden, "Refused: the request came from another site.")
		return
	}
	c.mux.ServeHTTP(w, r)
}

// crossOrigin refuses unsafe requests that a browser says come from
// another origin (Go's CrossOriginProtection: Sec-Fetch-Site, else
// Origin against Host). The CSRF token is checked as well.
var crossOrigin = http.NewCrossOriginProtection()

// ContentSecurityPolicy is the console's CSP: its own scripts, styles
// and images only; no inline script or style, no eval, no framing, forms
// posted to itself only.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// securityHeaders are sent with every answer. Pages and live updates
// are not stored (the admin port already says so; said again so the
// console does not depend on it); static files change their name when
// they change and may be cached.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Strict-Transport-Security", "max-age=31536000")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), usb=(), payment=()")
	h.Set("Cache-Control", "no-store")
}
