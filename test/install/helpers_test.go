package install

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cleanPath is the PATH every command gets: the test's own environment
// (UNDERSTUDY_BIN and friends included) must not leak into make or into
// the init script.
const cleanPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// requireRoot skips the test, loudly, unless it runs as root with the
// tools it needs.
func requireRoot(t *testing.T, tools ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("SKIPPING %s: needs root (make install into a DESTDIR with root-owned modes, network and mount namespaces); run go test as root", t.Name())
	}
	for _, tool := range append([]string{"make", "go", "install", "sed"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPING %s: the %s command is not installed", t.Name(), tool)
		}
	}
}

// baseEnv is a minimal environment with PATH extended by the directory of
// the go command the test found (it may live in /usr/local/go/bin).
func baseEnv(extra ...string) []string {
	path := cleanPath
	if goBin, err := exec.LookPath("go"); err == nil {
		path += ":" + filepath.Dir(goBin)
	}
	env := []string{"PATH=" + path, "LC_ALL=C", "HOME=" + os.Getenv("HOME")}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return append(env, extra...)
}

// result is what a command did.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\n--- stdout:\n" + r.stdout + "--- stderr:\n" + r.stderr
}

// run runs a command with env and dir, killed (its process group) after
// timeout; code is -1 if it could not run or was killed.
func run(t *testing.T, timeout time.Duration, dir string, env []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	// If a child keeps our pipes open, give up on them shortly after.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		r.code = -1
		r.stderr += "\n[killed after " + timeout.String() + "]"
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		r.code = -1
		r.stderr += "\n[" + err.Error() + "]"
	}
	return r
}

// repoRoot is the checkout the test belongs to.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "Makefile")); err != nil {
		t.Fatalf("no Makefile at %s: %v", root, err)
	}
	return root
}

// copySource copies the checkout's source files (tracked and untracked
// but not ignored, as they are in the working tree) to dst, so that make
// writes its bin/ there and not into a checkout others build in.
func copySource(t *testing.T, root, dst string) {
	t.Helper()
	var files []string
	r := run(t, 30*time.Second, root, baseEnv(), "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if r.code == 0 {
		for _, f := range strings.Split(r.stdout, "\x00") {
			if f != "" {
				files = append(files, f)
			}
		}
	} else {
		// Not a git checkout: everything but bin/ and .git.
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if d.IsDir() && (rel == ".git" || rel == "bin") {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		from, to := filepath.Join(root, f), filepath.Join(dst, f)
		fi, err := os.Lstat(from)
		if err != nil {
			continue // deleted in the working tree
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			l, err := os.Readlink(from)
			if err == nil {
				err = os.Symlink(l, to)
			}
			if err != nil {
				t.Fatal(err)
			}
		case fi.Mode().IsRegular():
			if err := copyFile(from, to, fi.Mode().Perm()); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func copyFile(from, to string, perm fs.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// makeTarget runs make TARGET in src with the given variables; it fails
// the test unless make exits 0.
func makeTarget(t *testing.T, src, target string, vars ...string) result {
	t.Helper()
	r := run(t, 3*time.Minute, src, baseEnv("CGO_ENABLED=0"), "make", append([]string{"--no-print-directory", target}, vars...)...)
	if r.code != 0 {
		t.Fatalf("make %s %s: %s", target, strings.Join(vars, " "), r)
	}
	return r
}

// entry is one thing found under a DESTDIR.
type entry struct {
	mode fs.FileMode // type and permission bits
	link string      // a symlink's target
}

// tree lists every file and symlink under dir (directories only when
// empty), by path relative to dir with a leading slash.
func tree(t *testing.T, dir string) map[string]entry {
	t.Helper()
	got := map[string]entry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := "/" + strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := entry{mode: fi.Mode()}
		if fi.Mode()&fs.ModeSymlink != 0 {
			e.link, _ = os.Readlink(p)
		}
		if d.IsDir() {
			if p == dir {
				return nil
			}
			if ents, _ := os.ReadDir(p); len(ents) > 0 {
				return nil
			}
		}
		got[rel] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// waitFor polls cond every 100 ms until it returns true or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}
