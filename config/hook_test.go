package config

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHooks(t *testing.T) {
	text := "[[hook]]\nprogram = [\"/etc/ha.d/hooks/mail\", \"root\"]\n\n[[hook]]\nprogram = [\"/usr/local/bin/page\"]\nevents = [\"node_dead\", \"group_failed\"]\ntimeout = \"2s\"\n"
	_, hooks, d := monitorsOf(t, text)
	expectDiags(t, d)
	if len(hooks) != 2 {
		t.Fatalf("hooks = %+v", hooks)
	}
	a, b := hooks[0], hooks[1]
	if a.Line != 1 || !slices.Equal(a.Program, []string{"/etc/ha.d/hooks/mail", "root"}) || a.Events != nil || a.Timeout != DefaultHookTimeout {
		t.Errorf("first hook = %+v", a)
	}
	if b.Line != 4 || !slices.Equal(b.Events, []string{"node_dead", "group_failed"}) || b.Timeout != 2*time.Second {
		t.Errorf("second hook = %+v", b)
	}
	for _, ev := range HookEvents {
		if !a.Wants(ev) || b.Wants(ev) != (ev == "node_dead" || ev == "group_failed") {
			t.Errorf("Wants(%s) wrong", ev)
		}
	}
}

func TestHookRules(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		diags      []string
	}{
		{"program missing", "[[hook]]\nevents = [\"node_up\"]\n", []string{"E1 a hook needs program"}},
		{"program empty", "[[hook]]\nprogram = []\n", []string{"E2 a hook needs program"}},
		{"program relative", "[[hook]]\nprogram = [\"mail\"]\n", []string{"E2 hook.program: \"mail\" is not an absolute path"}},
		{"unknown event", "[[hook]]\nprogram = [\"/bin/true\"]\nevents = [\"node_down\"]\n", []string{"E3 hook.events: \"node_down\" is not an event: allowed are node_up, node_dead"}},
		{"event twice", "[[hook]]\nprogram = [\"/bin/true\"]\nevents = [\"node_up\", \"node_up\"]\n", []string{"E3 hook.events names \"node_up\" twice"}},
		{"events empty", "[[hook]]\nprogram = [\"/bin/true\"]\nevents = []\n", []string{"E3 hook.events is empty"}},
		{"timeout too short", "[[hook]]\nprogram = [\"/bin/true\"]\ntimeout = \"1ms\"\n", []string{"E3 hook.timeout = 1ms is out of range: allowed are 100ms to 1h0m0s"}},
		{"timeout bare number", "[[hook]]\nprogram = [\"/bin/true\"]\ntimeout = 10\n", []string{"E3 hook.timeout: must be a duration in quotes"}},
		{"unknown key", "[[hook]]\nprogram = [\"/bin/true\"]\n[[hook]]\nprogram = [\"/bin/true\"]\nevent = [\"node_up\"]\n", []string{"E5 unknown key \"hook.event\" in [[hook]]"}},
		{"inline array refused", "hook = [{program = [\"/bin/true\"]}]\n", []string{"E1 write each hook as a [[hook]] section"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, d := monitorsOf(t, tc.text)
			expectDiags(t, d, tc.diags...)
		})
	}
}

// TestCheckPrograms: the programs of script monitors and hooks are looked
// for on the machine; missing warns (check may run elsewhere), present
// but unable to run is an error.
func TestCheckPrograms(t *testing.T) {
	files := map[string]fs.FileMode{"/etc/ha.d/resource.d/web": 0o755, "/usr/bin/ok": 0o755, "/usr/bin/noexec": 0o644, "/usr/bin/dir": fs.ModeDir | 0o755}
	toml := "[[monitor]]\ngroup = \"192.0.2.10\"\nkind = \"script\"\ncommand = [\"/usr/bin/ok\"]\n" +
		"[[monitor]]\ngroup = \"192.0.2.10\"\nkind = \"script\"\ncommand = [\"/usr/bin/missing\"]\n" +
		"[[monitor]]\ngroup = \"192.0.2.10\"\nkind = \"script\"\ncommand = [\"/usr/bin/noexec\"]\n" +
		"[[hook]]\nprogram = [\"/usr/bin/ok\"]\n[[hook]]\nprogram = [\"/usr/bin/dir\"]\n"
	dir := writeDir(t, withFiles(map[string]string{HaresourcesFile: "node1 192.0.2.10 web\n", SettingsFile: toml}))
	cfg, d := Load(dir)
	expectDiags(t, d)
	env := fakeEnv(files)
	env.Stat = func(p string) (fs.FileInfo, error) {
		if m, ok := files[strings.Replace(p, dir, "/etc/ha.d", 1)]; ok {
			return fakeFile{m}, nil
		}
		return nil, fs.ErrNotExist
	}
	_, more := Check(cfg, env)
	expectDiags(t, relDiags(dir, more),
		"W5 monitor script:missing: program /usr/bin/missing does not exist on this machine",
		"E9 monitor script:noexec: program /usr/bin/noexec is not executable",
		"E15 hook program /usr/bin/dir is not a regular file")
	for _, x := range more {
		if !strings.HasSuffix(x.File, SettingsFile) {
			t.Errorf("%s: want it in understudy.toml", x)
		}
	}
}

// TestLoadMonitors: Load checks monitors against haresources and keeps
// them in the Config; JSON shows durations as Go writes them.
func TestLoadMonitors(t *testing.T) {
	toml := "[[monitor]]\ngroup = \"192.0.2.10\"\nkind = \"http\"\ninterval = \"200ms\"\n[[monitor]]\ngroup = \"192.0.2.99\"\nkind = \"tcp\"\nport = 22\n[[hook]]\nprogram = [\"/bin/true\"]\n"
	dir := writeDir(t, withFiles(map[string]string{HaresourcesFile: "node1 192.0.2.10 web\n", SettingsFile: toml}))
	cfg, d := Load(dir)
	expectDiags(t, relDiags(dir, d), "E6 monitor.group = \"192.0.2.99\" is not a group of haresources (groups: 192.0.2.10)")
	if len(cfg.Monitors) != 2 || len(cfg.Hooks) != 1 || cfg.Monitors[0].Timeout != 100*ms {
		t.Fatalf("monitors %+v hooks %+v", cfg.Monitors, cfg.Hooks)
	}
	b, err := json.Marshal(cfg.Monitors[0])
	if err != nil || !strings.Contains(string(b), `"interval":"200ms"`) || !strings.Contains(string(b), `"timeout":"100ms"`) || !strings.Contains(string(b), `"kind":"http"`) {
		t.Errorf("JSON %s %v", b, err)
	}
	if b, err := json.Marshal(cfg.Hooks[0]); err != nil || !strings.Contains(string(b), `"timeout":"10s"`) {
		t.Errorf("JSON %s %v", b, err)
	}
}

// TestSampleExamples: the commented [[monitor]] and [[hook]] examples of
// the shipped understudy.toml are valid once uncommented.
func TestSampleExamples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "ha.d", SettingsFile))
	if err != nil {
		t.Fatal(err)
	}
	uncomment := regexp.MustCompile(`(?m)^#(\[\[|[a-z_]+ *=)`)
	text := uncomment.ReplaceAllString(string(b), "$1")
	var d Diagnostics
	r := reporter{file: SettingsFile, diags: &d}
	groups := parseHaresources("node1 IPaddr::192.0.2.10/24 httpd\n", r)
	_, sec := parseSettings(text, r)
	mons, hooks := sec.monitors, sec.hooks
	checkMonitorGroups(text, mons, groups, r)
	expectDiags(t, d)
	if len(mons) != 2 || len(hooks) != 2 || mons[0].Host != "www.example.org" || len(hooks[1].Events) != 4 {
		t.Errorf("uncommented sample: %d monitors, %d hooks:\n%s", len(mons), len(hooks), text)
	}
}
