package main

import (
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
)

func TestAdminCommands(t *testing.T) {
	b := &controltest.Backend{}
	sock := controltest.Serve(t, &control.Server{Backend: b})
	tests := []struct {
		run  func([]string, io.Writer, io.Writer) int
		args []string
		out  string
		sent controltest.Admin
	}{
		{runStandby, nil, "Going standby [all].\nStandby [all] done.\n", controltest.Admin{Cmd: cluster.CmdStandby, Set: cluster.SetAll}},
		{runStandby, []string{"local"}, "Going standby [local].\nStandby [local] done.\n", controltest.Admin{Cmd: cluster.CmdStandby, Set: cluster.SetLocal}},
		{runStandby, []string{"failback"}, "Going standby [foreign].\nStandby [foreign] done.\n", controltest.Admin{Cmd: cluster.CmdStandby, Set: cluster.SetForeign}},
		{runTakeover, nil, "Taking over [all].\nTakeover [all] done.\n", controltest.Admin{Cmd: cluster.CmdTakeover, Set: cluster.SetAll}},
		{runTakeover, []string{"foreign"}, "Taking over [foreign].\nTakeover [foreign] done.\n", controltest.Admin{Cmd: cluster.CmdTakeover, Set: cluster.SetForeign}},
		// --wait 0: once accepted, as heartbeat's commands return.
		{runStandby, []string{"--wait", "0", "local"}, "Going standby [local].\n", controltest.Admin{Cmd: cluster.CmdStandby, Set: cluster.SetLocal}},
		{runTakeover, []string{"-wait=0"}, "Taking over [all].\n", controltest.Admin{Cmd: cluster.CmdTakeover, Set: cluster.SetAll}},
	}
	var want []controltest.Admin
	for _, tt := range tests {
		code, out, errs := runSub(tt.run, append([]string{"-s", sock}, tt.args...)...)
		if code != exitOK || out != tt.out || errs != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0 and %q", tt.args, code, out, errs, tt.out)
		}
		want = append(want, tt.sent)
	}
	if got := b.Commands(); !reflect.DeepEqual(got, want) {
		t.Errorf("daemon got %v, want %v", got, want)
	}
}

// TestAdminArguments: hb_standby's validation (heartbeat-spec §6.4).
func TestAdminArguments(t *testing.T) {
	b := &controltest.Backend{}
	sock := controltest.Serve(t, &control.Server{Backend: b})
	const usage = " [-s SOCKET | --host HOST[:PORT] [--fingerprint FP]] [--wait DURATION] [all|foreign|local|failback]\n"
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"standby", []string{"all", "local"}, exitFail, "understudy standby: too many arguments\nusage: understudy standby" + usage},
		{"takeover", []string{"a", "b", "c"}, exitFail, "understudy takeover: too many arguments\nusage: understudy takeover" + usage},
		{"standby", []string{"mine"}, exitFail, "understudy standby: wrong resources(mine).\nusage: understudy standby "},
		{"standby", []string{"none"}, exitFail, "understudy standby: wrong resources(none).\n"},
		{"takeover", []string{"ALL"}, exitFail, "understudy takeover: wrong resources(ALL).\nusage: understudy takeover "},
		{"takeover", []string{"-x"}, exitUsage, "flag provided but not defined: -x\nusage: understudy takeover "},
		{"standby", []string{"--wait", "soon"}, exitUsage, `invalid value "soon" for flag -wait`},
		{"standby", []string{"--wait", "-1s"}, exitUsage, "understudy standby: --wait -1s: want 0 to 10m0s\n"},
		{"takeover", []string{"--wait", "11m"}, exitUsage, "understudy takeover: --wait 11m0s: want 0 to 10m0s\n"},
	}
	for _, tt := range tests {
		f := map[string]func([]string, io.Writer, io.Writer) int{"standby": runStandby, "takeover": runTakeover}[tt.name]
		code, out, errs := runSub(f, append([]string{"-s", sock}, tt.args...)...)
		if code != tt.code || out != "" || !strings.HasPrefix(errs, tt.err) {
			t.Errorf("%s %v: exit %d, stdout %q, stderr:\n%s\nwant exit %d, stderr starting %q", tt.name, tt.args, code, out, errs, tt.code, tt.err)
		}
	}
	if got := b.Commands(); len(got) != 0 {
		t.Errorf("invalid commands reached the daemon: %v", got)
	}
}

// TestAdminOutcomes: the command prints and exits with what the cluster
// decided (issue 13: no "Going standby" for a refusal, non-zero with the
// reason).
func TestAdminOutcomes(t *testing.T) {
	accepted := control.Answer{Verdict: control.VerdictAccepted}
	tests := []struct {
		name      string
		answers   []control.Answer
		open      bool
		err       error
		args      []string
		code      int
		out, errs string
	}{
		{name: "refused", answers: []control.Answer{{Verdict: "refused", Reason: "no other node is alive"}},
			code: exitFail, errs: "understudy standby: refused: no other node is alive\n"},
		{name: "refused, not waiting", args: []string{"--wait", "0"}, answers: []control.Answer{{Verdict: "refused", Reason: "auto_failback is legacy"}},
			code: exitFail, errs: "understudy standby: refused: auto_failback is legacy\n"},
		{name: "nothing to do", answers: []control.Answer{{Verdict: "done", Reason: "this node holds no group of local"}}, args: []string{"local"},
			out: "Standby [local] done: this node holds no group of local.\n"},
		{name: "failed", answers: []control.Answer{accepted, {Verdict: "failed", Reason: "node2 did not answer"}},
			code: exitFail, out: "Going standby [all].\n", errs: "understudy standby: failed: node2 did not answer\n"},
		{name: "still running", answers: []control.Answer{accepted}, open: true, args: []string{"--wait", "20ms"},
			code: exitPending, out: "Going standby [all].\n", errs: "understudy standby: still running after 20ms; follow it with understudy status or in the log\n"},
		{name: "outcome not reported", answers: []control.Answer{accepted},
			code: exitPending, out: "Going standby [all].\n", errs: "understudy standby: accepted; the daemon does not report the outcome: follow it with understudy status or in the log\n"},
		{name: "not delivered", err: errors.New("the daemon is busy"),
			code: exitFail, errs: "understudy standby: standby [all]: the daemon is busy\n"},
	}
	for _, tt := range tests {
		b := &controltest.Backend{Answers: tt.answers, Open: tt.open, AdminErr: tt.err}
		sock := controltest.Serve(t, &control.Server{Backend: b})
		code, out, errs := runSub(runStandby, append([]string{"-s", sock}, tt.args...)...)
		if code != tt.code || out != tt.out || errs != tt.errs {
			t.Errorf("%s: exit %d, stdout %q, stderr %q\nwant %d, %q, %q", tt.name, code, out, errs, tt.code, tt.out, tt.errs)
		}
	}
}

func TestAdminNotRunning(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	code, out, errs := runSub(runStandby, "-s", sock)
	want := "understudy standby: understudy is not running (no socket at " + sock + ")\n"
	if code != exitFail || out != "" || errs != want {
		t.Errorf("not running: exit %d, stdout %q, stderr %q; want %q", code, out, errs, want)
	}
}
