package control

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/cluster"
)

// Result is how an operator command ended, as far as the client can
// tell: what the commands turn into an exit status.
type Result int

const (
	// ResultDone: the cluster carried the command out, or found nothing
	// to do.
	ResultDone Result = iota
	// ResultAccepted: the cluster accepted the command and the client
	// did not wait for its outcome (wait 0).
	ResultAccepted
	// ResultPending: accepted, and not finished when the wait ran out;
	// or the daemon does not report outcomes.
	ResultPending
	// ResultFailed: the cluster refused the command or it failed, or
	// the daemon could not be asked (not running, permission denied,
	// busy).
	ResultFailed
)

// Admin runs one standby or takeover of set through the daemon
// listening on path, and follows it for at most wait (0: not at all).
// accepted, if not nil, is called once when the cluster accepts the
// command, before its outcome is known; it is not called for a command
// the cluster refuses or finds done at once. Admin returns how the
// command ended and a line for the operator: the reason of a refusal or
// failure, what is still running, or the cluster's remark on a success
// (often empty). Without a deadline in ctx, the exchange is bounded by
// wait + 2 x DefaultTimeout (the server takes up to DefaultTimeout to
// hand the command over, then waits).
//
// This is the one client path of understudy standby/takeover and of
// heartbeat's hb_standby/hb_takeover; they differ only in their words
// and exit codes.
func Admin(ctx context.Context, path string, cmd cluster.AdminCmd, set cluster.Set, wait time.Duration, accepted func()) (Result, string) {
	return Send(ctx, path, Command{Cmd: cmd, Set: set}, wait, accepted)
}

// Send is Admin for any operator's command: standby and takeover, and
// move, clear and maintenance, which a daemon older than them refuses
// with a reason that says so.
func Send(ctx context.Context, path string, c Command, wait time.Duration, accepted func()) (Result, string) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, wait+2*DefaultTimeout)
		defer cancel()
	}
	var last Answer
	seen := false
	err := sendAdmin(ctx, path, c, wait, func(a Answer) {
		if a.Verdict == VerdictAccepted && !seen && accepted != nil {
			accepted()
		}
		last, seen = a, true
	})
	switch {
	case err != nil && seen && last.Verdict == VerdictAccepted:
		return ResultPending, "accepted, but the outcome did not come: " + err.Error()
	case err != nil:
		return ResultFailed, err.Error()
	}
	switch last.Verdict {
	case VerdictDone:
		return ResultDone, last.Reason
	case VerdictAccepted:
		switch {
		case wait == 0:
			return ResultAccepted, last.Reason
		case last.Reason == "":
			return ResultPending, "accepted; the daemon does not report the outcome: follow it with understudy status or in the log"
		}
		return ResultPending, last.Reason
	}
	return ResultFailed, last.String()
}

// sendAdmin sends the command and hands each answer to each. A daemon
// older than answers replies {"ok":true} alone (an accepted command of
// unknown outcome), and refuses the wait_ms field it does not know: the
// request is then sent again without it (the refused one changed
// nothing).
func sendAdmin(ctx context.Context, path string, c Command, wait time.Duration, each func(Answer)) error {
	if wait < 0 || wait > MaxWait {
		return fmt.Errorf("control: wait %v: want 0 to %v", wait, MaxWait)
	}
	req, err := c.request(wait.Milliseconds())
	if err != nil {
		return err
	}
	if wait > 0 && req.WaitMS == 0 {
		req.WaitMS = 1
	}
	var refusal error
	read := func(r Response) bool {
		switch {
		case r.Verdict != "":
			each(Answer{Verdict: r.Verdict, Reason: r.Reason})
		case r.OK:
			each(Answer{Verdict: VerdictAccepted})
		default:
			refusal = &ReplyError{Msg: r.Error}
			return false
		}
		return true
	}
	err = exchange(ctx, path, req, read)
	if err == nil && refusal != nil && req.WaitMS != 0 && olderDaemon(refusal) {
		req.WaitMS, refusal = 0, nil
		err = exchange(ctx, path, req, read)
	}
	if err != nil {
		return err
	}
	if refusal != nil && tooOld(refusal, req.Cmd) {
		return fmt.Errorf("the running daemon is older than %s and does not know it: restart it with this version (%w)", req.Cmd, refusal)
	}
	return refusal
}

// tooOld reports whether err is the refusal of a daemon that predates
// cmd or its fields.
func tooOld(err error, cmd string) bool {
	var re *ReplyError
	if !errors.As(err, &re) {
		return false
	}
	for _, s := range []string{fmt.Sprintf("unknown command %q", cmd), `unknown field "group"`, `unknown field "node"`, `unknown field "mode"`} {
		if strings.Contains(re.Msg, s) {
			return true
		}
	}
	return false
}

// olderDaemon reports whether err is the refusal of a daemon that
// predates wait_ms (its words are fixed: it is released already).
func olderDaemon(err error) bool {
	var re *ReplyError
	return errors.As(err, &re) && strings.Contains(re.Msg, `unknown field "wait_ms"`)
}
