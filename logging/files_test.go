package logging

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// plainLine is a log line in the syslogmsgfmt-false form at t.
func plainLine(t time.Time, level, body string) string {
	return "understudy[7]: " + t.Format("2006/01/02_15:04:05") + " " + level + ": " + body + "\n"
}

func writeLog(t *testing.T, name string, lines ...string) {
	t.Helper()
	data := []byte(strings.Join(lines, ""))
	if strings.HasSuffix(name, ".gz") {
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		zw := gzip.NewWriter(f)
		zw.Write(data)
		zw.Close()
		f.Close()
		return
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// rotatedLogs writes ha-log (m6..m8), ha-log.1 (m3..m5, with a script
// line) and ha-log.2.gz (m0..m2), one minute apart, oldest m0.
func rotatedLogs(t *testing.T) (string, time.Time) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ha-log")
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	line := func(i int) string {
		return plainLine(t0.Add(time.Duration(i)*time.Minute), "info", fmt.Sprintf("m%d n=%d", i, i))
	}
	writeLog(t, path+".2.gz", line(0), line(1), line(2))
	writeLog(t, path+".1", line(3), "+ some script output\n", line(4), line(5))
	writeLog(t, path, line(6), line(7), line(8))
	writeLog(t, path+".bak", line(9)) // not a rotated copy
	return path, t0
}

func TestReadFiles(t *testing.T) {
	path, t0 := rotatedLogs(t)
	for _, tc := range []struct {
		name string
		q    Query
		want []string
	}{
		{"all newest first across files", Query{}, []string{"m8", "m7", "m6", "m5", "m4", "m3", "m2", "m1", "m0"}},
		{"n spans files", Query{N: 4}, []string{"m8", "m7", "m6", "m5"}},
		{"since stops early", Query{Since: t0.Add(4 * time.Minute)}, []string{"m8", "m7", "m6", "m5", "m4"}},
		{"before", Query{Before: t0.Add(2 * time.Minute), N: 1}, []string{"m1"}},
		{"text", Query{Text: "n=7"}, []string{"m7"}},
		{"level", Query{Level: slog.LevelWarn}, nil},
		{"a follow query matches no file record", Query{After: 1}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadFiles(path, tc.q, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(texts(got), tc.want) {
				t.Errorf("got %v, want %v", texts(got), tc.want)
			}
		})
	}
}

func TestReadFilesDateext(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ha[1].log") // glob characters in the name
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	writeLog(t, path+"-20261120.gz", plainLine(t0.Add(-48*time.Hour), "info", "oldest"))
	writeLog(t, path+"-20261121", plainLine(t0.Add(-24*time.Hour), "info", "older"))
	got, err := ReadFiles(path, Query{}, time.UTC)
	if err != nil || !slices.Equal(texts(got), []string{"older", "oldest"}) {
		t.Errorf("got %v %v (the current file may be missing)", texts(got), err)
	}
}

func TestReadFilesErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadFiles(filepath.Join(dir, "none"), Query{}, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	path, _ := rotatedLogs(t)
	os.WriteFile(path+".2.gz", []byte("not gzip"), 0o644)
	got, err := ReadFiles(path, Query{}, time.UTC)
	if err == nil || !strings.Contains(err.Error(), "ha-log.2.gz") || len(got) != 6 {
		t.Errorf("corrupt gz: %d records, %v", len(got), err)
	}
}

func TestReadFilesLongLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	long := plainLine(t0, "info", "long "+strings.Repeat("x", maxLine))
	writeLog(t, path, plainLine(t0, "info", "before"), long, plainLine(t0, "info", "after"))
	got, err := ReadFiles(path, Query{}, time.UTC)
	if err != nil || !slices.Equal(texts(got), []string{"after", "before"}) {
		t.Errorf("got %v %v", texts(got), err)
	}
}

func TestReadLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ha-log")
	base := time.Date(2026, 11, 22, 10, 0, 0, 0, time.Local)
	r := NewRing(2, nil)
	h := r.Handler()
	var lines []string
	for i, off := range []time.Duration{0, time.Second, 2*time.Second + 100*time.Millisecond, 2*time.Second + 500*time.Millisecond, 3 * time.Second} {
		tm := base.Add(off)
		lines = append(lines, plainLine(tm, "info", fmt.Sprintf("m%d", i)))
		h.Handle(t.Context(), slog.NewRecord(tm, slog.LevelInfo, fmt.Sprintf("m%d", i), 0))
	}
	writeLog(t, path, lines...)
	// The ring holds m3 (at 2.5 s) and m4; m2 shares m3's second and is
	// only in the file; m3 is in both and must not come twice.
	got, err := ReadLog(r, path, Query{}, time.Local)
	if err != nil || !slices.Equal(texts(got), []string{"m4", "m3", "m2", "m1", "m0"}) {
		t.Fatalf("got %v %v", texts(got), err)
	}
	if got[0].ID == 0 || got[2].ID != 0 {
		t.Errorf("ring records have IDs, file records none: %+v", got)
	}
	if got, _ := ReadLog(r, path, Query{N: 3}, time.Local); !slices.Equal(texts(got), []string{"m4", "m3", "m2"}) {
		t.Errorf("n=3: %v", texts(got))
	}
	if got, _ := ReadLog(r, path, Query{N: 1}, time.Local); !slices.Equal(texts(got), []string{"m4"}) {
		t.Errorf("n=1: %v", texts(got))
	}
	if got, _ := ReadLog(r, path, Query{After: 4}, time.Local); !slices.Equal(texts(got), []string{"m4"}) {
		t.Errorf("follow: %v", texts(got))
	}
	if got, err := ReadLog(r, filepath.Join(t.TempDir(), "none"), Query{}, time.Local); err != nil || len(got) != 2 {
		t.Errorf("missing file: %v %v", texts(got), err)
	}
	r.Clear()
	if got, _ := ReadLog(r, path, Query{N: 2}, time.Local); !slices.Equal(texts(got), []string{"m4", "m3"}) {
		t.Errorf("after Clear the file still has them: %v", texts(got))
	}
}

func TestMerge(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	rec := func(sec int, text string) Record {
		return Record{Time: t0.Add(time.Duration(sec) * time.Second), Text: text}
	}
	logs := map[string][]Record{
		"node2": {rec(5, "b5"), rec(3, "b3"), rec(3, "b3'"), rec(1, "b1")},
		"node1": {rec(4, "a4"), rec(3, "a3"), rec(0, "a0")},
		"node3": nil,
	}
	got := Merge(0, logs)
	var s []string
	for _, r := range got {
		s = append(s, r.Node+":"+r.Text)
	}
	want := []string{"node2:b5", "node1:a4", "node1:a3", "node2:b3", "node2:b3'", "node2:b1", "node1:a0"}
	if !slices.Equal(s, want) {
		t.Errorf("got  %v\nwant %v", s, want)
	}
	if got := Merge(2, logs); len(got) != 2 || got[1].Text != "a4" {
		t.Errorf("n=2: %+v", got)
	}
	if logs["node1"][0].Node != "" {
		t.Error("Merge changed its input")
	}
	if got := Merge(5, nil); len(got) != 0 {
		t.Errorf("nothing: %v", got)
	}
}
