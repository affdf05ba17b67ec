package hooks

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// These tests run real small shell scripts. Where a test must know that
// a hook is running, the script opens a FIFO the test reads: no sleeps.

// hookScript writes an executable script into dir.
func hookScript(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "hook")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// syncLog is a slog handler's target that tests can read.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newRunner runs hooks with queues of queue events (0: the default).
func newRunner(t *testing.T, queue int, hooks ...config.Hook) (*Runner, *syncLog) {
	t.Helper()
	var log syncLog
	r := New(Options{Hooks: hooks, Node: "node1", Env: []string{"PATH=/usr/bin:/bin", "UNDERSTUDY_GROUP=stale"}, Queue: queue,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	return r, &log
}

// closeAll drains every queue (bounded: a stuck test fails, not hangs).
func closeAll(t *testing.T, r *Runner) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r.Close(ctx)
	if ctx.Err() != nil {
		t.Error("the hooks did not finish within 30s")
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRun: the event reaches the program in its environment and as a
// JSON line on stdin; events come in order; a hook gets only the events
// it wants.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	all := hookScript(t, dir, `{ env | grep -E '^(UNDERSTUDY_|PATH=)' | grep -v UNDERSTUDY_TIME | sort; cat; echo --; } >>`+out+"\n")
	failedOnly := filepath.Join(dir, "failed")
	some := filepath.Join(dir, "some")
	os.WriteFile(some, []byte("#!/bin/sh\necho \"$UNDERSTUDY_EVENT\" >>"+failedOnly+"\n"), 0o755)
	r, _ := newRunner(t, 0, config.Hook{Program: []string{all}, Timeout: 10 * time.Second},
		config.Hook{Program: []string{some}, Events: []string{"group_failed"}, Timeout: 10 * time.Second})
	at := time.Date(2026, 11, 22, 10, 4, 5, 0, time.UTC)
	r.Notify(Event{Kind: NodeDead, Time: at, Node: "node2"})
	r.Notify(Event{Kind: GroupFailed, Time: at, Node: "node1", Group: "192.0.2.10", Reason: "monitor http:80 down"})
	closeAll(t, r)
	want := `PATH=/usr/bin:/bin
UNDERSTUDY_EVENT=node_dead
UNDERSTUDY_LOCAL_NODE=node1
UNDERSTUDY_NODE=node2
{"event":"node_dead","time":"2026-11-22T10:04:05Z","local_node":"node1","node":"node2"}
--
PATH=/usr/bin:/bin
UNDERSTUDY_EVENT=group_failed
UNDERSTUDY_GROUP=192.0.2.10
UNDERSTUDY_LOCAL_NODE=node1
UNDERSTUDY_NODE=node1
UNDERSTUDY_REASON=monitor http:80 down
{"event":"group_failed","time":"2026-11-22T10:04:05Z","local_node":"node1","node":"node1","group":"192.0.2.10","reason":"monitor http:80 down"}
--
`
	if got := read(t, out); got != want {
		t.Errorf("the hook saw:\n%s\nwant:\n%s", got, want)
	}
	if got := read(t, failedOnly); got != "group_failed\n" {
		t.Errorf("the group_failed hook ran for %q", got)
	}
	if r.Dropped() != 0 {
		t.Errorf("dropped %d", r.Dropped())
	}
}

// TestQueueFull: while a hook runs, its queue of 2 takes more events by
// dropping the oldest; Notify never waits; the drops are counted and
// logged once per burst.
func TestQueueFull(t *testing.T) {
	dir := t.TempDir()
	started, gate, out := filepath.Join(dir, "started"), filepath.Join(dir, "gate"), filepath.Join(dir, "out")
	for _, f := range []string{started, gate} {
		if err := syscall.Mkfifo(f, 0o600); err != nil {
			t.Skipf("SKIPPING: cannot make a FIFO: %v", err)
		}
	}
	p := hookScript(t, dir, "echo \"$UNDERSTUDY_NODE\" >>"+out+"\n[ \"$UNDERSTUDY_NODE\" = first ] && { echo >"+started+"; cat "+gate+" >/dev/null; }\nexit 0\n")
	r, log := newRunner(t, 2, config.Hook{Program: []string{p}, Timeout: time.Minute})
	r.Notify(Event{Kind: NodeUp, Node: "first"})
	if _, err := os.ReadFile(started); err != nil { // blocks until the hook runs
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		r.Notify(Event{Kind: NodeUp, Node: n})
	}
	if r.Dropped() != 3 {
		t.Errorf("dropped %d, want 3", r.Dropped())
	}
	if err := os.WriteFile(gate, []byte("go\n"), 0o600); err != nil { // blocks until the hook reads
		t.Fatal(err)
	}
	closeAll(t, r)
	if got := read(t, out); got != "first\nd\ne\n" {
		t.Errorf("the hook ran for %q, want the first and the two newest", got)
	}
	l := log.String()
	if strings.Count(l, "hook queue full") != 1 || !strings.Contains(l, "hook events dropped: the hook did not keep up") || !strings.Contains(l, "dropped=3") {
		t.Errorf("log:\n%s", l)
	}
}

// TestFailures: a program that fails, one that hangs past its timeout
// (its whole process group killed) and one that is missing are logged,
// and the next events still run.
func TestFailures(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	p := hookScript(t, dir, `echo "$UNDERSTUDY_EVENT" >>`+out+`
case $UNDERSTUDY_EVENT in
link_dead) echo "smtp relay refused" >&2; exit 3 ;;
node_dead) sleep 60 & sleep 60 ;;
esac
`)
	r, log := newRunner(t, 0, config.Hook{Program: []string{p}, Timeout: 300 * time.Millisecond},
		config.Hook{Program: []string{filepath.Join(dir, "missing")}, Events: []string{"node_up"}, Timeout: time.Second})
	r.Notify(Event{Kind: LinkDead, Node: "node2", Link: "eth1"})
	r.Notify(Event{Kind: NodeDead, Node: "node2"})
	r.Notify(Event{Kind: NodeUp, Node: "node2"})
	closeAll(t, r)
	if got := read(t, out); got != "link_dead\nnode_dead\nnode_up\n" {
		t.Errorf("ran for %q", got)
	}
	l := log.String()
	for _, want := range []string{
		`msg="hook failed" component=hooks hook=` + p + ` event=link_dead group="" node=node2 err="exit status 3" output="smtp relay refused"`,
		`event=node_dead group="" node=node2 err="killed process group`,
		`timed out after 300ms (hook timeout)`,
		`hook=` + filepath.Join(dir, "missing") + ` event=node_up`,
		`msg="hook ran" component=hooks hook=` + p + ` event=node_up`,
	} {
		if !strings.Contains(l, want) {
			t.Errorf("log lacks %q:\n%s", want, l)
		}
	}
}

// TestCloseDeadline: when Close's time is up, the run in flight is
// killed and what is still queued is dropped and counted; events after
// Close are dropped too.
func TestCloseDeadline(t *testing.T) {
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	if err := syscall.Mkfifo(started, 0o600); err != nil {
		t.Skipf("SKIPPING: cannot make a FIFO: %v", err)
	}
	p := hookScript(t, dir, "echo >"+started+"\nexec sleep 60\n")
	r, log := newRunner(t, 0, config.Hook{Program: []string{p}, Timeout: time.Hour})
	r.Notify(Event{Kind: ReloadApplied})
	if _, err := os.ReadFile(started); err != nil {
		t.Fatal(err)
	}
	r.Notify(Event{Kind: ReloadRefused}) // queued behind the hanging run
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no time at all
	r.Close(ctx)
	r.Notify(Event{Kind: NodeUp})
	if r.Dropped() != 2 {
		t.Errorf("dropped %d, want 2 (the queued event and the one after Close)", r.Dropped())
	}
	if l := log.String(); !strings.Contains(l, "the hooks are closing") {
		t.Errorf("the killed run is not logged:\n%s", l)
	}
}
