package fence

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// These run cluster-glue's own stonith(8) (Debian package cluster-glue;
// scripts/deps.sh installs it) with two of its plugins that need no
// hardware: null, which "resets" the hosts of its list, and meatware,
// which waits for a person to confirm with meatclient.

func requireStonith(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(config.StonithProgram); err != nil {
		t.Skipf("SKIPPING %s: %s is not installed (Debian package cluster-glue; scripts/deps.sh installs it)", t.Name(), config.StonithProgram)
	}
}

func TestStonithNull(t *testing.T) {
	requireStonith(t)
	c := cfgWith(nil, 30*time.Second,
		config.StonithDevice{Line: 1, Host: "*", Type: "nonesuch", Params: []string{"node2"}},
		config.StonithDevice{Line: 2, Host: "*", Type: "null", Params: []string{"node2", "node3"}})
	r := New(c, "node1", Options{TempDir: t.TempDir()}).Fence(context.Background(), "node2")
	if !r.OK() || len(r.Attempts) != 2 || !strings.Contains(r.Attempts[0].Err.Error(), "exit status") {
		t.Fatalf("%s: %+v", r, r)
	}
	// A stonith line: the parameters in the file it names.
	file := filepath.Join(t.TempDir(), "null.cfg")
	os.WriteFile(file, []byte("node2\n"), 0o600)
	c = cfgWith(nil, 30*time.Second, config.StonithDevice{Line: 1, Host: "*", Type: "null", ConfigFile: file})
	if r := New(c, "node1", Options{}).Fence(context.Background(), "node2"); !r.OK() {
		t.Errorf("stonith null -F: %s", r)
	}
}

// TestStonithMeatware: the meatware plugin waits until meatclient
// confirms; unconfirmed, the attempt is killed at the timeout and the
// next one can still be confirmed. meatware's FIFO is /run/meatware.NODE,
// so this needs root; the node's name is unique to this test.
func TestStonithMeatware(t *testing.T) {
	requireStonith(t)
	if os.Geteuid() != 0 {
		t.Skipf("SKIPPING %s: meatware's FIFO is in /run: needs root", t.Name())
	}
	if _, err := exec.LookPath("meatclient"); err != nil {
		t.Skipf("SKIPPING %s: meatclient is not installed (cluster-glue)", t.Name())
	}
	node := fmt.Sprintf("ustest-meat-%d", os.Getpid())
	fifo := "/run/meatware." + node
	t.Cleanup(func() { os.Remove(fifo) })
	c := cfgWith(nil, 2*time.Second, config.StonithDevice{Line: 1, Host: "*", Type: "meatware", Params: []string{node}})
	f := New(c, "node1", Options{TempDir: t.TempDir()})

	// Nobody confirms: killed at the timeout.
	if r := f.Fence(context.Background(), node); r.OK() || !strings.Contains(r.Attempts[0].Err.Error(), "no answer within 2s") {
		t.Fatalf("unconfirmed meatware: %s", r)
	}

	// Confirmed: the next attempt succeeds.
	c.Settings.Fence.Timeout = time.Minute
	f = New(c, "node1", Options{TempDir: t.TempDir()})
	done := make(chan Result, 1)
	go func() { done <- f.Fence(context.Background(), node) }()
	// Wait for meatware's FIFO; a stale one of the killed attempt may be
	// there already, so wait until the new stonith has it open: meatclient
	// fails while nobody reads.
	var out []byte
	var err error
	for i := 0; i < 100; i++ {
		time.Sleep(100 * time.Millisecond)
		if _, serr := os.Stat(fifo); serr != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		cmd := exec.CommandContext(ctx, "meatclient", "-c", node)
		cmd.Stdin = strings.NewReader("y\n")
		out, err = cmd.CombinedOutput()
		cancel()
		if err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("meatclient -c %s: %v\n%s", node, err, out)
	}
	select {
	case r := <-done:
		if !r.OK() {
			t.Errorf("confirmed meatware: %s", r)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("stonith meatware did not end after meatclient confirmed")
	}
}
