package console

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/admintest"
	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
	"github.com/understudy-ha/understudy/resources"
)

// fakeCluster is a scripted two-node cluster: each node's view, which
// standby and takeover change as a cluster would (the groups move, after
// Delay), and a log ring. Its local node answers as admin.Backend, the
// others through view and command (Options.Cluster, Options.Command).
type fakeCluster struct {
	// Delay is how long after a standby or takeover its groups move.
	Delay time.Duration
	Ring  *logging.Ring

	mu       sync.Mutex
	self     string
	nodes    []string
	groups   []fakeGroup
	monitors map[string][]MonitorResult // by node
	dead     map[string]bool            // nodes seen dead by the others
	cmds     []sentCommand
}

type fakeGroup struct {
	key, preferred, owner string
	tokens                []string
}

type sentCommand struct {
	node string
	cmd  admin.Command
}

var _ admin.Backend = (*fakeCluster)(nil)

// newFakeCluster is node1 and node2, node1 holding group
// "192.0.2.100" (its address and demoweb) with a monitor "web" up on
// both.
func newFakeCluster(nodes ...string) *fakeCluster {
	if len(nodes) == 0 {
		nodes = []string{"node1", "node2"}
	}
	f := &fakeCluster{self: nodes[0], nodes: nodes, Ring: logging.NewRing(100, slog.LevelDebug),
		monitors: map[string][]MonitorResult{}, dead: map[string]bool{}}
	f.groups = []fakeGroup{{key: "192.0.2.100", preferred: nodes[0], owner: nodes[0],
		tokens: []string{"IPaddr2::192.0.2.100/24/eth0", "demoweb"}}}
	for _, n := range nodes {
		f.monitors[n] = []MonitorResult{{Group: "192.0.2.100", Name: "web", State: "up"}}
	}
	return f
}

// setMonitor changes a monitor's result on node.
func (f *fakeCluster) setMonitor(node, name, state, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, m := range f.monitors[node] {
		if m.Name == name {
			f.monitors[node][i].State, f.monitors[node][i].Reason = state, reason
		}
	}
}

func (f *fakeCluster) setDead(node string, dead bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dead[node] = dead
}

// statusOf is node's own view.
func (f *fakeCluster) statusOf(node string) control.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := control.Status{Node: node, Version: "test", Started: time.Unix(1_700_000_000, 0),
		Cluster: cluster.Snapshot{Self: node, Status: "active", State: "stable", Standby: "none"},
		Links:   []control.LinkStatus{{Name: "eth1", Medium: "ucast", Up: true}, {Name: "/dev/ttyS0", Medium: "serial", Up: true}}}
	for _, n := range f.nodes {
		if n == node {
			continue
		}
		ns := cluster.NodeStatus{Name: n, Status: "active", Links: map[string]string{"eth1": "up", "/dev/ttyS0": "up"}, Heard: true}
		if f.dead[n] {
			ns.Status, ns.Links = "dead", map[string]string{"eth1": "dead", "/dev/ttyS0": "dead"}
		}
		st.Cluster.Nodes = append(st.Cluster.Nodes, ns)
	}
	for _, g := range f.groups {
		state := "stopped"
		if g.owner == node {
			state = "running"
		}
		st.Cluster.Groups = append(st.Cluster.Groups, cluster.GroupStatus{Key: g.key, Preferred: g.preferred, State: state, Owner: g.owner})
		rs := resources.GroupStatus{Key: g.key}
		for _, tok := range g.tokens {
			s := resources.Stopped
			if g.owner == node {
				s = resources.Running
			}
			rs.Resources = append(rs.Resources, resources.ResourceStatus{Token: tok, State: s})
		}
		st.Groups = append(st.Groups, rs)
	}
	return st
}

// Status is the local node's view.
func (f *fakeCluster) Status(ctx context.Context) (control.Status, error) {
	return f.statusOf(f.self), nil
}

// Command is a command to the local node.
func (f *fakeCluster) Command(ctx context.Context, c admin.Command) (admin.Answer, error) {
	return f.command(ctx, f.self, c)
}

// command is a command to node: standby gives its groups to the other
// node, takeover takes them all, after Delay; other commands are
// refused as the daemon refuses what it does not know.
func (f *fakeCluster) command(_ context.Context, node string, c admin.Command) (admin.Answer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cmds = append(f.cmds, sentCommand{node: node, cmd: c})
	var move func(g *fakeGroup)
	switch c.Name {
	case admin.CmdStandby:
		other := f.nodes[(slices.Index(f.nodes, node)+1)%len(f.nodes)]
		move = func(g *fakeGroup) {
			if g.owner == node {
				g.owner = other
			}
		}
	case admin.CmdTakeover:
		move = func(g *fakeGroup) { g.owner = node }
	default:
		return admin.Answer{Verdict: admin.Refused, Reason: fmt.Sprintf("unknown command %q", c.Name)}, nil
	}
	apply := func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for i := range f.groups {
			move(&f.groups[i])
		}
	}
	if f.Delay > 0 {
		time.AfterFunc(f.Delay, apply)
	} else {
		defer func() { go apply() }()
	}
	return admin.Answer{Verdict: admin.Accepted}, nil
}

// Log answers from the ring.
func (f *fakeCluster) Log(ctx context.Context, q admin.LogQuery) ([]logging.Record, error) {
	return admin.LogFromRing(ctx, f.Ring, "", q)
}

// views are every node's view (Options.Cluster).
func (f *fakeCluster) views(context.Context) ([]NodeView, error) {
	var vs []NodeView
	for _, n := range f.nodes {
		st := f.statusOf(n)
		f.mu.Lock()
		mons := slices.Clone(f.monitors[n])
		f.mu.Unlock()
		vs = append(vs, NodeView{Node: n, Status: st, Monitors: mons})
	}
	return vs, nil
}

func (f *fakeCluster) commands() []sentCommand {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.cmds)
}

// testConsole is a console mounted on an admin server of admintest.
type testConsole struct {
	*admintest.Server
	URL string
	f   *fakeCluster
}

// startConsole serves a console of f; edit may change its options.
func startConsole(t testing.TB, f *fakeCluster, edit func(*Options)) *testConsole {
	t.Helper()
	srv := admintest.Start(t, f, func(o *admin.Options) { o.StateDir = shared.stateDir })
	o := Options{Backend: f, Cluster: f.views, Command: f.command, Logger: slog.New(srv.Log.Handler())}
	if edit != nil {
		edit(&o)
	}
	if _, err := Mount(srv.Server, o); err != nil {
		t.Fatal(err)
	}
	return &testConsole{Server: srv, URL: "https://" + srv.Addr, f: f}
}

// client is a browser-like HTTP client of the console: cookies, the
// server's certificate trusted, redirects not followed (so that tests
// see them).
func (tc *testConsole) client(t testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	fp := tc.Fingerprint()
	pin := func(raw [][]byte, _ [][]*x509.Certificate) error {
		if len(raw) == 0 || admin.Fingerprint(raw[0]) != fp {
			return errors.New("not the test server's certificate")
		}
		return nil
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, VerifyPeerCertificate: pin}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login logs c in with pw and returns the answer to the login.
func (tc *testConsole) login(t testing.TB, c *http.Client, pw string) *http.Response {
	t.Helper()
	token := tc.loginToken(t, c)
	resp, err := c.PostForm(tc.URL+"/login", url.Values{"csrf": {token}, "password": {pw}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// loginToken gets the login form and returns its token.
func (tc *testConsole) loginToken(t testing.TB, c *http.Client) string {
	t.Helper()
	body, _ := get(t, c, tc.URL+"/login")
	return between(body, `name="csrf" value="`, `"`)
}

// csrf is the CSRF token of a logged-in client's overview page.
func (tc *testConsole) csrf(t testing.TB, c *http.Client) string {
	t.Helper()
	body, _ := get(t, c, tc.URL+"/")
	tok := between(body, `name="csrf" value="`, `"`)
	if tok == "" {
		t.Fatalf("no CSRF token on the overview page:\n%s", body)
	}
	return tok
}

func get(t testing.TB, c *http.Client, u string) (string, *http.Response) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), resp
}

func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}
