package control

import (
	"context"
	"fmt"
	"time"
)

// Verdicts of the cluster on an operator command (cluster.Verdict's
// words). Append-only: they travel in Response.Verdict.
const (
	// VerdictAccepted: the cluster took the command on; exactly one
	// final verdict, done or failed, follows.
	VerdictAccepted = "accepted"
	// VerdictDone: the command is carried out, or there was nothing to
	// do. Final.
	VerdictDone = "done"
	// VerdictRefused: the cluster will not do it (no other node alive,
	// auto_failback legacy, ...). Final; nothing changed.
	VerdictRefused = "refused"
	// VerdictFailed: accepted, then it could not be carried out (the
	// peer did not answer in time, ...). Final.
	VerdictFailed = "failed"
)

// Answer is one answer of the cluster to an operator command.
type Answer struct {
	Verdict string
	// Reason says why, in words for the operator; it may be empty for
	// accepted and done.
	Reason string
}

// Final reports whether no answer follows this one.
func (a Answer) Final() bool { return a.Verdict != VerdictAccepted }

func (a Answer) String() string {
	if a.Reason == "" {
		return a.Verdict
	}
	return a.Verdict + ": " + a.Reason
}

// wait is the request's wait bound, checked.
func (r Request) wait() (time.Duration, error) {
	if r.WaitMS < 0 || r.WaitMS > MaxWait.Milliseconds() {
		return 0, fmt.Errorf("wait_ms %d: want 0 to %d", r.WaitMS, MaxWait.Milliseconds())
	}
	return time.Duration(r.WaitMS) * time.Millisecond, nil
}

// firstAnswer is the cluster's immediate answer, bounded by ctx.
func firstAnswer(ctx context.Context, answers <-chan Answer) (Answer, error) {
	select {
	case a, ok := <-answers:
		if !ok {
			return Answer{}, fmt.Errorf("the daemon gave no answer")
		}
		return a, nil
	case <-ctx.Done():
		return Answer{}, fmt.Errorf("no answer from the cluster in time: %w", ctx.Err())
	}
}

// finalAnswer follows an accepted command for at most wait. It returns
// the final answer; an accepted one saying it is still running when
// wait runs out; and false when no final answer will come (the backend
// closed the channel: it does not report outcomes) or ctx is done.
func finalAnswer(ctx context.Context, answers <-chan Answer, wait time.Duration) (Answer, bool) {
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case a, ok := <-answers:
			if !ok {
				return Answer{}, false
			}
			if a.Final() {
				return a, true
			}
		case <-t.C:
			return Answer{Verdict: VerdictAccepted, Reason: fmt.Sprintf("still running after %v; follow it with understudy status or in the log", wait)}, true
		case <-ctx.Done():
			return Answer{}, false
		}
	}
}

// answerResponse is the reply line carrying a; name is "standby [all]".
func answerResponse(name string, a Answer) Response {
	r := Response{OK: a.Verdict == VerdictAccepted || a.Verdict == VerdictDone, Verdict: a.Verdict, Reason: a.Reason}
	if !r.OK {
		r.Error = fmt.Sprintf("%s %s", name, a)
	}
	return r
}
