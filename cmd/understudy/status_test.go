package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
)

// runSub runs one subcommand's run function.
func runSub(f func([]string, io.Writer, io.Writer) int, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := f(args, &out, &errb)
	return code, out.String(), errb.String()
}

const sampleStatus = `understudy 1.0.0 on node1: active, resources stable, holding local
  up 2h30m5s (since 2026-03-01 09:30:00 UTC), config /etc/ha.d

node               status  links
node1 (this node)  active  eth1 up, /dev/ttyS0 dead (open /dev/ttyS0: no such file or directory)
node2              active  eth1 up, /dev/ttyS0 dead, heard 400ms ago

group                    preferred  owner      state here
IPaddr::192.0.2.10/24    node1      this node  running
  IPaddr::192.0.2.10/24                        running
  httpd                                        running (adopted)
192.0.2.20               node2      node2      stopped
  192.0.2.20                                   stopped
  mysql                                        stopped
192.0.2.30               node1      none       stopped, failed on node1
  192.0.2.30                                   stopped
  ldap                                         failed: ldap start: exit status 1
`

func TestPrintStatus(t *testing.T) {
	var b bytes.Buffer
	now := controltest.Started.Add(2*time.Hour + 30*time.Minute + 5300*time.Millisecond)
	printStatus(&b, controltest.Sample(), now)
	if got := b.String(); got != sampleStatus {
		t.Errorf("got:\n%s\nwant:\n%s", got, sampleStatus)
	}
}

func TestPrintStatusEdges(t *testing.T) {
	st := controltest.Sample()
	st.Cluster.Standby = "releasing"
	st.Cluster.Nodes[0].Status, st.Cluster.Nodes[0].Heard, st.Cluster.Nodes[0].LastHeard = "dead", false, 0
	st.Cluster.Nodes[0].Links = map[string]string{"zz0": "dead", "eth1": "dead", "aa0": "dead"}
	st.Cluster.Groups = st.Cluster.Groups[:1]
	st.BadPackets = map[string]uint64{"replay": 2, "bad digest": 40}
	var b bytes.Buffer
	printStatus(&b, st, controltest.Started)
	for _, want := range []string{
		"holding local, standby releasing\n",
		"  packets dropped: 40 bad digest, 2 replay\n",
		"node2              dead    eth1 dead, aa0 dead, zz0 dead, never heard\n",
		// Groups only the resources view knows: owner unknown.
		"192.0.2.20               ?          ?          none running\n",
		"192.0.2.30               ?          ?          none running\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}

func TestStatusCommand(t *testing.T) {
	b := &controltest.Backend{St: controltest.Sample()}
	sock := controltest.Serve(t, &control.Server{Backend: b})
	code, out, errs := runSub(runStatus, "-s", sock)
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	// The uptime depends on the clock; the rest is fixed.
	_, rest, _ := strings.Cut(sampleStatus, "config /etc/ha.d\n")
	if !strings.HasPrefix(out, "understudy 1.0.0 on node1: active") || !strings.HasSuffix(out, rest) {
		t.Errorf("got:\n%s", out)
	}

	code, out, errs = runSub(runStatus, "--json", "-s", sock)
	if code != exitOK || errs != "" {
		t.Fatalf("--json: exit %d\n%s%s", code, out, errs)
	}
	var st control.Status
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil || dec.More() {
		t.Fatalf("--json output is not one Status document (%v):\n%s", err, out)
	}
	if !reflect.DeepEqual(st, controltest.Sample()) {
		t.Errorf("--json round trip differs:\n%s", out)
	}
	for _, want := range []string{`"node": "node1"`, `"config_dir": "/etc/ha.d"`, `"rsc_hold": "local"`, `"medium": "serial"`} {
		if !strings.Contains(out, want) {
			t.Errorf("--json lacks %s:\n%s", want, out)
		}
	}
}

func TestStatusNotRunning(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	code, out, errs := runSub(runStatus, "-s", sock)
	want := "understudy status: understudy is not running (no socket at " + sock + ")\n"
	if code != exitFail || out != "" || errs != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 and %q", code, out, errs, want)
	}
}

func TestStatusDaemonError(t *testing.T) {
	b := &controltest.Backend{StatusErr: errors.New("shutting down")}
	sock := controltest.Serve(t, &control.Server{Backend: b})
	code, _, errs := runSub(runStatus, "-s", sock)
	if code != exitFail || errs != "understudy status: status: shutting down\n" {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestStatusUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"extra"}, exitUsage, "understudy status: unexpected argument \"extra\"\n"},
		{[]string{"-x"}, exitUsage, "flag provided but not defined: -x\nusage: understudy status [--json] [--cluster] [-s SOCKET] [--host HOST[:PORT] [--fingerprint FP]]\n"},
	}
	for _, tt := range tests {
		if code, out, errs := runSub(runStatus, tt.args...); code != tt.code || out != "" || !strings.HasPrefix(errs, tt.err) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d and %q", tt.args, code, out, errs, tt.code, tt.err)
		}
	}
}

// TestPrintStatusAdmin: the admin port's addresses and fingerprint, or
// why it does not run.
func TestPrintStatusAdmin(t *testing.T) {
	st := controltest.Sample()
	fp := strings.Repeat("3A:", 31) + "3A"
	st.Admin = &control.AdminStatus{Listen: []string{"192.0.2.11:9050"}, Fingerprint: fp}
	var b bytes.Buffer
	printStatus(&b, st, controltest.Started)
	if want := "config /etc/ha.d\n  admin port 192.0.2.11:9050, certificate SHA-256 fingerprint\n    " + fp + "\n"; !strings.Contains(b.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, b.String())
	}
	st.Admin = &control.AdminStatus{Listen: []string{}, Err: "admin port not started: no admin password is set"}
	b.Reset()
	printStatus(&b, st, controltest.Started)
	if want := "  admin port not started: no admin password is set\n"; !strings.Contains(b.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, b.String())
	}
}
