package admin

import (
	"errors"
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	s := NewSessions[int](2, time.Minute, time.Hour)
	s.now = func() time.Time { return now }
	s.Add("a", 1)
	s.Add("b", 2)
	now = now.Add(30 * time.Second)
	if v, ok := s.Get("a"); !ok || v != 1 {
		t.Fatal("a")
	}
	s.Add("c", 3) // full: b is the least recently used
	if _, ok := s.Get("b"); ok {
		t.Error("b survived eviction")
	}
	now = now.Add(59 * time.Second)
	if _, ok := s.Get("a"); !ok {
		t.Error("a idle 59 s")
	}
	now = now.Add(time.Minute)
	if _, ok := s.Get("a"); ok {
		t.Error("a idle a minute")
	}
	if err := s.Use("c", func(*int) error { return nil }); !errors.Is(err, ErrNoSession) {
		t.Errorf("c: %v", err)
	}
	// Lifetime ends even a busy session.
	s.Add("d", 4)
	for range 62 {
		now = now.Add(59 * time.Second)
		s.Get("d")
	}
	if _, ok := s.Get("d"); ok {
		t.Error("d outlived its lifetime")
	}
	// Use changes the value atomically; an error leaves it unused.
	s.Add("e", 5)
	s.Use("e", func(v *int) error { *v++; return nil })
	boom := errors.New("boom")
	if err := s.Use("e", func(v *int) error { *v = 100; return boom }); err != boom {
		t.Error(err)
	}
	if v, _ := s.Get("e"); v != 100 {
		t.Errorf("e = %d", v) // the change stays; only lastUsed is not touched
	}
	// Take is one time.
	if v, ok := s.Take("e"); !ok || v != 100 {
		t.Error("take")
	}
	if _, ok := s.Take("e"); ok {
		t.Error("taken twice")
	}
	s.Add("f", 6)
	s.Delete("f")
	s.Clear()
	if s.Len() != 0 {
		t.Errorf("Len %d", s.Len())
	}
	if NewID() == NewID() || len(NewID()) != 43 {
		t.Error("NewID")
	}
}
