package daemon

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestGeneration(t *testing.T) {
	dir := t.TempDir()
	now := time.Unix(1795344594, 0)
	g1, fresh, err := nextGeneration(dir, now)
	if err != nil || !fresh || g1 != 1795344595 {
		t.Fatalf("first start: %d %v %v", g1, fresh, err)
	}
	g2, fresh, err := nextGeneration(dir, now.Add(-time.Hour)) // the clock went back
	if err != nil || fresh || g2 != g1+1 {
		t.Fatalf("second start: %d %v %v", g2, fresh, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, generationFile))
	if string(b) != "     1795344596\n" || len(b) != 16 {
		t.Errorf("file = %q: heartbeat's format is 15 right-aligned digits and a newline", b)
	}
	os.WriteFile(filepath.Join(dir, generationFile), []byte("garbage\n"), 0o644)
	if _, _, err := nextGeneration(dir, now); err == nil {
		t.Error("a corrupt generation file must stop the start-up, not restart the series")
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestNodeUUID(t *testing.T) {
	dir := t.TempDir()
	u1, err := nodeUUID(dir)
	if err != nil || len(u1) != 16 {
		t.Fatalf("uuid %x %v", u1, err)
	}
	u2, err := nodeUUID(dir)
	if err != nil || string(u1) != string(u2) {
		t.Fatalf("uuid changed across starts: %x %x %v", u1, u2, err)
	}
}
