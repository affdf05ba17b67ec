// Package controltest helps test code that talks to the control socket:
// a recording Backend, a server on a temporary socket that takes every
// peer for root, and a sample Status of a two-node cluster.
package controltest

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
	"github.com/understudy-ha/understudy/resources"
)

// Backend is a control.Backend that answers Status with St (or
// StatusErr) and records each admin command, failing it with AdminErr if
// set, else answering with Answers (by default: accepted, then done).
// Set the fields before serving.
type Backend struct {
	St        control.Status
	StatusErr error
	AdminErr  error
	ReloadErr error
	// Answers are the cluster's answers to every admin command, in
	// order; nil means accepted then done. Unless Open, the channel is
	// closed after them (a backend that reports nothing more); with
	// Open it stays open, as when the outcome is slow to come.
	Answers []control.Answer
	Open    bool
	// Records are what Log answers, whatever the query; ClearLog empties
	// them.
	Records []logging.Record

	mu      sync.Mutex
	cmds    []Admin
	reloads int
	queries []control.LogQuery
}

// Admin is one recorded admin command.
type Admin = control.Command

var (
	_ control.Backend    = (*Backend)(nil)
	_ control.LogBackend = (*Backend)(nil)
)

// Status returns b.St or b.StatusErr.
func (b *Backend) Status(ctx context.Context) (control.Status, error) {
	if b.StatusErr != nil {
		return control.Status{}, b.StatusErr
	}
	return b.St, nil
}

// Accepted then Done is the default answer of Backend: a cluster that
// carries every command out.
var AcceptedThenDone = []control.Answer{{Verdict: control.VerdictAccepted}, {Verdict: control.VerdictDone}}

// Admin records the command and returns b.AdminErr, or b.Answers on a
// channel.
func (b *Backend) Admin(ctx context.Context, c control.Command) (<-chan control.Answer, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cmds = append(b.cmds, c)
	if b.AdminErr != nil {
		return nil, b.AdminErr
	}
	answers := b.Answers
	if answers == nil {
		answers = AcceptedThenDone
	}
	ch := make(chan control.Answer, len(answers))
	for _, a := range answers {
		ch <- a
	}
	if !b.Open {
		close(ch)
	}
	return ch, nil
}

// Reload counts the request and returns b.ReloadErr.
func (b *Backend) Reload(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reloads++
	return b.ReloadErr
}

// Log records q and returns b.Records.
func (b *Backend) Log(ctx context.Context, q control.LogQuery) ([]logging.Record, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queries = append(b.queries, q)
	return b.Records, nil
}

// ClearLog empties b.Records.
func (b *Backend) ClearLog(ctx context.Context) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(b.Records)
	b.Records = nil
	return n, nil
}

// LogQueries returns the log queries received so far.
func (b *Backend) LogQueries() []control.LogQuery {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]control.LogQuery(nil), b.queries...)
}

// Reloads returns how many reloads were asked for.
func (b *Backend) Reloads() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.reloads
}

// Commands returns the admin commands received so far.
func (b *Backend) Commands() []Admin {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Admin(nil), b.cmds...)
}

// AsRoot is a Server.PeerCred that reports the real peer with uid 0, so
// that tests run by any user are served.
func AsRoot(c net.Conn) (control.Cred, error) {
	cred, err := control.PeerCred(c)
	cred.UID = 0
	return cred, err
}

// Serve listens on a fresh socket under t.TempDir() and serves srv on it
// until the test ends; srv.PeerCred defaults to AsRoot and srv.Logger to
// the test's output. It returns the socket path.
func Serve(t testing.TB, srv *control.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.sock")
	ServeAt(t, srv, path)
	return path
}

// ServeAt is Serve on the socket path (a run directory's
// understudy.sock, say).
func ServeAt(t testing.TB, srv *control.Server, path string) {
	t.Helper()
	ln, err := control.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	if srv.PeerCred == nil {
		srv.PeerCred = AsRoot
	}
	if srv.Logger == nil {
		srv.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return within 10s of cancel")
		}
	})
}

// Started is Sample's start time.
var Started = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// Sample is the status of node1 in a two-node cluster: node1 holds its
// group, node2 holds its own, a third group failed on node1 and is
// stopped everywhere; one of node1's two links is down.
func Sample() control.Status {
	at := Started.Add(time.Minute)
	return control.Status{
		Node: "node1", Version: "1.0.0", Dir: "/etc/ha.d", Started: Started,
		Cluster: cluster.Snapshot{
			Self: "node1", Status: "active", State: "stable", Standby: "none", Hold: cluster.SetLocal,
			Nodes: []cluster.NodeStatus{{Name: "node2", Status: "active",
				Links: map[string]string{"eth1": "up", "/dev/ttyS0": "dead"},
				Heard: true, LastHeard: 400 * time.Millisecond, Holds: []string{"192.0.2.20"}}},
			Groups: []cluster.GroupStatus{
				{Key: "IPaddr::192.0.2.10/24", Preferred: "node1", State: "running", Owner: "node1"},
				{Key: "192.0.2.20", Preferred: "node2", State: "stopped", Owner: "node2"},
				{Key: "192.0.2.30", Preferred: "node1", State: "stopped", Failed: []string{"node1"}},
			},
		},
		Groups: []resources.GroupStatus{
			{Key: "IPaddr::192.0.2.10/24", Resources: []resources.ResourceStatus{
				{Token: "IPaddr::192.0.2.10/24", State: resources.Running, Since: at},
				{Token: "httpd", State: resources.Running, Adopted: true, Since: at}}},
			{Key: "192.0.2.20", Resources: []resources.ResourceStatus{
				{Token: "192.0.2.20", State: resources.Stopped, Since: at},
				{Token: "mysql", State: resources.Stopped, Since: at}}},
			{Key: "192.0.2.30", Resources: []resources.ResourceStatus{
				{Token: "192.0.2.30", State: resources.Stopped, Since: at},
				{Token: "ldap", State: resources.Failed, Err: "ldap start: exit status 1", Since: at}}},
		},
		Links: []control.LinkStatus{
			{Name: "eth1", Medium: "bcast", Up: true},
			{Name: "/dev/ttyS0", Medium: "serial", Err: "open /dev/ttyS0: no such file or directory"},
		},
	}
}
