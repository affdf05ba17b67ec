package hooks

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// The notification scripts Understudy ships: the example hooks in
// ha.d/hooks/ and heartbeat's MailTo resource script in
// ha.d/resource.d/. Mail goes to a fake sendmail put first on PATH.

func shipped(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "ha.d", rel))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(p); err != nil || st.Mode()&0o111 != 0o111 {
		t.Fatalf("%s: want an executable file: %v", rel, err)
	}
	return p
}

// fakeSendmail puts a sendmail in a directory of its own that appends
// its arguments and its message to the file it returns, and exits with
// code. It returns the directory and the file.
func fakeSendmail(t *testing.T, code int) (string, string) {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "mails")
	script := fmt.Sprintf("#!/bin/sh\n{ echo \"ARGS: $*\"; cat; echo .; } >>%s\nexit %d\n", out, code)
	if err := os.WriteFile(filepath.Join(dir, "sendmail"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, out
}

type ran struct {
	code           int
	stdout, stderr string
}

func runScript(t *testing.T, env []string, argv ...string) ran {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := ran{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMailTo(t *testing.T) {
	mailTo := shipped(t, "resource.d/MailTo")
	bin, mails := fakeSendmail(t, 0)
	env := []string{"PATH=" + bin + ":/usr/bin:/bin", "HA_CURHOST=node1", "HA_RSCTMP=" + filepath.Join(t.TempDir(), "rsctmp")}
	call := func(args ...string) ran { return runScript(t, env, append([]string{mailTo}, args...)...) }

	for _, args := range [][]string{{}, {"root"}, {"root", "restart"}, {"a b", "start"}, {"-froot", "start"},
		{"root", "sub ject", "start"}, {"root", "x", "y", "start"}, {"root\nBcc: x", "start"}} {
		if r := call(args...); r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "usage: MailTo ") {
			t.Errorf("MailTo %q: want exit 2 and a usage line on stderr only; got %+v", args, r)
		}
	}
	if r := call("root,ops@example.org", "web", "status"); r.code != 3 || r.stdout != "stopped\n" {
		t.Errorf("status before start: %+v", r)
	}
	if r := call("root,ops@example.org", "web", "start"); r.code != 0 || r.stderr != "" {
		t.Errorf("start: %+v", r)
	}
	if r := call("root,ops@example.org", "web", "status"); r.code != 0 || r.stdout != "running\n" {
		t.Errorf("status after start: %+v", r)
	}
	if r := call("root", "status"); r.code != 3 {
		t.Errorf("another MailTo resource is not running: %+v", r)
	}
	if r := call("root,ops@example.org", "web", "stop"); r.code != 0 {
		t.Errorf("stop: %+v", r)
	}
	if r := call("root,ops@example.org", "web", "stop"); r.code != 0 {
		t.Errorf("stop when stopped must succeed (LSB): %+v", r)
	}
	if r := call("root,ops@example.org", "web", "status"); r.code != 3 || r.stdout != "stopped\n" {
		t.Errorf("status after stop: %+v", r)
	}
	b, _ := os.ReadFile(mails)
	got := string(b)
	for _, want := range []string{
		"ARGS: -oi -t\nTo: root,ops@example.org\nSubject: web: node1 takes over\nAuto-Submitted: auto-generated\n\nnode1 takes over\n",
		"ARGS: -oi -t\nTo: root,ops@example.org\nSubject: web: node1 gives up\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("mails lack %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "ARGS:"); n != 2 {
		t.Errorf("%d mails, want 2 (the second stop sends none):\n%s", n, got)
	}
	// The default subject.
	call("root", "start")
	if b, _ := os.ReadFile(mails); !strings.Contains(string(b), "Subject: understudy: node1 takes over") {
		t.Errorf("default subject:\n%s", b)
	}
}

// TestMailToSendmailFails: a mail that cannot go is said on stderr, and
// the resource still starts and stops (a notice never moves a group).
func TestMailToSendmailFails(t *testing.T) {
	mailTo := shipped(t, "resource.d/MailTo")
	bin, _ := fakeSendmail(t, 75)
	env := []string{"PATH=" + bin + ":/usr/bin:/bin", "HA_CURHOST=node1", "HA_RSCTMP=" + t.TempDir()}
	for _, op := range []string{"start", "status", "stop"} {
		r := runScript(t, env, mailTo, "root", op)
		if r.code != 0 || (op != "status" && !strings.Contains(r.stderr, "MailTo: sendmail failed: mail to root not sent")) {
			t.Errorf("%s with a failing sendmail: %+v", op, r)
		}
	}
}

// TestMailHook: the mail example, run by a Runner for a real event.
func TestMailHook(t *testing.T) {
	hook := shipped(t, "hooks/mail")
	bin, mails := fakeSendmail(t, 0)
	r := New(Options{Node: "node1", Env: []string{"PATH=" + bin + ":/usr/bin:/bin"},
		Hooks: []config.Hook{{Program: []string{hook, "root"}, Timeout: 10 * time.Second}}})
	at := time.Date(2026, 11, 22, 10, 4, 5, 0, time.UTC)
	r.Notify(Event{Kind: GroupFailed, Time: at, Node: "node1", Group: "192.0.2.10", Reason: "monitor http:80 down"})
	r.Notify(Event{Kind: NodeDead, Time: at, Node: "node2"})
	closeAll(t, r)
	b, _ := os.ReadFile(mails)
	want := `ARGS: -oi -t
To: root
Subject: [understudy] group_failed on node1: group 192.0.2.10
Auto-Submitted: auto-generated

UNDERSTUDY_EVENT=group_failed
UNDERSTUDY_GROUP=192.0.2.10
UNDERSTUDY_LOCAL_NODE=node1
UNDERSTUDY_NODE=node1
UNDERSTUDY_REASON=monitor http:80 down
UNDERSTUDY_TIME=2026-11-22T10:04:05Z

{"event":"group_failed","time":"2026-11-22T10:04:05Z","local_node":"node1","node":"node1","group":"192.0.2.10","reason":"monitor http:80 down"}
.
ARGS: -oi -t
To: root
Subject: [understudy] node_dead on node1: node node2
`
	if !strings.HasPrefix(string(b), want) {
		t.Errorf("mails:\n%s\nwant them to start with:\n%s", b, want)
	}
	if res := runScript(t, nil, hook); res.code != 2 || !strings.Contains(res.stderr, "usage: mail ") {
		t.Errorf("mail without an address: %+v", res)
	}
}

// TestWebhook: the webhook example POSTs the JSON line, with curl and
// with wget, and fails (logged) when the server says no.
func TestWebhook(t *testing.T) {
	hook := shipped(t, "hooks/webhook")
	type post struct{ method, ctype, body string }
	posts := make(chan post, 10)
	status := http.StatusNoContent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		posts <- post{r.Method, r.Header.Get("Content-Type"), string(b)}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	at := time.Date(2026, 11, 22, 10, 4, 5, 0, time.UTC)
	ev := Event{Kind: MonitorDown, Time: at, Node: "node1", Group: "192.0.2.10", Monitor: "http:80", Reason: "timeout"}
	for _, client := range []string{"curl", "wget"} {
		t.Run(client, func(t *testing.T) {
			if _, err := exec.LookPath(client); err != nil {
				t.Skipf("SKIPPING: %s is not installed", client)
			}
			r, log := newRunner(t, 0, config.Hook{Program: []string{hook, srv.URL + "/hook"}, Timeout: 20 * time.Second})
			r.env = append(r.env, "WEBHOOK_CLIENT="+client)
			r.Notify(ev)
			closeAll(t, r)
			want := post{"POST", "application/json", strings.TrimSuffix(string(Event{Kind: ev.Kind, Time: at, LocalNode: "node1", Node: "node1",
				Group: ev.Group, Monitor: ev.Monitor, Reason: ev.Reason}.JSON()), "\n")}
			got := <-posts
			got.body = strings.TrimSuffix(got.body, "\n")
			if got != want {
				t.Errorf("server got %+v\nwant %+v", got, want)
			}
			if strings.Contains(log.String(), "hook failed") {
				t.Errorf("log:\n%s", log)
			}
		})
	}
	status = http.StatusInternalServerError
	r, log := newRunner(t, 0, config.Hook{Program: []string{hook, srv.URL}, Timeout: 20 * time.Second})
	r.Notify(ev)
	closeAll(t, r)
	<-posts
	if !strings.Contains(log.String(), `msg="hook failed"`) {
		t.Errorf("a 500 must fail the hook; log:\n%s", log)
	}
	if res := runScript(t, nil, hook, "ftp://x"); res.code != 2 {
		t.Errorf("webhook ftp://x: %+v", res)
	}
}

// TestShippedLint: POSIX sh that parses in every shell at hand, and
// shellcheck-clean where shellcheck is installed.
func TestShippedLint(t *testing.T) {
	paths := []string{shipped(t, "resource.d/MailTo"), shipped(t, "hooks/mail"), shipped(t, "hooks/webhook")}
	for _, p := range paths {
		if b, _ := os.ReadFile(p); !strings.HasPrefix(string(b), "#!/bin/sh\n") {
			t.Errorf("%s does not start with #!/bin/sh", p)
		}
		for _, sh := range []string{"sh", "dash", "bash"} {
			if path, err := exec.LookPath(sh); err == nil {
				if out, err := exec.Command(path, "-n", p).CombinedOutput(); err != nil {
					t.Errorf("%s -n %s: %v\n%s", sh, p, err, out)
				}
			}
		}
	}
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("SKIPPING the shellcheck part: shellcheck is not installed")
	}
	if out, err := exec.Command(sc, append([]string{"-s", "sh"}, paths...)...).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}
