package transport

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
)

func TestReporterStates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := make(chan Status, 16)
		done := make(chan struct{})
		var wg sync.WaitGroup
		r := newReporter("hb0", "bcast on hb0, port 694", out, done)
		r.start(&wg)
		sendErr, recvErr := errors.New("send failed"), errors.New("receive failed")
		steps := []struct {
			do   func()
			want *Status // nil: no event
		}{
			{r.opened, &Status{Up: true}},
			{func() { r.sent(nil) }, nil},
			{func() { r.sent(sendErr) }, &Status{Err: sendErr}},
			{func() { r.received(recvErr) }, nil}, // still down
			{func() { r.sent(nil) }, nil},         // still down: receive failing
			{func() { r.received(nil) }, &Status{Up: true}},
		}
		for i, s := range steps {
			s.do()
			synctest.Wait()
			select {
			case got := <-out:
				if s.want == nil || got.Up != s.want.Up || !errors.Is(got.Err, s.want.Err) || got.Link != "hb0" {
					t.Errorf("step %d: got %+v, want %+v", i, got, s.want)
				}
			default:
				if s.want != nil {
					t.Errorf("step %d: no event, want %+v", i, *s.want)
				}
			}
		}
		close(done)
		wg.Wait()
	})
}

// TestReporterNeverBlocks: with nobody reading, updates do not block and
// the consumer later sees only the latest state.
func TestReporterNeverBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := make(chan Status) // unbuffered, not read yet
		done := make(chan struct{})
		var wg sync.WaitGroup
		r := newReporter("/dev/ttyS0", "serial /dev/ttyS0 at 19200 baud", out, done)
		r.start(&wg)
		r.opened()
		synctest.Wait() // the reporter is now blocked offering Up
		for range 1000 {
			r.sent(errors.New("timeout"))
			r.sent(nil)
		}
		r.sent(errors.New("last"))
		if got := <-out; !got.Up {
			t.Errorf("first event %+v, want the pending Up", got)
		}
		if got := <-out; got.Up || got.Err == nil || got.Err.Error() != "last" {
			t.Errorf("second event %+v, want down with the latest error", got)
		}
		close(done)
		wg.Wait()
	})
}
