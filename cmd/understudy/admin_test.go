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
		{runStandby, nil, "Going standby [all].\n", controltest.Admin{Cmd: cluster.CmdStandby, Set: cluster.SetAll}},
		{runStandby, []string{"local"}, "Going standby [local].\n", controltest.Admin{Cmd: cluster.CmdStandby, Set: cluster.SetLocal}},
		{runStandby, []string{"failback"}, "Going standby [foreign].\n", controltest.Admin{Cmd: cluster.CmdStandby, Set: cluster.SetForeign}},
		{runTakeover, nil, "Taking over [all].\n", controltest.Admin{Cmd: cluster.CmdTakeover, Set: cluster.SetAll}},
		{runTakeover, []string{"foreign"}, "Taking over [foreign].\n", controltest.Admin{Cmd: cluster.CmdTakeover, Set: cluster.SetForeign}},
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
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"standby", []string{"all", "local"}, exitFail, "understudy standby: too many arguments\nusage: understudy standby [-s SOCKET] [all|foreign|local|failback]\n"},
		{"takeover", []string{"a", "b", "c"}, exitFail, "understudy takeover: too many arguments\nusage: understudy takeover [-s SOCKET] [all|foreign|local|failback]\n"},
		{"standby", []string{"mine"}, exitFail, "understudy standby: wrong resources(mine).\nusage: understudy standby "},
		{"standby", []string{"none"}, exitFail, "understudy standby: wrong resources(none).\n"},
		{"takeover", []string{"ALL"}, exitFail, "understudy takeover: wrong resources(ALL).\nusage: understudy takeover "},
		{"takeover", []string{"-x"}, exitUsage, "flag provided but not defined: -x\nusage: understudy takeover "},
		{"standby", []string{"-h"}, exitOK, "usage: understudy standby [-s SOCKET] [all|foreign|local|failback]\n\nGives this node's groups"},
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

func TestAdminFailures(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	code, out, errs := runSub(runStandby, "-s", sock)
	want := "understudy standby: understudy is not running (no socket at " + sock + ")\n"
	if code != exitFail || out != "" || errs != want {
		t.Errorf("not running: exit %d, stdout %q, stderr %q; want %q", code, out, errs, want)
	}
	b := &controltest.Backend{AdminErr: errors.New("no other node is alive")}
	sock = controltest.Serve(t, &control.Server{Backend: b})
	code, out, errs = runSub(runTakeover, "-s", sock, "local")
	want = "understudy takeover: takeover [local]: no other node is alive\n"
	if code != exitFail || out != "" || errs != want {
		t.Errorf("refused: exit %d, stdout %q, stderr %q; want %q", code, out, errs, want)
	}
}
