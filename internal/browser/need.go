package browser

import (
	"os"
	"testing"
)

// Need returns the Chromium binary for a test, or skips the test with
// the reason when there is none and it does not run as root. As root a
// missing browser fails the test: make test runs scripts/deps.sh first,
// which installs Debian's chromium, so browser tests never skip there.
func Need(t testing.TB) string {
	t.Helper()
	p := Find()
	switch {
	case p != "":
		return p
	case os.Geteuid() != 0:
		t.Skip("SKIP browser test: no chromium and not root; install Debian's chromium (scripts/deps.sh does it as root) to run it")
	default:
		t.Fatal("no chromium although running as root: scripts/deps.sh installs it (make test runs it first)")
	}
	return ""
}
