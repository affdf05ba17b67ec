package bench

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// scriptTimeout bounds one smoke run; the script's own trap cleans the
// lab up when it is stopped.
const scriptTimeout = 4 * time.Minute

// runScript runs the repository's script (a path under scripts/) with
// BENCH_SMOKE=1 and its output going to a temporary file, and returns what
// it appended there. okCodes are the exit statuses that mean it ran.
func runScript(t *testing.T, script string, okCodes ...int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the benchmarks build network namespaces; run go test as root")
	}
	if testing.Short() {
		t.Skip("-short: the smoke runs of the benchmarks take about a minute")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, script))
	cmd.Dir = root
	// LAB_KEEP=0: no lab files left in /tmp, whatever happens (the
	// script's output, shown on failure, has the logs' tails).
	cmd.Env = append(os.Environ(), "BENCH_SMOKE=1", "BENCH_OUT="+out, "BENCH_NOTE=smoke run (make test)", "LAB_KEEP=0")
	// SIGTERM lets the script's trap remove its namespaces.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	start := time.Now()
	log, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, log)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within %v:\n%s", script, scriptTimeout, log)
	}
	ok := code == 0
	for _, c := range okCodes {
		ok = ok || code == c
	}
	if !ok {
		t.Fatalf("%s exited with status %d:\n%s", script, code, log)
	}
	t.Logf("%s ran in %.0f s (exit status %d)", script, time.Since(start).Seconds(), code)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("%s wrote no results: %v\n%s", script, err, log)
	}
	t.Logf("%s appended:\n%s", script, b)
	return string(b)
}

// table returns the rows of the markdown table whose header starts with
// head, as trimmed cells, without the header and separator lines.
func table(t *testing.T, md, head string) [][]string {
	t.Helper()
	var rows [][]string
	in := false
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, head):
			in = true
		case in && strings.HasPrefix(line, "|---"):
		case in && strings.HasPrefix(line, "|"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			rows = append(rows, cells)
		default:
			in = false
		}
	}
	if len(rows) == 0 {
		t.Fatalf("no table starting %q in:\n%s", head, md)
	}
	return rows
}

var (
	// figure is a number or a "median (min-max)" of numbers.
	figure = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?( \(-?[0-9.]+--?[0-9.]+\))?$`)
	// pair is "A / B" of numbers.
	pair = regexp.MustCompile(`^[0-9.]+ / [0-9.]+$`)
)

// find returns the row whose cell col contains what.
func find(t *testing.T, rows [][]string, col int, what string) []string {
	t.Helper()
	for _, r := range rows {
		if len(r) > col && strings.Contains(r[col], what) {
			return r
		}
	}
	t.Fatalf("no row with %q in column %d: %q", what, col, rows)
	return nil
}

func want(t *testing.T, re *regexp.Regexp, row []string, cols ...int) {
	t.Helper()
	for _, c := range cols {
		if c >= len(row) || !re.MatchString(row[c]) {
			t.Errorf("row %q: column %d is not a figure", row, c)
		}
	}
}

// make bench: Understudy's and keepalived's figures side by side.
func TestBenchSmoke(t *testing.T) {
	md := runScript(t, "scripts/bench.sh")
	rows := table(t, md, "| deadtime / keepalive | case |")
	want(t, figure, find(t, rows, 1, "power-off gap, address only"), 2, 3)
	want(t, figure, find(t, rows, 1, "power-off gap, web server started"), 2)
	want(t, figure, find(t, rows, 1, "failback outage, address only"), 2, 3)
	want(t, figure, find(t, rows, 1, "idle CPU, node1"), 2, 3)
	want(t, figure, find(t, rows, 1, "idle CPU, node2"), 2, 3)
	want(t, pair, find(t, rows, 1, "RSS"), 2, 3)
	want(t, pair, find(t, rows, 1, "PSS"), 2, 3)
	if !strings.Contains(md, "master-down") || !strings.Contains(md, "load average") {
		t.Errorf("the keepalived plan or the load average is missing:\n%s", md)
	}
}

// make bench-scale: a cluster of two and a node with two groups.
func TestBenchScaleSmoke(t *testing.T) {
	md := runScript(t, "scripts/bench/scale.sh")
	nodes := table(t, md, "| nodes | links |")
	want(t, figure, find(t, nodes, 1, "bcast"), 0, 2, 3, 4, 5)
	groups := table(t, md, "| groups on node1 |")
	want(t, figure, find(t, groups, 0, "2"), 1, 2, 3, 5)
	want(t, pair, find(t, groups, 0, "2"), 4)
}

// make bench-load: the counts of false failovers under stress. Status 3
// (a false failover seen) is a finding of the benchmark, not a broken
// harness.
func TestBenchLoadSmoke(t *testing.T) {
	md := runScript(t, "scripts/bench/load.sh", 3)
	rows := table(t, md, "| deadtime / keepalive | duration |")
	r := find(t, rows, 0, "100ms")
	want(t, figure, r, 2, 3, 4)
	want(t, pair, r, 5)
	if len(r) < 10 || !regexp.MustCompile(`^\*\*[0-9]+\*\*$`).MatchString(r[9]) {
		t.Errorf("no count of false failovers in %q", r)
	}
}
