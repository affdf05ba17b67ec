package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/understudy-ha/understudy/logging"
)

// CLIOptions are what a command run with --host brings: its flags, its
// environment and its terminal.
type CLIOptions struct {
	// Host is --host: HOST[:PORT].
	Host string
	// Fingerprint is --fingerprint; "" means UNDERSTUDY_FINGERPRINT.
	Fingerprint string
	// CAFile is [admin] ca of this machine's understudy.toml, if it has
	// one ("" otherwise).
	CAFile string
	// KnownHosts is the known hosts file; "" means DefaultKnownHosts().
	KnownHosts string
	// Getenv reads the environment (os.Getenv).
	Getenv func(string) string
	// Stdin and Stderr are the terminal, if they are one: the password
	// is asked there when UNDERSTUDY_PASSWORD is not set, and so is
	// whether to trust an unknown certificate.
	Stdin  *os.File
	Stderr io.Writer
}

// DialCLI logs in to the admin port of o.Host the way every command with
// --host does: the password from UNDERSTUDY_PASSWORD or asked on the
// terminal; the certificate checked by --fingerprint or
// UNDERSTUDY_FINGERPRINT, else by the CA, else by the known hosts file
// (asking on a terminal about a host it does not list).
func DialCLI(ctx context.Context, o CLIOptions) (*Client, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	pw, err := ClientPassword(o.Getenv(EnvPassword), o.Stdin, o.Stderr)
	if err != nil {
		return nil, err
	}
	fp := o.Fingerprint
	if fp == "" {
		fp = o.Getenv(EnvFingerprint)
	}
	trust := Trust{Fingerprint: fp, CAFile: o.CAFile, KnownHosts: o.KnownHosts, Ask: TerminalAsk(o.Stdin, o.Stderr)}
	return Dial(ctx, ClientOptions{Addr: o.Host, Password: pw, Trust: trust})
}

// ClusterLog is `understudy log --cluster`: the records q selects from
// each node (its admin port, or the local socket), asked at once, merged newest first and marked
// with the node (the key of nodes); q.N applies to the merged log, and
// q.After and q.Wait, which are about one node's records, are ignored.
// A node that fails is left out and named in the error, which comes
// with the records of the others.
func ClusterLog(ctx context.Context, nodes map[string]LogReader, q LogQuery) ([]logging.Record, error) {
	q.After, q.Wait = 0, 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	logs := map[string][]logging.Record{}
	var errs []error
	for name, c := range nodes {
		wg.Go(func() {
			recs, err := c.Log(ctx, q)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("node %s: %w", name, err))
				return
			}
			logs[name] = recs
		})
	}
	wg.Wait()
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return logging.Merge(q.N, logs), errors.Join(errs...)
}

// ParseSince reads `understudy log --since T`: a duration back from now
// ("10m", "1h30m"), a time today ("15:04", "15:04:05"), a date and time
// ("2026-11-22", "2026-11-22 15:04", "2026-11-22 15:04:05"), all in
// loc, or RFC 3339 ("2026-11-22T15:04:05.123Z").
func ParseSince(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			n := now.In(loc)
			return time.Date(n.Year(), n.Month(), n.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc), nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration back from now (10m), a time today (15:04), a date and time (2026-11-22 15:04) or RFC 3339", s)
}
