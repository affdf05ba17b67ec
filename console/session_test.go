package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/understudy-ha/understudy/admin"
)

// checker accepts one password, without a rate limit.
type checker string

func (c checker) CheckPassword(_ *http.Request, pw string) error {
	if pw != string(c) {
		return admin.ErrWrongPassword
	}
	return nil
}

// recorderClient drives a Console's handler directly (no sockets, so
// that it runs in a synctest bubble), keeping cookies by name.
type recorderClient struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]string
}

func newRecorderClient(t *testing.T, h http.Handler) *recorderClient {
	return &recorderClient{t: t, h: h, cookies: map[string]string{}}
}

func (c *recorderClient) do(method, target string, form url.Values) *httptest.ResponseRecorder {
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, "https://console.test"+target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, "https://console.test"+target, nil)
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, req)
	for _, ck := range w.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return w
}

func (c *recorderClient) login(pw string) *httptest.ResponseRecorder {
	c.t.Helper()
	body := c.do("GET", "/login", nil).Body.String()
	return c.do("POST", "/login", url.Values{"csrf": {between(body, `name="csrf" value="`, `"`)}, "password": {pw}})
}

func (c *recorderClient) status(target string) int {
	return c.do("GET", target, nil).Code
}

// TestSessionIdle: a session ends after Idle without the operator's
// activity; live updates of an open page do not keep it alive, pages
// do; and every session ends after its lifetime.
func TestSessionIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := New(checker("pw"), Options{Backend: newFakeCluster(), Idle: 15 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		open := newRecorderClient(t, c)
		if w := open.login("pw"); w.Code != http.StatusSeeOther {
			t.Fatalf("login: %d", w.Code)
		}
		active := newRecorderClient(t, c)
		active.login("pw")
		for range 14 {
			time.Sleep(time.Minute)
			if s := open.status("/live/overview"); s != 200 {
				t.Fatalf("live update within the idle time: %d", s)
			}
		}
		time.Sleep(59 * time.Second)
		if s := active.status("/"); s != 200 {
			t.Fatalf("a page 14m59s after login: %d", s)
		}
		time.Sleep(time.Second)
		if s := open.status("/live/overview"); s != http.StatusUnauthorized {
			t.Errorf("live updates kept a session idle for 15m alive: %d", s)
		}
		if s := open.status("/"); s != http.StatusSeeOther {
			t.Errorf("a page of a session idle for 15m: %d, want the login form", s)
		}
		time.Sleep(14 * time.Minute)
		if s := active.status("/log"); s != 200 {
			t.Errorf("the active session ended 14m after its last page: %d", s)
		}
		// However active, a session ends after 12 hours.
		for elapsed := 29 * time.Minute; elapsed < sessionLifetime-10*time.Minute; elapsed += 10 * time.Minute {
			time.Sleep(10 * time.Minute)
			if s := active.status("/"); s != 200 {
				t.Fatalf("the active session ended after %s: %d", elapsed+10*time.Minute, s)
			}
		}
		time.Sleep(10 * time.Minute)
		if s := active.status("/"); s != http.StatusSeeOther {
			t.Errorf("a session outlived %s: %d", sessionLifetime, s)
		}
	})
}

// TestExpiredSessionActions: an action with an ended session is refused
// and reaches nothing.
func TestExpiredSessionActions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeCluster()
		c, _ := New(checker("pw"), Options{Backend: f, Idle: time.Minute})
		rc := newRecorderClient(t, c)
		rc.login("pw")
		body := rc.do("GET", "/", nil).Body.String()
		token := between(body, `name="csrf" value="`, `"`)
		time.Sleep(time.Minute)
		w := rc.do("POST", "/action", url.Values{"csrf": {token}, "do": {"standby"}, "node": {"node1"}})
		if w.Code != http.StatusUnauthorized || len(f.commands()) != 0 {
			t.Errorf("an action of an ended session: %d, %d commands sent", w.Code, len(f.commands()))
		}
	})
}
