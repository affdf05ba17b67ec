package integration

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/admintest"
	"github.com/understudy-ha/understudy/control"
)

// adminPassword is the lab's admin password.
const adminPassword = "integration admin password"

// setPassword runs understudy passwd for name, the password on its
// standard input.
func (l *lab) setPassword(name, pw string) {
	l.t.Helper()
	cmd := exec.Command(bins.understudy, "passwd", "-c", l.nodes[name].dir)
	cmd.Stdin = strings.NewReader(pw + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		l.t.Fatalf("understudy passwd for %s: %v\n%s", name, err, out)
	}
}

// status is name's status through its local socket.
func (l *lab) status(name string) control.Status {
	l.t.Helper()
	var st control.Status
	if err := json.Unmarshal([]byte(l.cli(name, "status", "--json")), &st); err != nil {
		l.t.Fatalf("understudy status --json on %s: %v", name, err)
	}
	return st
}

// remote runs the understudy command in the client's namespace, as an
// operator on a third machine: no configuration of its own, no known
// hosts, not a terminal, the password pw in UNDERSTUDY_PASSWORD.
func (l *lab) remote(pw string, args ...string) (code int, stdout, stderr string) {
	l.t.Helper()
	home := l.t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", l.client.Name, bins.understudy}, args...)...)
	cmd.Env = append(os.Environ(), "UNDERSTUDY_PASSWORD="+pw, "UNDERSTUDY_FINGERPRINT=", "UNDERSTUDY_HA_DIR="+home,
		"HOME="+home, "XDG_CONFIG_HOME="+home)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		l.t.Fatalf("understudy %s in the client: %v", strings.Join(args, " "), err)
	}
	return code, out.String(), errb.String()
}

// adminTLS checks that the certificate is the one with fingerprint fp.
func adminTLS(fp string) *tls.Config {
	return &tls.Config{InsecureSkipVerify: true, VerifyConnection: func(cs tls.ConnectionState) error {
		if got := admin.Fingerprint(cs.PeerCertificates[0].Raw); got != fp {
			return fmt.Errorf("certificate %s, want %s", got, fp)
		}
		return nil
	}}
}

// scrape reads https://addr/metrics from the client's namespace as
// Prometheus would, with user admin and pw ("" for none).
func (l *lab) scrape(addr, fp, pw string) (int, admintest.Metrics) {
	l.t.Helper()
	tr := &http.Transport{DialContext: l.dialClient, TLSClientConfig: adminTLS(fp)}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest("GET", "https://"+addr+"/metrics", nil)
	if pw != "" {
		req.SetBasicAuth("admin", pw)
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		l.t.Fatalf("scrape %s: %v", addr, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, admintest.ParseMetrics(l.t, b)
}

// TestRemoteAdministration: from the client's namespace, with the
// password, an operator sees and steers the cluster through the nodes'
// admin ports; node2, without a password at first, runs without its
// port until it gets one.
func TestRemoteAdministration(t *testing.T) {
	l := newLab(t, labOptions{admin: true})
	l.setPassword("node1", adminPassword)
	l.start("node1", "node2")
	l.serving("node1")

	// No password on node2: one line, and the cluster runs.
	l.eventually(10*time.Second, "node2 says its admin port did not start", l.logged("node2", "admin port not started", "understudy passwd"))
	if st := l.status("node2"); st.Admin == nil || len(st.Admin.Listen) != 0 || !strings.Contains(st.Admin.Err, "no admin password") {
		t.Fatalf("node2's status: admin %+v, want not running and why", st.Admin)
	}
	if b, _ := os.ReadFile(l.nodes["node2"].log); bytes.Count(b, []byte("admin port not started")) != 1 {
		t.Errorf("node2 logged the missing password %d times, want once", bytes.Count(b, []byte("admin port not started")))
	}

	fp1 := l.status("node1").Admin.Fingerprint
	node1 := []string{"--host", "192.0.2.1", "--fingerprint", fp1}
	code, out, errs := l.remote(adminPassword, append(node1, "status", "--json")...)
	var st control.Status
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil || st.Node != "node1" || st.Admin.Fingerprint != fp1 {
		t.Fatalf("remote status --json: exit %d, %v\n%s%s", code, err, out, errs)
	}
	code, _, errs = l.remote("not the password", append(node1, "status")...)
	if code != 4 || !strings.Contains(errs, "wrong password") {
		t.Errorf("wrong password: exit %d, stderr %q; want 4 and a message saying so", code, errs)
	}

	// node2 gets the password; understudy reload starts its port, which
	// it announces to node1.
	l.setPassword("node2", adminPassword)
	l.cli("node2", "reload")
	fp2 := l.status("node2").Admin.Fingerprint
	if fp2 == "" {
		t.Fatalf("node2's admin port did not start after passwd and reload: %+v", l.status("node2").Admin)
	}
	l.eventually(10*time.Second, "status --cluster through node1 shows both nodes", func() (bool, string) {
		code, out, errs := l.remote(adminPassword, append(node1, "status", "--cluster")...)
		return code == 0 && strings.Contains(out, "2 of 2 nodes answered") && strings.Contains(out, "agree"),
			fmt.Sprintf("exit %d\n%s%s", code, out, errs)
	})

	// takeover through node2 moves the group; log --cluster through
	// node1 shows both sides of it in time order.
	l.eventually(10*time.Second, "node1 must settle", l.quiet("node1"))
	l.eventually(10*time.Second, "node2 must settle", l.quiet("node2"))
	since := time.Now().Add(-time.Millisecond)
	code, out, errs = l.remote(adminPassword, "--host", "192.0.2.2", "--fingerprint", fp2, "takeover")
	if code != 0 || !strings.HasPrefix(out, "Takeover [all] done") {
		t.Fatalf("remote takeover through node2: exit %d\n%s%s", code, out, errs)
	}
	l.serving("node2")
	code, out, errs = l.remote(adminPassword, append(node1, "log", "--cluster", "-n", "0", "--since", since.Format(time.RFC3339Nano))...)
	if code != 0 {
		t.Fatalf("log --cluster: exit %d\n%s%s", code, out, errs)
	}
	checkFailoverLog(t, out)

	// Prometheus, from the client: node2 counted its takeover.
	if code, _ := l.scrape("192.0.2.2:9050", fp2, ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without the password: %d, want 401", code)
	}
	_, m := l.scrape("192.0.2.2:9050", fp2, adminPassword)
	for _, c := range []struct {
		name   string
		labels []string
		ok     func(float64) bool
		want   string
	}{
		{"understudy_takeover_duration_seconds", []string{"result", "ok"}, func(v float64) bool { return v == 1 }, "1"},
		{"understudy_reloads_total", []string{"result", "ok"}, func(v float64) bool { return v == 1 }, "1"},
		{"understudy_heartbeats_received_total", []string{"node", "node1", "link", "eth1"}, func(v float64) bool { return v > 0 }, "> 0"},
		{"understudy_heartbeats_sent_total", []string{"link", "eth1"}, func(v float64) bool { return v > 0 }, "> 0"},
		{"understudy_node_up", []string{"node", "node1"}, func(v float64) bool { return v == 1 }, "1"},
	} {
		if v, ok := m.Value(c.name, c.labels...); !ok || !c.ok(v) {
			t.Errorf("node2's %s%v = %v (present %v), want %s", c.name, c.labels, v, ok, c.want)
		}
	}

	replayAndAlter(t, l, fp1)
}

// checkFailoverLog: the merged log holds both nodes' lines of the
// takeover, newest first, node1 releasing before node2 runs the group.
func checkFailoverLog(t *testing.T, out string) {
	t.Helper()
	var prev time.Time
	released, running := time.Time{}, time.Time{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		node, rest, ok := strings.Cut(strings.TrimPrefix(line, "["), "] ")
		if !ok || len(rest) < 26 {
			t.Fatalf("a line of log --cluster without its node and time: %q\n%s", line, out)
		}
		at, err := time.ParseInLocation("2006-01-02 15:04:05.000000", rest[:26], time.Local)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if !prev.IsZero() && at.After(prev) {
			t.Errorf("not newest first at %q\n%s", line, out)
		}
		prev = at
		switch {
		case node == "node1" && strings.Contains(line, "to=releasing"):
			released = at
		case node == "node2" && strings.Contains(line, "to=running"):
			running = at
		}
	}
	if released.IsZero() || running.IsZero() || running.Before(released) {
		t.Errorf("want node1's release of the group, then node2 running it; got release %v, running %v:\n%s", released, running, out)
	}
}

// recorder is a TLS-terminating proxy, run by the test, in front of a
// node's admin port (reached from the client's namespace): a man in the
// middle that the client trusts, which keeps every request it passes on.
type recorder struct {
	up   *http.Transport
	node string
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, uri string
	header      http.Header
	body        []byte
}

func (p *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	p.reqs = append(p.reqs, recorded{r.Method, r.URL.RequestURI(), r.Header.Clone(), body})
	p.mu.Unlock()
	resp, err := p.send(recorded{r.Method, r.URL.RequestURI(), r.Header, body})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// send passes a request on to the node.
func (p *recorder) send(r recorded) (*http.Response, error) {
	req, err := http.NewRequest(r.method, "https://"+p.node+r.uri, bytes.NewReader(r.body))
	if err != nil {
		return nil, err
	}
	for k, v := range r.header {
		if strings.HasPrefix(k, "Understudy-") || k == "Content-Type" {
			req.Header[k] = v
		}
	}
	return p.up.RoundTrip(req)
}

// replayAndAlter: a request captured on the way is refused when sent
// again, and so is one whose body was changed, and neither acts.
func replayAndAlter(t *testing.T, l *lab, fp string) {
	p := &recorder{node: "192.0.2.1:9050", up: &http.Transport{DialContext: l.dialClient, TLSClientConfig: adminTLS(fp)}}
	defer p.up.CloseIdleConnections()
	mitm := httptest.NewTLSServer(p) // loopback, in the test's own namespace
	defer mitm.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := admin.Dial(ctx, admin.ClientOptions{Addr: mitm.Listener.Addr().String(), Password: adminPassword,
		Trust: admin.Trust{Fingerprint: admin.Fingerprint(mitm.Certificate().Raw)}})
	if err != nil {
		t.Fatalf("login through the recording proxy: %v", err)
	}
	defer c.Close()
	if a, err := c.Command(ctx, admin.Command{Name: admin.CmdReload}); err != nil || a.Verdict != admin.Done {
		t.Fatalf("reload through the recording proxy: %+v, %v", a, err)
	}
	var cmd recorded
	p.mu.Lock()
	for _, r := range p.reqs {
		if r.uri == admin.PathCommand {
			cmd = r
		}
	}
	p.mu.Unlock()
	if cmd.body == nil {
		t.Fatal("the proxy saw no command")
	}
	refused := func(what string, r recorded, says string) {
		t.Helper()
		resp, err := p.send(r)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), says) {
			t.Errorf("%s: %d %s, want 401 saying %q", what, resp.StatusCode, b, says)
		}
	}
	refused("the captured reload sent again", cmd, "a replay")
	altered := cmd
	altered.header = cmd.header.Clone()
	seq, _ := strconv.ParseUint(cmd.header.Get("Understudy-Seq"), 10, 64)
	altered.header.Set("Understudy-Seq", strconv.FormatUint(seq+10, 10))
	altered.body = []byte(`{"name":"standby","args":{"set":"all"}}`)
	refused("the captured reload altered into a standby", altered, "signature does not match")
	// Neither reached the daemon: one reload through the port, no standby.
	b, _ := os.ReadFile(l.nodes["node1"].log)
	if n := bytes.Count(b, []byte(": admin command ")); n != 1 || bytes.Contains(b, []byte("cmd=standby")) {
		t.Errorf("node1 logged %d admin commands, want the one reload:\n%s", n, tail(string(b), 30))
	}
}
