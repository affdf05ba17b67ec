package config

import (
	"reflect"
	"testing"
	"time"
)

func TestFenceSettings(t *testing.T) {
	for _, tc := range []struct {
		name, toml, hacf string
		want             FenceSettings
		diags            []string
	}{
		{name: "defaults", want: DefaultFenceSettings()},
		{name: "command", toml: "[fence]\ncommand = [\"/usr/local/sbin/fence-node\", \"--lab\"]\naction = \"off\"\ntimeout = \"2m\"\nretry_interval = \"10s\"\n",
			want: FenceSettings{Command: []string{"/usr/local/sbin/fence-node", "--lab"}, Action: FenceOff, Timeout: 2 * time.Minute, RetryInterval: 10 * time.Second}},
		{name: "stonith with [fence] timing", toml: "[fence]\ntimeout = \"30s\"\n", hacf: "stonith_host * null node1 node2 node3\n",
			want: FenceSettings{Action: FenceReset, Timeout: 30 * time.Second, RetryInterval: 5 * time.Second}},
		{name: "command and stonith lines", toml: "[fence]\ncommand = [\"/usr/local/sbin/fence-node\"]\n", hacf: "stonith baytech /etc/ha.d/baytech\n",
			want:  FenceSettings{Command: []string{"/usr/local/sbin/fence-node"}, Action: FenceReset, Timeout: time.Minute, RetryInterval: 5 * time.Second},
			diags: []string{"E2 both say how to fence a node: keep one"}},
		{name: "[fence] without anything to fence", toml: "[fence]\ntimeout = \"30s\"\n",
			want:  FenceSettings{Action: FenceReset, Timeout: 30 * time.Second, RetryInterval: 5 * time.Second},
			diags: []string{"W1 nothing fences"}},
		{name: "relative command", toml: "[fence]\ncommand = [\"fence-node\"]\n", want: DefaultFenceSettings(), diags: []string{"E2 not an absolute path"}},
		{name: "empty command", toml: "[fence]\ncommand = []\n", want: DefaultFenceSettings(), diags: []string{"E2 fence.command is empty"}},
		{name: "bad action", toml: "[fence]\naction = \"cycle\"\n", want: DefaultFenceSettings(), diags: []string{"E2 fence.action = \"cycle\"", "W1 nothing fences"}},
		{name: "timeout out of range", toml: "[fence]\ntimeout = \"500ms\"\n", want: DefaultFenceSettings(), diags: []string{"E2 fence.timeout = 500ms is out of range", "W1 nothing fences"}},
		{name: "retry bare number", toml: "[fence]\nretry_interval = 5\n", want: DefaultFenceSettings(), diags: []string{"E2 must be a duration in quotes"}},
		{name: "unknown key", toml: "[fence]\ncmd = [\"/x\"]\n", want: DefaultFenceSettings(), diags: []string{"E2 unknown key \"fence.cmd\""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, d := loadThree(t, tc.toml, tc.hacf)
			expectDiags(t, d, tc.diags...)
			if d.HasErrors() {
				return
			}
			if !reflect.DeepEqual(cfg.Settings.Fence, tc.want) {
				t.Errorf("fence:\n got %+v\nwant %+v", cfg.Settings.Fence, tc.want)
			}
		})
	}
}

func TestFencing(t *testing.T) {
	cfg, d := loadThree(t, "", "stonith_host node1 null node2 node3\n")
	expectDiags(t, d)
	if !cfg.Fencing("node1") || cfg.Fencing("node2") {
		t.Errorf("stonith_host node1: Fencing(node1) = %v, Fencing(node2) = %v", cfg.Fencing("node1"), cfg.Fencing("node2"))
	}
	cfg, _ = loadThree(t, "[fence]\ncommand = [\"/bin/true\"]\n", "")
	if !cfg.Fencing("node2") {
		t.Error("fence.command: Fencing(node2) = false")
	}
	cfg, _ = loadThree(t, "", "")
	if cfg.Fencing("node1") {
		t.Error("nothing configured: Fencing(node1) = true")
	}
}
