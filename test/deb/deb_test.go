package deb

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// shared is where the package keeps its copies of heartbeat's paths.
const shared = "/usr/share/understudy/heartbeat"

// heartbeatPaths are the paths the heartbeat package holds too; the
// postinst links each to its copy under shared where it is free.
var heartbeatPaths = []string{
	"/usr/bin/cl_status", "/usr/share/heartbeat/hb_standby", "/usr/share/heartbeat/hb_takeover",
	"/usr/share/man/man1/cl_status.1.gz", "/usr/share/man/man1/hb_standby.1.gz", "/usr/share/man/man1/hb_takeover.1.gz",
	"/usr/share/man/man5/ha.cf.5.gz", "/usr/share/man/man5/authkeys.5.gz",
}

// env is the environment of every command: a clean PATH with the go
// command's directory, and Go's cache settings.
func env(extra ...string) []string {
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	if goBin, err := exec.LookPath("go"); err == nil {
		path += ":" + filepath.Dir(goBin)
	}
	e := []string{"PATH=" + path, "LC_ALL=C", "HOME=" + os.Getenv("HOME")}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN"} {
		if v, ok := os.LookupEnv(k); ok {
			e = append(e, k+"="+v)
		}
	}
	return append(e, extra...)
}

// sh runs a command, bounded by timeout, and returns its output and
// exit status (-1: could not run or killed).
func sh(t *testing.T, timeout time.Duration, dir string, e []string, name string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env, cmd.Stdin = dir, e, nil
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee) && ctx.Err() == nil:
		return out.String(), ee.ExitCode()
	}
	return out.String() + "\n[" + err.Error() + "]", -1
}

// mustSh is sh that fails the test unless the command exits 0.
func mustSh(t *testing.T, timeout time.Duration, dir string, e []string, name string, args ...string) string {
	t.Helper()
	out, code := sh(t, timeout, dir, e, name, args...)
	if code != 0 {
		t.Fatalf("%s %s: exit %d\n%s", name, strings.Join(args, " "), code, out)
	}
	return out
}

// root is a throwaway root directory with an empty dpkg database.
type root struct {
	t       *testing.T
	dir     string
	scratch string
}

func newRoot(t *testing.T) *root {
	t.Helper()
	r := &root{t: t, dir: t.TempDir(), scratch: t.TempDir()}
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log"} {
		if err := os.MkdirAll(filepath.Join(r.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"var/lib/dpkg/status", "var/lib/dpkg/available"} {
		if err := os.WriteFile(filepath.Join(r.dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// dpkg runs dpkg on the root in a private mount namespace where only the
// root and the scratch directory are writable.
func (r *root) dpkg(args ...string) (string, int) {
	r.t.Helper()
	script := `mount --bind "$1" "$1" && mount --bind "$2" "$2" && mount -o remount,bind,ro / && shift 2 && exec dpkg "$@"`
	return sh(r.t, 60*time.Second, "/", env("TMPDIR="+r.scratch), "unshare", append([]string{"--mount", "--propagation", "private", "--",
		"sh", "-c", script, "sh", r.dir, r.scratch, "--root=" + r.dir, "--log=/dev/null", "--force-script-chrootless"}, args...)...)
}

func (r *root) mustDpkg(args ...string) {
	r.t.Helper()
	if out, code := r.dpkg(args...); code != 0 {
		r.t.Fatalf("dpkg %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
}

// files lists everything under the root but dpkg's own database, as
// "path" for files and directories and "path -> target" for links.
func (r *root) files() []string {
	r.t.Helper()
	var out []string
	err := filepath.WalkDir(r.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, r.dir)
		if rel == "/var/lib/dpkg" {
			return filepath.SkipDir
		}
		if d.Type()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			rel += " -> " + target
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return out
}

// link returns where path links to in the root ("" if it is no link).
func (r *root) link(path string) string {
	target, _ := os.Readlink(filepath.Join(r.dir, path))
	return target
}

func (r *root) read(path string) string {
	b, _ := os.ReadFile(filepath.Join(r.dir, path))
	return string(b)
}

// sameFiles fails the test when the root's files are not want.
func (r *root) sameFiles(when string, want []string) {
	r.t.Helper()
	if got := r.files(); !slices.Equal(got, want) {
		r.t.Errorf("%s, the root holds:\n  %s\nwant:\n  %s", when, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// heartbeats fails the test unless heartbeat's paths hold heartbeat's
// files, not links of Understudy's.
func (r *root) heartbeats(when string) {
	r.t.Helper()
	for _, p := range append(slices.Clone(heartbeatPaths), "/etc/ha.d/resource.d/MailTo") {
		if r.link(p) != "" || !strings.Contains(r.read(p), "heartbeat's") {
			r.t.Errorf("%s, %s is not heartbeat's: -> %q", when, p, r.link(p))
		}
	}
}

// fakeHeartbeat builds a stand-in for Debian's heartbeat package: its
// files at the paths the real one holds (a shell script for cl_status,
// resource.d/MailTo as a conffile).
func fakeHeartbeat(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"/etc/ha.d/resource.d/MailTo": "#!/bin/sh\n# heartbeat's MailTo\n",
		"/usr/share/heartbeat/ResourceManager": "#!/bin/sh\n"}
	for _, p := range heartbeatPaths {
		files[p] = "#!/bin/sh\necho heartbeat's " + filepath.Base(p) + "\n"
	}
	files["/DEBIAN/conffiles"] = "/etc/ha.d/resource.d/MailTo\n"
	files["/DEBIAN/control"] = "Package: heartbeat\nVersion: 1:3.0.6-99\nArchitecture: all\nMaintainer: test <test@example.org>\nDescription: stand-in for heartbeat\n in the package test\n"
	for p, text := range files {
		if err := os.MkdirAll(filepath.Dir(dir+p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir+p, []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	deb := filepath.Join(t.TempDir(), "heartbeat.deb")
	mustSh(t, 30*time.Second, "/", env(), "dpkg-deb", "--root-owner-group", "--build", dir, deb)
	return deb
}

// TestDebianPackage: make deb builds understudy_VERSION_ARCH.deb; it
// installs into an empty root with its conffiles (authkeys mode 600)
// and heartbeat's commands linked, its binary runs, nothing is enabled
// or started, and removal then purge leave the root as it was; beside
// the heartbeat package, installed before or after, heartbeat's files
// stay heartbeat's and dpkg raises no conflict.
func TestDebianPackage(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skipf("SKIPPING %s: needs root (dpkg --root with root-owned files, a private mount namespace); run go test as root", t.Name())
	}
	for _, tool := range []string{"dpkg", "dpkg-deb", "unshare", "mount", "chroot", "make", "go", "tar", "git", "gzip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPING %s: the %s command is not installed", t.Name(), tool)
		}
	}
	began := time.Now()
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// The versions come from the checkout; make runs in a copy of it, so
	// that bin/ of the checkout is not raced by other builds.
	version := strings.TrimSpace(mustSh(t, 30*time.Second, repo, env(), "git", "describe", "--always", "--dirty"))
	debVersion := strings.TrimSpace(mustSh(t, 30*time.Second, repo, env(), "packaging/deb/version.sh"))
	src := t.TempDir()
	mustSh(t, 60*time.Second, "/", env(), "sh", "-c", `tar -C "$1" --exclude=./bin --exclude=./.git -cf - . | tar -C "$2" -xf -`, "sh", repo, src)
	out := t.TempDir()
	built := mustSh(t, 5*time.Minute, src, env("VERSION="+version, "DEB_VERSION="+debVersion), "make", "-s", "deb", "DEBDIR="+out)
	lines := strings.Split(strings.TrimSpace(built), "\n")
	deb := lines[len(lines)-1]
	arch := strings.TrimSpace(mustSh(t, 10*time.Second, "/", env(), "dpkg", "--print-architecture"))
	if want := filepath.Join(out, "understudy_"+debVersion+"_"+arch+".deb"); deb != want {
		t.Fatalf("make deb made %q, want %q\n%s", deb, want, built)
	}
	buildTime := time.Since(began)
	if f := mustSh(t, 10*time.Second, "/", env(), "dpkg-deb", "-f", deb, "Package", "Version"); f != "Package: understudy\nVersion: "+debVersion+"\n" {
		t.Errorf("control fields:\n%s", f)
	}
	contents := mustSh(t, 10*time.Second, "/", env(), "dpkg-deb", "-c", deb)
	for _, want := range []string{"-rw------- root/root", "./etc/ha.d/authkeys"} {
		if !strings.Contains(contents, want) {
			t.Errorf("the package lacks %q:\n%s", want, contents)
		}
	}
	heartbeat := fakeHeartbeat(t)

	t.Run("alone", func(t *testing.T) {
		r := newRoot(t)
		empty := r.files()
		r.mustDpkg("-i", deb)
		for _, p := range []string{"/usr/sbin/understudy", "/etc/ha.d/ha.cf", "/etc/ha.d/haresources", "/etc/ha.d/understudy.toml",
			"/etc/ha.d/resource.d/httpd", "/etc/ha.d/hooks/mail", "/usr/lib/understudy/resource.d/MailTo", "/etc/init.d/understudy",
			"/usr/lib/systemd/system/understudy.service", "/usr/share/man/man8/understudy.8.gz", "/usr/share/man/man5/haresources.5.gz"} {
			if _, err := os.Stat(filepath.Join(r.dir, p)); err != nil {
				t.Errorf("not installed: %v", err)
			}
		}
		if st, err := os.Stat(filepath.Join(r.dir, "etc/ha.d/authkeys")); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("authkeys: %v, mode %v; want 0600", err, st.Mode())
		}
		for _, p := range heartbeatPaths {
			if got := r.link(p); got != shared+p {
				t.Errorf("%s links to %q, want %s", p, got, shared+p)
			}
		}
		if conf := r.read("/var/lib/dpkg/info/understudy.conffiles"); !strings.Contains(conf, "/etc/ha.d/authkeys\n") || !strings.Contains(conf, "/etc/init.d/understudy\n") {
			t.Errorf("conffiles:\n%s", conf)
		}
		if unit := r.read("/usr/lib/systemd/system/understudy.service"); !strings.Contains(unit, "ExecStart=/usr/sbin/understudy daemon") {
			t.Errorf("the unit does not run the installed binary:\n%s", unit)
		}
		// Installing enables and starts nothing.
		for _, f := range r.files() {
			if strings.HasPrefix(f, "/etc/systemd") || strings.HasPrefix(f, "/etc/rc") {
				t.Errorf("installing enabled the service: %s", f)
			}
		}
		v, code := sh(t, 10*time.Second, "/", env(), "chroot", r.dir, "/usr/sbin/understudy", "--version")
		if code != 0 {
			// Until --version lands (issue 13 item 4), the command form.
			v, code = sh(t, 10*time.Second, "/", env(), "chroot", r.dir, "/usr/sbin/understudy", "version")
		}
		if code != 0 || v != "understudy "+version+"\n" {
			t.Errorf("understudy --version in the root: exit %d, %q; want %q", code, v, "understudy "+version)
		}
		// The installed samples pass check for node1, their secret is
		// the sample's.
		if out, code := sh(t, 20*time.Second, "/", env(), "chroot", r.dir, "/usr/sbin/understudy", "check", "--node", "node1"); code != 0 ||
			!strings.Contains(out, "uses the sample's secret") {
			t.Errorf("understudy check of the installed samples: exit %d\n%s", code, out)
		}
		// What a node keeps, that purge must remove.
		os.MkdirAll(filepath.Join(r.dir, "var/lib/understudy"), 0o755)
		os.WriteFile(filepath.Join(r.dir, "var/lib/understudy/hb_generation"), []byte("  1\n"), 0o644)

		r.mustDpkg("-r", "understudy")
		left := r.files()
		for _, want := range []string{"/etc/ha.d/ha.cf", "/etc/ha.d/authkeys", "/var/lib/understudy/hb_generation"} {
			if !slices.Contains(left, want) {
				t.Errorf("remove took %s, which only purge may take", want)
			}
		}
		for _, f := range left {
			if strings.HasPrefix(f, "/usr/") {
				t.Errorf("left after remove: %s", f)
			}
		}
		r.mustDpkg("-P", "understudy")
		r.sameFiles("after purge", empty)
	})

	t.Run("heartbeat installed first", func(t *testing.T) {
		r := newRoot(t)
		empty := r.files()
		r.mustDpkg("-i", heartbeat)
		withHeartbeat := r.files()
		r.mustDpkg("-i", deb)
		r.heartbeats("after installing understudy")
		r.mustDpkg("-P", "understudy")
		r.sameFiles("after purging understudy", withHeartbeat)
		r.mustDpkg("-P", "heartbeat")
		r.sameFiles("after purging both", empty)
	})

	t.Run("heartbeat installed after", func(t *testing.T) {
		r := newRoot(t)
		empty := r.files()
		r.mustDpkg("-i", deb)
		r.mustDpkg("-i", heartbeat)
		r.heartbeats("after installing heartbeat")
		for _, f := range r.files() {
			if strings.Contains(f, ".dpkg-") {
				t.Errorf("dpkg set a file aside: %s", f)
			}
		}
		// heartbeat goes: the trigger links Understudy's commands again.
		r.mustDpkg("-P", "heartbeat")
		for _, p := range heartbeatPaths {
			if got := r.link(p); got != shared+p {
				t.Errorf("after heartbeat went, %s links to %q, want %s", p, got, shared+p)
			}
		}
		r.mustDpkg("-P", "understudy")
		r.sameFiles("after purging both", empty)
	})
	t.Logf("figures: make deb %s, everything %s", buildTime.Round(100*time.Millisecond), time.Since(began).Round(100*time.Millisecond))
}

// TestDebianVersion: git describe, mapped to a version dpkg accepts and
// orders as the releases go (no root needed).
func TestDebianVersion(t *testing.T) {
	script, err := filepath.Abs("../../packaging/deb/version.sh")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tc := range []struct{ describe, count, want string }{
		{"abc1234", "41", "0.0~git41.gabc1234"},
		{"abc1234-dirty", "42", "0.0~git42.gabc1234+dirty"},
		{"v1.2.0-rc1", "0", "1.2.0~rc1"},
		{"v1.2.0-rc1-2-gdef5678", "0", "1.2.0~rc1+git2.gdef5678"},
		{"v1.2.0", "0", "1.2.0"},
		{"v1.2.0-3-g0123abc", "0", "1.2.0+git3.g0123abc"},
		{"v1.2.0-3-g0123abc-dirty", "0", "1.2.0+git3.g0123abc+dirty"},
		{"v1.10.0", "0", "1.10.0"},
	} {
		out, code := sh(t, 10*time.Second, "/", env(), script, tc.describe, tc.count)
		if code != 0 || strings.TrimSpace(out) != tc.want {
			t.Errorf("version.sh %s %s = %q (exit %d), want %s", tc.describe, tc.count, out, code, tc.want)
		}
		got = append(got, strings.TrimSpace(out))
	}
	if out, code := sh(t, 10*time.Second, "/", env(), script, "bad_tag"); code == 0 {
		t.Errorf("version.sh accepted a tag no Debian version can carry: %q", out)
	}
	// In the order above, each version is newer than the one before.
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skipf("SKIPPING the ordering part: dpkg is not installed")
	}
	for i := 1; i < len(got); i++ {
		if _, code := sh(t, 10*time.Second, "/", env(), "dpkg", "--compare-versions", got[i-1], "lt", got[i]); code != 0 {
			t.Errorf("dpkg does not order %s before %s", got[i-1], got[i])
		}
	}
}
