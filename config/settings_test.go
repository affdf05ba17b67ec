package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func settingsOf(text string) (Settings, Diagnostics) {
	var d Diagnostics
	s, _ := parseSettings(text, reporter{file: "understudy.toml", diags: &d})
	return s, d
}

func TestLoadSettings(t *testing.T) {
	dir := t.TempDir()
	if s, d := LoadSettings(dir); !reflect.DeepEqual(s, DefaultSettings()) || len(d) != 0 {
		t.Errorf("absent file: %+v %v", s, d)
	}
	os.WriteFile(filepath.Join(dir, SettingsFile), []byte("[paths]\nrun_dir = \"/srv/run\"\n"), 0o644)
	if s, d := LoadSettings(dir); s.Paths.RunDir != "/srv/run" || len(d) != 0 {
		t.Errorf("run_dir: %+v %v", s, d)
	}
}

func TestSettings(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		check      func(*testing.T, Settings)
		diags      []string
	}{
		{name: "empty is defaults", check: func(t *testing.T, s Settings) {
			if !reflect.DeepEqual(s, DefaultSettings()) {
				t.Errorf("got %+v", s)
			}
		}},
		{name: "values", text: "[resources]\ntimeout = \"5s\"\n[ip]\ngarp_count = 3\ngarp_interval = \"50ms\"\nprobe_time = \"20ms\"\n[paths]\nstate_dir = \"/tmp/s\"\nrun_dir = \"/tmp/r\"\n",
			check: func(t *testing.T, s Settings) {
				want := Settings{ResourceSettings{5 * time.Second}, IPSettings{3, 50 * ms, 20 * ms}, PathSettings{"/tmp/s", "/tmp/r"}, DefaultAdminSettings(), DefaultFenceSettings()}
				if !reflect.DeepEqual(s, want) {
					t.Errorf("got %+v", s)
				}
			}},
		{name: "partial keeps other defaults", text: "[ip]\ngarp_count = 9\n", check: func(t *testing.T, s Settings) {
			if s.IP.GARPCount != 9 || s.IP.GARPInterval != 200*ms || s.Resources.Timeout != time.Minute {
				t.Errorf("got %+v", s)
			}
		}},
		{name: "unknown key names its line", text: "[ip]\ngarp_count = 3\ngarp_cout = 4\n", diags: []string{"E3 unknown key \"ip.garp_cout\""}},
		{name: "unknown table", text: "\n[monitors]\nport = 80\n", diags: []string{"E2 unknown table \"monitors\""}},
		{name: "unknown top-level key", text: "timeout = \"5s\"\n", diags: []string{"E1 unknown key \"timeout\""}},
		{name: "syntax error", text: "[ip]\ngarp_count = 3 4\n", diags: []string{"E2 "}},
		{name: "wrong type", text: "[ip]\ngarp_count = \"many\"\n", diags: []string{"E2 incompatible types"}},
		{name: "duration out of range", text: "[resources]\ntimeout = \"2h\"\n", diags: []string{"E2 resources.timeout = 2h0m0s is out of range"}},
		{name: "bare number duration refused", text: "[resources]\ntimeout = 60\n", diags: []string{"E2 must be a duration in quotes"}},
		{name: "garp_count 0", text: "[ip]\ngarp_count = 0\n", diags: []string{"E2 ip.garp_count = 0"}},
		{name: "relative path", text: "[paths]\nrun_dir = \"run\"\n", diags: []string{"E2 paths.run_dir"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, d := settingsOf(tc.text)
			expectDiags(t, d, tc.diags...)
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}
