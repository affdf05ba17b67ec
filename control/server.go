package control

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"syscall"
	"time"
)

// DefaultMaxConns is how many connections Server serves at once unless
// told otherwise. When every slot is taken, the connection that has been
// waiting longest without sending its request is closed to make room;
// when none is idle, new ones wait in the listen backlog.
const DefaultMaxConns = 64

// DefaultRequestTimeout bounds the wait for a request line: the CLI
// writes it at once, so a connection silent this long is idle and is
// closed, and idle connections cannot keep a real request out.
const DefaultRequestTimeout = 2 * time.Second

// Cred is the identity of the process at the other end of a connection.
type Cred struct {
	UID, PID int
}

// Server answers requests on the control socket. Set Backend; the other
// fields have working defaults. Do not change the fields while Serve runs.
type Server struct {
	Backend Backend
	// Logger gets one line per operator command and per refusal; nil
	// discards.
	Logger *slog.Logger
	// PeerCred identifies the peer of a connection; nil means PeerCred
	// (SO_PEERCRED). Only uid 0 is served. Tests inject it.
	PeerCred func(net.Conn) (Cred, error)
	// Timeout bounds reading a request, the backend call, and writing
	// the reply, each; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxConns bounds concurrent connections; 0 means DefaultMaxConns.
	MaxConns int
	// RequestTimeout bounds the wait for the request line; 0 means
	// DefaultRequestTimeout (or Timeout, if that is shorter).
	RequestTimeout time.Duration
}

// Serve answers on ln with b until ctx is done, logging to logger (nil
// discards). See Server.Serve.
func Serve(ctx context.Context, ln net.Listener, b Backend, logger *slog.Logger) error {
	s := &Server{Backend: b, Logger: logger}
	return s.Serve(ctx, ln)
}

// Serve accepts connections on ln and answers each in its own goroutine
// until ctx is done; then it closes ln and the open connections, waits
// for their goroutines, and returns nil. An accept error other than
// running out of descriptors or memory closes ln and is returned.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	log := s.logger()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer ln.Close()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	sem := make(chan struct{}, s.maxConns())
	var idle idleConns
	var warned time.Time // of the last "closed the oldest idle one"
	evicted := 0
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if retryable(err) {
				log.Warn("control socket accept failed; retrying", "err", err)
				pause(ctx, 100*time.Millisecond)
				continue
			}
			return fmt.Errorf("control socket: accept: %w", err)
		}
		select {
		case sem <- struct{}{}:
		default:
			// Every slot is taken: the oldest connection that has not
			// sent its request yet makes room; with none, wait.
			if idle.closeOldest() {
				// One line per burst, not one per connection closed.
				if evicted++; time.Since(warned) >= 10*time.Second {
					log.Warn("control socket: all connections busy; closed the oldest idle one", "closed_since_last_report", evicted)
					warned, evicted = time.Now(), 0
				}
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				c.Close()
				return nil
			}
		}
		idle.add(c) // here, not in the goroutine: the next accept may look
		wg.Go(func() {
			defer func() { <-sem }()
			s.serveConn(ctx, c, log, &idle)
		})
	}
}

// idleConns are the connections that have not sent their request yet,
// oldest first.
type idleConns struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (ic *idleConns) add(c net.Conn) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	ic.conns = append(ic.conns, c)
}

// remove forgets c (its request arrived, or it ended).
func (ic *idleConns) remove(c net.Conn) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	ic.conns = slices.DeleteFunc(ic.conns, func(x net.Conn) bool { return x == c })
}

// closeOldest closes the connection idle longest; its goroutine then
// ends and frees its slot. It reports whether there was one.
func (ic *idleConns) closeOldest() bool {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if len(ic.conns) == 0 {
		return false
	}
	ic.conns[0].Close()
	ic.conns = ic.conns[1:]
	return true
}

// retryable reports whether an accept error is a shortage that passes.
func retryable(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger.With("component", "control")
}

func (s *Server) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

func (s *Server) requestTimeout() time.Duration {
	d := DefaultRequestTimeout
	if s.RequestTimeout > 0 {
		d = s.RequestTimeout
	}
	return min(d, s.timeout())
}

func (s *Server) maxConns() int {
	if s.MaxConns > 0 {
		return s.MaxConns
	}
	return DefaultMaxConns
}

func (s *Server) peerCred(c net.Conn) (Cred, error) {
	if s.PeerCred != nil {
		return s.PeerCred(c)
	}
	return PeerCred(c)
}
