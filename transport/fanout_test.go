package transport_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/understudy-ha/understudy/transport"
)

// fakeLink records what it was sent; it fails with err if set, and
// takes delay per Send. While gate is not nil and open, a Send blocks
// on it (a stuck line) until it is closed or the link is.
type fakeLink struct {
	name  string
	err   error
	delay time.Duration
	gate  chan struct{}

	mu     sync.Mutex
	sent   []string
	closed chan struct{}
}

var _ transport.Link = (*fakeLink)(nil)

func newFake(name string) *fakeLink { return &fakeLink{name: name, closed: make(chan struct{})} }

func (l *fakeLink) Name() string { return l.name }

func (l *fakeLink) Send(f []byte) error {
	time.Sleep(l.delay)
	if l.gate != nil {
		select {
		case <-l.gate:
		case <-l.closed:
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.closed:
		return transport.ErrClosed
	default:
	}
	l.sent = append(l.sent, string(f))
	return l.err
}

func (l *fakeLink) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.closed:
	default:
		close(l.closed)
	}
	return nil
}

func (l *fakeLink) got() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.sent)
}

func (l *fakeLink) isClosed() bool {
	select {
	case <-l.closed:
		return true
	default:
		return false
	}
}

func TestFanoutSendsEveryLinkItsEncoding(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		udp1, udp2, tty := newFake("hb0"), newFake("hb0"), newFake("/dev/ttyS0")
		f := transport.NewFanout()
		defer f.Close()
		f.Add(udp1, transport.Datagram)
		f.Add(tty, transport.Stream)
		f.Add(udp2, transport.Datagram)
		if err := f.Send(transport.Outbound{Packet: []byte("###net"), Text: []byte(">>>text")}); err != nil {
			t.Fatal(err)
		}
		if err := f.Send(transport.Outbound{Packet: []byte(">>>both")}); err != nil { // no Text: Packet everywhere
			t.Fatal(err)
		}
		synctest.Wait()
		for _, c := range []struct {
			l    *fakeLink
			want []string
		}{{udp1, []string{"###net", ">>>both"}}, {udp2, []string{"###net", ">>>both"}}, {tty, []string{">>>text", ">>>both"}}} {
			if got := c.l.got(); !slices.Equal(got, c.want) {
				t.Errorf("%s got %q, want %q", c.l.name, got, c.want)
			}
		}
		if got := f.Names(); !slices.Equal(got, []string{"hb0", "/dev/ttyS0", "hb0"}) {
			t.Errorf("Names = %q", got)
		}
		for _, s := range f.Stats() {
			if s.Sent != 2 || !s.Open || s.Opens != 1 || s.Errors+s.Dropped+s.Unsent != 0 || s.Queued != 0 {
				t.Errorf("stats %+v, want 2 sent and nothing else", s)
			}
		}
	})
}

func TestFanoutOneFailingLinkDoesNotStopTheOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		bad, good := newFake("bad"), newFake("good")
		bad.err = boom
		f := transport.NewFanout()
		defer f.Close()
		f.Add(bad, transport.Datagram)
		f.Add(good, transport.Datagram)
		for range 3 {
			if err := f.Send(transport.Outbound{Packet: []byte("x")}); err != nil {
				t.Fatalf("Send = %v: a link's failure is not the caller's", err)
			}
		}
		synctest.Wait()
		if got := good.got(); len(got) != 3 {
			t.Errorf("good link got %q", got)
		}
		st := f.Stats()
		if st[0].Errors != 3 || st[0].Sent != 0 || !errors.Is(st[0].LastErr, boom) || st[0].LastErrAt.IsZero() {
			t.Errorf("failing link's stats %+v, want 3 errors, the last one boom", st[0])
		}
		if st[1].Sent != 3 || st[1].Errors != 0 || st[1].LastErr != nil {
			t.Errorf("good link's stats %+v", st[1])
		}
	})
}

// TestFanoutStuckLinkDelaysNobody: one link's Send blocks (a tty whose
// reader stopped). Send returns at once every time, the other link
// keeps up, the stuck one keeps the newest frames and counts the dropped
// ones, and sends what it holds once it moves again.
func TestFanoutStuckLinkDelaysNobody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stuck, fast := newFake("/dev/ttyS0"), newFake("hb0")
		stuck.gate = make(chan struct{})
		f := transport.NewFanout()
		defer f.Close()
		f.Add(stuck, transport.Stream)
		f.Add(fast, transport.Datagram)
		const n = 50
		start := time.Now()
		for i := range n {
			if err := f.Send(transport.Outbound{Packet: []byte{byte(i)}}); err != nil {
				t.Fatal(err)
			}
			synctest.Wait() // every link goroutine has done what it can
			if got := len(fast.got()); got != i+1 {
				t.Fatalf("after %d sends the fast link has %d frames", i+1, got)
			}
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("%d sends with a stuck link took %v of the caller's time, want none", n, d)
		}
		s := f.Stats()[0]
		// One frame is in the stuck Send, eight wait, the rest were dropped.
		if s.Queued != 8 || s.Dropped != n-1-8 || s.Sent != 0 {
			t.Errorf("stuck link stats %+v, want 8 queued and %d dropped", s, n-1-8)
		}
		close(stuck.gate)
		synctest.Wait()
		want := []string{"\x00"}
		for i := n - 8; i < n; i++ {
			want = append(want, string([]byte{byte(i)}))
		}
		if got := stuck.got(); !slices.Equal(got, want) {
			t.Errorf("stuck link sent %q once it moved, want the first and the newest 8: %q", got, want)
		}
		if s := f.Stats()[0]; s.Sent != 9 || s.Queued != 0 {
			t.Errorf("stats after recovery %+v", s)
		}
	})
}

func TestFanoutClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newFake("a")
		a.gate = make(chan struct{}) // its Send blocks until Close
		f := transport.NewFanout()
		if err := f.Send(transport.Outbound{Packet: []byte("x")}); !errors.Is(err, transport.ErrNoLinks) {
			t.Errorf("Send with no links = %v, want ErrNoLinks", err)
		}
		f.Add(a, transport.Datagram)
		f.Send(transport.Outbound{Packet: []byte("x")})
		synctest.Wait()
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if !a.isClosed() {
			t.Error("link not closed")
		}
		if err := f.Send(transport.Outbound{Packet: []byte("x")}); !errors.Is(err, transport.ErrClosed) {
			t.Errorf("Send after Close = %v, want ErrClosed", err)
		}
		b := newFake("b")
		if err := f.Add(b, transport.Datagram); !errors.Is(err, transport.ErrClosed) || !b.isClosed() {
			t.Errorf("Add after Close = %v (link closed: %v)", err, b.isClosed())
		}
		if s := f.Stats(); len(s) != 0 {
			t.Errorf("Stats after Close = %+v", s)
		}
	})
}
