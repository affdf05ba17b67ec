package logging

import (
	"errors"
	"io/fs"
	"time"
)

// Oldest is the oldest record the ring holds; ok is false when it holds
// none.
func (r *Ring) Oldest() (rec Record, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == 0 {
		return Record{}, false
	}
	return r.buf[r.head], true
}

// ReadLog is what `understudy log` shows: the ring's records that match
// q, newest first, then, when q asks for more than the ring has (q.N is
// 0 or not reached) and path is set, older records from the log file at
// path and its rotated copies (ReadFiles, times in loc).
//
// The files hold the ring's records too, to the second: file records
// from before the second of the ring's oldest record are added, and from
// that second only those that are not in the ring (same level and body).
// A missing file is no error. A follow query (q.After > 0) reads the
// ring only. Records cleared from
// the ring (Clear) are still in the files and come back from there.
func ReadLog(r *Ring, path string, q Query, loc *time.Location) ([]Record, error) {
	out := r.Query(q)
	if q.After > 0 || path == "" || (q.N > 0 && len(out) >= q.N) {
		return out, nil
	}
	oldest, ok := r.Oldest()
	fq := q
	var seen map[string]bool // bodies of the ring's records in the boundary second
	if ok {
		sec := oldest.Time.Truncate(time.Second)
		if end := sec.Add(time.Second); fq.Before.IsZero() || end.Before(fq.Before) {
			fq.Before = end
		}
		seen = map[string]bool{}
		for _, rec := range r.Query(Query{Since: sec, Before: sec.Add(time.Second)}) {
			seen[LevelWord(rec.Level)+rec.Body()] = true
		}
	}
	if fq.N > 0 {
		fq.N += len(seen) - len(out)
	}
	older, err := ReadFiles(path, fq, loc)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil // no file yet: no older lines
	}
	for _, rec := range older {
		if q.N > 0 && len(out) == q.N {
			break
		}
		if ok && !rec.Time.Before(oldest.Time.Truncate(time.Second)) && seen[LevelWord(rec.Level)+rec.Body()] {
			continue
		}
		out = append(out, rec)
	}
	return out, err
}
