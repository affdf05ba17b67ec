package logging

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// ringAt logs n records "m0".."m{n-1}" one second apart from at.
func ringAt(r *Ring, n int, level slog.Level) {
	h := r.Handler()
	for i := range n {
		rec := slog.NewRecord(at.Add(time.Duration(i)*time.Second), level, fmt.Sprintf("m%d", i), 0)
		rec.Add("i", i)
		h.Handle(context.Background(), rec)
	}
}

func texts(recs []Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Text)
	}
	return out
}

func TestRingKeepsNewest(t *testing.T) {
	r := NewRing(3, nil)
	ringAt(r, 5, slog.LevelInfo)
	got := r.Query(Query{})
	if want := []string{"m4", "m3", "m2"}; !slices.Equal(texts(got), want) {
		t.Fatalf("got %v, want %v", texts(got), want)
	}
	if got[0].ID != 5 || got[2].ID != 3 {
		t.Errorf("IDs %d..%d, want 5..3", got[0].ID, got[2].ID)
	}
	if !got[0].Time.Equal(at.Add(4*time.Second)) || got[0].Attrs[0] != (Attr{"i", "4"}) {
		t.Errorf("record %+v", got[0])
	}
	if r.Last() != 5 || r.Len() != 3 {
		t.Errorf("Last %d Len %d", r.Last(), r.Len())
	}
}

func TestRingQuery(t *testing.T) {
	r := NewRing(100, slog.LevelDebug)
	ringAt(r, 4, slog.LevelDebug)
	slog.New(r.Handler()).Warn("Takeover refused", "group", "web")
	slog.New(r.Handler()).Error("script failed", "script", "httpd start")
	for _, tc := range []struct {
		name string
		q    Query
		want []string
	}{
		{"all newest first", Query{}, []string{"script failed", "Takeover refused", "m3", "m2", "m1", "m0"}},
		{"n", Query{N: 2}, []string{"script failed", "Takeover refused"}},
		{"level warn", Query{Level: slog.LevelWarn}, []string{"script failed", "Takeover refused"}},
		{"level error", Query{Level: slog.LevelError}, []string{"script failed"}},
		{"text ignores case, matches attrs", Query{Text: "TAKEOVER"}, []string{"Takeover refused"}},
		{"text in quoted attr", Query{Text: `script="httpd`}, []string{"script failed"}},
		{"since", Query{Since: at.Add(2 * time.Second), Level: slog.LevelDebug, Before: at.Add(time.Hour)}, []string{"m3", "m2"}},
		{"before", Query{Before: at.Add(2 * time.Second)}, []string{"m1", "m0"}},
		{"after", Query{After: 4}, []string{"script failed", "Takeover refused"}},
		{"after and n", Query{After: 2, N: 1}, []string{"script failed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := texts(r.Query(tc.q)); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRingLevelAndAttrs(t *testing.T) {
	var lv slog.LevelVar
	lv.Set(slog.LevelInfo)
	r := NewRing(10, &lv)
	l := slog.New(r.Handler()).With("node", "n1").WithGroup("g")
	l.Debug("hidden")
	lv.Set(slog.LevelDebug)
	l.Debug("shown", "k", "a b", slog.Group("sub", "x", 1))
	got := r.Query(Query{})
	if len(got) != 1 {
		t.Fatalf("got %v", got)
	}
	want := []Attr{{"node", "n1"}, {"g.k", "a b"}, {"g.sub.x", "1"}}
	if !slices.Equal(got[0].Attrs, want) {
		t.Errorf("attrs %v, want %v", got[0].Attrs, want)
	}
	if b := got[0].Body(); b != `shown node=n1 g.k="a b" g.sub.x=1` {
		t.Errorf("body %q", b)
	}
	if got[0].Time.IsZero() {
		t.Error("no time")
	}
}

func TestRingClearResize(t *testing.T) {
	r := NewRing(5, nil)
	ringAt(r, 5, slog.LevelInfo)
	r.Resize(2)
	if got := texts(r.Query(Query{})); !slices.Equal(got, []string{"m4", "m3"}) {
		t.Fatalf("after resize: %v", got)
	}
	r.Resize(4)
	ringAt(r, 3, slog.LevelInfo)
	if got := texts(r.Query(Query{})); !slices.Equal(got, []string{"m2", "m1", "m0", "m4"}) {
		t.Fatalf("after grow: %v", got)
	}
	if n := r.Clear(); n != 4 || r.Len() != 0 {
		t.Fatalf("Clear %d, Len %d", n, r.Len())
	}
	ringAt(r, 1, slog.LevelInfo)
	if got := r.Query(Query{}); len(got) != 1 || got[0].ID != 9 {
		t.Errorf("after clear: %+v (IDs must go on)", got)
	}
}

func TestRingWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewRing(10, nil)
		ringAt(r, 2, slog.LevelInfo)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		var got []Record
		var err error
		done := make(chan struct{})
		go func() {
			got, err = r.Wait(ctx, Query{After: r.Last(), Level: slog.LevelWarn})
			close(done)
		}()
		synctest.Wait()
		slog.New(r.Handler()).Info("not this one")
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("Wait returned for a record that does not match")
		default:
		}
		slog.New(r.Handler()).Warn("this one")
		<-done
		if err != nil || !slices.Equal(texts(got), []string{"this one"}) {
			t.Fatalf("got %v %v", texts(got), err)
		}
		_, err = r.Wait(ctx, Query{After: r.Last()})
		if err != context.DeadlineExceeded {
			t.Errorf("Wait with nothing new: %v", err)
		}
	})
}

func TestSubscriptionDropsOldest(t *testing.T) {
	r := NewRing(10, nil)
	s := r.Subscribe(2)
	ringAt(r, 5, slog.LevelInfo)
	var got []string
	for range 2 {
		got = append(got, (<-s.C).Text)
	}
	if !slices.Equal(got, []string{"m3", "m4"}) || s.Dropped() != 3 {
		t.Errorf("got %v dropped %d", got, s.Dropped())
	}
	s.Close()
	s.Close()
	if _, ok := <-s.C; ok {
		t.Error("C not closed")
	}
	ringAt(r, 1, slog.LevelInfo) // no send on a closed channel
}

func TestRingConcurrent(t *testing.T) {
	r := NewRing(50, nil)
	s := r.Subscribe(10)
	defer s.Close()
	l := slog.New(r.Handler())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 100 {
				l.Info("x", "w", w, "i", i)
			}
		})
	}
	wg.Go(func() {
		for range 100 {
			r.Query(Query{Text: "x"})
		}
	})
	wg.Wait()
	got := r.Query(Query{})
	if len(got) != 50 || got[0].ID != 400 {
		t.Fatalf("len %d first ID %d", len(got), got[0].ID)
	}
	for i := 1; i < len(got); i++ {
		if got[i].ID != got[i-1].ID-1 {
			t.Fatalf("IDs out of order at %d: %d after %d", i, got[i].ID, got[i-1].ID)
		}
	}
}

func TestTee(t *testing.T) {
	var buf strings.Builder
	l, sink, _ := New(Options{Stderr: &buf, Host: "n1", SyslogMsgFmt: true})
	defer sink.Close()
	r := NewRing(10, slog.LevelDebug)
	tl := slog.New(Tee(l.Handler(), r.Handler())).With("a", 1).WithGroup("g")
	tl.Debug("debug only in the ring")
	tl.Info("both", "k", "v")
	if got := texts(r.Query(Query{})); !slices.Equal(got, []string{"both", "debug only in the ring"}) {
		t.Errorf("ring: %v", got)
	}
	if s := buf.String(); strings.Count(s, "\n") != 1 || !strings.Contains(s, "info: both a=1 g.k=v") {
		t.Errorf("file handler: %q", s)
	}
	if r.Query(Query{})[0].Body() != "both a=1 g.k=v" {
		t.Errorf("ring body %q", r.Query(Query{})[0].Body())
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"debug": slog.LevelDebug, "INFO": slog.LevelInfo,
		"Warn": slog.LevelWarn, "warning": slog.LevelWarn, "ERROR": slog.LevelError, "crit": slog.LevelError} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	if _, err := ParseLevel("loud"); err == nil || !strings.Contains(err.Error(), `"loud"`) {
		t.Errorf("loud: %v", err)
	}
}

func TestRecordString(t *testing.T) {
	r := Record{Time: at.Add(1234 * time.Microsecond), Level: slog.LevelWarn, Text: "x", Attrs: []Attr{{"k", ""}}, Node: "n2"}
	if got, want := r.String(), "[n2] 2026-11-02 09:05:07.001234 WARN: x k=\"\""; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}
