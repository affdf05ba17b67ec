package console

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/admin/admintest"
	"github.com/understudy-ha/understudy/internal/browser"
)

// EnvArtifacts names the directory where browser tests write their
// screenshots (on failure, or always with CONSOLE_SCREENSHOTS=1).
const EnvArtifacts = "CONSOLE_ARTIFACTS"

func artifactDir() string {
	if d := os.Getenv(EnvArtifacts); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "understudy-console-artifacts")
}

// browserTest is a console of a scripted cluster and a Chromium page on
// it.
type browserTest struct {
	*testConsole
	b   *browser.Browser
	p   *browser.Page
	ctx context.Context
	t   *testing.T
}

// shared is the package's browser, started by the first browser test
// and closed by TestMain, and the state directory every test console
// shares so that they all have the certificate the browser trusts.
var shared struct {
	once     sync.Once
	b        *browser.Browser
	err      error
	stateDir string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "console-test-")
	if err != nil {
		panic(err)
	}
	shared.stateDir = dir
	code := m.Run()
	if shared.b != nil {
		shared.b.Close()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// sharedBrowser starts the package's browser, trusting the key of tc's
// certificate (every test console's: they share a state directory).
func sharedBrowser(tc *testConsole) (*browser.Browser, error) {
	shared.once.Do(func() {
		leaf, err := x509.ParseCertificate(tc.TLSConfig().Certificates[0].Certificate[0])
		if err != nil {
			shared.err = err
			return
		}
		spki := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
		shared.b, shared.err = browser.Launch(browser.Options{Dir: filepath.Join(shared.stateDir, "chromium"),
			TrustSPKI: []string{base64.StdEncoding.EncodeToString(spki[:])}})
	})
	return shared.b, shared.err
}

// startBrowser serves a console for f and opens a page on it in a
// context of its own (no cookies) of the package's Chromium. It skips t
// when there is no chromium and this is not root; as root (make test
// runs scripts/deps.sh, which installs it) a missing browser fails t.
func startBrowser(t *testing.T, f *fakeCluster, edit func(*Options)) *browserTest {
	t.Helper()
	browser.Need(t)
	tc := startConsole(t, f, edit)
	b, err := sharedBrowser(tc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	p, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bt := &browserTest{testConsole: tc, b: b, p: p, ctx: ctx, t: t}
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("CONSOLE_SCREENSHOTS") == "1" {
			bt.screenshot("final")
		}
		p.Close(context.Background())
	})
	return bt
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// screenshot saves the whole page as a PNG in the artifacts directory
// and logs where; snap saves what the window shows.
func (bt *browserTest) screenshot(name string) { bt.save(name, true) }

func (bt *browserTest) save(name string, full bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	png, err := bt.p.Screenshot(ctx, full)
	if err != nil {
		bt.t.Logf("no screenshot: %v", err)
		return
	}
	dir := artifactDir()
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, unsafeName.ReplaceAllString(bt.t.Name()+"-"+name, "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		bt.t.Logf("no screenshot: %v", err)
		return
	}
	bt.t.Logf("screenshot: %s", path)
}

// must fails the test at once on err, saying what was being done.
func (bt *browserTest) must(what string, err error) {
	bt.t.Helper()
	if err != nil {
		bt.t.Fatalf("%s: %v", what, err)
	}
}

func (bt *browserTest) waitFor(what, expr string) {
	bt.t.Helper()
	ctx, cancel := context.WithTimeout(bt.ctx, 20*time.Second)
	defer cancel()
	bt.must(what, bt.p.WaitFor(ctx, expr))
}

func (bt *browserTest) text(selector string) string {
	bt.t.Helper()
	s, err := bt.p.Text(bt.ctx, selector)
	bt.must("reading "+selector, err)
	return s
}

// login opens the console and logs in with pw, with the keyboard.
func (bt *browserTest) login(pw string) {
	bt.t.Helper()
	bt.must("opening the console", bt.p.Navigate(bt.ctx, bt.URL+"/"))
	bt.waitFor("the login form", `location.pathname === "/login" && document.activeElement && document.activeElement.id === "password"`)
	bt.must("typing the password", bt.p.Type(bt.ctx, pw))
	bt.must("pressing Enter", bt.p.Press(bt.ctx, "Enter"))
}

// noProblems fails the test if the page logged an error: an exception,
// a refused inline script or style (CSP), a resource that failed; but
// for those containing one of expected (refusals the test asked for).
func (bt *browserTest) noProblems(expected ...string) {
	bt.t.Helper()
	for _, p := range bt.p.Problems() {
		if !slices.ContainsFunc(expected, func(e string) bool { return strings.Contains(p, e) }) {
			bt.t.Errorf("the page reported: %s", p)
		}
	}
}

// snap saves a screenshot when CONSOLE_SCREENSHOTS=1.
func (bt *browserTest) snap(name string) {
	if os.Getenv("CONSOLE_SCREENSHOTS") == "1" {
		bt.save(name, false)
	}
}

const ownerSel = `article[data-group="192.0.2.100"] .owner`

func TestBrowserConsole(t *testing.T) {
	f := newFakeCluster()
	f.Delay = 1500 * time.Millisecond
	conf := sampleConfig(t, "respawn hacluster /usr/lib/heartbeat/dopd")
	bt := startBrowser(t, f, func(o *Options) {
		o.Config = func(context.Context) (ConfigReport, error) { return CheckDir(conf, "node1"), nil }
	})

	// A wrong password is refused, and says so.
	bt.login("not the password")
	bt.waitFor("the refusal", `document.getElementById("login-message") && document.getElementById("login-message").innerText.includes("Wrong password")`)
	if _, r := get(t, bt.client(t), bt.URL+"/live/overview"); r.StatusCode != 401 {
		t.Errorf("without a login the live overview answers %d", r.StatusCode)
	}

	// The right one opens the overview, both nodes in it.
	bt.login(admintest.Password)
	bt.waitFor("the overview", `location.pathname === "/" && document.querySelector("#nodes")`)
	for _, n := range []string{"node1", "node2"} {
		if s := bt.text(`#nodes tr[data-node="` + n + `"] th`); !strings.Contains(s, n) {
			t.Errorf("node %s not shown: %q", n, s)
		}
	}
	if s := bt.text(ownerSel); s != "node1" {
		t.Errorf("owner shown %q, want node1", s)
	}
	bt.must("marking the page", bt.p.Eval(bt.ctx, `window.marker = "still the same page"`, nil))

	// A monitor going down shows without a reload.
	f.setMonitor("node2", "web", "down", "connection refused")
	bt.waitFor("the monitor down", `(function(){
		const r = document.querySelector('article[data-group="192.0.2.100"] tr[data-row="monitor web"]');
		return r && r.cells[2].innerText === "Down" && r.cells[2].title === "connection refused";
	})()`)
	bt.snap("monitor-down")
	var marker string
	bt.must("reading the mark", bt.p.Eval(bt.ctx, `window.marker`, &marker))
	if marker != "still the same page" {
		t.Error("the page was reloaded to show the monitor")
	}
	if s := bt.text(`article[data-group="192.0.2.100"] .actions`); !strings.Contains(s, "Clear failures") {
		t.Errorf("no clear button for the monitor down on node2: %q", s)
	}

	// Standby of node1, clicked.
	bt.must("clicking standby", bt.p.Click(bt.ctx, "#standby-node1"))
	bt.waitFor("the answer", `document.querySelector("#answers .verdict") && document.querySelector("#answers .verdict").innerText === "accepted"`)
	if s := bt.text("#answers li"); !strings.Contains(s, "standby of node1") {
		t.Errorf("answer shown: %q", s)
	}
	bt.must("marking the page", bt.p.Eval(bt.ctx, `window.marker = "after standby"`, nil))
	bt.waitFor("the owner to become node2", `document.querySelector('`+ownerSel+`').innerText === "node2"`)
	bt.must("reading the mark", bt.p.Eval(bt.ctx, `window.marker`, &marker))
	if marker != "after standby" {
		t.Error("the owner's change needed a reload")
	}
	if !bt.Logged("console command") || !bt.Logged("source=127.0.0.1") {
		t.Error("the standby was not logged with its source")
	}

	// Takeover by node1 with the keyboard: Tab to its button, Enter.
	bt.tabTo("takeover-node1")
	bt.must("pressing Enter", bt.p.Press(bt.ctx, "Enter"))
	bt.waitFor("the answer", `document.querySelector("#answers li").innerText.includes("takeover by node1: accepted")`)
	bt.waitFor("the owner to become node1 again", `document.querySelector('`+ownerSel+`').innerText === "node1"`)

	// An action the cluster refuses shows the refusal and its reason.
	bt.must("clicking move", bt.p.Click(bt.ctx, "#g0-move-node2"))
	bt.waitFor("the refusal", `document.querySelector("#answers li") && document.querySelector("#answers li").innerText.includes("move 192.0.2.100 to node2: refused: unknown command")`)

	// A POST without the CSRF token, from the page itself, is refused.
	before := len(f.commands())
	var status int
	bt.must("posting without a token", bt.p.Eval(bt.ctx, `fetch("/action", {method: "POST",
		body: new URLSearchParams({do: "takeover", node: "node1"})}).then(r => r.status)`, &status))
	if status != 403 || len(f.commands()) != before {
		t.Errorf("a POST without the token answered %d and sent %d commands", status, len(f.commands())-before)
	}

	// The log shows a new line at the top without a reload.
	addLog(f.Ring, time.Now(), slog.LevelInfo, "an older line")
	bt.must("opening the log", bt.p.Navigate(bt.ctx, bt.URL+"/log"))
	bt.must("marking the page", bt.p.Eval(bt.ctx, `window.marker = "log"`, nil))
	addLog(f.Ring, time.Now(), slog.LevelWarn, "a line for the live tail")
	bt.waitFor("the new line", `document.querySelector("#log-rows tr").innerText.includes("a line for the live tail")`)
	bt.must("reading the mark", bt.p.Eval(bt.ctx, `window.marker`, &marker))
	if marker != "log" {
		t.Error("the log was reloaded to show a new line")
	}
	bt.snap("log")

	// The configuration with check's findings on their lines.
	bt.must("opening the configuration", bt.p.Navigate(bt.ctx, bt.URL+"/config"))
	bt.waitFor("the warning on its line", `[...document.querySelectorAll("tr.finding")].some(tr =>
		tr.innerText.includes("respawn is accepted but ignored") && tr.querySelector(".diag.warn"))`)
	bt.snap("config")

	// Light or dark as the system says.
	var light, dark string
	bt.must("reading the colours", bt.p.Eval(bt.ctx, `getComputedStyle(document.body).backgroundColor`, &light))
	bt.must("going dark", bt.p.Call(bt.ctx, "Emulation.setEmulatedMedia", map[string]any{
		"features": []map[string]string{{"name": "prefers-color-scheme", "value": "dark"}}}, nil))
	bt.must("reading the colours", bt.p.Eval(bt.ctx, `getComputedStyle(document.body).backgroundColor`, &dark))
	if light != "rgb(255, 255, 255)" || dark == light {
		t.Errorf("background light %s, dark %s", light, dark)
	}
	bt.snap("dark")
	bt.must("going light", bt.p.Call(bt.ctx, "Emulation.setEmulatedMedia", map[string]any{"features": []map[string]string{}}, nil))

	// The pages are readable at 360 px: nothing wider than the screen.
	bt.must("narrowing the window", bt.p.SetViewport(bt.ctx, 360, 740, true))
	for _, path := range []string{"/", "/log", "/config"} {
		bt.must("opening "+path, bt.p.Navigate(bt.ctx, bt.URL+path))
		bt.snap("narrow" + strings.ReplaceAll(path, "/", "-"))
		var width int
		bt.must("measuring", bt.p.Eval(bt.ctx, `document.documentElement.scrollWidth`, &width))
		if width > 360 {
			t.Errorf("%s is %d px wide at 360 px", path, width)
			bt.screenshot("narrow" + strings.ReplaceAll(path, "/", "-"))
		}
	}
	bt.must("widening the window", bt.p.SetViewport(bt.ctx, 1280, 900, false))
	bt.must("opening /", bt.p.Navigate(bt.ctx, bt.URL+"/"))

	// Logout ends the session: the pages lead to the login form again.
	bt.must("clicking logout", bt.p.Click(bt.ctx, "#logout"))
	bt.waitFor("the login form", `location.pathname === "/login" && document.body.innerText.includes("Logged out.")`)
	bt.must("opening /", bt.p.Navigate(bt.ctx, bt.URL+"/"))
	bt.waitFor("the login form", `location.pathname === "/login"`)
	bt.must("asking the live overview", bt.p.Eval(bt.ctx, `fetch("/live/overview").then(r => r.status)`, &status))
	if status != 401 {
		t.Errorf("after logout the live overview answers %d", status)
	}
	// The refusals above are the only errors: no script, style or
	// resource was blocked.
	bt.noProblems("status of 401 (Unauthorized) (https://127.0.0.1", "status of 403 (Forbidden) (https://127.0.0.1")
}

// tabTo presses Tab until the element with id has the focus.
func (bt *browserTest) tabTo(id string) {
	bt.t.Helper()
	for range 60 {
		var got string
		bt.must("reading the focus", bt.p.Eval(bt.ctx, `document.activeElement ? document.activeElement.id : ""`, &got))
		if got == id {
			return
		}
		bt.must("pressing Tab", bt.p.Press(bt.ctx, "Tab"))
	}
	bt.t.Fatalf("Tab never reached #%s", id)
}

// TestBrowserHostileNames: node names, group keys and log lines are
// shown as text, never run.
func TestBrowserHostileNames(t *testing.T) {
	evil := `<img src=x onerror="window.pwned=1">`
	f := newFakeCluster("node1", `node2"><script>window.pwned=2</script>`)
	f.groups[0].key = `g<script>window.pwned=3</script>`
	bt := startBrowser(t, f, nil)
	bt.login(admintest.Password)
	bt.waitFor("the overview", `location.pathname === "/" && document.querySelector("#nodes")`)
	f.Ring.Handler().Handle(context.Background(), logRecord(evil))
	bt.must("opening the log", bt.p.Navigate(bt.ctx, bt.URL+"/log"))
	bt.waitFor("the log line", `document.querySelector("#log-rows").innerText.includes("onerror")`)
	bt.must("opening /", bt.p.Navigate(bt.ctx, bt.URL+"/"))
	bt.waitFor("a live update", `document.getElementById("cluster").dataset.updates > 0`)
	bt.noProblems()
	var pwned any
	bt.must("reading", bt.p.Eval(bt.ctx, `window.pwned`, &pwned))
	if pwned != nil {
		t.Fatalf("a hostile name ran as script: window.pwned = %v", pwned)
	}
	if s := bt.text("#nodes"); !strings.Contains(s, `node2"><script>`) {
		t.Errorf("the hostile node name is not shown as text: %q", s)
	}
}

func logRecord(msg string) slog.Record { return slog.NewRecord(time.Now(), slog.LevelWarn, msg, 0) }
