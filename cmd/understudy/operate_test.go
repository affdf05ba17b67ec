package main

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/admintest"
	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
)

// TestOperateCommands: move, clear and maintenance reach the daemon as
// the cluster's commands and print what the cluster answered.
func TestOperateCommands(t *testing.T) {
	accepted := control.Answer{Verdict: control.VerdictAccepted, Reason: "releasing g here; node2 takes it then"}
	for _, tt := range []struct {
		run     func([]string, io.Writer, io.Writer) int
		args    []string
		answers []control.Answer
		out     string
		sent    controltest.Admin
	}{
		{runMove, []string{"g", "node2"}, []control.Answer{accepted, {Verdict: control.VerdictDone, Reason: "node2 runs g"}},
			"Moving g to node2.\nMove of g done: node2 runs g.\n", controltest.Admin{Cmd: cluster.CmdMove, Group: "g", Node: "node2"}},
		{runMove, []string{"IPaddr::192.0.2.10/24"}, []control.Answer{accepted, {Verdict: control.VerdictDone, Reason: "node3 runs IPaddr::192.0.2.10/24"}},
			"Moving IPaddr::192.0.2.10/24.\nMove of IPaddr::192.0.2.10/24 done: node3 runs IPaddr::192.0.2.10/24.\n",
			controltest.Admin{Cmd: cluster.CmdMove, Group: "IPaddr::192.0.2.10/24"}},
		{runMove, []string{"--wait", "0", "g", "node2"}, []control.Answer{accepted}, "Moving g to node2.\n",
			controltest.Admin{Cmd: cluster.CmdMove, Group: "g", Node: "node2"}},
		{runMove, []string{"g", "node1"}, []control.Answer{{Verdict: control.VerdictDone, Reason: "nothing to do: g already runs on node1"}},
			"Move of g done: nothing to do: g already runs on node1.\n", controltest.Admin{Cmd: cluster.CmdMove, Group: "g", Node: "node1"}},
		{runClear, []string{"g"}, []control.Answer{{Verdict: control.VerdictDone, Reason: "cleared the failure marks of g on node1 and told the other nodes"}},
			"Cleared the failure marks of g on node1 and told the other nodes.\n", controltest.Admin{Cmd: cluster.CmdClear, Group: "g"}},
		{runMaintenance, []string{"on"}, []control.Answer{{Verdict: control.VerdictDone, Reason: "maintenance on: the cluster acts on no failure until it is off"}},
			"Maintenance on: the cluster acts on no failure until it is off.\n", controltest.Admin{Cmd: cluster.CmdMaintenance, On: true}},
		{runMaintenance, []string{"off"}, []control.Answer{{Verdict: control.VerdictDone}}, "Done.\n", controltest.Admin{Cmd: cluster.CmdMaintenance}},
	} {
		b := &controltest.Backend{Answers: tt.answers}
		sock := controltest.Serve(t, &control.Server{Backend: b})
		code, out, errs := runSub(tt.run, append([]string{"-s", sock}, tt.args...)...)
		if code != exitOK || out != tt.out || errs != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0 and %q", tt.args, code, out, errs, tt.out)
		}
		if got := b.Commands(); !reflect.DeepEqual(got, []controltest.Admin{tt.sent}) {
			t.Errorf("%v: daemon got %+v, want %+v", tt.args, got, tt.sent)
		}
	}
}

// TestOperateOutcomes: refusals and failures exit 1 with the reason on
// stderr, a move still running when --wait ends exits 3.
func TestOperateOutcomes(t *testing.T) {
	accepted := control.Answer{Verdict: control.VerdictAccepted}
	for _, tt := range []struct {
		run       func([]string, io.Writer, io.Writer) int
		args      []string
		answers   []control.Answer
		open      bool
		code      int
		out, errs string
	}{
		{runMove, []string{"g", "node2"}, []control.Answer{{Verdict: "refused", Reason: "the cluster is in maintenance: turn it off first"}}, false,
			exitFail, "", "understudy move: refused: the cluster is in maintenance: turn it off first\n"},
		{runMove, []string{"g"}, []control.Answer{accepted, {Verdict: "failed", Reason: "g failed to start on node2"}}, false,
			exitFail, "Moving g.\n", "understudy move: failed: g failed to start on node2\n"},
		{runMove, []string{"--wait", "20ms", "g"}, []control.Answer{accepted}, true,
			exitPending, "Moving g.\n", "understudy move: still running after 20ms; follow it with understudy status or in the log\n"},
		{runClear, []string{"web"}, []control.Answer{{Verdict: "refused", Reason: `no group "web"`}}, false,
			exitFail, "", "understudy clear: refused: no group \"web\"\n"},
		{runMaintenance, []string{"on"}, []control.Answer{{Verdict: "refused", Reason: "auto_failback legacy does not support maintenance"}}, false,
			exitFail, "", "understudy maintenance: refused: auto_failback legacy does not support maintenance\n"},
	} {
		b := &controltest.Backend{Answers: tt.answers, Open: tt.open}
		sock := controltest.Serve(t, &control.Server{Backend: b})
		code, out, errs := runSub(tt.run, append([]string{"-s", sock}, tt.args...)...)
		if code != tt.code || out != tt.out || errs != tt.errs {
			t.Errorf("%v: exit %d, stdout %q, stderr %q\nwant %d, %q, %q", tt.args, code, out, errs, tt.code, tt.out, tt.errs)
		}
	}
}

// TestOperateArguments: bad usage exits 2 with the usage, and nothing
// reaches the daemon.
func TestOperateArguments(t *testing.T) {
	b := &controltest.Backend{}
	sock := controltest.Serve(t, &control.Server{Backend: b})
	for _, tt := range []struct {
		run  func([]string, io.Writer, io.Writer) int
		args []string
		err  string
	}{
		{runMove, nil, "understudy move: missing argument\nusage: understudy move " + moveSynopsis + "\n"},
		{runMove, []string{"g", "node2", "node3"}, "understudy move: too many arguments\nusage: understudy move "},
		{runMove, []string{""}, "understudy move: which group?"},
		{runMove, []string{"--wait", "11m", "g"}, "understudy move: --wait 11m0s: want 0 to 10m0s\n"},
		{runClear, nil, "understudy clear: missing argument\nusage: understudy clear " + clearSynopsis + "\n"},
		{runClear, []string{"a", "b"}, "understudy clear: too many arguments\n"},
		{runMaintenance, nil, "understudy maintenance: missing argument\n"},
		{runMaintenance, []string{"yes"}, "understudy maintenance: maintenance \"yes\": want on or off\nusage: understudy maintenance "},
		{runMaintenance, []string{"--fingerprint", "AB", "on"}, "understudy maintenance: --fingerprint goes with --host\n"},
		{runClear, []string{"--force", "g"}, "flag provided but not defined: -force\n"},
	} {
		code, out, errs := runSub(tt.run, append([]string{"-s", sock}, tt.args...)...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errs, tt.err) {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s\nwant exit 2, stderr starting %q", tt.args, code, out, errs, tt.err)
		}
	}
	if got := b.Commands(); len(got) != 0 {
		t.Errorf("bad usage reached the daemon: %v", got)
	}
	for _, name := range []string{"move", "clear", "maintenance"} {
		code, out, _ := runCmd(name, "--help")
		if code != exitOK || !strings.Contains(out, "Exit status: 0") || !strings.Contains(out, "usage: understudy "+name) {
			t.Errorf("%s --help: exit %d\n%s", name, code, out)
		}
	}
}

// TestOperateRemote: --host sends the commands to the admin port, with
// the names and arguments the daemon's admin backend reads back.
func TestOperateRemote(t *testing.T) {
	s, b := remoteNode(t, controltest.Sample())
	t.Setenv(admin.EnvPassword, admintest.Password)
	t.Setenv(admin.EnvFingerprint, "")
	host := []string{"--host", s.Addr, "--fingerprint", s.Fingerprint()}
	for _, tc := range []struct {
		answer admin.Answer
		args   []string
		code   int
		out    string
	}{
		{admin.Answer{Verdict: admin.Done, Reason: "node2 runs g"}, []string{"move", "g", "node2"}, exitOK, "Move of g done: node2 runs g.\n"},
		{admin.Answer{Verdict: admin.Accepted, Reason: "accepted and still running"}, []string{"move", "g"}, exitPending, "Moving g.\n"},
		{admin.Answer{Verdict: admin.Done, Reason: "cleared"}, []string{"clear", "g"}, exitOK, "Cleared.\n"},
		{admin.Answer{Verdict: admin.Refused, Reason: "auto_failback legacy does not support maintenance"}, []string{"maintenance", "on"}, exitFail, ""},
	} {
		b.Answer = &tc.answer
		code, out, errs := runCmd(append(host, tc.args...)...)
		if code != tc.code || out != tc.out || (errs == "") != (tc.code == exitOK) {
			t.Errorf("%v answered %+v: exit %d, stdout %q, stderr %q; want %d, %q", tc.args, tc.answer, code, out, errs, tc.code, tc.out)
		}
	}
	var got []string
	for _, c := range b.Commands() {
		got = append(got, c.Name+" "+c.Args["group"]+" "+c.Args["node"]+" "+c.Args["mode"]+" "+c.Args["wait"])
	}
	want := []string{"move g node2  30s", "move g   30s", "clear g   0s", "maintenance   on 0s"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the node got %q, want %q", got, want)
	}
	for _, c := range b.Commands() {
		if _, _, ok, err := admin.ClusterCommand(c); !ok || err != nil {
			t.Errorf("the daemon would not read %+v: %v", c, err)
		}
	}
}
