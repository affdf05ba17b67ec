package transport_test

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/transport"
)

// wait is the generous bound for anything that should happen "at once":
// never a performance assertion, only a hang detector.
const wait = 5 * time.Second

// classic builds a small classic frame with a distinguishing value.
func classic(format string, args ...any) []byte {
	return fmt.Appendf(nil, ">>>\nt=status\nsrc=%s\nauth=1 0123456789abcdef\n<<<\n", fmt.Sprintf(format, args...))
}

// recvFrame waits for the next frame on ch.
func recvFrame(t *testing.T, ch <-chan transport.Frame) transport.Frame {
	t.Helper()
	select {
	case f := <-ch:
		return f
	case <-time.After(wait):
		t.Fatalf("no frame within %v", wait)
		return transport.Frame{}
	}
}

// recvStatus waits for a status event with the given Up value, skipping
// others.
func recvStatus(t *testing.T, ch <-chan transport.Status, up bool) transport.Status {
	t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case s := <-ch:
			if s.Up == up {
				return s
			}
		case <-timeout:
			t.Fatalf("no status up=%v within %v", up, wait)
			return transport.Status{}
		}
	}
}

// closeWithin closes l in a goroutine and fails if it does not return
// within wait. It returns how long Close took.
func closeWithin(t *testing.T, l transport.Link) time.Duration {
	t.Helper()
	start := time.Now()
	if err := within(t, "Close of "+l.Name(), l.Close); err != nil {
		t.Errorf("Close: %v", err)
	}
	return time.Since(start)
}

// within runs f in a goroutine and returns its result; the test fails
// if f does not return within wait (a hang detector, not a timing
// assertion).
func within(t *testing.T, what string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(wait):
		t.Fatalf("%s did not return within %v", what, wait)
		return nil
	}
}

// checkNoLinkGoroutines fails if goroutines of transport's types are
// still running; it waits up to wait for stragglers to finish exiting.
func checkNoLinkGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(wait)
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		i := bytes.Index(buf[:n], []byte("understudy/transport.("))
		if i < 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutine leaked after Close:\n%s", buf[max(0, i-200):min(n, i+800)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stackHas reports whether some goroutine's stack contains fn now.
func stackHas(fn string) bool {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return bytes.Contains(buf[:n], []byte(fn))
}
