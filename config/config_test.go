package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeDir creates a config directory from name → content; authkeys gets
// mode 600.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		mode := fs.FileMode(0o644)
		if name == AuthkeysFile {
			mode = 0o600
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// relDiags strips dir from the file names so expectations stay short.
func relDiags(dir string, ds Diagnostics) Diagnostics {
	out := append(Diagnostics(nil), ds...)
	for i := range out {
		out[i].File = strings.TrimPrefix(out[i].File, dir+"/")
	}
	return out
}

var goodFiles = map[string]string{
	HACFFile:        "node node1 node2\nbcast eth1\nauto_failback on\nlogfacility daemon\nkeepalive 200ms\ndeadtime 1\n",
	HaresourcesFile: "node1 192.0.2.10 web\nnode2 IPaddr2::192.0.2.11/24/eth0\n",
	AuthkeysFile:    "auth 1\n1 sha1 s3cret-of-16-bytes\n",
}

func withFiles(over map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range goodFiles {
		m[k] = v
	}
	for k, v := range over {
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

func TestLoadGood(t *testing.T) {
	dir := writeDir(t, goodFiles)
	cfg, d := Load(dir)
	expectDiags(t, d)
	if cfg.Keepalive != 200*time.Millisecond || len(cfg.Groups) != 2 || cfg.Auth.ActiveKey().Secret != "s3cret-of-16-bytes" {
		t.Fatalf("cfg = %+v", cfg)
	}
	if !reflect.DeepEqual(cfg.Settings, DefaultSettings()) {
		t.Errorf("settings = %+v, want defaults", cfg.Settings)
	}
	if g, ok := cfg.Group("192.0.2.10"); !ok || g.Node != "node1" {
		t.Errorf("Group(192.0.2.10) = %+v, %v", g, ok)
	}
}

// TestLoadReportsEverything: problems in every file are reported in one
// run, each with its file and line.
func TestLoadReportsEverything(t *testing.T) {
	dir := writeDir(t, map[string]string{
		HACFFile:        "node node1\nbcast eth1\nauto_failback on\nlogfacility daemon\nkeepalive 2s\nfoo bar\n",
		HaresourcesFile: "node1 a\nnode3 b\nnode1 192.0.2.9 c\nnode1 192.0.2.9/24 d\n",
		AuthkeysFile:    "auth 1\n1 md5\n",
		SettingsFile:    "[ip]\ngarp_count = 0\n",
	})
	_, d := Load(dir)
	expectDiags(t, relDiags(dir, d),
		"E5 keepalive: \"2s\"", "E6 unknown directive \"foo\"",
		"E2 requires a secret",
		"E2 ip.garp_count",
		// cross checks come last
		"E2 names node \"node3\"", "E4 address 192.0.2.9 is already a resource of group 192.0.2.9 (line 3)",
	)
	want := []string{"ha.cf", "ha.cf", "authkeys", "understudy.toml", "haresources", "haresources"}
	for i, x := range relDiags(dir, d) {
		if i < len(want) && x.File != want[i] {
			t.Errorf("diagnostic %d file = %s, want %s", i, x.File, want[i])
		}
	}
}

func TestLoadFiles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		diags []string
	}{
		{"missing ha.cf", withFiles(map[string]string{HACFFile: ""}), []string{"E0 missing"}},
		{"missing haresources", withFiles(map[string]string{HaresourcesFile: ""}), []string{"E0 missing"}},
		{"missing authkeys", withFiles(map[string]string{AuthkeysFile: ""}), []string{"E0 missing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, tc.files)
			_, d := Load(dir)
			expectDiags(t, d, tc.diags...)
		})
	}
	t.Run("authkeys too open", func(t *testing.T) {
		dir := writeDir(t, goodFiles)
		os.Chmod(filepath.Join(dir, AuthkeysFile), 0o644)
		_, d := Load(dir)
		expectDiags(t, d, "E0 mode 0644 (-rw-r--r--) is too open")
	})
	t.Run("ha.cf is a directory", func(t *testing.T) {
		dir := writeDir(t, withFiles(map[string]string{HACFFile: ""}))
		os.Mkdir(filepath.Join(dir, HACFFile), 0o755)
		_, d := Load(dir)
		expectDiags(t, d, "E0 is a directory (drwx")
	})
	t.Run("ha.cf is a FIFO (must not hang)", func(t *testing.T) {
		dir := writeDir(t, withFiles(map[string]string{HACFFile: ""}))
		if err := mkfifo(filepath.Join(dir, HACFFile)); err != nil {
			t.Skipf("cannot make a FIFO here: %v", err)
		}
		_, d := Load(dir)
		expectDiags(t, d, "E0 is a named pipe (prw")
	})
}

// TestShippedSamples: ha.d/ as shipped passes check for node1, with one
// warning: its secret is the sample's, to be replaced.
func TestShippedSamples(t *testing.T) {
	files := map[string]string{}
	for _, name := range []string{HACFFile, HaresourcesFile, AuthkeysFile, SettingsFile} {
		b, err := os.ReadFile(filepath.Join("..", "ha.d", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	dir := writeDir(t, files)
	cfg, d := Load(dir)
	env := fakeEnv(nil)
	_, more := Check(cfg, env)
	expectDiags(t, append(d, more...), "W19 uses the sample's secret \"ReplaceThisSecretBeforeUse\"")
	if !reflect.DeepEqual(cfg.Settings, DefaultSettings()) {
		t.Errorf("the sample understudy.toml must show the defaults: %+v", cfg.Settings)
	}
}

func TestReadErrorsAreNotPanics(t *testing.T) {
	_, d := Load(filepath.Join(t.TempDir(), "nonexistent"))
	if !d.HasErrors() || d.Err() == nil || len(d.Filter(Error)) != 3 {
		t.Fatalf("a missing directory must be one error per required file: %s", d)
	}
}
