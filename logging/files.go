package logging

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxFileRecords caps what ReadFiles returns when Query.N is 0.
const MaxFileRecords = 100000

// maxLine is the longest line ReadFiles reads; longer ones are skipped.
const maxLine = 1 << 20

// ReadFiles reads the records of a log file and its rotated copies that
// match q, newest first, in heartbeat's line formats (see ParseLine,
// which reads times in loc). The copies are found as logrotate names
// them: PATH.1, PATH.2.gz, … (gzip is read), then PATH-DATE[.gz]
// (dateext), newest first. Lines that are not log records are skipped.
//
// It stops reading once it has q.N records (MaxFileRecords when q.N is
// 0), or when a file starts before q.Since. Records from files have no
// ID, and no time finer than the second. On an error it returns the
// records read so far and an error naming the file.
func ReadFiles(path string, q Query, loc *time.Location) ([]Record, error) {
	n := q.N
	if n <= 0 {
		n = MaxFileRecords
	}
	files, err := rotated(path)
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, f := range files {
		recs, oldest, err := readFile(f, q, n-len(out), loc)
		out = append(out, recs...)
		if err != nil {
			return out, err
		}
		if len(out) >= n || (!q.Since.IsZero() && !oldest.IsZero() && oldest.Before(q.Since)) {
			break
		}
	}
	return out, nil
}

// rotated lists path and its rotated copies that exist, newest first.
func rotated(path string) ([]string, error) {
	var files []string
	if _, err := os.Stat(path); err == nil {
		files = append(files, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("log file %s: %w", path, err)
	}
	dir, base := filepath.Split(path)
	entries, err := os.ReadDir(filepath.Clean(dir + "."))
	if err != nil {
		return nil, fmt.Errorf("log file %s: %w", path, err)
	}
	type numbered struct {
		n    int
		name string
	}
	var byNum []numbered
	var byDate []string
	for _, e := range entries {
		suffix, ok := strings.CutPrefix(e.Name(), base)
		if !ok || e.IsDir() {
			continue
		}
		m := filepath.Join(dir, e.Name())
		suffix = strings.TrimSuffix(suffix, ".gz")
		if num, ok := strings.CutPrefix(suffix, "."); ok {
			if k, err := strconv.Atoi(num); err == nil && k > 0 {
				byNum = append(byNum, numbered{k, m})
			}
		} else if date, ok := strings.CutPrefix(suffix, "-"); ok && allDigits(date) {
			byDate = append(byDate, m)
		}
	}
	slices.SortFunc(byNum, func(a, b numbered) int { return a.n - b.n })
	for _, b := range byNum {
		files = append(files, b.name)
	}
	slices.Sort(byDate)
	slices.Reverse(byDate)
	files = append(files, byDate...)
	if len(files) == 0 {
		return nil, fmt.Errorf("log file %s: %w", path, fs.ErrNotExist)
	}
	return files, nil
}

// readFile returns the newest max records of one file that match q,
// newest first, and the time of its first (oldest) record.
func readFile(name string, q Query, max int, loc *time.Location) ([]Record, time.Time, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("log file %s: %w", name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("log file %s: %w", name, err)
	}
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("log file %s: %w", name, err)
		}
		defer gz.Close()
		r = gz
	}
	keep := make([]Record, 0, min(max, 4096)) // circular once full
	next := 0
	var oldest time.Time
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := readLine(br)
		if rec, ok := ParseLine(line, fi.ModTime(), loc); ok {
			if oldest.IsZero() {
				oldest = rec.Time
			}
			if q.Match(rec) {
				if len(keep) < max {
					keep = append(keep, rec)
				} else {
					keep[next] = rec
					next = (next + 1) % max
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return newestFirst(keep, next), oldest, fmt.Errorf("log file %s: %w", name, err)
		}
	}
	return newestFirst(keep, next), oldest, nil
}

// readLine reads one line, skipping the rest of a line over maxLine.
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	long := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !long && len(b)+len(chunk) <= maxLine {
			b = append(b, chunk...)
		} else {
			b, long = nil, true // too long: drop it, read on to its end
		}
		if err != bufio.ErrBufferFull {
			return string(b), err
		}
	}
}

// newestFirst unrolls a circular buffer whose oldest element is at next.
func newestFirst(keep []Record, next int) []Record {
	out := make([]Record, 0, len(keep))
	for i := len(keep) - 1; i >= 0; i-- {
		out = append(out, keep[(next+i)%len(keep)])
	}
	return out
}
