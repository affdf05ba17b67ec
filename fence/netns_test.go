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

	"github.com/understudy-ha/understudy/internal/netnstest"
)

// TestFenceNetns fences a node of the test lab through a fence command:
// node2 is a namespace with a veth to node1's and a process running in
// it; the fence program "powers it off" by killing that process and
// deleting its veth, found in a table the test writes (node name,
// namespace, PID). Success, failure (a node not in the table: nothing
// is touched) and timeout (the program hangs: killed, nothing touched).
func TestFenceNetns(t *testing.T) {
	node1, node2 := netnstest.New(t), netnstest.New(t)
	netnstest.Veth(t, node1, "n1", node2, "n2")
	node1.IP(t, "addr", "add", "192.0.2.1/24", "dev", "n1")
	node2.IP(t, "addr", "add", "192.0.2.2/24", "dev", "n2")

	// node2's "service": a process in its namespace.
	svc := exec.Command("ip", "netns", "exec", node2.Name, "sleep", "600")
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { svc.Wait(); close(exited) }()
	t.Cleanup(func() {
		svc.Process.Kill() // by its PID; a no-op once it is gone
		<-exited
	})

	dir := t.TempDir()
	table := filepath.Join(dir, "lab")
	lab := fmt.Sprintf("node2 %s %d\nnode9 hang 0\n", node2.Name, svc.Process.Pid)
	if err := os.WriteFile(table, []byte(lab), 0o600); err != nil {
		t.Fatal(err)
	}
	prog := script(t, `node=$1
set -- $(grep "^$node " `+table+`)
[ -n "$2" ] || { echo "no power switch for $node"; exit 1; }
[ "$2" = hang ] && { echo "switch for $node not answering"; exec sleep 600; }
kill -9 "$3" || exit 2
ip -n "$2" link del n2 || exit 3
echo "$node powered off"
`)
	f := New(cfgWith([]string{prog}, 2*time.Second), "node1", Options{})

	r := f.Fence(context.Background(), "node3")
	if r.OK() || r.Attempts[0].Output != "no power switch for node3" {
		t.Errorf("node3: %s", r)
	}
	r = f.Fence(context.Background(), "node9")
	if r.OK() || !strings.Contains(r.Attempts[0].Err.Error(), "no answer within 2s; process group killed") || r.Attempts[0].Output != "switch for node9 not answering" {
		t.Errorf("node9: %s", r)
	}
	select {
	case <-exited:
		t.Fatalf("node2's process ended before node2 was fenced: %v", svc.ProcessState)
	default:
	}
	if out := node1.IP(t, "-br", "link", "show", "n1"); !strings.Contains(out, "UP") {
		t.Fatalf("node1's link to node2 is not up before the fence: %s", out)
	}

	r = f.Fence(context.Background(), "node2")
	if !r.OK() || r.Attempts[0].Output != "node2 powered off" {
		t.Fatalf("node2: %s", r)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Error("node2's process still runs after the fence reported success")
	}
	if out, err := exec.Command("ip", "-n", node1.Name, "link", "show", "n1").CombinedOutput(); err == nil {
		t.Errorf("node1 still has its link to node2 after the fence: %s", out)
	}
}
