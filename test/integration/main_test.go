package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// bins holds the binaries TestMain built; skipReason says why the tests
// cannot run, if they cannot.
var (
	bins       struct{ understudy, demoweb, script string }
	skipReason string
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if os.Geteuid() != 0 {
		skipReason = "needs root (CAP_NET_ADMIN, CAP_NET_RAW) to build network namespaces and run the daemons; run go test as root"
		return m.Run()
	}
	for _, tool := range []string{"ip", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipReason = fmt.Sprintf("the %s command is not installed", tool)
			return m.Run()
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		skipReason = err.Error()
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "understudy-integration-")
	if err != nil {
		skipReason = err.Error()
		return m.Run()
	}
	defer os.RemoveAll(dir)
	bins.understudy = filepath.Join(dir, "understudy")
	bins.demoweb = filepath.Join(dir, "demoweb")
	bins.script = filepath.Join(root, "scripts", "demo", "resource.d", "demoweb")
	build := map[string]string{bins.understudy: "./cmd/understudy", bins.demoweb: "./internal/demoweb"}
	if prebuilt := os.Getenv("UNDERSTUDY_BIN"); prebuilt != "" {
		// Test a given binary (an installed one, a release) instead.
		delete(build, bins.understudy)
		bins.understudy = prebuilt
	}
	for out, pkg := range build {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			skipReason = fmt.Sprintf("cannot build %s: %v\n%s", pkg, err, b)
			return m.Run()
		}
	}
	return m.Run()
}

// requireLab skips the test, loudly, when the lab cannot be built.
func requireLab(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skipf("SKIPPING %s: %s", t.Name(), skipReason)
	}
}
