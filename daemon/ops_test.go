package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/resources"
)

// fakeActuator records calls; Acquire returns acquireErr, or the error
// fail holds for the group, and an operation on a group in block waits
// until its ctx ends. running holds what it acquired and not released.
type fakeActuator struct {
	mu         sync.Mutex
	calls      []string
	acquireErr error
	fail       map[string]error
	block      map[string]bool
	running    map[string]bool
	closed     bool
	// delay is how long each operation takes.
	delay time.Duration
}

func (f *fakeActuator) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		s = "after close: " + s
	}
	f.calls = append(f.calls, s)
}

func (f *fakeActuator) wait(ctx context.Context, g config.Group) error {
	f.mu.Lock()
	delay := f.delay
	f.mu.Unlock()
	time.Sleep(delay)
	if f.block[g.Key] {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (f *fakeActuator) Acquire(ctx context.Context, g config.Group) error {
	f.record(fmt.Sprintf("acquire %s %d", g.Key, len(g.Resources)))
	if err := f.wait(ctx, g); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := cmp.Or(f.fail[g.Key], f.acquireErr); err != nil {
		return err
	}
	if f.running == nil {
		f.running = map[string]bool{}
	}
	f.running[g.Key] = true
	return nil
}

func (f *fakeActuator) Release(ctx context.Context, g config.Group) error {
	f.record(fmt.Sprintf("release %s %d", g.Key, len(g.Resources)))
	if err := f.wait(ctx, g); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.running, g.Key)
	return nil
}

// failWith makes the acquisitions of key fail with err (nil: succeed).
func (f *fakeActuator) failWith(key string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == nil {
		f.fail = map[string]error{}
	}
	f.fail[key] = err
}

// ops returns the acquisitions and releases so far ("acquire KEY N").
func (f *fakeActuator) ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(f.calls), func(c string) bool {
		return !strings.HasPrefix(c, "acquire ") && !strings.HasPrefix(c, "release ")
	})
}

func (f *fakeActuator) runs(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.running[key]
}

func (f *fakeActuator) Snapshot() []resources.GroupStatus { return nil }

func (f *fakeActuator) SetConfig(cfg *config.Config) {
	f.record(fmt.Sprintf("config %d groups", len(cfg.Groups)))
}

func (f *fakeActuator) Close() {
	f.record("close")
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}

func (f *fakeActuator) check(t *testing.T, want ...string) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Equal(f.calls, want) {
		t.Errorf("actuator calls:\n got %q\nwant %q", f.calls, want)
	}
}

func opsConfig(groups ...config.Group) *config.Config {
	return &config.Config{Groups: groups}
}

func testGroup(key string, n int) config.Group {
	g := config.Group{Key: key, Node: "node1"}
	for i := range n {
		g.Resources = append(g.Resources, config.Resource{Token: fmt.Sprintf("r%d", i)})
	}
	return g
}

// TestOpsGuardRefusal: the guard's refusal reaches the state machine as
// cluster.ErrAddressInUse, with the guard's words; any other failure is
// passed on as it is.
func TestOpsGuardRefusal(t *testing.T) {
	refusal := &resources.ClaimError{Group: "db", Claims: []resources.Claim{
		{Addr: netip.MustParseAddr("192.0.2.10"), MAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}}}}
	other := errors.New("start group db: resource httpd: exit status 1")
	for _, tc := range []struct {
		err   error
		inUse bool
	}{{refusal, true}, {fmt.Errorf("wrapped: %w", refusal), true}, {other, false}, {nil, false}} {
		act := &fakeActuator{acquireErr: tc.err}
		o := newOps(opsConfig(testGroup("db", 1)), act)
		o.acquire("db")
		d := <-o.done
		o.close()
		if d.Group != "db" || d.Op != cluster.Acquire || errors.Is(d.Err, cluster.ErrAddressInUse) != tc.inUse {
			t.Errorf("acquire failing with %v: OpDone %+v; want ErrAddressInUse %v", tc.err, d, tc.inUse)
		}
		if !errors.Is(d.Err, tc.err) || (d.Err != nil && d.Err.Error() != tc.err.Error()) {
			t.Errorf("acquire failing with %v: reported %v; want the same error and text", tc.err, d.Err)
		}
		if inUse := errors.Is(d.Err, resources.ErrAddressInUse); inUse != tc.inUse {
			t.Errorf("reported %v: resources.ErrAddressInUse %v; want %v", d.Err, inUse, tc.inUse)
		}
	}
}

// TestOpsReloadStopsWhatRuns: a reload that changes a running group
// stops the definition it was started with; a group never started here
// is stopped as configured. The actuator gets the new configuration.
func TestOpsReloadStopsWhatRuns(t *testing.T) {
	act := &fakeActuator{}
	o := newOps(opsConfig(testGroup("db", 2), testGroup("web", 1)), act)
	defer o.close()
	o.acquire("db")
	<-o.done
	o.setConfig(opsConfig(testGroup("db", 3), testGroup("web", 4)))
	o.release("db")
	<-o.done
	o.release("web")
	<-o.done
	act.check(t, "acquire db 2", "config 2 groups", "release db 2", "release web 4")
}

// TestOpsCloseCancels: close cancels running operations, drains their
// reports, and closes the actuator only after they returned.
func TestOpsCloseCancels(t *testing.T) {
	act := &fakeActuator{block: map[string]bool{"db": true}}
	o := newOps(opsConfig(testGroup("db", 1)), act)
	o.acquire("db")
	o.close()
	act.check(t, "acquire db 1", "close")
}
