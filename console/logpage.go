package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/logging"
)

// Log page limits.
const (
	defaultLogRows = 200
	maxLogRows     = 2000
	// tailWait is how long a live tail request waits for a new record.
	tailWait = 20 * time.Second
	// tailRows bounds one live tail answer.
	tailRows = 500
)

// logFilter is the log page's question.
type logFilter struct {
	Node, Level, Text string
	N                 int
}

// levels are the choices of the level filter.
var levels = []string{"debug", "info", "warn", "error"}

func parseLogFilter(v url.Values) (logFilter, error) {
	f := logFilter{Node: v.Get("node"), Level: v.Get("level"), Text: v.Get("text"), N: defaultLogRows}
	if s := v.Get("n"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLogRows {
			return f, fmt.Errorf("n=%q: want a number of lines from 1 to %d", s, maxLogRows)
		}
		f.N = n
	}
	if f.Level != "" {
		if _, err := logging.ParseLevel(f.Level); err != nil {
			return f, err
		}
	}
	if f.Node != "" && !okField(f.Node) {
		return f, fmt.Errorf("node %q: want a node name", f.Node)
	}
	if len(f.Text) > maxField {
		return f, fmt.Errorf("text: at most %d bytes", maxField)
	}
	return f, nil
}

// values is f as a URL query, without n.
func (f logFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"node": f.Node, "level": f.Level, "text": f.Text} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// logPage is the log page's model.
type logPage struct {
	Filter logFilter
	Levels []string
	Nodes  []string
	Rows   []logRow
	// Tail is the live tail's address; Since the time it starts from
	// when there are no rows.
	Tail  string
	Since string
	Err   string
}

// logRow is one record.
type logRow struct {
	ID    uint64
	Time  time.Time
	Node  string
	Level string
	Body  string
}

// Stamp is the record's time as shown; ISO, to the nanosecond, for the
// live tail to continue from.
func (r logRow) Stamp() string { return r.Time.Local().Format("2006-01-02 15:04:05.000") }
func (r logRow) ISO() string   { return r.Time.Format(time.RFC3339Nano) }

// Class is the level's colour (the level is the word of the log files:
// ERROR, WARN, info, debug).
func (r logRow) Class() string {
	switch strings.ToLower(r.Level) {
	case "error":
		return "bad"
	case "warn":
		return "warn"
	case "debug":
		return "muted"
	}
	return ""
}

// readLog asks the log source and keeps the records of node (all if
// "").
func (c *Console) readLog(ctx context.Context, self string, f logFilter, q admin.LogQuery) ([]logRow, error) {
	q.Level, q.Text = f.Level, f.Text
	read := c.o.Backend.Log
	if c.o.Log != nil {
		read = c.o.Log
		if f.Node != "" && q.N > 0 {
			// The node is filtered here, after the newest N of all.
			q.N = min(q.N*8, logging.MaxFileRecords)
		}
	}
	recs, err := read(ctx, q)
	var rows []logRow
	for _, rec := range recs {
		node := rec.Node
		if node == "" {
			node = self
		}
		if f.Node != "" && node != f.Node {
			continue
		}
		rows = append(rows, logRow{ID: rec.ID, Time: rec.Time, Node: node, Level: logging.LevelWord(rec.Level), Body: rec.Body()})
		if f.N > 0 && len(rows) == f.N {
			break
		}
	}
	return rows, err
}

func (c *Console) logPage(w http.ResponseWriter, r *http.Request, req request) {
	ctx, cancel := context.WithTimeout(r.Context(), statusTimeout)
	defer cancel()
	self := c.nodeName(ctx)
	f, err := parseLogFilter(r.URL.Query())
	d := logPage{Filter: f, Levels: levels, Tail: "/live/log?" + f.values().Encode(),
		Since: time.Now().Format(time.RFC3339Nano)}
	if err == nil {
		d.Rows, err = c.readLog(ctx, self, f, admin.LogQuery{N: f.N})
	}
	if err != nil {
		d.Err = err.Error()
	}
	d.Nodes = appendNew(d.Nodes, self)
	for _, row := range d.Rows {
		d.Nodes = appendNew(d.Nodes, row.Node)
	}
	d.Nodes = appendNew(d.Nodes, f.Node)
	c.render(w, r, http.StatusOK, "log", pageData{Title: "Log", Node: self, CSRF: req.s.csrf, Data: d})
}

// logTail answers the live tail: the records after since (and, from
// this node's ring, after ID after), waiting up to tailWait for one;
// 204 when none came.
func (c *Console) logTail(w http.ResponseWriter, r *http.Request, req request) {
	v := r.URL.Query()
	f, err := parseLogFilter(v)
	since, err2 := time.Parse(time.RFC3339Nano, v.Get("since"))
	after, err3 := strconv.ParseUint(v.Get("after"), 10, 64)
	if err != nil || err2 != nil || (v.Has("after") && err3 != nil) {
		http.Error(w, "bad live tail request", http.StatusBadRequest)
		return
	}
	q := admin.LogQuery{N: tailRows, Since: since.Add(time.Nanosecond), Wait: tailWait}
	if c.o.Log == nil {
		q.After = after
	}
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(tailWait + statusTimeout + time.Second))
	ctx, cancel := context.WithTimeout(r.Context(), tailWait+statusTimeout)
	defer cancel()
	self := c.nodeName(ctx)
	f.N = tailRows
	rows, err := c.readLog(ctx, self, f, q)
	if err != nil && ctx.Err() == nil {
		http.Error(w, "the log could not be read: "+err.Error(), http.StatusBadGateway)
		return
	}
	if len(rows) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	c.fragment(w, "logrows", rows)
}
