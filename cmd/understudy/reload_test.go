package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
)

func TestReloadCommand(t *testing.T) {
	b := &controltest.Backend{}
	sock := controltest.Serve(t, &control.Server{Backend: b})
	code, out, errs := runSub(runReload, "-s", sock)
	if code != exitOK || out != "Configuration reloaded.\n" {
		t.Fatalf("exit %d, out %q, err %q", code, out, errs)
	}
	b.ReloadErr = errors.New("/etc/ha.d/ha.cf:4: error: deadtime: \"10s\" has unit \"s\"")
	code, _, errs = runSub(runReload, "-s", sock)
	if code != exitFail || !strings.Contains(errs, "ha.cf:4: error: deadtime") {
		t.Fatalf("refused reload: exit %d, err %q", code, errs)
	}
	if code, _, _ := runSub(runReload, "-s", sock, "extra"); code != exitUsage {
		t.Errorf("extra argument: exit %d", code)
	}
	if code, _, errs := runSub(runReload, "-s", t.TempDir()+"/none.sock"); code != exitFail || !strings.Contains(errs, "not running") {
		t.Errorf("no daemon: exit %d, %q", code, errs)
	}
}
