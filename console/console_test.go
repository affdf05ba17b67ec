package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/admintest"
)

// checkHeaders fails t unless resp carries every security header;
// noStore: Cache-Control must be no-store.
func checkHeaders(t *testing.T, what string, resp *http.Response, noStore bool) {
	t.Helper()
	h := resp.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: Content-Security-Policy %q lacks %s", what, csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("%s: Content-Security-Policy %q allows %s", what, csp, bad)
		}
	}
	for k, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
		"X-Content-Type-Options": "nosniff"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %s = %q, want %q", what, k, got, want)
		}
	}
	if !strings.HasPrefix(h.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("%s: Strict-Transport-Security = %q", what, h.Get("Strict-Transport-Security"))
	}
	if cc := h.Get("Cache-Control"); noStore && cc != "no-store" {
		t.Errorf("%s: Cache-Control = %q, want no-store", what, cc)
	}
}

func TestHeadersOnEveryAnswer(t *testing.T) {
	tc := startConsole(t, newFakeCluster(), nil)
	anon := tc.client(t)
	c := tc.client(t)
	tc.login(t, c, admintest.Password)
	token := tc.csrf(t, c)
	do := func(c *http.Client, method, path string, form url.Values) *http.Response {
		t.Helper()
		var resp *http.Response
		var err error
		if method == "GET" {
			resp, err = c.Get(tc.URL + path)
		} else {
			resp, err = c.PostForm(tc.URL+path, form)
		}
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, r := range []struct {
		c            *http.Client
		method, path string
		form         url.Values
		status       int
	}{
		{anon, "GET", "/login", nil, 200},
		{anon, "GET", "/", nil, 303},
		{anon, "GET", "/log", nil, 303},
		{anon, "GET", "/live/overview", nil, 401},
		{anon, "GET", "/no/such/page", nil, 404},
		{anon, "POST", "/action", url.Values{"do": {"standby"}, "node": {"node1"}}, 401},
		{anon, "POST", "/login", url.Values{"password": {"x"}}, 403},
		{c, "GET", "/", nil, 200},
		{c, "GET", "/log", nil, 200},
		{c, "GET", "/config", nil, 200},
		{c, "GET", "/live/overview", nil, 200},
		{c, "GET", "/log?n=zero", nil, 200},
		{c, "POST", "/action", url.Values{"do": {"standby"}, "node": {"node1"}}, 403},
		{c, "POST", "/action", url.Values{"csrf": {token}, "do": {"dance"}, "node": {"node1"}}, 400},
		{c, "GET", "/static/nosuch.js", nil, 404},
	} {
		resp := do(r.c, r.method, r.path, r.form)
		what := r.method + " " + r.path
		if resp.StatusCode != r.status {
			t.Errorf("%s: status %d, want %d", what, resp.StatusCode, r.status)
		}
		checkHeaders(t, what, resp, true)
	}
	for _, name := range []string{"console.js", "console.css", "icon.svg"} {
		resp := do(anon, "GET", staticURL(name), nil)
		checkHeaders(t, name, resp, false)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: status %d, Cache-Control %q", name, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	if ct := do(anon, "GET", staticURL("console.js"), nil).Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("console.js served as %q", ct)
	}
}

func TestLogin(t *testing.T) {
	tc := startConsole(t, newFakeCluster(), nil)
	c := tc.client(t)

	resp := tc.login(t, c, "wrong password")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: status %d, want 401", resp.StatusCode)
	}
	if _, r := get(t, c, tc.URL+"/"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2F" {
		t.Errorf("after a wrong password, / answers %d to %q; want the login form", r.StatusCode, r.Header.Get("Location"))
	}
	if !tc.Logged("admin authentication failed") {
		t.Error("the wrong password was not logged")
	}

	resp = tc.login(t, c, admintest.Password)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login: status %d to %q, want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
	}
	var ck *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == sessionCookie {
			ck = k
		}
	}
	if ck == nil || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Domain != "" {
		t.Fatalf("session cookie %+v: want HttpOnly, Secure, SameSite=Strict, Path=/, no Domain", ck)
	}
	body, r := get(t, c, tc.URL+"/")
	if r.StatusCode != 200 || !strings.Contains(body, `data-node="node1"`) || !strings.Contains(body, `data-node="node2"`) {
		t.Errorf("overview after login: status %d, nodes missing:\n%s", r.StatusCode, body)
	}
	if !tc.Logged("console login") {
		t.Error("the login was not logged")
	}
}

// TestLoginNeedsItsToken: a login form posted from elsewhere (no token,
// or a token without its cookie) is refused before the password is
// looked at.
func TestLoginNeedsItsToken(t *testing.T) {
	tc := startConsole(t, newFakeCluster(), nil)
	token := tc.loginToken(t, tc.client(t)) // another client's token
	c := tc.client(t)
	for _, form := range []url.Values{
		{"password": {admintest.Password}},
		{"password": {admintest.Password}, "csrf": {token}},
	} {
		resp, err := c.PostForm(tc.URL+"/login", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("login %v: status %d, want 403", form, resp.StatusCode)
		}
	}
	if _, r := get(t, c, tc.URL+"/"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a refused login opened a session")
	}
}

func TestLoginRateLimit(t *testing.T) {
	tc := startConsole(t, newFakeCluster(), nil)
	c := tc.client(t)
	n := admintest.Settings().LoginFailures
	for i := range n {
		if resp := tc.login(t, c, "wrong"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, resp.StatusCode)
		}
	}
	resp := tc.login(t, c, admintest.Password)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("after %d failures the right password got %d (Retry-After %q), want 429", n, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if _, r := get(t, c, tc.URL+"/"); r.StatusCode != http.StatusSeeOther {
		t.Error("a rate-limited login opened a session")
	}
	// The CLI's logins from the same source are limited too: one limit.
	if _, err := admin.Dial(t.Context(), admin.ClientOptions{Addr: tc.Addr, Password: admintest.Password,
		Trust: admin.Trust{Fingerprint: tc.Fingerprint()}}); err == nil {
		t.Error("the CLI logged in from a source the console's failures had limited")
	}
}

func TestCSRF(t *testing.T) {
	tc := startConsole(t, newFakeCluster(), nil)
	c := tc.client(t)
	tc.login(t, c, admintest.Password)
	token := tc.csrf(t, c)
	post := func(form url.Values, hdr map[string]string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", tc.URL+"/action", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	standby := url.Values{"do": {"standby"}, "node": {"node1"}}
	if s := post(standby, nil); s != http.StatusForbidden {
		t.Errorf("POST without a token: %d, want 403", s)
	}
	standby.Set("csrf", token+"x")
	if s := post(standby, nil); s != http.StatusForbidden {
		t.Errorf("POST with a wrong token: %d, want 403", s)
	}
	standby.Set("csrf", token)
	if s := post(standby, map[string]string{"Sec-Fetch-Site": "cross-site"}); s != http.StatusForbidden {
		t.Errorf("cross-site POST with the token: %d, want 403", s)
	}
	if s := post(standby, map[string]string{"Origin": "https://evil.example"}); s != http.StatusForbidden {
		t.Errorf("POST from another origin with the token: %d, want 403", s)
	}
	if got := tc.f.commands(); len(got) != 0 {
		t.Fatalf("refused POSTs reached the cluster: %v", got)
	}
	if !tc.Logged("no valid CSRF token") {
		t.Error("the refusal was not logged")
	}
	if s := post(standby, map[string]string{"Sec-Fetch-Site": "same-origin"}); s != http.StatusSeeOther {
		t.Errorf("POST with the token: %d, want 303", s)
	}
	if got := tc.f.commands(); len(got) != 1 || got[0].node != "node1" || got[0].cmd.Name != admin.CmdStandby {
		t.Errorf("commands sent: %v, want standby to node1", got)
	}
	// Logout needs the token too.
	resp, err := c.PostForm(tc.URL+"/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, r := get(t, c, tc.URL+"/"); resp.StatusCode != http.StatusForbidden || r.StatusCode != 200 {
		t.Errorf("logout without the token: %d, then / %d; want 403 and the session kept", resp.StatusCode, r.StatusCode)
	}
}

func TestLogout(t *testing.T) {
	tc := startConsole(t, newFakeCluster(), nil)
	c := tc.client(t)
	tc.login(t, c, admintest.Password)
	token := tc.csrf(t, c)
	cookies := c.Jar.Cookies(mustURL(tc.URL))
	resp, err := c.PostForm(tc.URL+"/logout", url.Values{"csrf": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?out" {
		t.Errorf("logout: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The old cookie, replayed, is worth nothing.
	replay := tc.client(t)
	replay.Jar.SetCookies(mustURL(tc.URL), cookies)
	if _, r := get(t, replay, tc.URL+"/live/overview"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the logged-out session's cookie still works: %d", r.StatusCode)
	}
	if !tc.Logged("console logout") {
		t.Error("the logout was not logged")
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestEndSessions(t *testing.T) {
	f := newFakeCluster()
	srv := admintest.Start(t, f, func(o *admin.Options) { o.StateDir = shared.stateDir })
	c, err := Mount(srv.Server, Options{Backend: f})
	if err != nil {
		t.Fatal(err)
	}
	tc := &testConsole{Server: srv, URL: "https://" + srv.Addr, f: f}
	cl := tc.client(t)
	tc.login(t, cl, admintest.Password)
	if _, r := get(t, cl, tc.URL+"/"); r.StatusCode != 200 {
		t.Fatalf("/ after login: %d", r.StatusCode)
	}
	c.EndSessions()
	if _, r := get(t, cl, tc.URL+"/"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("/ after EndSessions: %d, want the login form", r.StatusCode)
	}
}
