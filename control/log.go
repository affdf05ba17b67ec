package control

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/understudy-ha/understudy/logging"
)

// Log requests. Append-only, like the other commands.
const (
	CmdLog      = "log"
	CmdClearLog = "clear-log"
)

// MaxLogWait is the longest a log request may wait for new records.
const MaxLogWait = 30 * time.Second

// LogQuery is the question of a log request: which of the daemon's
// records to return, newest first. The N newest (0: all) of those at or
// after Since, at or above Level (debug, info, warn, error), containing
// Text (ignoring case), and, in memory, numbered above After; WaitMS > 0
// reads the memory only and waits up to that many milliseconds (at most
// MaxLogWait) for a record when none is there: with After, a long poll.
type LogQuery struct {
	N      int       `json:"n,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	Level  string    `json:"level,omitempty"`
	Text   string    `json:"text,omitempty"`
	After  uint64    `json:"after,omitempty"`
	WaitMS int64     `json:"wait_ms,omitempty"`
}

// Wait is q.WaitMS as a duration.
func (q LogQuery) Wait() time.Duration { return time.Duration(q.WaitMS) * time.Millisecond }

// LogBackend is a Backend that also keeps a log: the daemon's. A
// Backend without these methods answers log requests with a refusal.
type LogBackend interface {
	// Log returns the records q selects, newest first.
	Log(ctx context.Context, q LogQuery) ([]logging.Record, error)
	// ClearLog forgets the records kept in memory and says how many
	// there were; the log files are not touched.
	ClearLog(ctx context.Context) (int, error)
}

// errNoLog: the backend keeps no log.
var errNoLog = errors.New("this daemon keeps no log in memory")

func (s *Server) handleLog(ctx context.Context, req Request, log *slog.Logger, reply func(Response)) {
	lb, ok := s.Backend.(LogBackend)
	if !ok {
		reply(failure("log: %v", errNoLog))
		return
	}
	var q LogQuery
	if req.Log != nil {
		q = *req.Log
	}
	if q.WaitMS < 0 || q.Wait() > MaxLogWait || q.N < 0 {
		log.Warn("bad control request", "cmd", req.Cmd, "err", "wait_ms or n out of range")
		reply(failure("log: wait_ms %d or n %d out of range (wait at most %v)", q.WaitMS, q.N, MaxLogWait))
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout()+q.Wait())
	defer cancel()
	recs, err := lb.Log(ctx, q)
	if err != nil {
		log.Warn("log request failed", "err", err)
		reply(failure("log: %v", err))
		return
	}
	log.Debug("log request", "records", len(recs))
	reply(Response{OK: true, Records: recs})
}

func (s *Server) handleClearLog(ctx context.Context, req Request, log *slog.Logger, reply func(Response)) {
	lb, ok := s.Backend.(LogBackend)
	if !ok {
		reply(failure("clear-log: %v", errNoLog))
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	n, err := lb.ClearLog(ctx)
	if err != nil {
		log.Warn("operator command failed", "cmd", req.Cmd, "err", err)
		reply(failure("clear-log: %v", err))
		return
	}
	log.Info("operator command", "cmd", req.Cmd, "cleared", n)
	reply(Response{OK: true, Cleared: n})
}

// GetLog asks the daemon listening on path for the records q selects,
// newest first. A query that waits is bounded by its wait plus
// DefaultTimeout unless ctx has a deadline.
func GetLog(ctx context.Context, path string, q LogQuery) ([]logging.Record, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout+q.Wait())
		defer cancel()
	}
	resp, err := roundTrip(ctx, path, Request{Cmd: CmdLog, Log: &q})
	if err != nil {
		return nil, err
	}
	return resp.Records, nil
}

// ClearLog asks the daemon listening on path to forget the log records
// it keeps in memory, and returns how many there were.
func ClearLog(ctx context.Context, path string) (int, error) {
	resp, err := roundTrip(ctx, path, Request{Cmd: CmdClearLog})
	if err != nil {
		return 0, fmt.Errorf("clear-log: %w", err)
	}
	return resp.Cleared, nil
}
