package transport_test

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/understudy-ha/understudy/transport"
)

// fakeLink records what it was sent; it fails with err if set, and takes
// delay per Send.
type fakeLink struct {
	name  string
	err   error
	delay time.Duration

	mu     sync.Mutex
	sent   []string
	closed bool
}

var _ transport.Link = (*fakeLink)(nil)

func (l *fakeLink) Name() string { return l.name }

func (l *fakeLink) Send(f []byte) error {
	time.Sleep(l.delay)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return transport.ErrClosed
	}
	l.sent = append(l.sent, string(f))
	return l.err
}

func (l *fakeLink) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return nil
}

func TestFanoutSendsEveryLinkItsEncoding(t *testing.T) {
	udp1, udp2, tty := &fakeLink{name: "hb0"}, &fakeLink{name: "hb0"}, &fakeLink{name: "/dev/ttyS0"}
	f := transport.NewFanout()
	f.Add(udp1, transport.Datagram)
	f.Add(tty, transport.Stream)
	f.Add(udp2, transport.Datagram)
	if err := f.Send(transport.Outbound{Packet: []byte("###net"), Text: []byte(">>>text")}); err != nil {
		t.Fatal(err)
	}
	if err := f.Send(transport.Outbound{Packet: []byte(">>>both")}); err != nil { // no Text: Packet everywhere
		t.Fatal(err)
	}
	for _, c := range []struct {
		l    *fakeLink
		want []string
	}{{udp1, []string{"###net", ">>>both"}}, {udp2, []string{"###net", ">>>both"}}, {tty, []string{">>>text", ">>>both"}}} {
		if len(c.l.sent) != 2 || c.l.sent[0] != c.want[0] || c.l.sent[1] != c.want[1] {
			t.Errorf("%s got %q, want %q", c.l.name, c.l.sent, c.want)
		}
	}
	if got := f.Names(); len(got) != 3 || got[1] != "/dev/ttyS0" {
		t.Errorf("Names = %q", got)
	}
}

func TestFanoutOneFailingLinkDoesNotStopTheOthers(t *testing.T) {
	boom := errors.New("boom")
	bad, good := &fakeLink{name: "bad", err: boom}, &fakeLink{name: "good"}
	f := transport.NewFanout()
	f.Add(bad, transport.Datagram)
	f.Add(good, transport.Datagram)
	if err := f.Send(transport.Outbound{Packet: []byte("x")}); !errors.Is(err, boom) {
		t.Errorf("Send = %v, want the failing link's error", err)
	}
	if len(good.sent) != 1 {
		t.Errorf("good link got %q", good.sent)
	}
}

// TestFanoutSendsInParallel: the fan-out takes as long as its slowest
// link, not the sum (virtual time, exact).
func TestFanoutSendsInParallel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := transport.NewFanout()
		for _, name := range []string{"a", "b", "c"} {
			f.Add(&fakeLink{name: name, delay: 500 * time.Millisecond}, transport.Datagram)
		}
		start := time.Now()
		if err := f.Send(transport.Outbound{Packet: []byte("x")}); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 500*time.Millisecond {
			t.Errorf("fan-out to 3 links of 500ms took %v, want 500ms", d)
		}
	})
}

func TestFanoutClose(t *testing.T) {
	a := &fakeLink{name: "a"}
	f := transport.NewFanout()
	if err := f.Send(transport.Outbound{Packet: []byte("x")}); !errors.Is(err, transport.ErrNoLinks) {
		t.Errorf("Send with no links = %v, want ErrNoLinks", err)
	}
	f.Add(a, transport.Datagram)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if !a.closed {
		t.Error("link not closed")
	}
	if err := f.Send(transport.Outbound{Packet: []byte("x")}); !errors.Is(err, transport.ErrClosed) {
		t.Errorf("Send after Close = %v, want ErrClosed", err)
	}
	b := &fakeLink{name: "b"}
	if err := f.Add(b, transport.Datagram); !errors.Is(err, transport.ErrClosed) || !b.closed {
		t.Errorf("Add after Close = %v (link closed: %v)", err, b.closed)
	}
}
