package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/admintest"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
)

const hostile = `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`

// TestEscaping: hostile node names, group keys, log lines and
// configuration text come out as text on every page.
func TestEscaping(t *testing.T) {
	f := newFakeCluster("node1", "node2"+hostile)
	f.groups[0].key = "g" + hostile
	f.groups[0].tokens = append(f.groups[0].tokens, "x"+hostile)
	f.monitors["node1"][0].Group = f.groups[0].key
	f.monitors["node1"][0].Reason = hostile
	f.Ring.Handler().Handle(context.Background(), slog.NewRecord(time.Now(), slog.LevelError, "line"+hostile, 0))
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ha.cf"), []byte("node node1\nnode "+hostile+"\n"), 0o644)
	tc := startConsole(t, f, func(o *Options) {
		o.Config = func(context.Context) (ConfigReport, error) { return CheckDir(dir, "node1"), nil }
	})
	c := tc.client(t)
	tc.login(t, c, admintest.Password)
	for _, path := range []string{"/", "/live/overview", "/log", "/config", "/log?text=" + url.QueryEscape(hostile)} {
		body, resp := get(t, c, tc.URL+path)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
		for _, raw := range []string{"<script>alert", "<img src=x"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s holds %q unescaped:\n%s", path, raw, body)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the hostile text escaped:\n%s", path, body)
		}
	}
}

func addLog(r *logging.Ring, at time.Time, level slog.Level, msg string) {
	r.Handler().Handle(context.Background(), slog.NewRecord(at, level, msg, 0))
}

func TestLogPage(t *testing.T) {
	f := newFakeCluster()
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	addLog(f.Ring, t0, slog.LevelInfo, "first info")
	addLog(f.Ring, t0.Add(time.Second), slog.LevelWarn, "then a warning")
	addLog(f.Ring, t0.Add(2*time.Second), slog.LevelError, "an error at last")
	addLog(f.Ring, t0.Add(3*time.Second), slog.LevelDebug, "debug detail")
	tc := startConsole(t, f, nil)
	c := tc.client(t)
	tc.login(t, c, admintest.Password)

	rows := func(query string) []string {
		t.Helper()
		body, resp := get(t, c, tc.URL+"/log?"+query)
		if resp.StatusCode != 200 {
			t.Fatalf("/log?%s: %d", query, resp.StatusCode)
		}
		var out []string
		for _, part := range strings.Split(body, `<td class="msg">`)[1:] {
			out = append(out, part[:strings.Index(part, "<")])
		}
		return out
	}
	check := func(query string, want ...string) {
		t.Helper()
		if got := rows(query); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("/log?%s: %q, want %q", query, got, want)
		}
	}
	check("", "debug detail", "an error at last", "then a warning", "first info")
	check("level=warn", "an error at last", "then a warning")
	check("level=info&text=ST", "an error at last", "first info")
	check("text=WARNING", "then a warning")
	check("text=info&node=node1", "first info")
	check("text=info&node=node2")
	check("n=1", "debug detail")
	if body, _ := get(t, c, tc.URL+"/log?level=loud"); !strings.Contains(body, "unknown log level") {
		t.Error("a bad level was not explained")
	}
}

// TestLogClusterSource: with Options.Log the page shows every node's
// records and filters them by node.
func TestLogClusterSource(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	merged := []logging.Record{
		{Time: t0.Add(2 * time.Second), Level: slog.LevelInfo, Text: "b on node2", Node: "node2"},
		{Time: t0.Add(time.Second), Level: slog.LevelInfo, Text: "a on node1", Node: "node1"},
	}
	var asked []admin.LogQuery
	tc := startConsole(t, newFakeCluster(), func(o *Options) {
		o.Log = func(_ context.Context, q admin.LogQuery) ([]logging.Record, error) {
			asked = append(asked, q)
			return merged, nil
		}
	})
	c := tc.client(t)
	tc.login(t, c, admintest.Password)
	body, _ := get(t, c, tc.URL+"/log")
	if i, j := strings.Index(body, "b on node2"), strings.Index(body, "a on node1"); i < 0 || j < i {
		t.Errorf("merged log not shown newest first:\n%s", body)
	}
	body, _ = get(t, c, tc.URL+"/log?node=node2")
	if !strings.Contains(body, "b on node2") || strings.Contains(body, "a on node1") {
		t.Errorf("node filter:\n%s", body)
	}
	if !strings.Contains(body, `<option selected>node2</option>`) {
		t.Errorf("the node filter is not kept in the form")
	}
}

// TestLogTail: the live tail sends the records after the newest shown,
// waits for one when there is none, and answers 204 when none came.
func TestLogTail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeCluster()
		t0 := time.Now()
		addLog(f.Ring, t0, slog.LevelInfo, "old")
		c, _ := New(checker("pw"), Options{Backend: f})
		rc := newRecorderClient(t, c)
		rc.login("pw")
		tail := func(q string) (int, string) {
			w := rc.do("GET", "/live/log?"+q, nil)
			return w.Code, w.Body.String()
		}
		since := url.QueryEscape(t0.Format(time.RFC3339Nano))
		go func() {
			time.Sleep(5 * time.Second)
			addLog(f.Ring, time.Now(), slog.LevelInfo, "new one")
		}()
		code, body := tail("since=" + since + "&after=1")
		if code != 200 || !strings.Contains(body, "new one") || strings.Contains(body, "old") {
			t.Errorf("tail after the old record: %d\n%s", code, body)
		}
		if time.Since(t0) != 5*time.Second {
			t.Errorf("the tail answered after %s, not when the record came", time.Since(t0))
		}
		newest := between(body, `data-time="`, `"`)
		code, body = tail("since=" + url.QueryEscape(newest) + "&after=2&level=warn")
		if code != http.StatusNoContent || body != "" {
			t.Errorf("tail with nothing new: %d %q", code, body)
		}
		if time.Since(t0) != 5*time.Second+tailWait {
			t.Errorf("an empty tail answered after %s", time.Since(t0)-5*time.Second)
		}
		if code, _ := tail("since=yesterday"); code != http.StatusBadRequest {
			t.Errorf("a bad since: %d", code)
		}
	})
}

// sampleConfig is a copy of the ha.d samples with a line added to
// ha.cf and a secret to authkeys.
func sampleConfig(t testing.TB, hacfLine string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"ha.cf", "haresources", "authkeys", "understudy.toml"} {
		b, err := os.ReadFile(filepath.Join("..", "ha.d", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "ha.cf" {
			b = append(b, hacfLine+"\n"...)
		}
		if name == "authkeys" {
			b = append(b, "3 sha1 a-secret-that-stays-hidden\n"...)
		}
		os.WriteFile(filepath.Join(dir, name), b, 0o600)
	}
	return dir
}

func TestConfigPage(t *testing.T) {
	dir := sampleConfig(t, "deadtime banana")
	tc := startConsole(t, newFakeCluster(), func(o *Options) {
		o.Config = func(context.Context) (ConfigReport, error) { return CheckDir(dir, "node1"), nil }
	})
	c := tc.client(t)
	tc.login(t, c, admintest.Password)
	body, resp := get(t, c, tc.URL+"/config")
	if resp.StatusCode != 200 {
		t.Fatalf("/config: %d", resp.StatusCode)
	}
	lines := strings.Count(string(must(os.ReadFile(filepath.Join(dir, "ha.cf")))), "\n")
	row := between(body, `<td class="n">`+strconv.Itoa(lines)+`</td>`, "</tr>")
	if !strings.Contains(row, "deadtime banana") || !strings.Contains(row, `class="diag bad">error:`) {
		t.Errorf("the error is not shown on its line %d: %q", lines, row)
	}
	if !strings.Contains(body, `id="verdict">not usable`) {
		t.Error("the verdict is not shown")
	}
	for _, want := range []string{"<dt>nodes</dt><dd>node1 node2</dd>", "haresources", "understudy.toml", "IPaddr::192.0.2.10/24"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "a-secret-that-stays-hidden") {
		t.Error("the page shows an authkeys secret")
	}

	// Without Options.Config the page says so.
	tc2 := startConsole(t, newFakeCluster(), nil)
	c2 := tc2.client(t)
	tc2.login(t, c2, admintest.Password)
	if body, _ := get(t, c2, tc2.URL+"/config"); !strings.Contains(body, "does not show its configuration") {
		t.Errorf("no explanation without a configuration source:\n%s", body)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// failingStatus is a daemon that does not answer status.
type failingStatus struct{ *fakeCluster }

func (failingStatus) Status(context.Context) (control.Status, error) {
	return control.Status{}, errors.New("daemon busy")
}

// TestDaemonNotAnswering: the overview says the daemon did not answer,
// and so do its live updates; the login still works.
func TestDaemonNotAnswering(t *testing.T) {
	tc := startConsole(t, newFakeCluster(), func(o *Options) {
		o.Backend, o.Cluster = failingStatus{newFakeCluster()}, nil
	})
	c := tc.client(t)
	if resp := tc.login(t, c, admintest.Password); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	for _, path := range []string{"/", "/live/overview"} {
		body, resp := get(t, c, tc.URL+path)
		if resp.StatusCode != 200 || !strings.Contains(body, "the daemon did not answer: daemon busy") {
			t.Errorf("%s: %d\n%s", path, resp.StatusCode, body)
		}
	}
}
