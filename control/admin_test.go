package control_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
)

var (
	accepted = control.Answer{Verdict: control.VerdictAccepted}
	done     = control.Answer{Verdict: control.VerdictDone}
)

// TestAdminOutcomes: what the client makes of each course the cluster's
// answers can take.
func TestAdminOutcomes(t *testing.T) {
	const noOutcome = "accepted; the daemon does not report the outcome: follow it with understudy status or in the log"
	tests := []struct {
		name     string
		answers  []control.Answer
		open     bool
		err      error
		wait     time.Duration
		res      control.Result
		msg      string
		accepted bool // the accepted callback ran
	}{
		{name: "done", wait: time.Second, res: control.ResultDone, accepted: true},
		{name: "done with a remark", answers: []control.Answer{accepted, {Verdict: "done", Reason: "2 groups handed over"}}, wait: time.Second,
			res: control.ResultDone, msg: "2 groups handed over", accepted: true},
		{name: "not waiting", wait: 0, res: control.ResultAccepted, accepted: true},
		{name: "nothing to do", answers: []control.Answer{{Verdict: "done", Reason: "this node holds no foreign group"}}, wait: time.Second,
			res: control.ResultDone, msg: "this node holds no foreign group"},
		{name: "refused", answers: []control.Answer{{Verdict: "refused", Reason: "no other node is alive"}}, wait: time.Second,
			res: control.ResultFailed, msg: "refused: no other node is alive"},
		{name: "refused, not waiting", answers: []control.Answer{{Verdict: "refused", Reason: "auto_failback is legacy"}}, wait: 0,
			res: control.ResultFailed, msg: "refused: auto_failback is legacy"},
		{name: "failed", answers: []control.Answer{accepted, {Verdict: "failed", Reason: "node2 did not answer the standby request"}}, wait: time.Second,
			res: control.ResultFailed, msg: "failed: node2 did not answer the standby request", accepted: true},
		{name: "outcome not reported", answers: []control.Answer{accepted}, wait: time.Second,
			res: control.ResultPending, msg: noOutcome, accepted: true},
		{name: "still running", answers: []control.Answer{accepted}, open: true, wait: 50 * time.Millisecond,
			res: control.ResultPending, msg: "still running after 50ms; follow it with understudy status or in the log", accepted: true},
		{name: "not delivered", err: errors.New("the daemon is busy: context deadline exceeded"), wait: time.Second,
			res: control.ResultFailed, msg: "standby [local]: the daemon is busy: context deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &controltest.Backend{Answers: tt.answers, Open: tt.open, AdminErr: tt.err}
			path := controltest.Serve(t, &control.Server{Backend: b})
			calls := 0
			res, msg := control.Admin(bounded(t), path, cluster.CmdStandby, cluster.SetLocal, tt.wait, func() { calls++ })
			if res != tt.res || msg != tt.msg {
				t.Errorf("Admin = %v %q, want %v %q", res, msg, tt.res, tt.msg)
			}
			if want := map[bool]int{true: 1}[tt.accepted]; calls != want {
				t.Errorf("accepted called %d times, want %d", calls, want)
			}
			if got := b.Commands(); len(got) != 1 || got[0] != (controltest.Admin{Cmd: cluster.CmdStandby, Set: cluster.SetLocal}) {
				t.Errorf("backend got %v", got)
			}
		})
	}
}

// lines sends one raw request and returns every reply line.
func lines(t *testing.T, path, req string) []control.Response {
	t.Helper()
	var out []control.Response
	sc := bufio.NewScanner(send(t, path, []byte(req+"\n")))
	for sc.Scan() {
		var r control.Response
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("reply line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

// TestAdminWire: a request without wait_ms (every client before answers)
// gets one line, with ok as it always meant; with wait_ms, the
// acceptance and the outcome come as two lines.
func TestAdminWire(t *testing.T) {
	path := controltest.Serve(t, &control.Server{Backend: &controltest.Backend{}})
	one := []control.Response{{OK: true, Verdict: "accepted"}}
	if got := lines(t, path, `{"cmd":"standby","set":"all"}`); !equal(got, one) {
		t.Errorf("old client: %+v, want %+v", got, one)
	}
	two := []control.Response{{OK: true, Verdict: "accepted"}, {OK: true, Verdict: "done"}}
	if got := lines(t, path, `{"cmd":"takeover","wait_ms":1000}`); !equal(got, two) {
		t.Errorf("waiting client: %+v, want %+v", got, two)
	}
	refuse := controltest.Serve(t, &control.Server{Backend: &controltest.Backend{
		Answers: []control.Answer{{Verdict: "refused", Reason: "no other node is alive"}}}})
	no := []control.Response{{Error: "standby [all] refused: no other node is alive", Verdict: "refused", Reason: "no other node is alive"}}
	if got := lines(t, refuse, `{"cmd":"standby"}`); !equal(got, no) {
		t.Errorf("old client, refused: %+v, want %+v", got, no)
	}
}

func equal(a, b []control.Response) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// TestAdminOlderDaemon: a daemon that predates wait_ms refuses the field;
// the client asks again without it and reports an accepted command of
// unknown outcome.
func TestAdminOlderDaemon(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var reqs []string
	served := make(chan struct{})
	go func() {
		defer close(served)
		for range 2 {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			line, _ := bufio.NewReader(c).ReadString('\n')
			reqs = append(reqs, strings.TrimSpace(line))
			// The words of the daemon released before answers.
			reply := `{"ok":true}`
			if strings.Contains(line, "wait_ms") {
				reply = `{"ok":false,"error":"malformed request: json: unknown field \"wait_ms\" (want one JSON object such as {\"cmd\":\"status\"})"}`
			}
			c.Write([]byte(reply + "\n"))
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-served })
	calls := 0
	res, msg := control.Admin(bounded(t), path, cluster.CmdTakeover, cluster.SetForeign, control.DefaultWait, func() { calls++ })
	<-served
	if res != control.ResultPending || !strings.Contains(msg, "the daemon does not report the outcome") || calls != 1 {
		t.Errorf("Admin = %v %q (accepted called %d times)", res, msg, calls)
	}
	want := []string{`{"cmd":"takeover","set":"foreign","wait_ms":30000}`, `{"cmd":"takeover","set":"foreign"}`}
	if strings.Join(reqs, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests %q, want %q", reqs, want)
	}
}
