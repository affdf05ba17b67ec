package daemon

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartupSanity: a node that cannot run as configured refuses to
// start with one line that says where and why (U9), before it touches
// the network or the state directory.
func TestStartupSanity(t *testing.T) {
	good := map[string]string{
		"ha.cf":       "node node1 node2\nucast lo 127.0.0.1\nauto_failback on\nlogfacility none\nlogfile /dev/null\n",
		"haresources": "node1 192.0.2.10/24/lo\n",
		"authkeys":    "auth 1\n1 sha1 0123456789abcdef0123\n",
	}
	for _, tc := range []struct {
		name  string
		over  map[string]string
		node  string
		mode  os.FileMode
		wants []string
	}{
		{name: "host is not a node", node: "node9", wants: []string{`this node, "node9", is not a node of`, "node1 node2"}},
		{name: "interface missing", node: "node1", over: map[string]string{"ha.cf": strings.Replace(good["ha.cf"], "ucast lo", "ucast nosuch0", 1)},
			wants: []string{"ha.cf:2: error: ucast names interface nosuch0, which this machine does not have"}},
		{name: "serial device missing", node: "node1", over: map[string]string{"ha.cf": good["ha.cf"] + "serial /dev/nosuchtty\n"},
			wants: []string{"ha.cf:6: error: serial device /dev/nosuchtty does not exist"}},
		{name: "ucast peer does not resolve", node: "node1", over: map[string]string{"ha.cf": good["ha.cf"] + "ucast lo peer.invalid\n"},
			wants: []string{"ha.cf:6: error: ucast peer peer.invalid does not resolve on this machine"}},
		{name: "floating address is a node's", node: "node1", over: map[string]string{"ha.cf": strings.Replace(good["ha.cf"], "127.0.0.1", "198.51.100.2", 1),
			"haresources": "node1 198.51.100.2/24/lo\n"},
			wants: []string{"haresources:1: error: group 198.51.100.2/24/lo: floating address 198.51.100.2 is the address of the ucast peer of ha.cf line 2"}},
		{name: "authkeys readable by others", node: "node1", mode: 0o644, wants: []string{"authkeys: error: mode 0644 (-rw-r--r--) is too open"}},
		{name: "config error", node: "node1", over: map[string]string{"ha.cf": good["ha.cf"] + "deadtime 10s\n"},
			wants: []string{"ha.cf:6: error: deadtime", "run understudy check"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range good {
				if v, ok := tc.over[name]; ok {
					text = v
				}
				mode := os.FileMode(0o600)
				if name == "authkeys" && tc.mode != 0 {
					mode = tc.mode
				}
				os.WriteFile(filepath.Join(dir, name), []byte(text), mode)
				os.Chmod(filepath.Join(dir, name), mode)
			}
			state := filepath.Join(t.TempDir(), "state")
			os.WriteFile(filepath.Join(dir, "understudy.toml"), []byte("[paths]\nstate_dir = \""+state+"\"\nrun_dir = \""+t.TempDir()+"\"\n"), 0o644)
			// This runs in the machine's own network namespace: should a
			// case ever start, the cancelled context stops it at once,
			// before it could take a group.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := Run(ctx, Options{Dir: dir, Node: tc.node, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("not one line: %q", err)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q, want it to say %q", err, w)
				}
			}
			if _, err := os.Stat(state); err == nil {
				t.Error("the state directory was touched before the configuration was found usable")
			}
		})
	}
}
