package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/admintest"
	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
	"github.com/understudy-ha/understudy/transport/session"
)

// These tests run the loop in real time: the admin port's sockets would
// keep a synctest bubble from ever advancing its clock. They assert no
// timing, and bound every wait.

// freePort is a loopback TCP port nobody listens on just now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// setAdmin rewrites understudy.toml with [admin] listen on port (none
// for 0) and reloads.
func (l *lab) setAdmin(port int) {
	l.t.Helper()
	path := filepath.Join(l.dir, "understudy.toml")
	b, err := os.ReadFile(path)
	if err != nil {
		l.t.Fatal(err)
	}
	text, _, _ := strings.Cut(string(b), "[admin]")
	if port != 0 {
		text += fmt.Sprintf("[admin]\nlisten = [\"127.0.0.1:%d\"]\n", port)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		l.t.Fatal(err)
	}
	r := l.ask(ctlReq{reload: make(chan error, 1)})
	if err := <-r.reload; err != nil {
		l.t.Fatalf("reload with [admin] listen port %d: %v", port, err)
	}
}

// realStatus asks the loop for status in real time.
func (l *lab) realStatus() control.Status {
	l.t.Helper()
	st, err := l.d.api.Status(l.t.Context())
	if err != nil {
		l.t.Fatal(err)
	}
	return st
}

// until polls cond every 20 ms, for at most 20 s.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 20 s: %s", what)
		}
	}
}

// TestAdminPort: a reload that sets [admin] listen starts the port; it
// answers status, commands (with the cluster's own answer), the log and
// /metrics; the node announces it on its links; a changed listen moves
// it; without a password it does not start, in one line, and the
// cluster runs on.
func TestAdminPort(t *testing.T) {
	l := newLab(t, "node1 192.0.2.10\n")
	defer func() {
		l.cancel()
		<-l.done
		l.done <- nil // for the lab's cleanup
		l.d.stopAdmin(time.Second)
	}()
	until(t, "node1 holds its group, alone", func() bool {
		gs := l.realStatus().Cluster.Groups
		return len(gs) == 1 && gs[0].State == "running"
	})
	admintest.WritePassword(t, l.dir, admintest.Password)
	port := freePort(t)
	l.setAdmin(port)
	st := l.realStatus()
	if st.Admin == nil || len(st.Admin.Listen) != 1 || st.Admin.Fingerprint == "" || st.Admin.Err != "" {
		t.Fatalf("status after the reload: admin %+v, want the port listening with its fingerprint", st.Admin)
	}
	addr := st.Admin.Listen[0]
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := admin.Dial(ctx, admin.ClientOptions{Addr: addr, Password: admintest.Password,
		Trust: admin.Trust{Fingerprint: st.Admin.Fingerprint}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if rst, err := c.Status(ctx); err != nil || rst.Node != "node1" || rst.Admin == nil || rst.Admin.Fingerprint != st.Admin.Fingerprint {
		t.Fatalf("remote status: %+v, %v", rst, err)
	}

	for _, tc := range []struct {
		cmd           admin.Command
		verdict, says string
	}{
		{admin.Standby(cluster.SetAll), admin.Refused, "no other node is alive"},
		{admin.Command{Name: admin.CmdStandby, Args: map[string]string{"set": "none"}}, admin.Refused, "wrong resources"},
		{admin.Command{Name: admin.CmdReload}, admin.Done, ""},
		{admin.Maintenance(true), admin.Done, "maintenance on"},
		{admin.Move("192.0.2.10", "node2"), admin.Refused, "the cluster is in maintenance"},
		{admin.Maintenance(false), admin.Done, "maintenance off"},
		{admin.Move("192.0.2.10", ""), admin.Refused, "no other node can take 192.0.2.10"},
		{admin.Clear("192.0.2.10"), admin.Done, "cleared the failure marks of 192.0.2.10"},
		{admin.Command{Name: admin.CmdClear, Args: map[string]string{"group": "192.0.2.10", "set": "all"}}, admin.Refused, "clear: it takes no set"},
		{admin.Command{Name: "frobnicate"}, admin.Refused, "unknown command"},
	} {
		a, err := c.Command(ctx, tc.cmd)
		if err != nil || a.Verdict != tc.verdict || !strings.Contains(a.Reason, tc.says) {
			t.Errorf("command %+v: %+v, %v; want %s saying %q", tc.cmd, a, err, tc.verdict, tc.says)
		}
	}
	recs, err := c.Log(ctx, admin.LogQuery{Text: "admin command", N: 10})
	if err != nil || len(recs) < 10 || !strings.Contains(recs[0].String(), "frobnicate") || !strings.Contains(recs[0].String(), "source=127.0.0.1") {
		t.Errorf("the log through the port, newest first, should hold the commands with their source: %v, %v", recs, err)
	}
	if a, err := c.Command(ctx, admin.Command{Name: admin.CmdClearLog}); err != nil || a.Verdict != admin.Done {
		t.Errorf("clear-log: %+v, %v", a, err)
	}
	if recs := l.d.api.ring.Query(logging.Query{Text: "frobnicate"}); len(recs) != 0 {
		t.Errorf("clear-log left %v", recs)
	}

	scrape := func(user, pw string) (int, []byte) {
		tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // the test's own server
		defer tr.CloseIdleConnections()
		req, _ := http.NewRequestWithContext(ctx, "GET", "https://"+addr+"/metrics", nil)
		if user != "" {
			req.SetBasicAuth(user, pw)
		}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, _ := scrape("", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without auth: %d", code)
	}
	code, body := scrape("admin", admintest.Password)
	m := admintest.ParseMetrics(t, body)
	if v, ok := m.Value("understudy_reloads_total", "result", "ok"); code != http.StatusOK || !ok || v < 2 {
		t.Errorf("/metrics: %d, reloads ok = %v (%v), want 2 or more", code, v, ok)
	}
	if v, _ := m.Value("understudy_group_held", "group", "192.0.2.10"); v != 1 {
		t.Errorf("/metrics: group_held = %v, want 1", v)
	}

	// The announcement went out on the links.
	if !announced(t, l, addr, st.Admin.Fingerprint) {
		t.Errorf("no announcement of %s on the links", addr)
	}

	port2 := freePort(t)
	l.setAdmin(port2)
	st = l.realStatus()
	if st.Admin == nil || len(st.Admin.Listen) != 1 || !strings.HasSuffix(st.Admin.Listen[0], fmt.Sprint(port2)) {
		t.Fatalf("after listen changed: %+v", st.Admin)
	}
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Errorf("the old address %s still accepts connections", addr)
	}

	os.Remove(filepath.Join(l.dir, admin.PasswdFile))
	l.setAdmin(0)
	l.setAdmin(port)
	st = l.realStatus()
	if st.Admin == nil || len(st.Admin.Listen) != 0 || !strings.Contains(st.Admin.Err, "no admin password is set") {
		t.Errorf("without a password: admin %+v, want not listening and why", st.Admin)
	}
	lines := l.d.api.ring.Query(logging.Query{Text: "admin port not started"})
	if len(lines) != 1 || !strings.Contains(lines[0].Text, "understudy passwd") || !strings.Contains(lines[0].Text, "the cluster runs without it") {
		t.Errorf("want one line saying the port did not start, how to fix it, and that the cluster runs: %v", lines)
	}
	if _, err := admin.Dial(ctx, admin.ClientOptions{Addr: addr, Password: admintest.Password,
		Trust: admin.Trust{Fingerprint: st.Admin.Fingerprint}}); err == nil {
		t.Error("a port without a password accepted a login")
	}
}

// announced drains what node1 sent and reports whether one message
// announced its admin port at addr with fp.
func announced(t *testing.T, l *lab, addr, fp string) bool {
	for {
		select {
		case o := <-l.links.out:
			r, err := l.peer.Decode(o.Packet, time.Now())
			if err != nil && !errors.Is(err, session.ErrReplay) {
				t.Fatalf("node2 cannot read what node1 sent: %v", err)
			}
			if r.Deliver && r.Msg.Type == msgAdmin && field(r.Msg, "listen") == addr && field(r.Msg, "fp") == fp {
				return true
			}
		default:
			return false
		}
	}
}
