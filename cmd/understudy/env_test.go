package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
	"github.com/understudy-ha/understudy/control/hbcompat"
)

// writeConfig writes a small valid configuration directory.
func writeConfig(t *testing.T, hacf string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"ha.cf":       hacf,
		"haresources": "node1 192.0.2.10\n",
		"authkeys":    "auth 1\n1 sha1 env-test-secret-of-some-length\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// heartbeat's commands get the socket and the directory from the
// environment, as every command does.
func TestHeartbeatCommandsEnvironment(t *testing.T) {
	b := &controltest.Backend{St: controltest.Sample()}
	t.Setenv(envSocket, controltest.Serve(t, &control.Server{Backend: b}))
	t.Setenv(envHADir, writeConfig(t, "node node1 node2\nbcast eth1\ndeadtime 12\n"))
	var out, errb bytes.Buffer
	if code, ok := hbcompat.Run([]string{"cl_status", "hbparameter", "-p", "deadtime"}, hbEnv(&out, &errb)); !ok || code != 0 || out.String() != "12\n" {
		t.Errorf("cl_status: %v, exit %d, stdout %q, stderr %q", ok, code, out.String(), errb.String())
	}
	if code, ok := hbcompat.Run([]string{"hb_takeover"}, hbEnv(&out, &errb)); !ok || code != 0 || len(b.Commands()) != 1 {
		t.Errorf("hb_takeover: %v, exit %d, sent %v", ok, code, b.Commands())
	}
}

// UNDERSTUDY_HA_DIR is the default directory of check and daemon, and
// where status, standby, takeover and reload find understudy.toml's
// run_dir, hence the socket; UNDERSTUDY_SOCKET names the socket outright.
func TestEnvironment(t *testing.T) {
	dir := writeConfig(t, "node node1 node2\nbcast lo\nauto_failback on\n")
	runDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "understudy.toml"), []byte("[paths]\nrun_dir = \""+runDir+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := &controltest.Backend{St: controltest.Sample()}
	controltest.ServeAt(t, &control.Server{Backend: b}, filepath.Join(runDir, control.SocketName))
	t.Setenv(envHADir, dir)
	t.Setenv(envSocket, "")

	if code, out, errs := runSub(runCheck, "--node", "node1"); code != exitOK || !strings.HasPrefix(out, dir+": OK for node node1") {
		t.Errorf("check without -c: exit %d, stdout %q, stderr %q; want %s checked", code, out, errs, dir)
	}
	for _, name := range []string{"check", "daemon"} {
		if _, out, _ := runSub(run, name, "-h"); !strings.Contains(strings.Join(strings.Fields(out), " "), "(default "+dir+")") {
			t.Errorf("%s -h does not give %s as -c's default:\n%s", name, dir, out)
		}
	}
	if code, out, errs := runSub(runStatus); code != exitOK || !strings.HasPrefix(out, "understudy 1.0.0 on node1") {
		t.Errorf("status through run_dir: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, _, errs := runSub(runTakeover, "--wait", "0"); code != exitOK || len(b.Commands()) != 1 {
		t.Errorf("takeover through run_dir: exit %d, stderr %q, sent %v", code, errs, b.Commands())
	}
	if code, _, errs := runSub(runReload); code != exitOK || b.Reloads() != 1 {
		t.Errorf("reload through run_dir: exit %d, stderr %q", code, errs)
	}

	// UNDERSTUDY_SOCKET wins over run_dir.
	t.Setenv(envSocket, filepath.Join(t.TempDir(), "elsewhere.sock"))
	if code, _, errs := runSub(runStatus); code != exitFail || !strings.Contains(errs, "elsewhere.sock") {
		t.Errorf("status with %s: exit %d, stderr %q", envSocket, code, errs)
	}
}
