package transport_test

import (
	"bytes"
	"errors"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/ptytest"
	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/tty"
)

type serialEnd struct {
	link   *transport.Serial
	frames chan transport.Frame
	status chan transport.Status
}

func openSerial(t *testing.T, dev, lockDir string, timeout time.Duration) *serialEnd {
	t.Helper()
	e := &serialEnd{frames: make(chan transport.Frame, 64), status: make(chan transport.Status, 16)}
	m := config.Medium{Type: config.Serial, Device: dev, Baud: 19200}
	l, err := transport.OpenSerial(m, transport.Options{
		Frames: e.frames, Status: e.status, LockDir: lockDir, SendTimeout: timeout,
	})
	if err != nil {
		t.Fatalf("OpenSerial: %v", err)
	}
	e.link = l
	t.Cleanup(func() { l.Close() })
	return e
}

func TestSerialFramesBothWays(t *testing.T) {
	nm := ptytest.OpenNullModem(t)
	locks := t.TempDir()
	a := openSerial(t, nm.A, locks, 0)
	b := openSerial(t, nm.B, locks, 0)
	if st := recvStatus(t, a.status, true); st.Link != nm.A || st.Err != nil {
		t.Errorf("first status of A = %+v, want up on %s", st, nm.A)
	}
	const n = 50
	errs := make(chan error, 2)
	go func() {
		for i := range n {
			if err := a.link.Send(classic("a%d", i)); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	go func() {
		for i := range n {
			if err := b.link.Send(classic("b%d", i)); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	for i := range n {
		fa, fb := recvFrame(t, b.frames), recvFrame(t, a.frames)
		if want := classic("a%d", i); !bytes.Equal(fa.Data, want) || fa.Link != nm.B || fa.From.IsValid() {
			t.Fatalf("B got %+v, want %q on %s", fa, want, nm.B)
		}
		if want := classic("b%d", i); !bytes.Equal(fb.Data, want) || fb.Link != nm.A {
			t.Fatalf("A got %+v, want %q on %s", fb, want, nm.A)
		}
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	closeWithin(t, a.link)
	closeWithin(t, b.link)
	checkNoLinkGoroutines(t)
}

func TestSerialSkipsGarbageBetweenFrames(t *testing.T) {
	p := ptytest.Open(t)
	e := openSerial(t, p.Slave, t.TempDir(), 0)
	stream := "line noise\r\n\x00\xff\xfe" + string(classic("one")) + "junk\n<<<\n" +
		"partial=frame cut off" + string(classic("two")) + ">>>\nt=status\n" + string(classic("three"))
	if _, err := p.Master.Write([]byte(stream)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"one", "two", "three"} {
		if f := recvFrame(t, e.frames); !bytes.Equal(f.Data, classic("%s", want)) {
			t.Fatalf("got %q, want frame %q", f.Data, want)
		}
	}
}

// TestSerialCloseReleasesBlockedRead: the reader sits in a read with no
// deadline; Close must wake it (tarm/serial's Close hangs here).
func TestSerialCloseReleasesBlockedRead(t *testing.T) {
	p := ptytest.Open(t)
	e := openSerial(t, p.Slave, t.TempDir(), 0)
	// One frame through, so the reader is back in its read when we close.
	if _, err := p.Master.Write(classic("x")); err != nil {
		t.Fatal(err)
	}
	recvFrame(t, e.frames)
	waitForStack(t, "(*pollDesc).waitRead") // the reader is parked in the poller
	took := closeWithin(t, e.link)
	t.Logf("Close with a blocked read returned after %v", took)
	checkNoLinkGoroutines(t)
	if err := e.link.Send(classic("late")); !errors.Is(err, transport.ErrClosed) {
		t.Errorf("Send after Close: %v, want ErrClosed", err)
	}
}

// TestSerialWriteTimeout: nobody drains the other end, so the pty's
// buffer fills and a Send must fail with a deadline error instead of
// blocking the sender.
func TestSerialWriteTimeout(t *testing.T) {
	p := ptytest.Open(t)
	e := openSerial(t, p.Slave, t.TempDir(), 200*time.Millisecond)
	big := classic("%s", bytes.Repeat([]byte("x"), 4000))
	var err error
	var took time.Duration
	for i := 0; i < 256 && err == nil; i++ { // a pty buffers tens of KiB
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- e.link.Send(big) }()
		select {
		case err = <-done:
			took = time.Since(start)
		case <-time.After(wait):
			t.Fatalf("Send %d blocked for %v on an undrained port", i, wait)
		}
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Send on an undrained port: %v, want a deadline error", err)
	}
	t.Logf("write to an undrained pty failed after %v (timeout 200ms): %v", took, err)
	if st := recvStatus(t, e.status, false); !errors.Is(st.Err, os.ErrDeadlineExceeded) {
		t.Errorf("down status error = %v", st.Err)
	}
	closeWithin(t, e.link)
	checkNoLinkGoroutines(t)
}

func TestSerialLockRefusesSecondOpen(t *testing.T) {
	p := ptytest.Open(t)
	locks := t.TempDir()
	e := openSerial(t, p.Slave, locks, 0)
	m := config.Medium{Type: config.Serial, Device: p.Slave, Baud: 19200}
	o := transport.Options{Frames: make(chan transport.Frame), LockDir: locks}
	if l, err := transport.OpenSerial(m, o); !errors.Is(err, tty.ErrLocked) {
		if l != nil {
			l.Close()
		}
		t.Fatalf("second open: %v, want ErrLocked", err)
	} else {
		t.Logf("second open refused: %v", err)
	}
	closeWithin(t, e.link)
	if _, err := os.Stat(tty.LockPath(locks, p.Slave)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left after Close: %v", err)
	}
	l, err := transport.OpenSerial(m, o)
	if err != nil {
		t.Fatalf("open after Close: %v", err)
	}
	closeWithin(t, l)
}

func TestSerialSendRefusesNonClassic(t *testing.T) {
	p := ptytest.Open(t)
	e := openSerial(t, p.Slave, t.TempDir(), 0)
	for _, f := range []string{"###\n9:(0)t=ping,%%%\n", ">>>\nt=x\n", ">>>\nt=x\n<<<\n>>>\nt=y\n<<<\n"} {
		if err := e.link.Send([]byte(f)); !errors.Is(err, transport.ErrNotClassic) {
			t.Errorf("Send(%q) = %v, want ErrNotClassic", f, err)
		}
	}
}

// TestSerialCloseReleasesBlockedSend: a Send stuck on a full line with a
// long timeout is released by Close with ErrClosed.
func TestSerialCloseReleasesBlockedSend(t *testing.T) {
	p := ptytest.Open(t)
	e := openSerial(t, p.Slave, t.TempDir(), time.Hour)
	big := classic("%s", bytes.Repeat([]byte("x"), 8000))
	sent := make(chan error, 1)
	go func() {
		for range 1024 { // nobody drains the master: a pty buffers tens of KiB
			if err := e.link.Send(big); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	waitForStack(t, "(*pollDesc).waitWrite") // a Send is parked in the poller
	took := closeWithin(t, e.link)
	select {
	case err := <-sent:
		if !errors.Is(err, transport.ErrClosed) {
			t.Errorf("blocked Send returned %v, want ErrClosed", err)
		}
	case <-time.After(wait):
		t.Fatalf("Send still blocked %v after Close", wait)
	}
	t.Logf("Close with a blocked Send returned after %v", took)
	checkNoLinkGoroutines(t)
}

// waitForStack waits until some goroutine's stack contains fn.
func waitForStack(t *testing.T, fn string) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if n := runtime.Stack(buf, true); bytes.Contains(buf[:n], []byte(fn)) {
			return
		}
	}
	t.Fatalf("no goroutine in %s within %v", fn, wait)
}
