package admin

import (
	"crypto/rand"
	"errors"
	"sync"
	"time"
)

// ErrNoSession is returned for a session that does not exist, or no
// longer: it ended, was idle too long or lived too long.
var ErrNoSession = errors.New("no such session (expired or never opened): log in again")

// Sessions is a bounded table of sessions named by random IDs, each
// holding a value of type T. A session ends when it has not been used
// for Idle, when it is older than Lifetime, on Delete, or when the table
// is full and it is the least recently used one. The admin port keeps
// its logins in one; a web console mounted on the same server (see
// Server.Handle) can keep its cookie sessions in another. Safe for
// concurrent use.
type Sessions[T any] struct {
	idle, lifetime time.Duration
	max            int
	now            func() time.Time

	mu sync.Mutex
	m  map[string]*sessionEntry[T]
}

type sessionEntry[T any] struct {
	v                 T
	created, lastUsed time.Time
}

// NewSessions returns a table of at most size sessions (at least 1);
// idle or lifetime 0 means no such limit.
func NewSessions[T any](size int, idle, lifetime time.Duration) *Sessions[T] {
	return &Sessions[T]{idle: idle, lifetime: lifetime, max: max(size, 1), now: time.Now,
		m: map[string]*sessionEntry[T]{}}
}

// NewID is a fresh random session name: 32 bytes, base64url.
func NewID() string {
	var b [nonceLen]byte
	rand.Read(b[:])
	return b64.EncodeToString(b[:])
}

// Add opens a session named id holding v, ending the least recently used
// session if the table is full.
func (s *Sessions[T]) Add(id string, v T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expire(now)
	if len(s.m) >= s.max {
		var lru string
		var at time.Time
		for k, e := range s.m {
			if lru == "" || e.lastUsed.Before(at) {
				lru, at = k, e.lastUsed
			}
		}
		delete(s.m, lru)
	}
	s.m[id] = &sessionEntry[T]{v: v, created: now, lastUsed: now}
}

// Use calls f with the session's value under the table's lock, so that f
// may check and change it atomically, and marks the session used if f
// returns nil. It returns ErrNoSession for an unknown or ended session,
// else f's error.
func (s *Sessions[T]) Use(id string, f func(*T) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	e, ok := s.m[id]
	if !ok {
		return ErrNoSession
	}
	if s.ended(e, now) {
		delete(s.m, id)
		return ErrNoSession
	}
	if err := f(&e.v); err != nil {
		return err
	}
	e.lastUsed = now
	return nil
}

// Get returns a copy of the session's value and marks it used.
func (s *Sessions[T]) Get(id string) (T, bool) {
	var v T
	err := s.Use(id, func(p *T) error { v = *p; return nil })
	return v, err == nil
}

// Take returns the session's value and ends the session: a one-time
// session, such as a login challenge.
func (s *Sessions[T]) Take(id string) (T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	if !ok {
		var zero T
		return zero, false
	}
	delete(s.m, id)
	if s.ended(e, s.now()) {
		var zero T
		return zero, false
	}
	return e.v, true
}

// Delete ends a session; unknown IDs are ignored.
func (s *Sessions[T]) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// Clear ends every session.
func (s *Sessions[T]) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.m)
}

// Len is how many sessions are open (ended ones not yet removed count
// until the next Add).
func (s *Sessions[T]) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

func (s *Sessions[T]) ended(e *sessionEntry[T], now time.Time) bool {
	return (s.idle > 0 && now.Sub(e.lastUsed) >= s.idle) || (s.lifetime > 0 && now.Sub(e.created) >= s.lifetime)
}

func (s *Sessions[T]) expire(now time.Time) {
	for k, e := range s.m {
		if s.ended(e, now) {
			delete(s.m, k)
		}
	}
}
