package control_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
)

func TestReload(t *testing.T) {
	b := &controltest.Backend{}
	path := controltest.Serve(t, &control.Server{Backend: b, PeerCred: controltest.AsRoot})
	if err := control.SendReload(context.Background(), path); err != nil {
		t.Fatalf("reload: %v", err)
	}
	b.ReloadErr = errors.New("/etc/ha.d/ha.cf:3: error: bad\n/etc/ha.d/authkeys: error: mode 0644")
	err := control.SendReload(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "ha.cf:3: error: bad") || !strings.Contains(err.Error(), "mode 0644") {
		t.Fatalf("refused reload must carry every problem: %v", err)
	}
	if b.Reloads() != 2 {
		t.Errorf("reloads = %d", b.Reloads())
	}
}
