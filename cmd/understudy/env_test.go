package main

import (
	"bytes"
	"os"
	"path/filepath"
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
