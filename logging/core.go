package logging

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// rec is one record on its way to the destinations: formatted once.
type rec struct {
	level slog.Level
	// body is "text key=value…".
	body string
	// line is the file-format line, newline included.
	line string
}

// dest is one destination. Its methods are called with core.mu held.
type dest interface {
	name() string
	write(r *rec) error
	close() error
}

// entry is a destination with its level threshold and failure state.
type entry struct {
	d   dest
	min slog.Level
	// failing: the last write failed; lost counts the lines lost since.
	failing bool
	lost    int
}

// core is shared by a logger and every handler derived from it.
type core struct {
	host string
	pid  int
	now  func() time.Time
	// min is the lowest threshold of any destination (a slog.Level), read
	// by Enabled without the lock.
	min atomic.Int64

	mu        sync.Mutex
	entries   []*entry
	syslogFmt bool
}

func newCore(o Options, now func() time.Time) *core {
	host := o.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	return &core{host: host, pid: os.Getpid(), now: now}
}

// configure replaces the destinations with those o describes and closes
// the old ones (except a stream: stderr is not ours to close).
func (c *core) configure(o Options) error {
	es, err := destinations(o, c.now)
	lowest := slog.LevelInfo
	for _, e := range es {
		lowest = min(lowest, e.min)
	}
	c.mu.Lock()
	old := c.entries
	c.entries, c.syslogFmt = es, o.SyslogMsgFmt
	c.min.Store(int64(lowest))
	c.mu.Unlock()
	for _, e := range old {
		e.d.close()
	}
	return err
}

// emit formats a record and writes it to every destination that takes
// its level, in order, under the one mutex.
func (c *core) emit(t time.Time, level slog.Level, body string) {
	if t.IsZero() {
		t = c.now()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r := &rec{level: level, body: body, line: c.format(t, level, body)}
	type report struct {
		from  *entry
		level slog.Level
		body  string
	}
	var reports []report
	for _, e := range c.entries {
		if level < e.min {
			continue
		}
		err := e.d.write(r)
		switch {
		case err != nil && !e.failing:
			e.failing, e.lost = true, 1
			reports = append(reports, report{e, slog.LevelError,
				"log destination failing" + attrString("dest", e.d.name()) + attrString("err", err.Error())})
		case err != nil:
			e.lost++
		case e.failing:
			e.failing = false
			// The recovered destination gets the line too: it shows the gap.
			reports = append(reports, report{nil, slog.LevelInfo,
				"log destination recovered" + attrString("dest", e.d.name()) + attrString("lost", itoa(e.lost))})
		}
	}
	for _, rp := range reports {
		rr := &rec{level: rp.level, body: rp.body, line: c.format(c.now(), rp.level, rp.body)}
		for _, e := range c.entries {
			if e != rp.from && !e.failing && rp.level >= e.min {
				_ = e.d.write(rr) // a second failure here is counted on its own line
			}
		}
	}
}

// Close closes the files and the syslog connection; stderr stays.
func (c *core) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	kept := c.entries[:0]
	for _, e := range c.entries {
		if _, ok := e.d.(*streamDest); ok {
			kept = append(kept, e)
			continue
		}
		errs = append(errs, e.d.close())
	}
	c.entries = kept
	return errors.Join(errs...)
}

// handler is the slog.Handler: a core plus the attributes and group
// prefix accumulated by With and WithGroup.
type handler struct {
	c *core
	// pre holds the With attributes, formatted (" k=v…").
	pre string
	// group is the dotted group prefix for later attributes ("a.b.").
	group string
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool {
	return int64(l) >= h.c.min.Load()
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	b := []byte(h.pre)
	for _, a := range as {
		b = appendAttr(b, h.group, a)
	}
	return &handler{c: h.c, pre: string(b), group: h.group}
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &handler{c: h.c, pre: h.pre, group: h.group + name + "."}
}

func (h *handler) Handle(_ context.Context, r slog.Record) error {
	b := appendText(make([]byte, 0, 128), r.Message)
	b = append(b, h.pre...)
	r.Attrs(func(a slog.Attr) bool {
		b = appendAttr(b, h.group, a)
		return true
	})
	h.c.emit(r.Time, r.Level, string(b))
	return nil
}
