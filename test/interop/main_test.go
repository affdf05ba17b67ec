package interop

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// usBin is the understudy binary TestMain built for the mixed-cluster
// tests; usSkip says why they cannot run, if they cannot.
var (
	usBin  string
	usSkip string
)

// mixedParallel is how many test cases run at once when go test was not
// given -parallel: the mixed-cluster cases mostly wait on protocol timers,
// so more than GOMAXPROCS of them fit, but not so many that the host's
// load makes heartbeat's 2 s dead time fire falsely.
const mixedParallel = "6"

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		flag.Set("test.parallel", mixedParallel)
	}
	if os.Geteuid() != 0 {
		usSkip = "needs root (network, mount and UTS namespaces); run go test as root"
		return m.Run()
	}
	if prebuilt := os.Getenv("UNDERSTUDY_BIN"); prebuilt != "" {
		usBin = prebuilt // test a given binary (an installed one, a release)
		return m.Run()
	}
	if _, err := exec.LookPath("go"); err != nil {
		usSkip = "the go command is not installed, so understudy cannot be built"
		return m.Run()
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		usSkip = err.Error()
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "understudy-interop-")
	if err != nil {
		usSkip = err.Error()
		return m.Run()
	}
	defer os.RemoveAll(dir)
	usBin = filepath.Join(dir, "understudy")
	cmd := exec.Command("go", "build", "-o", usBin, "./cmd/understudy")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		usSkip = fmt.Sprintf("cannot build ./cmd/understudy: %v\n%s", err, out)
		usBin = ""
	}
	return m.Run()
}

// requireUnderstudy skips the test, loudly, without the understudy binary.
func requireUnderstudy(t *testing.T) {
	t.Helper()
	if usSkip != "" {
		t.Skipf("SKIPPING %s: %s", t.Name(), usSkip)
	}
}
