package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDaemonConfigErrorOnce: a configuration error is printed once, in
// one line naming the file and line (README: "one line that names the
// file and line"), exit 6; warnings of a refused configuration are not
// printed.
func TestDaemonConfigErrorOnce(t *testing.T) {
	dir := writeConfig(t, "node node1 node2\nbcast lo\nrealtime on\ndeadtime 10s\ndeadtime x\n")
	state := t.TempDir()
	os.WriteFile(filepath.Join(dir, "understudy.toml"), []byte("[paths]\nstate_dir = \""+state+"\"\nrun_dir = \""+t.TempDir()+"\"\n"), 0o644)
	code, out, errs := runSub(runDaemon, "-c", dir, "--node", "node1")
	lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
	if code != exitNotConfigured || out != "" || len(lines) != 1 {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant exit 6 and one line", code, out, errs)
	}
	for _, want := range []string{"ERROR: understudy stopped", "/ha.cf:4: error: deadtime", "(and 1 more); run understudy check -c " + dir} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("the line lacks %q: %s", want, lines[0])
		}
	}
}
