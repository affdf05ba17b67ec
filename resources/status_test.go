package resources

import (
	"slices"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/config"
)

func TestStatusRunning(t *testing.T) {
	tests := []struct {
		out  string
		want bool
	}{
		{"running", true},
		{"Running OK", true},
		{"OK", true},
		{"INFO:  Running OK\n", true},
		{"httpd (pid 1234) is running...", true},
		{"stopped", false},
		{"not running", false},
		{"Not Running", false},
		{"NOT running", false},
		{"is not currently running", false},
		{"httpd is not \nrunning\n", false}, // the glob's * spans lines
		{"httpd is not\nrunning\n", true},   // but its blank is a blank
		{"Resource is stopped", false},
		{"INFO:  Resource is stopped\n", false},
		{"", false},
		{"ok", false},        // only upper-case OK counts
		{"RUNNING", false},   // only [Rr]unning
		{"notrunning", true}, // no blank after "not": heartbeat says running too
		{"not OK", true},     // "not" without "running" after it
		{"running, not running", false},
	}
	for _, tc := range tests {
		t.Run(strings.ReplaceAll(tc.out, "\n", `\n`), func(t *testing.T) {
			if got := StatusRunning([]byte(tc.out)); got != tc.want {
				t.Errorf("StatusRunning(%q) = %v, want %v", tc.out, got, tc.want)
			}
		})
	}
}

func TestScriptEnv(t *testing.T) {
	e := ScriptEnv{
		Base:         []string{"PATH=/usr/bin:/bin", "HA_CURHOST=stale", "LANG=C"},
		CurHost:      "node1",
		Dir:          "/etc/ha.d",
		DebugLog:     "/var/log/ha-debug",
		Debug:        1,
		NiceFailback: true,
		Vars:         []config.EnvVar{{Name: "FOO", Value: "bar baz"}},
	}
	got := e.Environ()
	want := []string{
		"PATH=/usr/bin:/bin", "LANG=C",
		"HA_CURHOST=node1", "HA_DIR=/etc/ha.d/", "HA_FUNCS=/etc/ha.d//shellfuncs",
		"HA_DATEFMT=%Y/%m/%d_%T\t", "OCF_ROOT=/usr/lib/ocf", "HA_LOGFILE=/dev/null",
		"HA_DEBUGLOG=/var/log/ha-debug", "HA_LOGD=no", "HA_debug=1", "HA_NICEFAILBACK=yes", "HA_FOO=bar baz",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Environ:\n got %q\nwant %q", got, want)
	}
}

func TestGroupSummary(t *testing.T) {
	g := GroupStatus{Resources: []ResourceStatus{{State: Running}, {State: Stopped}}}
	if s := g.Summary(); s != "SOME" {
		t.Errorf("Summary = %s, want SOME", s)
	}
	g.Resources[1].State = Running
	if s := g.Summary(); s != "ALL" {
		t.Errorf("Summary = %s, want ALL", s)
	}
	if s := (GroupStatus{Resources: []ResourceStatus{{State: Failed}}}).Summary(); s != "NONE" {
		t.Errorf("Summary = %s, want NONE", s)
	}
	if Failed.String() != "failed" || State(99).String() != "State(?)" {
		t.Error("State.String")
	}
}
