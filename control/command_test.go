package control_test

import (
	"bufio"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
)

// TestCommandsRoundTrip: move, clear and maintenance reach the backend
// as the cluster's commands, with their arguments, and are answered and
// logged as standby and takeover are.
func TestCommandsRoundTrip(t *testing.T) {
	var logs logBuffer
	b := &controltest.Backend{Answers: []control.Answer{{Verdict: control.VerdictDone, Reason: "it is so"}}}
	path := controltest.Serve(t, &control.Server{Backend: b, Logger: logs.logger()})
	sends := []control.Command{
		{Cmd: cluster.CmdMove, Group: "192.0.2.10", Node: "node2"},
		{Cmd: cluster.CmdMove, Group: "IPaddr::192.0.2.20/24"},
		{Cmd: cluster.CmdClear, Group: "192.0.2.10"},
		{Cmd: cluster.CmdMaintenance, On: true},
		{Cmd: cluster.CmdMaintenance},
	}
	for _, c := range sends {
		if res, msg := control.Send(bounded(t), path, c, time.Second, nil); res != control.ResultDone || msg != "it is so" {
			t.Errorf("Send(%v) = %v %q, want done with the cluster's reason", c, res, msg)
		}
	}
	if got := b.Commands(); !reflect.DeepEqual(got, sends) {
		t.Errorf("backend got %+v, want %+v", got, sends)
	}
	out := logs.String()
	for _, want := range []string{"cmd=move group=192.0.2.10 to=node2 verdict=done", "cmd=move group=IPaddr::192.0.2.20/24 verdict=done",
		"cmd=clear group=192.0.2.10 verdict=done", "cmd=maintenance mode=on verdict=done", "cmd=maintenance mode=off verdict=done"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// TestCommandsRefusedAnswer: a refusal is a failure for the client, with
// the command named in words.
func TestCommandsRefusedAnswer(t *testing.T) {
	b := &controltest.Backend{Answers: []control.Answer{{Verdict: control.VerdictRefused, Reason: `no group "web"`}}}
	path := controltest.Serve(t, &control.Server{Backend: b})
	res, msg := control.Send(bounded(t), path, control.Command{Cmd: cluster.CmdMove, Group: "web", Node: "node2"}, 0, nil)
	if res != control.ResultFailed || msg != `refused: no group "web"` {
		t.Errorf("Send = %v %q, want failed with the reason", res, msg)
	}
	resp := exchange(t, path, []byte(`{"cmd":"move","group":"web"}`+"\n"))
	if resp.OK || resp.Verdict != control.VerdictRefused || resp.Error != `move web refused: no group "web"` {
		t.Errorf("reply %+v, want a refusal naming the move", resp)
	}
}

// TestCommandsMalformed: each command takes its own arguments and no
// other; nothing malformed reaches the backend.
func TestCommandsMalformed(t *testing.T) {
	b := &controltest.Backend{}
	path := controltest.Serve(t, &control.Server{Backend: b})
	for _, tt := range []struct{ req, want string }{
		{`{"cmd":"move"}`, "move: which group? (group is missing)"},
		{`{"cmd":"move","node":"node2"}`, "move: which group?"},
		{`{"cmd":"clear","group":"g","node":"node2"}`, "clear: it takes no node"},
		{`{"cmd":"move","group":"g","set":"all"}`, "move: it takes no set"},
		{`{"cmd":"standby","group":"g"}`, "standby: it takes no group"},
		{`{"cmd":"maintenance"}`, `maintenance: maintenance "": want on or off`},
		{`{"cmd":"maintenance","mode":"ON"}`, `maintenance "ON": want on or off`},
		{`{"cmd":"maintenance","mode":"on","group":"g"}`, "maintenance: it takes no group"},
		{`{"cmd":"status","group":"g"}`, ""}, // status ignores what it does not use, as before
		{`{"cmd":"clear","group":"g","wait_ms":-5}`, "clear: wait_ms -5"},
	} {
		resp := exchange(t, path, []byte(tt.req+"\n"))
		if tt.want == "" {
			if !resp.OK {
				t.Errorf("%s: %+v, want served", tt.req, resp)
			}
			continue
		}
		if resp.OK || !strings.Contains(resp.Error, tt.want) {
			t.Errorf("%s: reply %+v, want an error containing %q", tt.req, resp, tt.want)
		}
	}
	if got := b.Commands(); len(got) != 0 {
		t.Errorf("malformed commands reached the backend: %v", got)
	}
}

// TestCommandsOlderDaemon: a daemon that predates move says so in its
// own words; the client says what to do.
func TestCommandsOlderDaemon(t *testing.T) {
	for _, refusal := range []string{`unknown command \"move\": want status, standby, takeover, reload, log or clear-log`,
		`malformed request: json: unknown field \"group\" (want one JSON object such as {\"cmd\":\"status\"})`} {
		path := rawServer(t, func(c net.Conn) {
			bufio.NewReader(c).ReadString('\n')
			c.Write([]byte(`{"ok":false,"error":"` + refusal + `"}` + "\n"))
		})
		res, msg := control.Send(bounded(t), path, control.Command{Cmd: cluster.CmdMove, Group: "g"}, 0, nil)
		if res != control.ResultFailed || !strings.Contains(msg, "the running daemon is older than move") {
			t.Errorf("old daemon (%s): %v %q, want a failure saying the daemon is older", refusal, res, msg)
		}
	}
}

func TestCommandString(t *testing.T) {
	for _, tt := range []struct {
		c    control.Command
		want string
	}{
		{control.Command{Cmd: cluster.CmdStandby, Set: cluster.SetLocal}, "standby [local]"},
		{control.Command{Cmd: cluster.CmdMove, Group: "g", Node: "n"}, "move g to n"},
		{control.Command{Cmd: cluster.CmdMove, Group: "g"}, "move g"},
		{control.Command{Cmd: cluster.CmdClear, Group: "g"}, "clear g"},
		{control.Command{Cmd: cluster.CmdMaintenance, On: true}, "maintenance on"},
		{control.Command{Cmd: cluster.CmdMaintenance}, "maintenance off"},
	} {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.c, got, tt.want)
		}
	}
}
