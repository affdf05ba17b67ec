package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/admintest"
	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
	"github.com/understudy-ha/understudy/logging"
)

func TestGlobalRemote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"--host 192.0.2.11 status --cluster", "status --host 192.0.2.11 --cluster"},
		{"--host=192.0.2.11 --fingerprint AB log -n 3", "log --host=192.0.2.11 --fingerprint AB -n 3"},
		{"-host 192.0.2.11 reload", "reload --host 192.0.2.11"},
		{"status --host 192.0.2.11", "status --host 192.0.2.11"},
		{"--host", "--host"},
		{"--version", "--version"},
		{"", ""},
	} {
		if got := strings.Join(globalRemote(strings.Fields(tc.in)), " "); got != tc.want {
			t.Errorf("%q -> %q, want %q", tc.in, got, tc.want)
		}
	}
}

// remoteNode is an admin port of a fake node: its status, recorded
// commands and log.
func remoteNode(t *testing.T, st control.Status) (*admintest.Server, *admintest.Backend) {
	b := &admintest.Backend{St: st, Ring: logging.NewRing(100, slog.LevelDebug)}
	return admintest.Start(t, b, nil), b
}

// logAt adds a record to b's log.
func logAt(b *admintest.Backend, at time.Time, text string) {
	b.Ring.Handler().Handle(context.Background(), slog.NewRecord(at, slog.LevelInfo, text, 0))
}

// TestRemoteCommands: --host takes the commands to the admin port, with
// the password from the environment; what the node answers becomes the
// output and the exit status.
func TestRemoteCommands(t *testing.T) {
	s, b := remoteNode(t, controltest.Sample())
	t.Setenv(admin.EnvPassword, admintest.Password)
	t.Setenv(admin.EnvFingerprint, "")
	host := []string{"--host", s.Addr, "--fingerprint", s.Fingerprint()}

	code, out, errs := runCmd(append(host, "status")...)
	if code != exitOK || !strings.Contains(out, "understudy 1.0.0 on node1") {
		t.Errorf("status: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCmd(append([]string{"status", "--json"}, host...)...)
	var st control.Status
	if err := json.Unmarshal([]byte(out), &st); code != exitOK || err != nil || st.Node != "node1" {
		t.Errorf("status --json: exit %d, %v\n%s", code, err, out)
	}

	for _, tc := range []struct {
		answer admin.Answer
		args   []string
		code   int
		out    string
	}{
		{admin.Answer{Verdict: admin.Done}, []string{"standby"}, exitOK, "Standby [all] done.\n"},
		{admin.Answer{Verdict: admin.Accepted, Reason: "still running"}, []string{"takeover", "local"}, exitPending, "Taking over [local].\n"},
		{admin.Answer{Verdict: admin.Refused, Reason: "no other node is alive"}, []string{"standby"}, exitFail, ""},
		{admin.Answer{Verdict: admin.Failed, Reason: "node2 did not answer"}, []string{"standby"}, exitFail, ""},
		{admin.Answer{Verdict: admin.Done}, []string{"reload"}, exitOK, "Configuration reloaded.\n"},
		{admin.Answer{Verdict: admin.Refused, Reason: "ha.cf:3: error: bad"}, []string{"reload"}, exitFail, ""},
	} {
		b.Answer = &tc.answer
		code, out, errs := runCmd(append(host, tc.args...)...)
		if code != tc.code || out != tc.out || (errs == "") != (tc.code == exitOK) || !strings.Contains(errs, tc.answer.Reason) {
			t.Errorf("%v answered %+v: exit %d, stdout %q, stderr %q; want %d, %q", tc.args, tc.answer, code, out, errs, tc.code, tc.out)
		}
	}
	cmds := b.Commands()
	if len(cmds) != 6 || cmds[1].Name != admin.CmdTakeover || cmds[1].Args["set"] != "local" || cmds[1].Args["wait"] != "30s" {
		t.Errorf("commands the node got: %+v", cmds)
	}

	t0 := time.Date(2026, 3, 1, 9, 30, 0, 250000000, time.Local)
	logAt(b, t0, "understudy started")
	logAt(b, t0.Add(time.Second), "node node2 is dead")
	code, out, _ = runCmd(append(host, "log", "-n", "5")...)
	want := "2026-03-01 09:30:01.250000 info: node node2 is dead\n2026-03-01 09:30:00.250000 info: understudy started\n"
	if code != exitOK || !strings.HasSuffix(out, want) {
		t.Errorf("log: exit %d\n%s\nwant it to end with\n%s", code, out, want)
	}
	b.Answer = &admin.Answer{Verdict: admin.Done, Reason: "2 records cleared from memory"}
	if code, out, _ := runCmd(append(host, "log", "--clear")...); code != exitOK || out != "Log cleared: 2 records cleared from memory.\n" {
		t.Errorf("log --clear: exit %d %q", code, out)
	}
}

// TestRemoteLoginRefused: a wrong password and an unexpected certificate
// end with exit 4 and a message that says which.
func TestRemoteLoginRefused(t *testing.T) {
	s, _ := remoteNode(t, controltest.Sample())
	t.Setenv(admin.EnvFingerprint, "")
	t.Setenv(admin.EnvPassword, "not the password")
	code, _, errs := runCmd("--host", s.Addr, "--fingerprint", s.Fingerprint(), "status")
	if code != exitLogin || !strings.Contains(errs, "wrong password") || !strings.Contains(errs, "understudy passwd") {
		t.Errorf("wrong password: exit %d, stderr %q", code, errs)
	}
	t.Setenv(admin.EnvPassword, admintest.Password)
	other := strings.Repeat("00:", 31) + "00"
	code, _, errs = runCmd("--host", s.Addr, "--fingerprint", other, "reload")
	if code != exitLogin || !strings.Contains(errs, "not the expected one") {
		t.Errorf("another certificate: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCmd("status", "--fingerprint", other); code != exitUsage || !strings.Contains(errs, "--fingerprint goes with --host") {
		t.Errorf("--fingerprint alone: exit %d, stderr %q", code, errs)
	}
}

// twoNodes are node1 and node2's admin ports, node1's status naming
// node2's announced port.
func twoNodes(t *testing.T, edit func(st1, st2 *control.Status)) (n1, n2 *admintest.Server, b1, b2 *admintest.Backend) {
	st1 := controltest.Sample()
	st2 := controltest.Sample()
	st2.Node, st2.Cluster.Self = "node2", "node2"
	st2.Cluster.Nodes = []cluster.NodeStatus{{Name: "node1", Status: "active", Links: map[string]string{"eth1": "up"}}}
	if edit != nil {
		edit(&st1, &st2)
	}
	n2, b2 = remoteNode(t, st2)
	st1.AdminPeers = []control.AdminPeer{{Node: "node2", Addrs: []string{"127.0.0.1:1", n2.Addr}, Fingerprint: n2.Fingerprint()}}
	b2.St = st2
	n1, b1 = remoteNode(t, st1)
	return n1, n2, b1, b2
}

// TestStatusCluster: node1 is asked, node2 at the port node1 says it
// announced, with the fingerprint it announced; both views side by side,
// and their disagreements, which make the exit status 1.
func TestStatusCluster(t *testing.T) {
	t.Setenv(admin.EnvPassword, admintest.Password)
	n1, _, _, _ := twoNodes(t, nil)
	code, out, errs := runCmd("--host", n1.Addr, "--fingerprint", n1.Fingerprint(), "status", "--cluster")
	if code != exitOK || !strings.Contains(out, "2 of 2 nodes answered") || !regexp.MustCompile(`\n +node1 says +node2 says\n`).MatchString(out) ||
		!strings.Contains(out, "The nodes that answered agree.") {
		t.Errorf("agreeing nodes: exit %d\n%s%s", code, out, errs)
	}

	n1, _, _, _ = twoNodes(t, func(st1, st2 *control.Status) {
		st2.Cluster.Nodes[0].Status = "dead"
		st2.Cluster.Groups[0].Owner = "node2"
	})
	code, out, errs = runCmd("--host", n1.Addr, "--fingerprint", n1.Fingerprint(), "status", "--cluster", "--json")
	var v clusterView
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != exitFail {
		t.Fatalf("exit %d, %v\n%s%s", code, err, out, errs)
	}
	want := []string{"group IPaddr::192.0.2.10/24: held by node1 and node2 (each says it holds it)", "node node1: up for node1, dead for node2"}
	if !slices.Equal(v.Disagreements, want) || len(v.Nodes) != 2 {
		t.Errorf("disagreements %q, want %q; nodes %v", v.Disagreements, want, len(v.Nodes))
	}

	// node2 announced nothing: shown as such, exit 1.
	n1, _, b1, _ := twoNodes(t, nil)
	b1.St.AdminPeers = nil
	code, out, _ = runCmd("--host", n1.Addr, "--fingerprint", n1.Fingerprint(), "status", "--cluster")
	if code != exitFail || !strings.Contains(out, "node2 did not answer: no admin port announced by it") {
		t.Errorf("node2 unknown: exit %d\n%s", code, out)
	}
}

// TestLogCluster: both nodes' records, merged newest first, each marked
// with its node.
func TestLogCluster(t *testing.T) {
	t.Setenv(admin.EnvPassword, admintest.Password)
	n1, _, b1, b2 := twoNodes(t, nil)
	t0 := time.Date(2026, 3, 1, 9, 30, 0, 0, time.Local)
	logAt(b1, t0, "node node2 is dead")
	logAt(b2, t0.Add(-time.Second), "shutting down")
	logAt(b1, t0.Add(500*time.Millisecond), "acquiring 192.0.2.20")
	code, out, errs := runCmd("--host", n1.Addr, "--fingerprint", n1.Fingerprint(), "log", "--cluster")
	want := "[node1] 2026-03-01 09:30:00.500000 info: acquiring 192.0.2.20\n" +
		"[node1] 2026-03-01 09:30:00.000000 info: node node2 is dead\n" +
		"[node2] 2026-03-01 09:29:59.000000 info: shutting down\n"
	if code != exitOK || out != want {
		t.Errorf("exit %d\n%s%s\nwant\n%s", code, out, errs, want)
	}
}

// TestLogLocal: the local daemon's records through the socket, newest
// first, or as JSON lines; bad options are usage errors.
func TestLogLocal(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 30, 0, 0, time.Local)
	b := &controltest.Backend{Records: []logging.Record{
		{ID: 2, Time: t0.Add(time.Second), Level: slog.LevelWarn, Text: "link down", Attrs: []logging.Attr{{Key: "link", Value: "eth1"}}},
		{ID: 1, Time: t0, Level: slog.LevelInfo, Text: "understudy started"},
	}}
	sock := controltest.Serve(t, &control.Server{Backend: b})
	code, out, errs := runCmd("log", "-s", sock, "-n", "2", "--level", "info", "--since", "2026-03-01 09:00")
	want := "2026-03-01 09:30:01.000000 WARN: link down link=eth1\n2026-03-01 09:30:00.000000 info: understudy started\n"
	if code != exitOK || out != want {
		t.Errorf("exit %d\n%s%s\nwant\n%s", code, out, errs, want)
	}
	q := b.LogQueries()
	if len(q) != 1 || q[0].N != 2 || q[0].Level != "info" || !q[0].Since.Equal(time.Date(2026, 3, 1, 9, 0, 0, 0, time.Local)) {
		t.Errorf("the daemon was asked %+v", q)
	}
	code, out, _ = runCmd("log", "-s", sock, "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var r logging.Record
	if err := json.Unmarshal([]byte(lines[0]), &r); code != exitOK || len(lines) != 2 || err != nil || r.Text != "link down" {
		t.Errorf("--json: exit %d, %v\n%s", code, err, out)
	}
	for _, args := range [][]string{{"-n", "-1"}, {"--level", "loud"}, {"--since", "yesterday"}, {"--clear", "--cluster"}, {"extra"}} {
		if code, _, errs := runCmd(append([]string{"log", "-s", sock}, args...)...); code != exitUsage || errs == "" {
			t.Errorf("log %v: exit %d, stderr %q", args, code, errs)
		}
	}
	if code, out, _ := runCmd("log", "-s", sock, "--clear"); code != exitOK || out != "Log cleared: 2 records cleared from memory.\n" {
		t.Errorf("--clear: exit %d, %q", code, out)
	}
}

// TestPasswd: the password read from standard input is stored, hashed,
// mode 600; a short one is refused and nothing written.
func TestPasswd(t *testing.T) {
	dir := t.TempDir()
	withStdin := func(text string) (int, string, string) {
		f, err := os.CreateTemp(t.TempDir(), "stdin")
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(text)
		f.Seek(0, 0)
		old := os.Stdin
		os.Stdin = f
		defer func() { os.Stdin = old; f.Close() }()
		return runCmd("passwd", "-c", dir)
	}
	path := filepath.Join(dir, admin.PasswdFile)
	if code, _, errs := withStdin("short\n"); code != exitFail || !strings.Contains(errs, "8") {
		t.Errorf("short password: exit %d, %q", code, errs)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a refused password was written")
	}
	if code, out, errs := withStdin("a good long password\n"); code != exitOK || !strings.Contains(out, path) {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("password file: %v, %v", fi, err)
	}
	p, err := admin.LoadPassword(dir)
	if err != nil || !p.Check("a good long password") || p.Check("another password") {
		t.Errorf("the stored password does not check: %v", err)
	}
	if b, _ := os.ReadFile(path); strings.Contains(string(b), "a good long password") {
		t.Error("the password is stored in clear")
	}
}

func TestDisagreements(t *testing.T) {
	view := func(self, status string, nodes map[string]string, owners map[string]string) control.Status {
		st := control.Status{Node: self, Cluster: cluster.Snapshot{Self: self, Status: status}}
		for _, n := range slices.Sorted(maps.Keys(nodes)) {
			st.Cluster.Nodes = append(st.Cluster.Nodes, cluster.NodeStatus{Name: n, Status: nodes[n]})
		}
		for _, g := range slices.Sorted(maps.Keys(owners)) {
			st.Cluster.Groups = append(st.Cluster.Groups, cluster.GroupStatus{Key: g, Owner: owners[g]})
		}
		return st
	}
	order := []string{"node1", "node2", "node3"}
	for _, tc := range []struct {
		name  string
		views map[string]control.Status
		want  []string
	}{
		{"agree", map[string]control.Status{
			"node1": view("node1", "active", map[string]string{"node2": "active", "node3": "dead"}, map[string]string{"g1": "node1"}),
			"node2": view("node2", "active", map[string]string{"node1": "active", "node3": "dead"}, map[string]string{"g1": "node1"}),
		}, []string{}},
		{"split brain", map[string]control.Status{
			"node1": view("node1", "active", map[string]string{"node2": "dead"}, map[string]string{"g1": "node1", "g2": "node1"}),
			"node2": view("node2", "active", map[string]string{"node1": "dead"}, map[string]string{"g1": "node2", "g2": "node1"}),
		}, []string{"group g1: held by node1 and node2 (each says it holds it)",
			"node node1: up for node1, dead for node2", "node node2: up for node2, dead for node1"}},
		{"a third node seen differently", map[string]control.Status{
			"node1": view("node1", "active", map[string]string{"node3": "active"}, nil),
			"node2": view("node2", "active", map[string]string{"node3": "dead"}, nil),
			"node3": view("node3", "active", nil, nil),
		}, []string{"node node3: up for node1, node3, dead for node2"}},
		{"unknown is no opinion", map[string]control.Status{
			"node1": view("node1", "active", map[string]string{"node2": "unknown"}, nil),
			"node2": view("node2", "dead", nil, nil),
		}, []string{}},
	} {
		if got := disagreements(order, tc.views); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// ringBackend is a control backend whose log is a real ring.
type ringBackend struct {
	controltest.Backend
	ring *logging.Ring
}

func (b *ringBackend) Log(ctx context.Context, q control.LogQuery) ([]logging.Record, error) {
	return admin.LogFromRing(ctx, b.ring, "", admin.LogQuery{N: q.N, After: q.After, Level: q.Level, Wait: q.Wait()})
}

// lockedBuffer is an io.Writer for a command running in a goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogFollowLocal: --follow prints what is there oldest first, then
// each record as it is logged, through the local socket.
func TestLogFollowLocal(t *testing.T) {
	b := &ringBackend{ring: logging.NewRing(100, slog.LevelInfo)}
	log := slog.New(b.ring.Handler())
	log.Info("first")
	log.Info("second")
	sock := controltest.Serve(t, &control.Server{Backend: b})
	ctx, cancel := context.WithCancel(context.Background())
	var out, errs lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- showLog(ctx, map[string]admin.LogReader{"": localLog(sock)}, logOpts{q: admin.LogQuery{N: 10}, follow: true}, &out, &errs)
	}()
	waitFor := func(text string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), text); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%q not printed within 20 s:\n%s%s", text, out.String(), errs.String())
			}
		}
	}
	waitFor("second")
	log.Info("third")
	log.Debug("not kept")
	log.Warn("fourth")
	waitFor("fourth")
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d: %s", code, errs.String())
	}
	var texts []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		_, text, _ := strings.Cut(line, ": ")
		texts = append(texts, text)
	}
	if want := []string{"first", "second", "third", "fourth"}; !slices.Equal(texts, want) {
		t.Errorf("followed %q, want %q", texts, want)
	}
}
