package daemon

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/config"
)

// TestReloadRefusesWhatStartRefuses: a reload runs the start-up checks of
// the machine too; a configuration they refuse changes nothing, and each
// reason is logged with its file and line.
func TestReloadRefusesWhatStartRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hacf := "node node1 node2\nucast lo 198.51.100.2\nauto_failback on\nlogfacility none\nlogfile /dev/null\n"
	write("ha.cf", hacf)
	write("haresources", "node1 192.0.2.10/24/lo\n")
	write("authkeys", "auth 1\n1 sha1 0123456789abcdef0123\n")
	old, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"the floating address is a node's", map[string]string{"haresources": "node1 192.0.2.10/24/lo\nnode2 198.51.100.2/24/lo\n"},
			[]string{"haresources:2: error: group 198.51.100.2/24/lo: floating address 198.51.100.2 is the address of the ucast peer of ha.cf line 2"}},
		{"a medium on an interface this machine lacks", map[string]string{"ha.cf": hacf + "bcast nosuch0\n"},
			[]string{"ha.cf:6: error: bcast names interface nosuch0, which this machine does not have"}},
		{"this node is no longer a node", map[string]string{"ha.cf": strings.Replace(hacf, "node1", "node3", 1),
			"haresources": "node2 192.0.2.10/24/lo\n"},
			[]string{`ha.cf: error: this node, "node1", is not a node of ha.cf (nodes: node3 node2)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, text := range tc.files {
				orig, _ := os.ReadFile(filepath.Join(dir, name))
				defer write(name, string(orig))
				write(name, text)
			}
			var logged bytes.Buffer
			d := newDaemon(Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logged, nil))}, old, "node1")
			ev, err := d.reload("test")
			if err == nil || ev != nil {
				t.Fatalf("reload accepted: %v, %v", ev, err)
			}
			if d.cfg != old {
				t.Errorf("the configuration in force was replaced")
			}
			for _, w := range tc.want {
				// slog's text handler escapes the quotes of a value.
				if !strings.Contains(err.Error(), w) || !strings.Contains(logged.String(), strings.ReplaceAll(w, `"`, `\"`)) {
					t.Errorf("err = %v\nlog:\n%s\nwant both to say %q", err, logged.String(), w)
				}
			}
			if !strings.Contains(logged.String(), "reload refused, still running the old configuration") {
				t.Errorf("log:\n%s", logged.String())
			}
		})
	}
}
