package config

import (
	"errors"
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

// fakeEnv is a machine holding exactly the files given (path → mode), on
// which node1 resolves to 192.0.2.1 and node2 to 192.0.2.2.
func fakeEnv(files map[string]fs.FileMode) Env {
	return Env{
		InitDir: "/etc/init.d",
		Stat: func(p string) (fs.FileInfo, error) {
			if m, ok := files[p]; ok {
				return fakeFile{m}, nil
			}
			return nil, &fs.PathError{Op: "stat", Path: p, Err: fs.ErrNotExist}
		},
		LookupHost: func(h string) ([]string, error) {
			switch h {
			case "node1":
				return []string{"192.0.2.1", "2001:db8::1"}, nil
			case "node2":
				return []string{"192.0.2.2"}, nil
			}
			return nil, errors.New("no such host")
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
	ip, _ := parseResource("192.0.2.10")
	if h, err := env.Resolve("/etc/ha.d", ip); err != nil || !h.Native {
		t.Errorf("an address must be native: %+v %v", h, err)
	}
}

func TestCheck(t *testing.T) {
	files := map[string]fs.FileMode{"/etc/ha.d/resource.d/web": 0o755, "/dev/ttyS0": fs.ModeDevice | fs.ModeCharDevice | 0o660, "/dev/sda": fs.ModeDevice | 0o660,
		StonithProgram: 0o755, StonithPluginDir + "/stonith2/null.so": 0o644, StonithPluginDir + "/external/ipmi": 0o755,
		"/etc/ha.d/conf/open": 0o644, "/etc/ha.d/conf/closed": 0o600, "/usr/local/sbin/fence-node": 0o755}
	hacf := goodFiles[HACFFile]
	for _, tc := range []struct {
		name  string
		local string
		over  map[string]string
		drop  string // a file of files the machine lacks
		diags []string
	}{
		{name: "good", local: "node1"},
		{name: "local node not configured", local: "node9", diags: []string{"E0 this node, \"node9\", is not a node of ha.cf"}},
		{name: "missing script names both paths", local: "node1",
			over:  map[string]string{HaresourcesFile: "node1 192.0.2.10 db\n"},
			diags: []string{"E1 resource.d/db does not exist; /etc/init.d/db does not exist"}},
		{name: "VIP is a node's address", local: "node1",
			over:  map[string]string{HaresourcesFile: "node1 192.0.2.2 web\nnode2 IPaddr2::2001:db8::1/64\n"},
			diags: []string{"E1 192.0.2.2 is node node2's own address", "E2 2001:db8::1 is node node1's own address"}},
		{name: "serial device missing here warns", local: "node1",
			over:  map[string]string{HACFFile: goodFiles[HACFFile] + "serial /dev/ttyS9\n"},
			diags: []string{"W7 /dev/ttyS9 does not exist on this machine"}},
		{name: "serial device is a block device", local: "node1",
			over:  map[string]string{HACFFile: goodFiles[HACFFile] + "serial /dev/sda\nserial /dev/ttyS0\n"},
			diags: []string{"E7 not a character device"}},
		{name: "ping node is a node's address", local: "node1",
			over:  map[string]string{HACFFile: hacf + "ping 192.0.2.254\nping6 2001:db8::1\n"},
			diags: []string{"E8 2001:db8::1 is node node1's address"}},
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
			cfg, d := Load(dir)
			expectDiags(t, d)
			env := fakeEnv(files)
			// The fake machine's resource.d is the test directory's.
			env.Stat = func(p string) (fs.FileInfo, error) {
				p = strings.Replace(p, dir, "/etc/ha.d", 1)
				if m, ok := files[p]; ok && p != tc.drop {
					return fakeFile{m}, nil
				}
				return nil, fs.ErrNotExist
			}
			handlers, more := Check(cfg, tc.local, env)
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
