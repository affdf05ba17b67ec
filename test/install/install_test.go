package install

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The samples make install puts in /etc/ha.d, and their modes (README:
// "authkeys ... mode 600, root").
var samples = map[string]fs.FileMode{
	"ha.cf": 0o644, "haresources": 0o644, "understudy.toml": 0o644, "authkeys": 0o600,
	"resource.d/httpd": 0o755, "resource.d/mysql": 0o755, "resource.d/ldap": 0o755, "resource.d/MailTo": 0o755,
	"hooks/mail": 0o755, "hooks/webhook": 0o755,
}

// The man pages README.md and understudy(8) refer to.
var readmeMan = []string{"man8/understudy.8", "man5/ha.cf.5", "man5/haresources.5", "man5/authkeys.5",
	"man5/understudy.toml.5", "man1/cl_status.1", "man1/hb_standby.1"}

// expected is the complete DESTDIR tree of make install with this PREFIX
// (SBINDIR and MANDIR under it, everything else in heartbeat's places).
func expected(t *testing.T, src, prefix string) map[string]entry {
	t.Helper()
	bin := prefix + "/sbin/understudy"
	want := map[string]entry{
		bin:                                      {mode: 0o755},
		"/usr/bin/cl_status":                     {mode: fs.ModeSymlink, link: bin},
		"/usr/share/heartbeat/hb_standby":        {mode: fs.ModeSymlink, link: bin},
		"/usr/share/heartbeat/hb_takeover":       {mode: fs.ModeSymlink, link: bin},
		"/etc/init.d/understudy":                 {mode: 0o755},
		"/etc/systemd/system/understudy.service": {mode: 0o644},
		prefix + "/share/bash-completion/completions/understudy": {mode: 0o644},
		prefix + "/share/zsh/site-functions/_understudy":         {mode: 0o644},
	}
	for f, m := range samples {
		want["/etc/ha.d/"+f] = entry{mode: m}
	}
	pages, err := filepath.Glob(filepath.Join(src, "man", "*.[0-9]"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no man pages in %s/man: %v", src, err)
	}
	for _, p := range pages {
		b := filepath.Base(p)
		want[prefix+"/share/man/man"+b[len(b)-1:]+"/"+b] = entry{mode: 0o644}
	}
	for _, m := range readmeMan {
		if _, ok := want[prefix+"/share/man/"+m]; !ok {
			t.Errorf("README/understudy(8) name the man page %s, but man/ does not have it", m)
		}
	}
	return want
}

// compareTree reports every difference between the DESTDIR tree and want.
func compareTree(t *testing.T, destdir string, want map[string]entry) {
	t.Helper()
	got := tree(t, destdir)
	for _, p := range sortedKeys(want) {
		w := want[p]
		g, ok := got[p]
		switch {
		case !ok:
			t.Errorf("make install did not install %s", p)
		case w.mode&fs.ModeSymlink != 0:
			if g.mode&fs.ModeSymlink == 0 || g.link != w.link {
				t.Errorf("%s: %v -> %q, want a link to %s", p, g.mode, g.link, w.link)
			}
		case !g.mode.IsRegular() || g.mode.Perm() != w.mode:
			t.Errorf("%s: mode %v, want a file with mode %v", p, g.mode, w.mode)
		}
	}
	for _, p := range sortedKeys(got) {
		if _, ok := want[p]; !ok {
			t.Errorf("make install put an unexpected %s (%v) in DESTDIR", p, got[p].mode)
		}
	}
}

func sameContent(t *testing.T, installed, source string, edit func(string) string) {
	t.Helper()
	g, err := os.ReadFile(installed)
	if err != nil {
		t.Error(err)
		return
	}
	w, err := os.ReadFile(source)
	if err != nil {
		t.Fatal(err)
	}
	want := string(w)
	if edit != nil {
		want = edit(want)
	}
	if string(g) != want {
		t.Errorf("%s differs from %s", installed, source)
	}
}

// TestInstallUninstall: make install DESTDIR=... with the default PREFIX,
// a second install over an administrator's edits, make uninstall.
func TestInstallUninstall(t *testing.T) {
	requireRoot(t)
	tmp := t.TempDir()
	src, dest := filepath.Join(tmp, "src"), filepath.Join(tmp, "dest")
	copySource(t, repoRoot(t), src)
	makeTarget(t, src, "install", "DESTDIR="+dest)

	compareTree(t, dest, expected(t, src, "/usr/local"))
	for f := range samples {
		sameContent(t, filepath.Join(dest, "etc/ha.d", f), filepath.Join(src, "ha.d", f), nil)
	}
	sameContent(t, filepath.Join(dest, "etc/init.d/understudy"), filepath.Join(src, "scripts/init.d/understudy"), nil)
	sameContent(t, filepath.Join(dest, "etc/systemd/system/understudy.service"), filepath.Join(src, "scripts/systemd/understudy.service"), nil)
	sameContent(t, filepath.Join(dest, "usr/local/share/bash-completion/completions/understudy"), filepath.Join(src, "scripts/completion/understudy.bash"), nil)
	sameContent(t, filepath.Join(dest, "usr/local/share/zsh/site-functions/_understudy"), filepath.Join(src, "scripts/completion/_understudy"), nil)

	// The installed binary runs, and the installed samples pass check as
	// README says ("Commented samples that pass understudy check --node
	// node1").
	bin := filepath.Join(dest, "usr/local/sbin/understudy")
	for _, v := range []string{"version", "--version"} {
		if r := run(t, 20*time.Second, "/", baseEnv(), bin, v); r.code != 0 || !strings.HasPrefix(r.stdout, "understudy ") {
			t.Errorf("%s %s: %s", bin, v, r)
		}
	}
	if r := run(t, 20*time.Second, "/", baseEnv(), bin, "check", "-c", filepath.Join(dest, "etc/ha.d"), "--node", "node1"); r.code != 0 {
		t.Errorf("understudy check of the installed samples: %s", r)
	}

	// An administrator edits every sample and a resource script, then
	// installs again (a new version): the edits stay.
	edited := map[string]string{}
	for f := range samples {
		p := filepath.Join(dest, "etc/ha.d", f)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		edited[f] = string(b) + "# edited by the administrator\n"
		if err := os.WriteFile(p, []byte(edited[f]), 0); err != nil {
			t.Fatal(err)
		}
	}
	r := makeTarget(t, src, "install", "DESTDIR="+dest)
	for f := range samples {
		p := filepath.Join(dest, "etc/ha.d", f)
		if b, err := os.ReadFile(p); err != nil || string(b) != edited[f] {
			t.Errorf("a second make install replaced the edited %s (err %v)", p, err)
		}
		if !strings.Contains(r.stdout, "keeping existing "+p) {
			t.Errorf("a second make install did not say it keeps %s:\n%s", p, r.stdout)
		}
	}
	compareTree(t, dest, expected(t, src, "/usr/local"))

	// make uninstall: nothing left but /etc/ha.d, which is unchanged.
	r = makeTarget(t, src, "uninstall", "DESTDIR="+dest)
	if !strings.Contains(r.stdout, "left "+dest+"/etc/ha.d in place") {
		t.Errorf("make uninstall did not say it leaves /etc/ha.d:\n%s", r.stdout)
	}
	var emptyDirs []string
	got := tree(t, dest)
	for _, p := range sortedKeys(got) {
		switch {
		case got[p].mode.IsDir():
			emptyDirs = append(emptyDirs, p)
		case !strings.HasPrefix(p, "/etc/ha.d/"):
			t.Errorf("make uninstall left %s", p)
		}
	}
	for f := range samples {
		p := filepath.Join(dest, "etc/ha.d", f)
		if b, err := os.ReadFile(p); err != nil || string(b) != edited[f] {
			t.Errorf("make uninstall removed or changed %s (err %v)", p, err)
		}
	}
	if len(emptyDirs) > 0 {
		t.Logf("make uninstall leaves these (empty) directories: %s", strings.Join(emptyDirs, " "))
	}
}

// TestInstallPrefix: with PREFIX=/usr the binary, the man pages, the
// links and the paths inside the init script and the unit follow.
func TestInstallPrefix(t *testing.T) {
	requireRoot(t)
	tmp := t.TempDir()
	src, dest := filepath.Join(tmp, "src"), filepath.Join(tmp, "dest")
	copySource(t, repoRoot(t), src)
	makeTarget(t, src, "install", "DESTDIR="+dest, "PREFIX=/usr")
	compareTree(t, dest, expected(t, src, "/usr"))
	fix := func(s string) string {
		return strings.ReplaceAll(s, "/usr/local/sbin/understudy", "/usr/sbin/understudy")
	}
	sameContent(t, filepath.Join(dest, "etc/init.d/understudy"), filepath.Join(src, "scripts/init.d/understudy"), fix)
	sameContent(t, filepath.Join(dest, "etc/systemd/system/understudy.service"), filepath.Join(src, "scripts/systemd/understudy.service"), fix)
	initd, _ := os.ReadFile(filepath.Join(dest, "etc/init.d/understudy"))
	if !bytes.Contains(initd, []byte("DAEMON=${UNDERSTUDY_BIN:-/usr/sbin/understudy}")) {
		t.Errorf("the installed init script does not run /usr/sbin/understudy by default")
	}
	unit, _ := os.ReadFile(filepath.Join(dest, "etc/systemd/system/understudy.service"))
	if !bytes.Contains(unit, []byte("\nExecStart=/usr/sbin/understudy daemon")) {
		t.Errorf("the installed unit does not run /usr/sbin/understudy")
	}
	makeTarget(t, src, "uninstall", "DESTDIR="+dest, "PREFIX=/usr")
	for _, p := range sortedKeys(tree(t, dest)) {
		if !strings.HasPrefix(p, "/etc/ha.d/") && !tree(t, dest)[p].mode.IsDir() {
			t.Errorf("make uninstall PREFIX=/usr left %s", p)
		}
	}
}

// TestInstallKeepsHeartbeat: README's migration step 2 -- make install on
// a node where the heartbeat package is still installed does not replace
// heartbeat's own cl_status and hb_standby (links the rest), and make
// uninstall does not remove them.
func TestInstallKeepsHeartbeat(t *testing.T) {
	requireRoot(t)
	tmp := t.TempDir()
	src, dest := filepath.Join(tmp, "src"), filepath.Join(tmp, "dest")
	copySource(t, repoRoot(t), src)
	heartbeats := map[string]string{"/usr/bin/cl_status": "#!/bin/sh\necho heartbeat cl_status\n",
		"/usr/share/heartbeat/hb_standby": "#!/bin/sh\necho heartbeat hb_standby\n"}
	for p, body := range heartbeats {
		if err := os.MkdirAll(filepath.Dir(dest+p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dest+p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r := makeTarget(t, src, "install", "DESTDIR="+dest)
	check := func(when string) {
		for p, body := range heartbeats {
			fi, err := os.Lstat(dest + p)
			if err != nil || !fi.Mode().IsRegular() {
				t.Errorf("%s heartbeat's %s is gone or replaced (%v)", when, p, err)
				continue
			}
			if b, _ := os.ReadFile(dest + p); string(b) != body {
				t.Errorf("%s heartbeat's %s was changed", when, p)
			}
		}
	}
	check("after make install,")
	for p := range heartbeats {
		if !strings.Contains(r.stdout, fmt.Sprintf("keeping %s%s (heartbeat's", dest, p)) {
			t.Errorf("make install did not say it keeps heartbeat's %s:\n%s", p, r.stdout)
		}
	}
	if l, err := os.Readlink(dest + "/usr/share/heartbeat/hb_takeover"); err != nil || l != "/usr/local/sbin/understudy" {
		t.Errorf("hb_takeover: %q %v, want a link to /usr/local/sbin/understudy", l, err)
	}
	makeTarget(t, src, "uninstall", "DESTDIR="+dest)
	check("after make uninstall,")
	if _, err := os.Lstat(dest + "/usr/share/heartbeat/hb_takeover"); err == nil {
		t.Errorf("make uninstall left the hb_takeover link")
	}
}
