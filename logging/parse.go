package logging

import (
	"strconv"
	"strings"
	"time"
)

// ParseLine reads back one line of a log file in either of heartbeat's
// formats (see the package doc):
//
//	Nov 22 10:51:05 node1 understudy: [13575]: info: group acquired group=g1
//	understudy[13575]: 2026/11/22_10:51:05 info: group acquired group=g1
//
// Any ident is accepted (heartbeat's own lines say heartbeat), and the
// level word in any case. The time is read in loc (nil = time.Local).
// The first form has no year: the line is taken to be from the year
// before ref if it would otherwise be more than a day after ref, and
// from ref's year otherwise; pass the file's modification time.
//
// The body is split into the text and the trailing key=value attributes
// the way they were written; a text that itself ends in key=value words
// comes back with those words as attributes. ok is false for a line in
// neither form (output of a script, a torn line).
func ParseLine(line string, ref time.Time, loc *time.Location) (r Record, ok bool) {
	if loc == nil {
		loc = time.Local
	}
	line = strings.TrimRight(line, "\r\n")
	var rest string
	r.Time, rest, ok = parseSyslogForm(line, ref, loc)
	if !ok {
		r.Time, rest, ok = parsePlainForm(line, loc)
	}
	if !ok {
		return Record{}, false
	}
	word, body, ok := strings.Cut(rest, ": ")
	if !ok {
		word, ok = strings.CutSuffix(rest, ":")
	}
	if !ok {
		return Record{}, false
	}
	if r.Level, ok = levelWords[strings.ToLower(word)]; !ok {
		return Record{}, false
	}
	r.Text, r.Attrs = splitBody(body)
	// A carriage return inside a line (not written by us) is kept the
	// way the logger writes one: as \r.
	r.Text = string(appendText(nil, r.Text))
	return r, true
}

// parseSyslogForm reads "Mon DD HH:MM:SS HOST IDENT: [PID]: " and
// returns the time and what follows.
func parseSyslogForm(line string, ref time.Time, loc *time.Location) (time.Time, string, bool) {
	f := strings.Fields(line)
	if len(f) < 6 || len(f[0]) != 3 || len(f[2]) != 8 {
		return time.Time{}, "", false
	}
	stamp := f[0] + " " + f[1] + " " + f[2]
	t, err := time.ParseInLocation("Jan 2 15:04:05", stamp, loc)
	if err != nil {
		return time.Time{}, "", false
	}
	if !strings.HasSuffix(f[4], ":") || len(f[5]) < 4 || f[5][0] != '[' || !strings.HasSuffix(f[5], "]:") ||
		!allDigits(f[5][1:len(f[5])-2]) {
		return time.Time{}, "", false
	}
	// Skip the six fields as written (single or double spaces).
	rest := line
	for range 6 {
		rest = strings.TrimLeft(rest, " ")
		i := strings.IndexByte(rest, ' ')
		if i < 0 {
			return time.Time{}, "", false
		}
		rest = rest[i+1:]
	}
	if ref.IsZero() {
		ref = time.Now()
	}
	ref = ref.In(loc)
	t = time.Date(ref.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
	if t.After(ref.Add(24 * time.Hour)) {
		t = t.AddDate(-1, 0, 0)
	}
	return t, rest, true
}

// parsePlainForm reads "IDENT[PID]: YYYY/MM/DD_HH:MM:SS " and returns the
// time and what follows.
func parsePlainForm(line string, loc *time.Location) (time.Time, string, bool) {
	head, rest, ok := strings.Cut(line, "]: ")
	if !ok {
		return time.Time{}, "", false
	}
	i := strings.IndexByte(head, '[')
	if i < 1 || strings.ContainsRune(head[:i], ' ') || !allDigits(head[i+1:]) {
		return time.Time{}, "", false
	}
	stamp, rest, ok := strings.Cut(rest, " ")
	if !ok {
		return time.Time{}, "", false
	}
	t, err := time.ParseInLocation("2006/01/02_15:04:05", stamp, loc)
	if err != nil {
		return time.Time{}, "", false
	}
	return t, rest, true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// maxSplitTries bounds the attempts splitBody makes, so that a long line
// of key=value look-alikes costs linear time.
const maxSplitTries = 32

// splitBody splits "text k=v k2="quoted v"…" into the text and the
// attributes: the attributes are the longest tail of the body, starting
// after a space, that reads entirely as " key=value" pairs.
func splitBody(body string) (string, []Attr) {
	failed := map[int]bool{} // attribute starts known not to lead to the end
	tries := 0
	for i := 1; i < len(body) && tries < maxSplitTries; i++ {
		if body[i-1] != ' ' || failed[i] || !keyAt(body, i) {
			continue
		}
		tries++
		if as, ok := parseAttrs(body[i-1:], i-1, failed); ok {
			return body[:i-1], as
		}
	}
	return body, nil
}

// keyAt reports whether body[i:] starts with "key=".
func keyAt(body string, i int) bool {
	j := strings.IndexAny(body[i:], " =\"")
	return j > 0 && body[i+j] == '='
}

// parseAttrs reads s entirely as " key=value" pairs. off is s's offset in
// the body; each pair start it passes is marked in failed when the whole
// does not read, since starting there would fail the same way.
func parseAttrs(s string, off int, failed map[int]bool) ([]Attr, bool) {
	var as []Attr
	var starts []int
	pos := 0
	for pos < len(s) {
		if s[pos] != ' ' {
			break
		}
		starts = append(starts, off+pos+1)
		kv := s[pos+1:]
		eq := strings.IndexAny(kv, " =\"")
		if eq <= 0 || kv[eq] != '=' {
			break
		}
		key, v := kv[:eq], kv[eq+1:]
		var val string
		var n int
		if strings.HasPrefix(v, `"`) {
			q, err := strconv.QuotedPrefix(v)
			if err != nil {
				break
			}
			if val, err = strconv.Unquote(q); err != nil {
				break
			}
			n = len(q)
		} else {
			n = strings.IndexByte(v, ' ')
			if n < 0 {
				n = len(v)
			}
			val = v[:n]
			if needsQuote(val) {
				break
			}
		}
		if n < len(v) && v[n] != ' ' {
			break
		}
		as = append(as, Attr{Key: key, Value: val})
		pos += 1 + eq + 1 + n
	}
	if pos == len(s) && len(as) > 0 {
		return as, true
	}
	for _, st := range starts {
		failed[st] = true
	}
	return nil, false
}
