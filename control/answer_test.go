package control

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestFinalAnswer: the server follows an accepted command for exactly
// its wait, skips repeated acceptances, and stops at a closed channel or
// a cancelled context.
func TestFinalAnswer(t *testing.T) {
	done := Answer{Verdict: VerdictDone, Reason: "groups handed over"}
	failed := Answer{Verdict: VerdictFailed, Reason: "the peer did not answer"}
	accepted := Answer{Verdict: VerdictAccepted}
	tests := []struct {
		name   string
		send   []Answer      // sent after after
		after  time.Duration // virtual time before the answers come
		close  bool
		cancel bool
		want   Answer
		wantOK bool
		took   time.Duration
	}{
		{name: "done in time", send: []Answer{done}, after: 3 * time.Second, want: done, wantOK: true, took: 3 * time.Second},
		{name: "failed in time", send: []Answer{failed}, after: 29 * time.Second, want: failed, wantOK: true, took: 29 * time.Second},
		{name: "accepted again, then done", send: []Answer{accepted, done}, after: time.Second, want: done, wantOK: true, took: time.Second},
		{name: "too late", send: []Answer{done}, after: 31 * time.Second, wantOK: true, took: 30 * time.Second,
			want: Answer{Verdict: VerdictAccepted, Reason: "still running after 30s; follow it with understudy status or in the log"}},
		{name: "nothing comes", wantOK: true, took: 30 * time.Second,
			want: Answer{Verdict: VerdictAccepted, Reason: "still running after 30s; follow it with understudy status or in the log"}},
		{name: "no outcome reported", close: true, after: 2 * time.Second, took: 2 * time.Second},
		{name: "server stops", cancel: true, after: 5 * time.Second, took: 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				ch := make(chan Answer, 2)
				var wg sync.WaitGroup
				defer wg.Wait()
				wg.Go(func() {
					time.Sleep(tt.after)
					for _, a := range tt.send {
						ch <- a
					}
					if tt.close {
						close(ch)
					}
					if tt.cancel {
						cancel()
					}
				})
				start := time.Now()
				got, ok := finalAnswer(ctx, ch, 30*time.Second)
				if got != tt.want || ok != tt.wantOK {
					t.Errorf("finalAnswer = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
				}
				if took := time.Since(start); took != tt.took {
					t.Errorf("took %v, want %v", took, tt.took)
				}
			})
		})
	}
}

func TestFirstAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), DefaultTimeout)
		defer cancel()
		start := time.Now()
		if _, err := firstAnswer(ctx, make(chan Answer)); err == nil || time.Since(start) != DefaultTimeout {
			t.Errorf("silent backend: %v after %v", err, time.Since(start))
		}
		closed := make(chan Answer)
		close(closed)
		if _, err := firstAnswer(t.Context(), closed); err == nil || err.Error() != "the daemon gave no answer" {
			t.Errorf("closed channel: %v", err)
		}
	})
}

func TestAnswerResponse(t *testing.T) {
	tests := []struct {
		a    Answer
		want Response
	}{
		{Answer{Verdict: VerdictAccepted}, Response{OK: true, Verdict: "accepted"}},
		{Answer{Verdict: VerdictDone, Reason: "nothing to hand over"}, Response{OK: true, Verdict: "done", Reason: "nothing to hand over"}},
		{Answer{Verdict: VerdictRefused, Reason: "no other node is alive"},
			Response{Error: "standby [all] refused: no other node is alive", Verdict: "refused", Reason: "no other node is alive"}},
		{Answer{Verdict: VerdictFailed, Reason: "the peer did not answer"},
			Response{Error: "standby [all] failed: the peer did not answer", Verdict: "failed", Reason: "the peer did not answer"}},
	}
	for _, tt := range tests {
		if got := answerResponse("standby [all]", tt.a); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("answerResponse(%+v) = %+v, want %+v", tt.a, got, tt.want)
		}
	}
}
