package transport_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/ptytest"
	"github.com/understudy-ha/understudy/transport"
)

// drainUntil reads r until it has seen marker (then closes found) or r
// fails; what it read before is discarded.
func drainUntil(r io.Reader, marker []byte, found chan<- struct{}) {
	var tail []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		tail = append(tail, buf[:n]...)
		if bytes.Contains(tail, marker) {
			close(found)
			io.Copy(io.Discard, r)
			return
		}
		tail = tail[max(0, len(tail)-len(marker)):]
		if err != nil {
			return
		}
	}
}

// sendAll calls f.Send for each message and fails the test if they do
// not all return within wait: a hang detector, not a timing assertion.
func sendAll(t *testing.T, f *transport.Fanout, msgs []transport.Outbound) {
	t.Helper()
	err := within(t, "Fanout.Send with a stuck link", func() error {
		for _, m := range msgs {
			if err := f.Send(m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
}

// waitStats polls f.Stats until ok accepts them (bounded by wait).
func waitStats(t *testing.T, f *transport.Fanout, what string, ok func([]transport.LinkStats) bool) []transport.LinkStats {
	t.Helper()
	for deadline := time.Now().Add(wait); ; time.Sleep(5 * time.Millisecond) {
		s := f.Stats()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v; stats %+v", what, wait, s)
		}
	}
}

// TestFanoutStuckSerialDelaysNobody (issue 17, item 3): the reader of
// the serial line stops, so the link's writes block (send timeout one
// hour, so a Send that waited for it would hang). Fan-out sends still
// return, the UDP link sends every frame and the peer receives them,
// the serial link drops its oldest frames and counts them; when the
// reader resumes the serial link sends again.
func TestFanoutStuckSerialDelaysNobody(t *testing.T) {
	p := newPair(t)
	pty := ptytest.Open(t) // nobody reads the master yet
	frames := make(chan transport.Frame, 16)
	media := []config.Medium{
		{Type: config.Ucast, Iface: link, Peer: ipB, Port: 694},
		{Type: config.Serial, Device: pty.Slave, Baud: 115200},
	}
	var f *transport.Fanout
	var err error
	inNS(t, p.A, func() {
		f, err = transport.OpenAll(media, transport.Options{Frames: frames, LockDir: t.TempDir(), SendTimeout: time.Hour})
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := openUDP(t, p.B, config.Medium{Type: config.Ucast, Iface: link, Peer: ipA, Port: 694}, transport.Options{})
	last := []byte("last packet")
	heard, stop := make(chan struct{}), make(chan struct{})
	defer close(stop)
	go func() { // the peer reads all the time, so its socket never overflows
		for {
			select {
			case fr := <-b.frames:
				if bytes.Equal(fr.Data, last) {
					close(heard)
				}
			case <-stop:
				return
			}
		}
	}()

	big := classic("%s", bytes.Repeat([]byte("x"), 4000))
	msg := func(i int) transport.Outbound {
		return transport.Outbound{Packet: fmt.Appendf(nil, "packet %d", i), Text: big}
	}
	// send sends one message at the pace of the UDP link, as heartbeats
	// come: the next only once the UDP link has sent this one.
	sent := uint64(0)
	send := func(m transport.Outbound) {
		sendAll(t, f, []transport.Outbound{m})
		sent++
		waitStats(t, f, "the UDP link sends every frame", func(s []transport.LinkStats) bool { return s[0].Sent == sent })
	}
	// Fill the pty until the serial link is parked in a write.
	for i := 0; i < 1000 && !(f.Stats()[1].Queued == 8 && stackHas("(*pollDesc).waitWrite")); i++ {
		send(msg(i))
	}
	waitForStack(t, "(*pollDesc).waitWrite")
	before := f.Stats()[1]
	const more = 100
	for i := range more {
		m := msg(int(sent))
		if i == more-1 {
			m.Packet = last
		}
		send(m)
	}
	select {
	case <-heard:
	case <-time.After(wait):
		t.Fatal("the peer did not get the UDP link's last frame")
	}
	s := f.Stats()
	if s[0].Dropped != 0 || s[0].Errors != 0 {
		t.Errorf("UDP link stats %+v, want no drops and no errors", s[0])
	}
	ser := s[1]
	t.Logf("serial link while stuck: %+v", ser)
	if ser.Sent != before.Sent || ser.Queued != 8 || ser.Dropped != before.Dropped+more || ser.Errors != 0 {
		t.Errorf("stuck serial link: before %+v, after %d more sends %+v; want nothing sent, 8 queued, %d more dropped", before, more, ser, more)
	}

	// The reader resumes: what is queued goes out, and so does the next frame.
	marker := classic("resumed")
	found := make(chan struct{})
	go drainUntil(pty.Master, marker, found)
	waitStats(t, f, "the serial link sends what it held", func(s []transport.LinkStats) bool { return s[1].Sent >= ser.Sent+8 && s[1].Queued == 0 })
	sendAll(t, f, []transport.Outbound{{Packet: []byte("p"), Text: marker}})
	select {
	case <-found:
	case <-time.After(wait):
		t.Fatal("the serial link did not recover once its reader resumed")
	}
	if s := f.Stats()[1]; s.Errors != 0 || s.Dropped != ser.Dropped {
		t.Errorf("after recovery: %+v", s)
	}
	if err := f.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	closeWithin(t, b.link)
	checkNoLinkGoroutines(t)
}

// TestFanoutSerialTimeoutReportsDown: a serial line that takes no bytes
// is reported down with a deadline error through the Fanout's Status,
// and up once it takes them again.
func TestFanoutSerialTimeoutReportsDown(t *testing.T) {
	pty := ptytest.Open(t)
	status := make(chan transport.Status, 16)
	f, err := transport.OpenAll([]config.Medium{{Type: config.Serial, Device: pty.Slave, Baud: 115200}},
		transport.Options{Frames: make(chan transport.Frame), Status: status, LockDir: t.TempDir(), SendTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recvStatus(t, status, true)
	big := transport.Outbound{Text: classic("%s", bytes.Repeat([]byte("x"), 4000))}
	deadline := time.Now().Add(wait)
	var down transport.Status
	for got := false; !got; {
		sendAll(t, f, []transport.Outbound{big})
		select {
		case down = <-status:
			got = !down.Up
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no down status from a serial line that takes nothing")
		}
	}
	if !errors.Is(down.Err, os.ErrDeadlineExceeded) {
		t.Errorf("down status %+v, want a deadline error", down)
	}
	if s := f.Stats()[0]; s.Errors == 0 || !errors.Is(s.LastErr, os.ErrDeadlineExceeded) {
		t.Errorf("stats %+v, want the timeouts counted", s)
	}
	go io.Copy(io.Discard, pty.Master)
	for up := false; !up; {
		sendAll(t, f, []transport.Outbound{big})
		select {
		case s := <-status:
			up = s.Up
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline.Add(wait)) {
			t.Fatal("no up status once the line drains")
		}
	}
}

// TestFanoutCloseWithStuckSerial: Close returns while a serial link's
// write is blocked (send timeout one hour) and its queue is full, and
// leaves no goroutine behind.
func TestFanoutCloseWithStuckSerial(t *testing.T) {
	pty := ptytest.Open(t) // never read
	f, err := transport.OpenAll([]config.Medium{{Type: config.Serial, Device: pty.Slave, Baud: 19200}},
		transport.Options{Frames: make(chan transport.Frame), LockDir: t.TempDir(), SendTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	big := transport.Outbound{Text: classic("%s", bytes.Repeat([]byte("x"), 4000))}
	for i := 0; i < 1000 && !(f.Stats()[0].Queued == 8 && stackHas("(*pollDesc).waitWrite")); i++ {
		sendAll(t, f, []transport.Outbound{big})
	}
	waitForStack(t, "(*pollDesc).waitWrite")
	if err := within(t, "Fanout.Close with a stuck serial link", f.Close); err != nil {
		t.Errorf("Close: %v", err)
	}
	checkNoLinkGoroutines(t)
}
