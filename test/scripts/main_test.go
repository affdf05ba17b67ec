// Package scripts tests the shell resource scripts in ha.d/resource.d
// (httpd, mysql, ldap) against the distribution's real services.
//
// The usage and lint tests run anywhere. The service tests need root:
// TestMain installs apache2, mariadb-server, slapd and ldap-utils when
// missing (with a policy-rc.d that keeps the packages from starting
// anything), and each test starts and stops the real daemon in the root
// namespace, bound to loopback and all interfaces; every service a test
// starts is stopped again in t.Cleanup.
package scripts

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var (
	// scriptDir is ha.d/resource.d in this tree.
	scriptDir string
	// skipServices says why the service tests cannot run, if they cannot.
	skipServices string
	// pid1 is the name of PID 1 (systemd or something else).
	pid1 string
)

// packages are what the service tests drive, and shellcheck for the lint.
var packages = []string{"apache2", "mariadb-server", "slapd", "ldap-utils", "shellcheck"}

const policyRCD = "/usr/sbin/policy-rc.d"

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := filepath.Abs("../../ha.d/resource.d")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	scriptDir = dir
	if b, err := os.ReadFile("/proc/1/comm"); err == nil {
		pid1 = strings.TrimSpace(string(b))
	}
	if os.Geteuid() != 0 {
		skipServices = "needs root to install and start apache2, mariadb and slapd; run go test as root"
		fmt.Fprintf(os.Stderr, "test/scripts: SKIPPING the service tests: %s\n", skipServices)
		return m.Run()
	}
	if err := installPackages(); err != nil {
		skipServices = "installing the Debian packages failed: " + err.Error()
		fmt.Fprintf(os.Stderr, "test/scripts: SKIPPING the service tests: %s\n", skipServices)
		return m.Run()
	}
	return m.Run()
}

// installed reports whether dpkg has pkg installed.
func installed(pkg string) bool {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", pkg).Output()
	return err == nil && strings.TrimSpace(string(out)) == "install ok installed"
}

// installPackages apt-get installs whichever of packages is missing,
// with a policy-rc.d forbidding service starts for the duration (removed
// afterwards if this function wrote it).
func installPackages() error {
	var missing []string
	for _, p := range packages {
		if !installed(p) {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("%s missing and no apt-get", strings.Join(missing, ", "))
	}
	fmt.Fprintf(os.Stderr, "test/scripts: installing %s\n", strings.Join(missing, " "))
	if _, err := os.Lstat(policyRCD); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(policyRCD, []byte("#!/bin/sh\n# written by understudy test/scripts during apt-get install\nexit 101\n"), 0o755); err != nil {
			return err
		}
		defer os.Remove(policyRCD)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	apt := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		if err != nil {
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) > 5 {
				lines = lines[len(lines)-5:]
			}
			return fmt.Errorf("apt-get %s: %v: %s", strings.Join(args, " "), err, strings.Join(lines, " | "))
		}
		return nil
	}
	install := append([]string{"install", "-y", "-q", "-o", "Dpkg::Options::=--force-confold"}, missing...)
	if err := apt(install...); err != nil {
		// Stale package lists are the usual cause: refresh once.
		if err := apt("update", "-q"); err != nil {
			return err
		}
		if err := apt(install...); err != nil {
			return err
		}
	}
	for _, p := range missing {
		if !installed(p) {
			return fmt.Errorf("%s still not installed after apt-get", p)
		}
	}
	return nil
}

// requireRoot skips the test, loudly, when the services cannot be driven.
func requireRoot(t *testing.T) {
	t.Helper()
	if skipServices != "" {
		t.Skipf("SKIPPING %s: %s", t.Name(), skipServices)
	}
}

// result is one script call.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
}

// scriptTimeout bounds the scripts' own waits in the tests; a call is
// killed a little after it.
const scriptTimeout = 30

// run calls ha.d/resource.d/NAME ARGS... with the extra environment env.
func run(t *testing.T, env []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), (2*scriptTimeout+20)*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(scriptDir, name), args...)
	cmd.Env = append(append(os.Environ(), fmt.Sprintf("HA_SERVICE_TIMEOUT=%d", scriptTimeout)), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A daemon that kept the script's stdout or stderr would hold up the
	// cluster daemon's script runner too: that fails here (ErrWaitDelay).
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		r.code = ee.ExitCode()
	default:
		t.Fatalf("%s %s: %v (stdout %q, stderr %q)", name, strings.Join(args, " "), err, r.stdout, r.stderr)
	}
	t.Logf("%s %s: %s", name, strings.Join(args, " "), r)
	return r
}
