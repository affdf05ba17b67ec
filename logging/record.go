package logging

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Record is one log line as the in-memory ring keeps it (see Ring), or as
// ReadFiles reads it back from a log file.
type Record struct {
	// ID numbers a ring's records from 1 in the order they were logged;
	// 0 for a record read from a file. Follow with Query.After.
	ID uint64 `json:"id,omitempty"`
	// Time is the record's full time; from a file, to the second.
	Time  time.Time  `json:"time"`
	Level slog.Level `json:"level"`
	// Text is the message, on one line.
	Text string `json:"text"`
	// Attrs are the attributes in the order given, groups flattened with
	// dots, values as the files print them (unquoted).
	Attrs []Attr `json:"attrs,omitempty"`
	// Node is the node that logged the record, set by Merge (and by
	// whoever collects records from several nodes); "" otherwise.
	Node string `json:"node,omitempty"`
}

// Attr is one key=value of a record.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Body is the record as the log files show it after the level: the text,
// then " key=value" for each attribute, quoted where needed.
func (r Record) Body() string {
	b := appendText(make([]byte, 0, 64+len(r.Text)), r.Text)
	for _, a := range r.Attrs {
		b = append(b, ' ')
		b = append(b, a.Key...)
		b = append(b, '=')
		b = appendValue(b, a.Value)
	}
	return string(b)
}

// String is "TIME LEVEL: body" with the time to the microsecond, and
// "[node] " first when Node is set: the form `understudy log` prints.
func (r Record) String() string {
	s := r.Time.Format("2006-01-02 15:04:05.000000") + " " + levelWord(r.Level) + ": " + r.Body()
	if r.Node != "" {
		s = "[" + r.Node + "] " + s
	}
	return s
}

// LevelWord is the level as the log files print it: ERROR, WARN, info or
// debug.
func LevelWord(l slog.Level) string { return levelWord(l) }

// ParseLevel reads a level as an operator writes it: debug, info, warn
// (warning) or error (err), in any case, or a word heartbeat's logs use
// (crit, notice, …, mapped to the nearest slog level).
func ParseLevel(s string) (slog.Level, error) {
	if l, ok := levelWords[strings.ToLower(s)]; ok {
		return l, nil
	}
	return 0, fmt.Errorf("unknown log level %q: want debug, info, warn or error", s)
}

var levelWords = map[string]slog.Level{
	"debug": slog.LevelDebug, "info": slog.LevelInfo, "notice": slog.LevelInfo,
	"warn": slog.LevelWarn, "warning": slog.LevelWarn,
	"error": slog.LevelError, "err": slog.LevelError, "crit": slog.LevelError,
	"alert": slog.LevelError, "emerg": slog.LevelError,
}

// collectAttrs appends a, flattened under prefix as the files print it,
// to as.
func collectAttrs(as []Attr, prefix string, a slog.Attr) []Attr {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return as
	}
	if a.Value.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, ga := range a.Value.Group() {
			as = collectAttrs(as, prefix, ga)
		}
		return as
	}
	return append(as, Attr{Key: prefix + a.Key, Value: valueString(a.Value)})
}

// Query selects records. The zero Query selects everything.
type Query struct {
	// N keeps the N newest matching records; 0 keeps all (ReadFiles caps
	// it at MaxFileRecords).
	N int
	// Since keeps records at or after it; Before keeps records strictly
	// before it. Zero means no bound.
	Since, Before time.Time
	// Level keeps records at or above it; nil keeps every level.
	Level slog.Leveler
	// Text keeps records whose Body contains it, ignoring case.
	Text string
	// After keeps ring records whose ID is above it (to follow a ring);
	// records from files (ID 0) are kept only when After is 0.
	After uint64
}

// Match reports whether r passes every filter of q but N.
func (q Query) Match(r Record) bool {
	switch {
	case !q.Since.IsZero() && r.Time.Before(q.Since):
		return false
	case !q.Before.IsZero() && !r.Time.Before(q.Before):
		return false
	case q.Level != nil && r.Level < q.Level.Level():
		return false
	case q.After > 0 && r.ID <= q.After:
		return false
	case q.Text != "" && !containsFold(r.Body(), q.Text):
		return false
	}
	return true
}

// containsFold is strings.Contains ignoring case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
