package monitor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// The scheduler's timing is tested in a synctest bubble with a fake
// probe, so every instant asserted is exact virtual time.

const ms = time.Millisecond

func mon(name string, interval, timeout time.Duration) Spec {
	return Spec{Monitor: config.Monitor{Group: "g", Name: name, Kind: config.KindTCP, Port: 80, Interval: interval, Timeout: timeout}}
}

// fake is a probe whose behaviour is chosen per monitor name: "hang"
// monitors block until their context ends, "fail" ones fail, the others
// succeed at once. It tracks the probes in flight.
type fake struct {
	mu       sync.Mutex
	inFlight int
	max      int
}

func (f *fake) probe(ctx context.Context, s Spec) error {
	f.mu.Lock()
	f.inFlight++
	f.max = max(f.max, f.inFlight)
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.inFlight--; f.mu.Unlock() }()
	switch s.Name[0] {
	case 'h':
		<-ctx.Done()
		return ctx.Err()
	case 'f':
		return errors.New("refused")
	}
	return nil
}

func newFake(opts Options) (*Scheduler, *fake) {
	s, f := New(opts), &fake{}
	s.probe = f.probe
	return s, f
}

// collect reads n results and writes each as "name@offset" from start,
// in time order (the results of one instant by name: their order on the
// channel is the scheduler's business).
func collect(s *Scheduler, start time.Time, n int) []string {
	var rs []Result
	for range n {
		rs = append(rs, <-s.Results())
	}
	slices.SortStableFunc(rs, func(a, b Result) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s@%v", r.Name, r.At.Sub(start)))
	}
	return out
}

func expectSeq(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

// TestSchedule: each monitor every interval, the i-th of n offset by
// i/n of its interval, with no drift.
func TestSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := newFake(Options{})
		start := time.Now()
		if err := s.Set([]Spec{mon("a", time.Second, 500*ms), mon("b", time.Second, 500*ms), mon("c", 3*time.Second, time.Second)}); err != nil {
			t.Fatal(err)
		}
		expectSeq(t, collect(s, start, 9), "a@0s", "b@333.333333ms", "a@1s", "b@1.333333333s", "a@2s", "c@2s", "b@2.333333333s", "a@3s", "b@3.333333333s")
		s.Stop()
	})
}

// TestTimeout: a hanging probe fails at exactly its timeout, and the
// next one is still due one interval after the last started.
func TestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := newFake(Options{})
		start := time.Now()
		s.Set([]Spec{mon("hang", time.Second, 300*ms)})
		for i := range 3 {
			r := <-s.Results()
			if r.OK || !errors.Is(r.Err, ErrTimeout) || r.Reason != "timeout: no answer within 300ms (context deadline exceeded)" ||
				r.Latency != 300*ms || r.At.Sub(start) != time.Duration(i)*time.Second {
				t.Errorf("probe %d: %+v", i, r)
			}
		}
		s.Stop()
	})
}

// TestInFlightBound: no more than MaxInFlight probes at once; a monitor
// whose turn comes waits for a slot, then keeps its rhythm.
func TestInFlightBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f := newFake(Options{MaxInFlight: 2})
		start := time.Now()
		// Due at 0, 1s, 2s, 3s; each hangs 3s (its timeout).
		s.Set([]Spec{mon("h1", 4*time.Second, 3*time.Second), mon("h2", 4*time.Second, 3*time.Second),
			mon("h3", 4*time.Second, 3*time.Second), mon("h4", 4*time.Second, 3*time.Second)})
		// h1 ends at 3s, freeing the slot h3 waited for since 2s; h2
		// ends at 4s, and h4 (waiting since 3s) goes before h1's next.
		expectSeq(t, collect(s, start, 4), "h1@0s", "h2@1s", "h3@3s", "h4@4s")
		s.Stop()
		if f.max != 2 {
			t.Errorf("%d probes were in flight at once, want 2", f.max)
		}
	})
}

// TestSlowProbeDelaysNoOther: under the bound, a monitor that hangs
// does not move another's probes by an instant.
func TestSlowProbeDelaysNoOther(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := newFake(Options{MaxInFlight: 2})
		start := time.Now()
		s.Set([]Spec{mon("hang", time.Second, 900*ms), mon("quick", 200*ms, 100*ms)})
		var quick []string
		for len(quick) < 10 {
			if r := <-s.Results(); r.Name == "quick" {
				quick = append(quick, r.At.Sub(start).String())
			}
		}
		expectSeq(t, quick, "100ms", "300ms", "500ms", "700ms", "900ms", "1.1s", "1.3s", "1.5s", "1.7s", "1.9s")
		s.Stop()
	})
}

// TestReconfigure: Set keeps an unchanged monitor in its rhythm, stops a
// removed one, restarts a changed one and starts a new one.
func TestReconfigure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := newFake(Options{})
		start := time.Now()
		s.Set([]Spec{mon("a", time.Second, 500*ms), mon("b", time.Second, 500*ms), mon("c", time.Second, 500*ms)})
		expectSeq(t, collect(s, start, 3), "a@0s", "b@333.333333ms", "c@666.666666ms")
		time.Sleep(100 * ms) // 766ms: between probes
		changed := mon("c", 2*time.Second, 500*ms)
		if err := s.Set([]Spec{mon("a", time.Second, 500*ms), changed, mon("d", time.Second, 500*ms)}); err != nil {
			t.Fatal(err)
		}
		// a goes on (1s, 2s); b is gone; c restarts as the 2nd of 3 of a
		// 2s interval (766ms + 666ms); d as the 3rd of a 1s interval.
		expectSeq(t, collect(s, start, 6), "a@1s", "c@1.433333332s", "d@1.433333332s", "a@2s", "d@2.433333332s", "a@3s")
		s.Stop()
		if err := s.Set(nil); !errors.Is(err, ErrStopped) {
			t.Errorf("Set after Stop: %v", err)
		}
	})
}

func TestSetRefuses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := newFake(Options{})
		defer s.Stop()
		if err := s.Set([]Spec{mon("a", time.Second, 0)}); err == nil {
			t.Error("a zero timeout must be refused")
		}
		if err := s.Set([]Spec{mon("a", time.Second, ms), mon("a", 2*time.Second, ms)}); err == nil {
			t.Error("two monitors of one name must be refused")
		}
		synctest.Wait()
		select {
		case r := <-s.Results():
			t.Errorf("a refused set ran: %+v", r)
		default:
		}
	})
}

// TestStop: Stop cancels probes in flight, ends every goroutine (the
// bubble would report one left) and closes Results, even when nobody
// reads them.
func TestStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := newFake(Options{Buffer: 1})
		s.Set([]Spec{mon("hang", time.Second, 900*ms), mon("quick", time.Second, 100*ms), mon("fail", time.Second, 100*ms)})
		time.Sleep(5 * time.Second) // nobody reads: the buffer fills, monitors wait
		s.Stop()
		n := 0
		for range s.Results() {
			n++
		}
		if n != 1 {
			t.Errorf("%d results buffered, want 1", n)
		}
		s.Stop() // twice is harmless
	})
}

// TestSchedulerReal: the scheduler with the real probes, against a
// listener on loopback that goes away.
func TestSchedulerReal(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sp := spec(config.KindTCP, addrPort(t, ln.Addr()))
	sp.Interval, sp.Timeout = 50*ms, 40*ms
	s := New(Options{})
	defer s.Stop()
	s.Set([]Spec{sp})
	next := func() Result {
		select {
		case r := <-s.Results():
			return r
		case <-time.After(10 * time.Second):
			t.Fatal("no result within 10s")
		}
		return Result{}
	}
	expect(t, next(), true, "")
	ln.Close()
	for range 100 { // the probe in flight when the listener closed may still be up
		if r := next(); !r.OK {
			expect(t, r, false, "connection refused")
			return
		}
	}
	t.Error("the closed listener was never seen down")
}

// TestFastRetry: after a failure, the probes that may confirm it (up to
// Fall in a row) come every quarter interval; then the rhythm is the
// interval again.
func TestFastRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := newFake(Options{})
		start := time.Now()
		f := mon("fail", time.Second, 100*ms)
		f.Fall = 3
		if err := s.Set([]Spec{f}); err != nil {
			t.Fatal(err)
		}
		expectSeq(t, collect(s, start, 6), "fail@0s", "fail@250ms", "fail@500ms", "fail@1.5s", "fail@2.5s", "fail@3.5s")
		s.Stop()
	})
}
