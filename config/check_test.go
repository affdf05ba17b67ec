package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeFile is a fs.FileInfo with just a mode.
type fakeFile struct{ mode fs.FileMode }

func (f fakeFile) Name() string       { return "" }
func (f fakeFile) Size() int64        { return 0 }
func (f fakeFile) Mode() fs.FileMode  { return f.mode }
func (f fakeFile) ModTime() time.Time { return time.Time{} }
func (f fakeFile) IsDir() bool        { return f.mode.IsDir() }
func (f fakeFile) Sys() any           { return nil }

// fakeEnv is a machine holding exactly the files given (path → mode).
func fakeEnv(files map[string]fs.FileMode) Env {
	return Env{
		InitDir: "/etc/init.d",
		Stat: func(p string) (fs.FileInfo, error) {
			if m, ok := files[p]; ok {
				return fakeFile{m}, nil
			}
			return nil, &fs.PathError{Op: "stat", Path: p, Err: fs.ErrNotExist}
		},
	}
}

func TestResolve(t *testing.T) {
	env := fakeEnv(map[string]fs.FileMode{
		"/etc/ha.d/resource.d/web":  0o755,
		"/etc/init.d/web":           0o755,
		"/etc/init.d/mysql":         0o755,
		"/etc/ha.d/resource.d/ldap": 0o644,
		"/etc/init.d/ldap":          0o755,
		"/etc/ha.d/resource.d/dir":  fs.ModeDir | 0o755,
		"/etc/ha.d/resource.d/noex": 0o644,
	})
	for _, tc := range []struct {
		script, want, wantErr string
	}{
		{script: "web", want: "/etc/ha.d/resource.d/web"},
		{script: "mysql", want: "/etc/init.d/mysql"},
		{script: "ldap", want: "/etc/init.d/ldap"}, // resource.d copy not executable
		{script: "dir", wantErr: "/etc/ha.d/resource.d/dir is not a regular file; /etc/init.d/dir does not exist"},
		{script: "noex", wantErr: "/etc/ha.d/resource.d/noex is not executable"},
		{script: "nope", wantErr: "cannot locate resource script nope: /etc/ha.d/resource.d/nope does not exist; /etc/init.d/nope does not exist"},
	} {
		h, err := env.Resolve("/etc/ha.d", Resource{Token: tc.script, Script: tc.script})
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Resolve(%s) err = %v, want %q", tc.script, err, tc.wantErr)
			}
		case err != nil || h.Path != tc.want:
			t.Errorf("Resolve(%s) = %+v, %v; want %s", tc.script, h, err, tc.want)
		}
	}
	// The scripts that come with Understudy are looked up last.
	lib := fakeEnv(map[string]fs.FileMode{
		"/etc/ha.d/resource.d/web":              0o755,
		"/usr/lib/understudy/resource.d/web":    0o755,
		"/usr/lib/understudy/resource.d/MailTo": 0o755,
		"/usr/lib/understudy/resource.d/noexec": 0o644,
	})
	lib.LibDir = LibScriptDir
	for _, tc := range []struct{ script, want, wantErr string }{
		{script: "web", want: "/etc/ha.d/resource.d/web"},
		{script: "MailTo", want: "/usr/lib/understudy/resource.d/MailTo"},
		{script: "noexec", wantErr: "/etc/init.d/noexec does not exist; /usr/lib/understudy/resource.d/noexec is not executable"},
	} {
		h, err := lib.Resolve("/etc/ha.d", Resource{Token: tc.script, Script: tc.script})
		if (tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr))) || (tc.wantErr == "" && (err != nil || h.Path != tc.want)) {
			t.Errorf("Resolve(%s) with LibDir = %+v, %v; want %q %q", tc.script, h, err, tc.want, tc.wantErr)
		}
	}
	ip, _ := parseResource("192.0.2.10")
	if h, err := env.Resolve("/etc/ha.d", ip); err != nil || !h.Native {
		t.Errorf("an address must be native: %+v %v", h, err)
	}
}

// TestCheck: every resource resolves to its handler; the checks of the
// machine the daemon runs are package preflight's.
func TestCheck(t *testing.T) {
	files := map[string]fs.FileMode{"/etc/ha.d/resource.d/web": 0o755, "/dev/ttyS0": fs.ModeDevice | fs.ModeCharDevice | 0o660, "/dev/sda": fs.ModeDevice | 0o660,
		StonithProgram: 0o755, StonithPluginDir + "/stonith2/null.so": 0o644, StonithPluginDir + "/external/ipmi": 0o755,
		"/etc/ha.d/conf/open": 0o644, "/etc/ha.d/conf/closed": 0o600, "/usr/local/sbin/fence-node": 0o755}
	hacf := goodFiles[HACFFile]
	for _, tc := range []struct {
		name  string
		local string // judge its fencing as this node's too
		over  map[string]string
		drop  string // a file of files the machine lacks
		diags []string
	}{
		{name: "good"},
		{name: "missing script names both paths",
			over:  map[string]string{HaresourcesFile: "node1 192.0.2.10 db\n"},
			diags: []string{"E1 resource.d/db does not exist; /etc/init.d/db does not exist"}},
		{name: "the other resources of a line with a mistake are judged too",
			over:  map[string]string{HaresourcesFile: "node1 192.0.2.10 IPaddr::x db\n"},
			diags: []string{"E1 cannot locate resource script db"}},
		{name: "stonith devices of this node", local: "node1",
			over:  map[string]string{HACFFile: hacf + "stonith_host * null node2\nstonith_host node1 external/ipmi node2 192.0.2.52 u p lan\nstonith_host node2 nonesuch x\nstonith baytech /etc/ha.d/conf/closed\n"},
			diags: []string{"W10 stonith2/baytech.so is not on this machine"}},
		{name: "stonith parameter file readable by all", local: "node1",
			over:  map[string]string{HACFFile: hacf + "stonith null /etc/ha.d/conf/open\n"},
			diags: []string{"W7 is mode 0644: it usually holds the device's password"}},
		{name: "stonith parameter file missing", local: "node1",
			over:  map[string]string{HACFFile: hacf + "stonith null /etc/ha.d/conf/none\n"},
			diags: []string{"W7 /etc/ha.d/conf/none does not exist on this machine"}},
		{name: "stonith not installed", local: "node1", drop: StonithProgram,
			over:  map[string]string{HACFFile: hacf + "stonith_host * null node2\n"},
			diags: []string{"W7 install cluster-glue"}},
		{name: "no stonith device for this node", local: "node1",
			over:  map[string]string{HACFFile: hacf + "stonith_host node2 null node1\n"},
			diags: []string{"W7 no stonith or stonith_host line is for this node, node1"}},
		{name: "fence command", local: "node1", over: map[string]string{SettingsFile: "[fence]\ncommand = [\"/usr/local/sbin/fence-node\"]\n"}},
		{name: "fence command missing", local: "node1", over: map[string]string{SettingsFile: "[fence]\ncommand = [\"/usr/local/sbin/nope\"]\n"},
			diags: []string{"W0 fence command /usr/local/sbin/nope does not exist"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			over := map[string]string{HaresourcesFile: "node1 192.0.2.10 web\n"}
			for k, v := range tc.over {
				over[k] = v
			}
			dir := writeDir(t, withFiles(over))
			cfg, _ := Load(dir)
			env := fakeEnv(files)
			// The fake machine's resource.d is the test directory's.
			env.Stat = func(p string) (fs.FileInfo, error) {
				p = strings.Replace(p, dir, "/etc/ha.d", 1)
				if m, ok := files[p]; ok && p != tc.drop {
					return fakeFile{m}, nil
				}
				return nil, fs.ErrNotExist
			}
			handlers, more := Check(cfg, env)
			if tc.local != "" {
				more = append(more, CheckFencing(cfg, tc.local, env)...)
			}
			expectDiags(t, relDiags(dir, more), tc.diags...)
			if len(handlers) != len(cfg.Groups) {
				t.Errorf("%d handler lists for %d groups", len(handlers), len(cfg.Groups))
			}
		})
	}
}

func TestLocalNode(t *testing.T) {
	dir := t.TempDir()
	if got := LocalNode(dir, "Node1"); got != "node1" {
		t.Errorf("LocalNode without nodeinfo = %q", got)
	}
	os.WriteFile(filepath.Join(dir, NodeinfoFile), []byte("Other\n"), 0o644)
	if got := LocalNode(dir, "node1"); got != "other" {
		t.Errorf("LocalNode with nodeinfo = %q", got)
	}
	// heartbeat only honours nodeinfo when its first line ends in a newline.
	os.WriteFile(filepath.Join(dir, NodeinfoFile), []byte("other"), 0o644)
	if got := LocalNode(dir, "node1"); got != "node1" {
		t.Errorf("LocalNode with unterminated nodeinfo = %q", got)
	}
}
