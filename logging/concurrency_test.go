package logging

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestConcurrentOrdered logs from many goroutines (run with -race): every
// line arrives whole, and every destination has the same order.
func TestConcurrentOrdered(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ha-log")
	var stderr bytes.Buffer // written only under the core's mutex
	l, c, err := New(Options{Logfile: path, Stderr: &stderr, Journald: true})
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			lw := l.With("worker", w)
			for i := range each {
				lw.Info("tick", "i", i)
			}
		})
	}
	wg.Wait()
	c.Close()
	var fromFile []string
	for _, line := range strings.Split(strings.TrimSpace(read(t, path)), "\n") {
		_, body, ok := strings.Cut(line, "info: ")
		if !ok {
			t.Fatalf("torn line %q", line)
		}
		fromFile = append(fromFile, body)
	}
	fromStderr := strings.Split(strings.TrimSpace(strings.ReplaceAll(stderr.String(), "<6>info: ", "")), "\n")
	if len(fromFile) != workers*each || len(fromStderr) != workers*each {
		t.Fatalf("got %d file and %d stderr lines, want %d", len(fromFile), len(fromStderr), workers*each)
	}
	seen := map[string]bool{}
	for i := range fromFile {
		if fromFile[i] != fromStderr[i] {
			t.Fatalf("line %d differs: file %q, stderr %q", i, fromFile[i], fromStderr[i])
		}
		seen[fromFile[i]] = true
	}
	if len(seen) != workers*each || !seen[fmt.Sprintf("tick worker=3 i=%d", each-1)] {
		t.Errorf("lines missing or repeated: %d distinct", len(seen))
	}
}

// TestNoGoroutines: the package starts none, so none can leak.
func TestNoGoroutines(t *testing.T) {
	dir := t.TempDir()
	sl := fakeSyslog(t, filepath.Join(dir, "log"))
	before := runtime.NumGoroutine()
	l, c, err := New(Options{Logfile: filepath.Join(dir, "a"), Debugfile: filepath.Join(dir, "b"), LogFacility: "daemon",
		SyslogNetwork: "unixgram", SyslogAddr: filepath.Join(dir, "log"), Stderr: &bytes.Buffer{}, Debug: 1})
	if err != nil {
		t.Fatal(err)
	}
	l.Info("x")
	sl.next(t)
	if n := runtime.NumGoroutine(); n != before {
		t.Errorf("goroutines: %d before New, %d while logging", before, n)
	}
	c.Close()
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines: %d before New, %d after Close", before, n)
	}
}
