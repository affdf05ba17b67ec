package hbcompat

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
)

func TestHbStandbyTakeover(t *testing.T) {
	const prog = "/usr/share/heartbeat/hb_standby"
	usage := "usage:\n" + prog + " [all|foreign|local|failback]\n"
	tests := []struct {
		cmd  cluster.AdminCmd
		args []string
		code int
		out  string
		err  string
		sent []controltest.Admin
	}{
		{cluster.CmdStandby, nil, 0, "", "Going standby [all].\n", []controltest.Admin{{Cmd: cluster.CmdStandby, Set: cluster.SetAll}}},
		{cluster.CmdStandby, []string{""}, 0, "", "Going standby [all].\n", []controltest.Admin{{Cmd: cluster.CmdStandby, Set: cluster.SetAll}}},
		{cluster.CmdStandby, []string{"all"}, 0, "", "Going standby [all].\n", []controltest.Admin{{Cmd: cluster.CmdStandby, Set: cluster.SetAll}}},
		{cluster.CmdStandby, []string{"local"}, 0, "", "Going standby [local].\n", []controltest.Admin{{Cmd: cluster.CmdStandby, Set: cluster.SetLocal}}},
		{cluster.CmdStandby, []string{"foreign"}, 0, "", "Going standby [foreign].\n", []controltest.Admin{{Cmd: cluster.CmdStandby, Set: cluster.SetForeign}}},
		{cluster.CmdStandby, []string{"failback"}, 0, "", "Going standby [foreign].\n", []controltest.Admin{{Cmd: cluster.CmdStandby, Set: cluster.SetForeign}}},
		{cluster.CmdStandby, []string{"all", "local"}, 1, prog + ": too many arguments\n" + usage, "", nil},
		{cluster.CmdStandby, []string{"none"}, 1, prog + ": wrong resources(none).\n" + usage, "", nil},
		{cluster.CmdStandby, []string{"--help"}, 1, prog + ": wrong resources(--help).\n" + usage, "", nil},
		{cluster.CmdTakeover, nil, 0, "", "", []controltest.Admin{{Cmd: cluster.CmdTakeover, Set: cluster.SetAll}}},
		{cluster.CmdTakeover, []string{"local"}, 0, "", "", []controltest.Admin{{Cmd: cluster.CmdTakeover, Set: cluster.SetLocal}}},
		{cluster.CmdTakeover, []string{"failback"}, 0, "", "", []controltest.Admin{{Cmd: cluster.CmdTakeover, Set: cluster.SetForeign}}},
		{cluster.CmdTakeover, []string{"a", "b", "c"}, 1, prog + ": too many arguments\n" + usage, "", nil},
		{cluster.CmdTakeover, []string{"bogus"}, 1, prog + ": wrong resources(bogus).\n" + usage, "", nil},
	}
	for _, tt := range tests {
		sock, b := serveStatus(t, controltest.Sample())
		c, out, errb := testCompat(sock, "")
		code := c.hbAdmin(tt.cmd, append([]string{prog}, tt.args...))
		if code != tt.code || out.String() != tt.out || errb.String() != tt.err || !slices.Equal(b.Commands(), tt.sent) {
			t.Errorf("%d %q: exit %d, stdout %q, stderr %q, sent %v\nwant %d, %q, %q, %v",
				tt.cmd, tt.args, code, out, errb, b.Commands(), tt.code, tt.out, tt.err, tt.sent)
		}
	}
}

func TestHbStandbyFailures(t *testing.T) {
	// No daemon: the error alone, no "Going standby" before it (issue 13).
	sock := filepath.Join(t.TempDir(), "s.sock")
	c, out, errb := testCompat(sock, "")
	if code := c.hbAdmin(cluster.CmdStandby, []string{"hb_standby"}); code != 1 || out.Len() > 0 ||
		errb.String() != "hb_standby: understudy is not running (no socket at "+sock+")\n" {
		t.Errorf("not running: exit %d, stdout %q, stderr %q", code, out, errb)
	}

	// A refusal: exit 1 with the reason, as hb_standby(1) promises.
	refused := []control.Answer{{Verdict: control.VerdictRefused, Reason: "auto_failback is legacy"}}
	for _, cmd := range []cluster.AdminCmd{cluster.CmdStandby, cluster.CmdTakeover} {
		prog := map[cluster.AdminCmd]string{cluster.CmdStandby: "hb_standby", cluster.CmdTakeover: "hb_takeover"}[cmd]
		sock = controltest.Serve(t, &control.Server{Backend: &controltest.Backend{Answers: refused}})
		c, out, errb = testCompat(sock, "")
		if code := c.hbAdmin(cmd, []string{prog, "local"}); code != 1 || out.Len() > 0 ||
			errb.String() != prog+": refused: auto_failback is legacy\n" {
			t.Errorf("%s refused: exit %d, stdout %q, stderr %q", prog, code, out, errb)
		}
	}

	// Accepted, then failed: exit 1, after the line of the acceptance.
	failed := []control.Answer{{Verdict: control.VerdictAccepted}, {Verdict: control.VerdictFailed, Reason: "node2 did not answer"}}
	sock = controltest.Serve(t, &control.Server{Backend: &controltest.Backend{Answers: failed}})
	c, out, errb = testCompat(sock, "")
	if code := c.hbAdmin(cluster.CmdStandby, []string{"hb_standby"}); code != 1 || out.Len() > 0 ||
		errb.String() != "Going standby [all].\nhb_standby: failed: node2 did not answer\n" {
		t.Errorf("failed: exit %d, stdout %q, stderr %q", code, out, errb)
	}

	// Still running when the wait runs out: heartbeat's 0, and a note.
	running := []control.Answer{{Verdict: control.VerdictAccepted}}
	sock = controltest.Serve(t, &control.Server{Backend: &controltest.Backend{Answers: running, Open: true}})
	c, out, errb = testCompat(sock, "")
	c.wait = 20 * time.Millisecond
	if code := c.hbAdmin(cluster.CmdTakeover, []string{"hb_takeover"}); code != 0 || out.Len() > 0 ||
		errb.String() != "hb_takeover: still running after 20ms; follow it with understudy status or in the log\n" {
		t.Errorf("still running: exit %d, stdout %q, stderr %q", code, out, errb)
	}

	b := &controltest.Backend{AdminErr: errors.New("the daemon is busy")}
	sock = controltest.Serve(t, &control.Server{Backend: b})

	// Without a program name the command names itself.
	c, out, errb = testCompat(sock, "")
	if code := c.hbAdmin(cluster.CmdTakeover, nil); code != 1 || errb.String() != "hb_takeover: takeover [all]: the daemon is busy\n" {
		t.Errorf("exit %d, stderr %q", code, errb)
	}
	c, out, errb = testCompat(sock, "")
	if code := c.hbAdmin(cluster.CmdStandby, []string{}); code != 1 || out.Len() > 0 || errb.String() != "hb_standby: standby [all]: the daemon is busy\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errb)
	}
}

// Run picks the command by the program's name, as make install's links
// call it, with the socket and directory it is given.
func TestRun(t *testing.T) {
	sock, b := serveStatus(t, controltest.Sample())
	var out, errb bytes.Buffer
	env := Env{Socket: sock, Dir: compatDir(t, compatHACF), Stdout: &out, Stderr: &errb}
	if code, ok := Run([]string{"/usr/bin/cl_status", "hbparameter", "-p", "deadtime"}, env); !ok || code != 0 || out.String() != "10\n" {
		t.Errorf("cl_status: %v, exit %d, stdout %q, stderr %q", ok, code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	if code, ok := Run([]string{"/usr/share/heartbeat/hb_standby", "local"}, env); !ok || code != 0 || errb.String() != "Going standby [local].\n" {
		t.Errorf("hb_standby: %v, exit %d, stdout %q, stderr %q", ok, code, out.String(), errb.String())
	}
	if code, ok := Run([]string{"hb_takeover"}, env); !ok || code != 0 {
		t.Errorf("hb_takeover: %v, exit %d", ok, code)
	}
	want := []controltest.Admin{{Cmd: cluster.CmdStandby, Set: cluster.SetLocal}, {Cmd: cluster.CmdTakeover, Set: cluster.SetAll}}
	if !slices.Equal(b.Commands(), want) {
		t.Errorf("sent %v, want %v", b.Commands(), want)
	}
	for _, args := range [][]string{nil, {"understudy", "status"}, {"/usr/sbin/cl_statu"}} {
		if code, ok := Run(args, env); ok || code != 0 {
			t.Errorf("Run(%q) = %d, %v; want nothing run", args, code, ok)
		}
	}
}
