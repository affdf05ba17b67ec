package admin

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
)

// Backend is the daemon as the admin port sees it. Its methods are
// called from the server's request goroutines, concurrently, with a
// context bounded by [admin] request_timeout (plus the wait of a log
// follow).
type Backend interface {
	// Status is the same view `understudy status` shows locally.
	Status(ctx context.Context) (control.Status, error)
	// Command carries out an operator's command and says what came of
	// it; a command the daemon does not know is Refused with a reason.
	// The error is for a daemon that could not answer at all.
	Command(ctx context.Context, c Command) (Answer, error)
	// Log returns the records q selects, newest first (LogFromRing does
	// it for a logging.Ring and the log files). With q.Wait > 0 it reads
	// the in-memory records only and, if none is selected, waits up to
	// q.Wait for one, returning none, without error, if none came.
	Log(ctx context.Context, q LogQuery) ([]logging.Record, error)
}

// The commands the CLI sends (and CmdMove, CmdClear, CmdMaintenance).
// The names are open: Backend.Command refuses those it does not know.
const (
	CmdStandby  = "standby"  // args: set (all, local, foreign, failback)
	CmdTakeover = "takeover" // args: set
	CmdReload   = "reload"
	CmdClearLog = "clear-log" // empties the in-memory log
)

// Command is an operator's command: a name and named arguments.
type Command struct {
	Name string            `json:"name"`
	Args map[string]string `json:"args,omitempty"`
}

// Standby and Takeover are the commands for standby and takeover of set.
func Standby(set cluster.Set) Command {
	return Command{Name: CmdStandby, Args: map[string]string{"set": string(set)}}
}
func Takeover(set cluster.Set) Command {
	return Command{Name: CmdTakeover, Args: map[string]string{"set": string(set)}}
}

// Limits of a command, checked before the backend sees it.
const (
	maxCommandArgs = 16
	maxCommandWord = 64
	maxArgValue    = 1024
)

// check refuses malformed commands: a name or key that is not a short
// lower-case word, too many arguments, or a value that is too long or
// holds control characters.
func (c Command) check() error {
	if !isWord(c.Name) {
		return fmt.Errorf("command name %q: want a lower-case word (a-z, 0-9, -, _) of up to %d characters", c.Name, maxCommandWord)
	}
	if len(c.Args) > maxCommandArgs {
		return fmt.Errorf("command %s: %d arguments, at most %d", c.Name, len(c.Args), maxCommandArgs)
	}
	for k, v := range c.Args {
		if !isWord(k) {
			return fmt.Errorf("command %s: argument name %q is not a lower-case word", c.Name, k)
		}
		if len(v) > maxArgValue || !utf8.ValidString(v) {
			return fmt.Errorf("command %s: argument %s is too long or not UTF-8", c.Name, k)
		}
		for _, r := range v {
			if r < ' ' || r == 0x7f {
				return fmt.Errorf("command %s: argument %s holds a control character", c.Name, k)
			}
		}
	}
	return nil
}

func isWord(s string) bool {
	if s == "" || len(s) > maxCommandWord {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// Verdicts of an Answer.
const (
	// Done: the command was carried out (reload: the new configuration
	// is in force).
	Done = "done"
	// Accepted: the command was handed to the cluster; it goes on after
	// the answer (standby, takeover: watch status and the log).
	Accepted = "accepted"
	// Refused: nothing was done; Reason says why.
	Refused = "refused"
	// Failed: the cluster took the command on, then could not carry it
	// out (standby, takeover: the peer did not answer in time, …);
	// Reason says why.
	Failed = "failed"
)

// Answer is what came of a command.
type Answer struct {
	Verdict string `json:"verdict"`
	Reason  string `json:"reason,omitempty"`
}

// Err is nil unless the command was refused or failed; then an error
// with the reason.
func (a Answer) Err() error {
	if a.Verdict == Refused || a.Verdict == Failed {
		return errors.New(a.Reason)
	}
	return nil
}

// MaxLogWait is the longest a log request waits for new records.
const MaxLogWait = 30 * time.Second

// LogQuery is `understudy log`'s question.
type LogQuery struct {
	// N keeps the N newest records; 0 all (the ring, then the files up
	// to logging.MaxFileRecords).
	N int `json:"n,omitempty"`
	// Since keeps records at or after it.
	Since time.Time `json:"since,omitzero"`
	// Level keeps records at or above it: debug, info, warn, error.
	Level string `json:"level,omitempty"`
	// Text keeps records containing it, ignoring case.
	Text string `json:"text,omitempty"`
	// After keeps in-memory records with an ID above it (follow).
	After uint64 `json:"after,omitempty"`
	// Wait > 0 reads the in-memory records only and waits up to this
	// long (at most MaxLogWait) for one when none is there yet: with
	// After, a long poll.
	Wait time.Duration `json:"wait,omitempty"`
}

// Query is q as a logging.Query.
func (q LogQuery) Query() (logging.Query, error) {
	lq := logging.Query{N: q.N, Since: q.Since, Text: q.Text, After: q.After}
	if q.Level != "" {
		l, err := logging.ParseLevel(q.Level)
		if err != nil {
			return lq, err
		}
		lq.Level = l
	}
	return lq, nil
}

// values is q as URL query parameters.
func (q LogQuery) values() url.Values {
	v := url.Values{}
	if q.N > 0 {
		v.Set("n", strconv.Itoa(q.N))
	}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.Format(time.RFC3339Nano))
	}
	if q.Level != "" {
		v.Set("level", q.Level)
	}
	if q.Text != "" {
		v.Set("text", q.Text)
	}
	if q.After > 0 {
		v.Set("after", strconv.FormatUint(q.After, 10))
	}
	if q.Wait > 0 {
		v.Set("wait", q.Wait.String())
	}
	return v
}

// parseLogQuery reads the URL query of a log request strictly: an
// unknown or repeated parameter, or a bad value, is an error.
func parseLogQuery(raw string) (LogQuery, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return LogQuery{}, fmt.Errorf("log query: %w", err)
	}
	var q LogQuery
	for k, vs := range v {
		if len(vs) != 1 {
			return LogQuery{}, fmt.Errorf("log query: %s given %d times", k, len(vs))
		}
		s := vs[0]
		switch k {
		case "n":
			q.N, err = strconv.Atoi(s)
			if err == nil && (q.N < 0 || q.N > logging.MaxFileRecords) {
				err = fmt.Errorf("out of range 0 to %d", logging.MaxFileRecords)
			}
		case "since":
			q.Since, err = time.Parse(time.RFC3339Nano, s)
		case "level":
			q.Level = s
			_, err = logging.ParseLevel(s)
		case "text":
			q.Text = s
			if len(s) > maxArgValue {
				err = fmt.Errorf("longer than %d bytes", maxArgValue)
			}
		case "after":
			q.After, err = strconv.ParseUint(s, 10, 64)
		case "wait":
			q.Wait, err = time.ParseDuration(s)
			if err == nil && (q.Wait < 0 || q.Wait > MaxLogWait) {
				err = fmt.Errorf("out of range 0 to %s", MaxLogWait)
			}
		default:
			return LogQuery{}, fmt.Errorf("log query: unknown parameter %q", k)
		}
		if err != nil {
			return LogQuery{}, fmt.Errorf("log query: %s=%q: %v", k, s, err)
		}
	}
	return q, nil
}

// LogFromRing answers a log query from a ring and the log file at path
// (and its rotated copies; "" for none), with times in the files read in
// local time: what the daemon's Backend.Log does.
func LogFromRing(ctx context.Context, ring *logging.Ring, path string, q LogQuery) ([]logging.Record, error) {
	lq, err := q.Query()
	if err != nil {
		return nil, err
	}
	if q.Wait > 0 {
		ctx, cancel := context.WithTimeout(ctx, min(q.Wait, MaxLogWait))
		defer cancel()
		recs, err := ring.Wait(ctx, lq)
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, nil
		}
		return recs, err
	}
	return logging.ReadLog(ring, path, lq, time.Local)
}
