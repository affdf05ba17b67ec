package resources

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/resources/neigh"
)

// callLog is the ordered list of calls the fakes saw, "+T" virtual time
// first when a test wants it.
type callLog struct {
	mu    sync.Mutex
	start time.Time
	calls []string
	timed bool
}

func (l *callLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timed {
		s = fmt.Sprintf("%v %s", time.Since(l.start), s)
	}
	l.calls = append(l.calls, s)
}

func (l *callLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.calls)
}

func (l *callLog) check(t *testing.T, want ...string) {
	t.Helper()
	if got := l.get(); !slices.Equal(got, want) {
		t.Errorf("calls:\n got %q\nwant %q", got, want)
	}
}

// exitError is a fake *exec.ExitError.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
func (e exitError) ExitCode() int { return int(e) }

// behaviour is what a fake script does for "NAME OP".
type behaviour struct {
	out   string
	err   error
	block time.Duration // sleep this long first, or until ctx ends
	times int           // fail only the first times calls (0: always)
}

// fakeRunner is a commandRunner that never forks.
type fakeRunner struct {
	log *callLog
	mu  sync.Mutex
	do  map[string]*behaviour // "httpd start"
	n   map[string]int
}

func (f *fakeRunner) exec(ctx context.Context, argv []string) ([]byte, error) {
	name := argv[0][strings.LastIndex(argv[0], "/")+1:]
	key := name + " " + argv[len(argv)-1]
	f.log.add(strings.Join(append([]string{name}, argv[1:]...), " "))
	f.mu.Lock()
	b, ok := f.do[key]
	f.n[key]++
	n := f.n[key]
	f.mu.Unlock()
	if !ok {
		if strings.HasSuffix(key, " status") {
			return []byte("stopped\n"), nil
		}
		return nil, nil
	}
	if b.block > 0 {
		select {
		case <-time.After(b.block):
		case <-ctx.Done():
			return []byte(b.out), fmt.Errorf("killed process group 4242: %w", context.Cause(ctx))
		}
	}
	if b.times > 0 && n > b.times {
		return nil, nil
	}
	return []byte(b.out), b.err
}

func (f *fakeRunner) run(ctx context.Context, env []string, argv ...string) ([]byte, error) {
	return f.exec(ctx, argv)
}

func (f *fakeRunner) output(ctx context.Context, env []string, argv ...string) ([]byte, error) {
	return f.exec(ctx, argv)
}

// fakeIP is a Handler for addresses that records calls.
type fakeIP struct {
	log  *callLog
	mu   sync.Mutex
	held map[netip.Addr]bool
}

func (f *fakeIP) Start(ctx context.Context, r config.Resource) (bool, error) {
	f.log.add("ip add " + r.IP.Addr.String())
	f.mu.Lock()
	defer f.mu.Unlock()
	was := f.held[r.IP.Addr]
	f.held[r.IP.Addr] = true
	return was, nil
}

func (f *fakeIP) Stop(ctx context.Context, r config.Resource) error {
	f.log.add("ip del " + r.IP.Addr.String())
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.held, r.IP.Addr)
	return nil
}

func (f *fakeIP) Status(ctx context.Context, r config.Resource) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.held[r.IP.Addr], nil
}

// execStat pretends every script exists in resource.d.
func execStat(path string) (fs.FileInfo, error) {
	if strings.Contains(path, "/resource.d/") {
		return fakeExec{}, nil
	}
	return nil, fs.ErrNotExist
}

type fakeExec struct{ os.FileInfo }

func (fakeExec) Mode() fs.FileMode { return 0o755 }

// harness is a Runner wired to the fakes.
type harness struct {
	r   *Runner
	log *callLog
	run *fakeRunner
	ip  *fakeIP
}

func newHarness(t *testing.T, opts RunnerOptions) *harness {
	log := &callLog{start: time.Now()}
	h := &harness{log: log, run: &fakeRunner{log: log, do: map[string]*behaviour{}, n: map[string]int{}},
		ip: &fakeIP{log: log, held: map[netip.Addr]bool{}}}
	opts.Scripts = newScripts(ScriptOptions{Dir: "/etc/ha.d", Lookup: config.Env{Stat: execStat, InitDir: "/etc/init.d"}}, h.run)
	opts.Addresses = h.ip
	opts.Logger = testLogger(t)
	h.r = NewRunner(opts)
	return h
}

// group builds a group from haresources tokens; tokens that parse as
// an IPSpec are addresses.
func group(t testing.TB, node string, tokens ...string) config.Group {
	t.Helper()
	g := config.Group{Node: node, Key: tokens[0]}
	for _, tok := range tokens {
		res := config.Resource{Token: tok}
		if spec, err := config.ParseIPSpec(tok); err == nil {
			res.Script, res.Args, res.IP = "IPaddr", []string{tok}, &spec
		} else {
			parts := strings.Split(tok, "::")
			res.Script, res.Args = parts[0], parts[1:]
		}
		g.Resources = append(g.Resources, res)
	}
	return g
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// fakeProber answers WatchGroup from a table; it records what it was
// asked ("probe TOKENS") and what was stopped ("stop TOKENS"), and a
// verdict whose ctx has ended fails as a cut-short one does.
type fakeProber struct {
	log    *callLog
	claims map[string]string // address -> MAC of the host that answers
	err    error             // returned with the claims

	mu      sync.Mutex
	watches []*fakeWatch
}

func (f *fakeProber) WatchGroup(rs []config.Resource, maxAge time.Duration) groupWatch {
	var asked []string
	for _, r := range rs {
		asked = append(asked, r.Token)
	}
	f.log.add("probe " + strings.Join(asked, " "))
	w := &fakeWatch{p: f, rs: rs, what: strings.Join(asked, " "), maxAge: maxAge}
	f.mu.Lock()
	f.watches = append(f.watches, w)
	f.mu.Unlock()
	return w
}

// last is the newest watch.
func (f *fakeProber) last() *fakeWatch {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.watches[len(f.watches)-1]
}

type fakeWatch struct {
	p      *fakeProber
	rs     []config.Resource
	what   string
	maxAge time.Duration

	mu      sync.Mutex
	expired bool
	stopped bool
}

func (w *fakeWatch) Verdict(ctx context.Context) (map[netip.Addr]net.HardwareAddr, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("probe cut short: %w", context.Cause(ctx))
	}
	out := map[netip.Addr]net.HardwareAddr{}
	for _, r := range w.rs {
		if mac, ok := w.p.claims[r.IP.Addr.String()]; ok {
			hw, err := net.ParseMAC(mac)
			if err != nil {
				panic(err)
			}
			out[r.IP.Addr] = hw
		}
	}
	if !w.Running() {
		return out, fmt.Errorf("fake: %w", neigh.ErrWatchEnded)
	}
	return out, w.p.err
}

func (w *fakeWatch) Running() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.expired && !w.stopped
}

func (w *fakeWatch) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.stopped = true
		w.p.log.add("stop " + w.what)
	}
}

// fakeAddresses is the fake IP handler that also probes, as New wants.
type fakeAddresses struct {
	*fakeIP
	*fakeProber
}

func (f fakeAddresses) Reannounce(rs []config.Resource) ([]netip.Addr, error) {
	var out []netip.Addr
	f.fakeIP.mu.Lock()
	defer f.fakeIP.mu.Unlock()
	for _, r := range rs {
		if r.IP != nil && f.held[r.IP.Addr] {
			f.fakeIP.log.add("announce " + r.IP.Addr.String())
			out = append(out, r.IP.Addr)
		}
	}
	return out, nil
}

func (f fakeAddresses) PrepareAddresses(rs []config.Resource) {}
