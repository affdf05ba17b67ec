package logging

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultRingSize is how many records a ring keeps unless configured
// (understudy.toml [admin] log_records).
const DefaultRingSize = 1000

// Ring keeps the most recent log records in memory, with their full
// times, for `understudy log` and the admin port. It is fed by the
// slog.Handler from Handler, teed with the file and syslog handler of New
// (see Tee). All methods are safe for concurrent use.
type Ring struct {
	level slog.Leveler
	now   func() time.Time

	mu   sync.Mutex
	buf  []Record // circular; len(buf) is the capacity
	head int      // index of the oldest record
	n    int      // records held
	next uint64   // ID of the last record added
	// wake is closed, and replaced, whenever a record is added.
	wake chan struct{}
	subs map[*Subscription]struct{}
}

// NewRing returns a ring that keeps the size newest records at or above
// level (nil = info; a *slog.LevelVar follows later changes). size < 1
// means DefaultRingSize.
func NewRing(size int, level slog.Leveler) *Ring {
	if size < 1 {
		size = DefaultRingSize
	}
	if level == nil {
		level = slog.LevelInfo
	}
	return &Ring{level: level, now: time.Now, buf: make([]Record, size),
		wake: make(chan struct{}), subs: map[*Subscription]struct{}{}}
}

// Handler is the slog.Handler that adds records to r.
func (r *Ring) Handler() slog.Handler { return &ringHandler{r: r} }

// Len is how many records r holds.
func (r *Ring) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// Resize changes how many records r keeps; the newest are kept. size < 1
// means DefaultRingSize.
func (r *Ring) Resize(size int) {
	if size < 1 {
		size = DefaultRingSize
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	keep := min(r.n, size)
	buf := make([]Record, size)
	for i := range keep {
		buf[i] = r.buf[(r.head+r.n-keep+i)%len(r.buf)]
	}
	r.buf, r.head, r.n = buf, 0, keep
}

// Clear forgets every record and returns how many there were. IDs go on
// from where they were, so a follower is not confused.
func (r *Ring) Clear() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.n
	clear(r.buf)
	r.head, r.n = 0, 0
	return n
}

// add stores rec, numbers it, and hands it to the subscribers.
func (r *Ring) add(rec Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	rec.ID = r.next
	if r.n < len(r.buf) {
		r.buf[(r.head+r.n)%len(r.buf)] = rec
		r.n++
	} else {
		r.buf[r.head] = rec
		r.head = (r.head + 1) % len(r.buf)
	}
	for s := range r.subs {
		s.offer(rec)
	}
	close(r.wake)
	r.wake = make(chan struct{})
}

// Query returns the records that match q, newest first.
func (r *Ring) Query(q Query) []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.query(q)
}

func (r *Ring) query(q Query) []Record {
	var out []Record
	for i := r.n - 1; i >= 0; i-- {
		rec := r.buf[(r.head+i)%len(r.buf)]
		if q.After > 0 && rec.ID <= q.After {
			break // older ones have smaller IDs still
		}
		if !q.Match(rec) {
			continue
		}
		out = append(out, rec)
		if q.N > 0 && len(out) == q.N {
			break
		}
	}
	return out
}

// Wait is Query, except that when nothing matches it waits until a
// record that matches is added, or ctx ends (then it returns ctx's
// error). With q.After set to the newest ID seen, it is a long poll: the
// way the admin port follows the log.
func (r *Ring) Wait(ctx context.Context, q Query) ([]Record, error) {
	for {
		r.mu.Lock()
		out, wake := r.query(q), r.wake
		r.mu.Unlock()
		if len(out) > 0 {
			return out, nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Last is the ID of the newest record added so far (0 if none): follow
// from there to see only what comes next.
func (r *Ring) Last() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.next
}

// Subscription receives every record added to a ring after Subscribe, on
// C. C is bounded: when the reader falls behind, the oldest unread
// record is dropped to make room, and Dropped counts it.
type Subscription struct {
	// C delivers the records in order; it is closed by Close.
	C       <-chan Record
	c       chan Record
	r       *Ring
	dropped atomic.Uint64
}

// Subscribe starts a subscription whose channel holds up to size records
// (at least 1).
func (r *Ring) Subscribe(size int) *Subscription {
	c := make(chan Record, max(size, 1))
	s := &Subscription{C: c, c: c, r: r}
	r.mu.Lock()
	r.subs[s] = struct{}{}
	r.mu.Unlock()
	return s
}

// Dropped is how many records were dropped because the reader was slow.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close ends the subscription and closes C. It may be called twice.
func (s *Subscription) Close() {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if _, ok := s.r.subs[s]; ok {
		delete(s.r.subs, s)
		close(s.c)
	}
}

// offer sends rec without blocking, dropping the oldest unread record
// if the channel is full. Called with the ring's mutex held, so there is
// one sender at a time.
func (s *Subscription) offer(rec Record) {
	for {
		select {
		case s.c <- rec:
			return
		default:
		}
		select {
		case <-s.c:
			s.dropped.Add(1)
		default:
		}
	}
}

// ringHandler is a Ring's slog.Handler, with the attributes and group of
// With and WithGroup.
type ringHandler struct {
	r     *Ring
	pre   []Attr
	group string
}

func (h *ringHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.r.level.Level()
}

func (h *ringHandler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	pre := h.pre[:len(h.pre):len(h.pre)]
	for _, a := range as {
		pre = collectAttrs(pre, h.group, a)
	}
	return &ringHandler{r: h.r, pre: pre, group: h.group}
}

func (h *ringHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &ringHandler{r: h.r, pre: h.pre, group: h.group + name + "."}
}

func (h *ringHandler) Handle(_ context.Context, sr slog.Record) error {
	rec := Record{Time: sr.Time, Level: sr.Level, Text: string(appendText(nil, sr.Message))}
	if rec.Time.IsZero() {
		rec.Time = h.r.now()
	}
	rec.Attrs = append(rec.Attrs, h.pre...)
	sr.Attrs(func(a slog.Attr) bool {
		rec.Attrs = collectAttrs(rec.Attrs, h.group, a)
		return true
	})
	h.r.add(rec)
	return nil
}
