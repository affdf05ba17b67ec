package console

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/understudy-ha/understudy/admin"
)

// Cookies. The __Host- prefix makes browsers insist on Secure, Path=/
// and no Domain: the cookie belongs to this host and port's origin only.
const (
	sessionCookie = "__Host-understudy-console"
	loginCookie   = "__Host-understudy-login"
	// csrfField is the form field of the CSRF token.
	csrfField = "csrf"
	// loginFormAge is how long a login form may wait to be sent.
	loginFormAge = time.Hour
)

// session is one browser logged in.
type session struct {
	// csrf is the token every state-changing request must carry.
	csrf string
	// tag names the session in the log without giving its cookie away.
	tag string
	// source is where the login came from.
	source string
	// answers are the latest answers to the session's actions, newest
	// first.
	answers []answer
}

// answer is what came of one action.
type answer struct {
	Time    time.Time
	What    string
	Verdict string
	Reason  string
}

// Class is the answer's colour.
func (a answer) Class() string {
	switch a.Verdict {
	case admin.Done, admin.Accepted:
		return "ok"
	}
	return "bad"
}

// errKeep ends Sessions.Use without marking the session used: a live
// update of an open page is not the operator's activity.
var errKeep = errors.New("read only")

// request is an authenticated request's session.
type request struct {
	id string
	s  session
}

// authed serves h to requests with a live session. A live update (live
// true) does not count as use, so an open page does not keep its
// session from going idle; a state change (POST) must carry the
// session's CSRF token.
func (c *Console) authed(h func(http.ResponseWriter, *http.Request, request), live bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req request
		if ck, err := r.Cookie(sessionCookie); err == nil {
			req.id = ck.Value
		}
		err := c.sessions.Use(req.id, func(s *session) error {
			req.s = *s
			if live {
				return errKeep
			}
			return nil
		})
		if err != nil && !errors.Is(err, errKeep) {
			c.noSession(w, r, live)
			return
		}
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue(csrfField), req.s.csrf) {
			c.log.Warn("console request refused: no valid CSRF token", "source", r.RemoteAddr, "path", r.URL.Path, "session", req.s.tag)
			c.errorPage(w, r, http.StatusForbidden, "Refused: this form did not carry the console's token (it is stale, or it came from another site). Reload the page and try again.")
			return
		}
		h(w, r, req)
	})
}

// noSession answers a request without a session: pages go to the login
// form, live updates and actions are refused.
func (c *Console) noSession(w http.ResponseWriter, r *http.Request, live bool) {
	switch {
	case live:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte("session ended: log in again\n"))
	case r.Method == http.MethodGet:
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
	default:
		c.errorPage(w, r, http.StatusUnauthorized, "Your session has ended (logged out, idle too long, or the daemon restarted). Log in again.")
	}
}

func sameToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
}

// loginData is the login form's model.
type loginData struct {
	Token, Next, Message, Class string
}

// nextPage is where to go after logging in: one of the pages, never
// another site.
func nextPage(p string) string {
	switch p {
	case "/log", "/config":
		return p
	}
	return "/"
}

// loginPage shows the login form, with a fresh token that a cookie
// repeats (login CSRF: a form posted from another site has neither).
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	d := loginData{Next: nextPage(r.URL.Query().Get("next"))}
	switch {
	case r.URL.Query().Has("expired"):
		d.Message, d.Class = "Your session has ended. Log in again.", "warn"
	case r.URL.Query().Has("out"):
		d.Message, d.Class = "Logged out.", "ok"
	}
	c.showLogin(w, r, http.StatusOK, d)
}

func (c *Console) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	d.Token = admin.NewID()
	setCookie(w, loginCookie, d.Token, int(loginFormAge/time.Second))
	c.render(w, r, status, "login", pageData{Title: "Log in", Node: c.nodeName(r.Context()), Data: d})
}

// login checks the password of the login form (rate limited per source
// by the admin port) and opens a session.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	next := nextPage(r.PostFormValue("next"))
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue(csrfField), ck.Value) {
		c.log.Warn("console login refused: no valid login token", "source", r.RemoteAddr)
		c.showLogin(w, r, http.StatusForbidden, loginData{Next: next, Class: "bad",
			Message: "This login form was stale or came from another site. Try again."})
		return
	}
	err = c.pw.CheckPassword(r, r.PostFormValue("password"))
	var limited *admin.LimitedError
	switch {
	case errors.As(err, &limited):
		w.Header().Set("Retry-After", strconv.Itoa(int(limited.Wait/time.Second)+1))
		c.showLogin(w, r, http.StatusTooManyRequests, loginData{Next: next, Class: "bad",
			Message: "Too many failed logins from your address: try again in " + limited.Wait.Round(time.Second).String() + "."})
		return
	case errors.Is(err, admin.ErrWrongPassword):
		c.showLogin(w, r, http.StatusUnauthorized, loginData{Next: next, Class: "bad", Message: "Wrong password."})
		return
	case err != nil:
		c.showLogin(w, r, http.StatusServiceUnavailable, loginData{Next: next, Class: "bad", Message: "The password could not be checked: " + err.Error()})
		return
	}
	id := admin.NewID()
	sum := sha256.Sum256([]byte(id))
	s := session{csrf: admin.NewID(), tag: base64.RawURLEncoding.EncodeToString(sum[:6]), source: r.RemoteAddr}
	c.sessions.Add(id, s)
	setCookie(w, loginCookie, "", -1)
	setCookie(w, sessionCookie, id, 0)
	c.log.Info("console login", "source", r.RemoteAddr, "session", s.tag)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session.
func (c *Console) logout(w http.ResponseWriter, r *http.Request, req request) {
	c.sessions.Delete(req.id)
	setCookie(w, sessionCookie, "", -1)
	c.log.Info("console logout", "source", r.RemoteAddr, "session", req.s.tag)
	http.Redirect(w, r, "/login?out", http.StatusSeeOther)
}

// remember adds an answer to the session's list.
func (c *Console) remember(id string, a answer) {
	c.sessions.Use(id, func(s *session) error {
		s.answers = append([]answer{a}, s.answers...)
		if len(s.answers) > recentAnswers {
			s.answers = s.answers[:recentAnswers]
		}
		return nil
	})
}
