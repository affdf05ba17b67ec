package transport

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// stubLink is a link a test opener makes; it breaks when told to, as a
// serial link does on an I/O error.
type stubLink struct {
	st *reporter

	mu     sync.Mutex
	sent   int
	closed bool
}

func (l *stubLink) Name() string { return "/dev/ttyS0" }

func (l *stubLink) Send([]byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	l.sent++
	return nil
}

func (l *stubLink) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return nil
}

func (l *stubLink) breakDown(err error) {
	l.st.received(err)
	l.st.broke()
}

// opener fails its first fails calls, then opens stubLinks; it records
// when it was called.
type opener struct {
	start time.Time
	fails int
	err   error

	mu    sync.Mutex
	calls []time.Duration
	links []*stubLink
}

func (o *opener) open(opts Options) (Link, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, time.Since(o.start))
	if len(o.calls) <= o.fails {
		return nil, o.err
	}
	l := &stubLink{st: opts.st}
	opts.st.opened()
	o.links = append(o.links, l)
	return l, nil
}

func (o *opener) seen() ([]time.Duration, []*stubLink) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.calls), slices.Clone(o.links)
}

// statuses drains what ch holds now.
func statuses(ch chan Status) []Status {
	var out []Status
	for {
		select {
		case s := <-ch:
			out = append(out, s)
		default:
			return out
		}
	}
}

func ms(d ...int) []time.Duration {
	out := make([]time.Duration, len(d))
	for i, v := range d {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

// TestMemberReopensWithBackoff: a link that cannot be opened is tried
// again after 100 ms, then twice the wait each time up to 5 s; its
// state is reported once down (with the cause) and once up, whatever
// the number of attempts; frames sent meanwhile are counted as unsent.
func TestMemberReopensWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locked := errors.New("serial port is locked")
		op := &opener{start: time.Now(), fails: 8, err: locked}
		status := make(chan Status, 16)
		f := NewFanout()
		defer f.Close()
		if err := f.keep(newMember("/dev/ttyS0", "serial /dev/ttyS0 at 19200 baud", Stream), op.open, Options{Status: status}); err != nil {
			t.Fatalf("keep: %v", err)
		}
		f.Send(Outbound{Packet: []byte("lost")})
		time.Sleep(time.Minute)
		synctest.Wait()
		calls, links := op.seen()
		// Waits 100, 200, 400, 800, 1600, 3200, 5000, 5000 ms.
		if want := ms(0, 100, 300, 700, 1500, 3100, 6300, 11300, 16300); !slices.Equal(calls, want) {
			t.Errorf("open attempts at %v, want %v", calls, want)
		}
		got := statuses(status)
		if len(got) != 2 || got[0].Up || !errors.Is(got[0].Err, locked) || !got[1].Up || got[0].Medium != "serial /dev/ttyS0 at 19200 baud" {
			t.Errorf("status events %+v, want down (locked) then up, once each", got)
		}
		s := f.Stats()[0]
		if !s.Open || s.Opens != 1 || s.OpenErrors != 8 || !errors.Is(s.LastErr, locked) || s.Unsent != 1 {
			t.Errorf("stats %+v", s)
		}
		f.Send(Outbound{Packet: []byte("x")})
		synctest.Wait()
		if len(links) != 1 || links[0].sent != 1 {
			t.Fatalf("links opened %d, want 1 with the frame sent after it opened", len(links))
		}
	})
}

// TestMemberReopensABrokenLink: a link that breaks is closed and opened
// again, at once after a long stable run, or after the current backoff
// if it broke soon after opening (no busy loop on a link that opens and
// breaks at once).
func TestMemberReopensABrokenLink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op := &opener{start: time.Now()}
		status := make(chan Status, 16)
		f := NewFanout()
		defer f.Close()
		if err := f.keep(newMember("/dev/ttyS0", "serial /dev/ttyS0 at 19200 baud", Stream), op.open, Options{Status: status}); err != nil {
			t.Fatal(err)
		}
		eio := errors.New("input/output error")
		breakAt := func(at time.Duration) {
			time.Sleep(at - time.Since(op.start))
			synctest.Wait()
			_, links := op.seen()
			links[len(links)-1].breakDown(eio)
			synctest.Wait()
		}
		breakAt(10 * time.Second)         // stable for longer than retryMax: reopened after 100 ms
		breakAt(10101 * time.Millisecond) // 1 ms after that: 200 ms
		breakAt(10302 * time.Millisecond) // again: 400 ms
		breakAt(70 * time.Second)         // stable again: 100 ms
		time.Sleep(time.Minute)
		synctest.Wait()
		calls, links := op.seen()
		if want := ms(0, 10_100, 10_301, 10_702, 70_100); !slices.Equal(calls, want) {
			t.Errorf("opens at %v, want %v", calls, want)
		}
		for i, l := range links[:len(links)-1] {
			if !l.closed {
				t.Errorf("broken link %d not closed", i)
			}
		}
		var ups []bool
		for _, s := range statuses(status) {
			ups = append(ups, s.Up)
			if !s.Up && !errors.Is(s.Err, eio) {
				t.Errorf("down event %+v, want the I/O error as cause", s)
			}
		}
		if want := []bool{true, false, true, false, true, false, true, false, true}; !slices.Equal(ups, want) {
			t.Errorf("status events up=%v, want %v", ups, want)
		}
		if s := f.Stats()[0]; s.Opens != 5 || s.OpenErrors != 0 {
			t.Errorf("stats %+v, want 5 opens", s)
		}
	})
}

// TestMemberCloseWhileWaiting: Close during a backoff wait returns at
// once and stops the attempts.
func TestMemberCloseWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op := &opener{start: time.Now(), fails: 1000, err: errors.New("no such file")}
		f := NewFanout()
		if err := f.keep(newMember("/dev/ttyS0", "serial", Stream), op.open, Options{}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		start := time.Now()
		f.Close()
		if d := time.Since(start); d != 0 {
			t.Errorf("Close took %v while waiting to reopen", d)
		}
		n := len(op.calls)
		time.Sleep(time.Minute)
		if len(op.calls) != n {
			t.Errorf("%d open attempts after Close", len(op.calls)-n)
		}
	})
}

// TestKeepRefusesBadMedium: an open error that no retry can cure is
// returned, and nothing is left running.
func TestKeepRefusesBadMedium(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bad := badMedium{errors.New("open x: Options.Frames is nil")}
		op := &opener{start: time.Now(), fails: 1, err: bad}
		f := NewFanout()
		defer f.Close()
		if err := f.keep(newMember("x", "x", Datagram), op.open, Options{}); !errors.As(err, new(badMedium)) {
			t.Errorf("keep = %v, want the bad-medium error", err)
		}
		time.Sleep(time.Minute)
		if len(op.calls) != 1 || len(f.Names()) != 0 {
			t.Errorf("%d attempts, links %q: a bad medium was retried or added", len(op.calls), f.Names())
		}
	})
}
