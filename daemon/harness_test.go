package daemon

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/hooks"
	"github.com/understudy-ha/understudy/logging"
	"github.com/understudy-ha/understudy/preflight"
	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/session"
)

// The loop's own tests: a real configuration, session and state machine,
// with fake links, a fake actuator and a scripted peer, under
// testing/synctest so that keepalives and dead times pass in virtual time.
// node1 is the daemon; node2 is the peer the test plays.

const (
	labHACF  = "node node1 node2\nucast lo 127.0.0.1\nkeepalive 100ms\nwarntime 300ms\ndeadtime 500ms\ninitdead 1\nauto_failback on\nlogfacility none\n"
	labHares = "node1 192.0.2.10\nnode2 192.0.2.20\n"
	labKeys  = "auth 1\n1 sha1 loop-test-secret\n"
)

// lab is one daemon under test and the peer the test plays.
type lab struct {
	t     *testing.T
	dir   string
	d     *daemon
	links *fakeLinks
	act   *fakeActuator
	peer  *session.Session
	log   *syncBuffer
	// events are what the hooks were told.
	events *fakeNotifier
	// sched is the monitor scheduler (monitors_test.go).
	sched *fakeScheduler
	// peerGen is the generation of the peer's heartbeats.
	peerGen uint64
	cancel  context.CancelFunc
	done    chan error
}

// newLab writes the configuration, builds the daemon with fakes and
// starts its loop; toml is added to understudy.toml. Call it inside a
// synctest bubble.
func newLab(t *testing.T, haresources string, toml ...string) *lab {
	t.Helper()
	dir := t.TempDir()
	write := func(name, text string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(dir, name), mode)
	}
	write("ha.cf", labHACF, 0o644)
	write("haresources", haresources, 0o644)
	write("authkeys", labKeys, 0o600)
	write("understudy.toml", fmt.Sprintf("[paths]\nstate_dir = %q\nrun_dir = %q\n", t.TempDir(), t.TempDir())+strings.Join(toml, ""), 0o644)
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatalf("configuration: %v", diags.Err())
	}
	l := &lab{t: t, dir: dir, links: &fakeLinks{out: make(chan transport.Outbound, 1024)},
		act: &fakeActuator{}, events: &fakeNotifier{}, sched: newFakeScheduler(), log: &syncBuffer{}, peerGen: 7, done: make(chan error, 1)}
	ring := logging.NewRing(1000, slog.LevelDebug)
	o := Options{Dir: dir, Node: "node1", NoWatch: true, Ring: ring,
		Logger: slog.New(logging.Tee(slog.NewTextHandler(l.log, nil), ring.Handler()))}
	l.d = newDaemon(o, cfg, "node1")
	l.d.machine = labMachine{}
	if err := l.d.identity(); err != nil {
		t.Fatal(err)
	}
	l.d.ops = newOps(cfg, l.act)
	l.d.hooks = l.events
	l.d.mons.sched = l.sched
	l.d.links = l.links
	l.d.openLinks = func([]config.Medium) (linkSet, error) { return l.links, nil }
	l.d.begin()
	l.peer = session.New(session.Options{Config: sessionConfig(cfg), Self: "node2",
		UUID: bytes.Repeat([]byte{2}, 16), Generation: l.peerGen})
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go func() { l.done <- l.d.loop(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-l.done:
		case <-time.After(time.Hour): // virtual: past every shutdown deadline
			t.Error("the loop did not end within an hour of the test")
		}
	})
	return l
}

// say sends the daemon one message from node2, as a frame on link lo.
func (l *lab) say(typ string, fields ...string) {
	l.t.Helper()
	m := session.Message{Type: typ}
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i] == "dest" {
			m.Dest = fields[i+1]
			continue
		}
		m.Fields = append(m.Fields, session.Field{Name: fields[i], Value: fields[i+1]})
	}
	out, err := l.peer.Encode(m, time.Now())
	if err != nil {
		l.t.Fatalf("peer cannot encode %s: %v", typ, err)
	}
	l.d.frames <- transport.Frame{Link: "lo", Data: out.Packet}
}

// status sends one heartbeat of node2 with st.
func (l *lab) status(st string) {
	l.say("status", "st", st, "dt", strconv.FormatInt(500, 16))
}

// heard drains what the daemon sent since the last call, as node2
// receives it: its cluster messages (protocol messages and duplicates
// left out).
func (l *lab) heard() []session.Message {
	l.t.Helper()
	synctest.Wait()
	var got []session.Message
	for {
		select {
		case o := <-l.links.out:
			r, err := l.peer.Decode(o.Packet, time.Now())
			if err != nil {
				l.t.Fatalf("node2 cannot read what node1 sent: %v", err)
			}
			if r.Deliver && !r.Dup {
				got = append(got, r.Msg)
			}
		default:
			return got
		}
	}
}

// live keeps node2 alive for d: a status heartbeat every keepalive,
// collecting what the daemon says meanwhile; reply answers each message
// (nil: none).
func (l *lab) live(d time.Duration, st string, reply func(session.Message)) []session.Message {
	l.t.Helper()
	var all []session.Message
	for end := time.Now().Add(d); time.Now().Before(end); {
		l.status(st)
		for _, m := range l.heard() {
			all = append(all, m)
			if reply != nil {
				reply(m)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return append(all, l.heard()...)
}

// stableHolding is node2's side of the start-up negotiation: it answers
// starting with what it holds, stable.
func (l *lab) stableHolding(held string) func(session.Message) {
	return func(m session.Message) {
		if m.Type == "starting" {
			l.say("resource", "rsc_hold", "local", "rtype", "full", "isstable", "1", "us_held", held)
		}
	}
}

// ask sends an operator command into the loop and returns its answers
// channel.
func (l *lab) ask(r ctlReq) ctlReq {
	l.t.Helper()
	select {
	case l.d.requests <- r:
	case <-time.After(10 * time.Second):
		l.t.Fatal("the loop did not take the request within 10 s")
	}
	return r
}

// logged reports whether the log holds a line containing every word.
func (l *lab) logged(words ...string) bool {
	for _, line := range strings.Split(l.log.String(), "\n") {
		all := true
		for _, w := range words {
			all = all && strings.Contains(line, w)
		}
		if all {
			return true
		}
	}
	return false
}

func field(m session.Message, name string) string {
	for _, f := range m.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// fakeLinks hands every message the daemon sends to the test.
type fakeLinks struct{ out chan transport.Outbound }

func (f *fakeLinks) Send(o transport.Outbound) error {
	select {
	case f.out <- o:
		return nil
	default:
		return fmt.Errorf("fake links: the test read nothing for 1024 messages")
	}
}
func (f *fakeLinks) Names() []string { return []string{"lo"} }
func (f *fakeLinks) Close() error    { return nil }

// syncBuffer is a log destination the loop and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// answers collects the answers of a command until the final one, or
// until the channel closes.
func answers(t *testing.T, ch chan control.Answer) []control.Answer {
	t.Helper()
	var got []control.Answer
	for {
		select {
		case a, ok := <-ch:
			if !ok {
				return got
			}
			got = append(got, a)
			if a.Final() {
				return got
			}
		case <-time.After(time.Minute):
			t.Fatalf("no final answer within a minute; got %v", got)
			return got
		}
	}
}

// fakeNotifier records what the hooks are told.
type fakeNotifier struct {
	mu     sync.Mutex
	events []hooks.Event
}

func (f *fakeNotifier) Notify(ev hooks.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, ev)
}

func (f *fakeNotifier) Close(context.Context) {}

// told reports whether the hooks heard an event of kind about subject
// (a node or a group).
func (f *fakeNotifier) told(kind hooks.Kind, subject string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ev := range f.events {
		if ev.Kind == kind && (ev.Node == subject || ev.Group == subject) {
			return true
		}
	}
	return false
}

// labMachine is the machine the lab's reloads are checked against: lo
// and a LAN interface with the floating addresses' subnet, names that
// resolve to nothing (no DNS inside the bubble).
type labMachine struct{}

func (labMachine) Interfaces() ([]preflight.Interface, error) {
	return []preflight.Interface{
		{Name: "lo", Addrs: []preflight.Addr{{Prefix: netip.MustParsePrefix("127.0.0.1/8")}}},
		{Name: "eth0", Addrs: []preflight.Addr{{Prefix: netip.MustParsePrefix("192.0.2.1/24")}}},
	}, nil
}

func (labMachine) Routes() ([]preflight.Route, error) {
	return []preflight.Route{{Dst: netip.MustParsePrefix("192.0.2.0/24"), Iface: "eth0"},
		{Dst: netip.MustParsePrefix("127.0.0.0/8"), Iface: "lo"}}, nil
}

func (labMachine) Stat(path string) (fs.FileInfo, error) { return os.Stat(path) }

func (labMachine) LookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	return nil, fmt.Errorf("lookup %s: no such host (lab)", host)
}
