package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
)

const logAbout = `Shows the daemon's log, newest first: the records it keeps in memory
([admin] log_records of understudy.toml, with their full times), then
older lines from ha.cf's logfile and its rotated copies (to the second).
With --cluster, every node's records merged in time order, each marked
with its node (the others are asked on their admin ports, which they
announce over the heartbeat links). With --follow, the records oldest
first, then each new one as it is logged, until interrupted. Exit
status: 0 shown; 1 no daemon, or a node could not be asked (its error
is on stderr, the others' records are shown); 2 bad usage; 4 the login
to an admin port failed.`

// logOpts are log's options, read.
type logOpts struct {
	q              admin.LogQuery
	follow, asJSON bool
}

func runLog(args []string, stdout, stderr io.Writer) int {
	f := newFlags("log", "[-n N] [--since T] [--level L] [--follow] [--json] [--cluster] [--clear] [-s SOCKET | --host HOST[:PORT] [--fingerprint FP]]", logAbout+remoteHelp)
	sock := f.socket()
	n := f.Int("n", 50, "show the `N` newest records; 0: every one the daemon can find")
	since := f.String("since", "", "only records at or after `T`: a duration back (10m), a time today (15:04), a date and time (2026-11-22 15:04) or RFC 3339")
	level := f.String("level", "", "only records at or above `LEVEL`: debug, info, warn or error")
	follow := f.Bool("follow", false, "show the records oldest first, then each new one as it comes, until interrupted")
	asJSON := f.Bool("json", false, "one JSON object per line for each record, with its full time")
	all := f.Bool("cluster", false, "every node's records, merged in time order and marked with their node")
	clearLog := f.Bool("clear", false, "forget the records the daemon keeps in memory (the log files stay)")
	remote := f.remote()
	if code, ok := f.parse(args, stdout, stderr); !ok {
		return code
	}
	viaHost, ok := remote.on("log", stderr)
	if !ok || !f.noArgs(stderr) {
		return exitUsage
	}
	o := logOpts{q: admin.LogQuery{N: *n, Level: *level}, follow: *follow, asJSON: *asJSON}
	var err error
	switch {
	case *n < 0 || *n > logging.MaxFileRecords:
		err = fmt.Errorf("-n %d: want 0 to %d", *n, logging.MaxFileRecords)
	case *clearLog && (*all || *follow):
		err = fmt.Errorf("--clear goes alone (with -s or --host)")
	case *level != "":
		_, err = logging.ParseLevel(*level)
	}
	if err == nil && *since != "" {
		o.q.Since, err = admin.ParseSince(*since, time.Now(), time.Local)
	}
	if err != nil {
		fmt.Fprintf(stderr, "understudy log: %v\n", err)
		return exitUsage
	}
	var d *dialer
	if viaHost || *all {
		if d, err = newDialer(stderr); err != nil {
			return remoteFailed("log", err, stderr)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The node asked first: the local daemon, or --host.
	var first admin.LogReader = localLog(*sock)
	if viaHost {
		lctx, cancel := context.WithTimeout(ctx, admin.DefaultClientTimeout)
		c, err := remote.login(lctx, d)
		cancel()
		if err != nil {
			return remoteFailed("log", err, stderr)
		}
		defer c.Close()
		first = c
	}
	switch {
	case *clearLog:
		return clearRecords(ctx, first, *sock, stdout, stderr)
	case *all:
		return clusterLog(ctx, d, first, *sock, o, stdout, stderr)
	}
	return showLog(ctx, map[string]admin.LogReader{"": first}, o, stdout, stderr)
}

// clearRecords empties the daemon's records in memory.
func clearRecords(ctx context.Context, r admin.LogReader, sock string, stdout, stderr io.Writer) int {
	var n int
	var err error
	if c, ok := r.(*admin.Client); ok {
		var a admin.Answer
		if a, err = c.Command(ctx, admin.Command{Name: admin.CmdClearLog}); err == nil {
			if err = a.Err(); err == nil {
				fmt.Fprintf(stdout, "Log cleared: %s.\n", a.Reason)
			}
		}
	} else if n, err = control.ClearLog(ctx, sock); err == nil {
		fmt.Fprintf(stdout, "Log cleared: %d records cleared from memory.\n", n)
	}
	if err != nil {
		fmt.Fprintf(stderr, "understudy log: %v\n", err)
		return exitFail
	}
	return exitOK
}

// clusterLog shows every node's log: first's node, then the others it
// knows, on their admin ports.
func clusterLog(ctx context.Context, d *dialer, first admin.LogReader, sock string, o logOpts, stdout, stderr io.Writer) int {
	sctx, cancel := context.WithTimeout(ctx, control.DefaultTimeout+admin.DefaultClientTimeout)
	defer cancel()
	var st control.Status
	var err error
	if c, ok := first.(*admin.Client); ok {
		st, err = c.Status(sctx)
	} else {
		st, err = control.GetStatus(sctx, sock)
	}
	if err != nil {
		return remoteFailed("log", err, stderr)
	}
	clients, failed := d.dialPeers(sctx, st)
	defer closeAll(clients)
	readers := map[string]admin.LogReader{st.Node: first}
	for n, c := range clients {
		readers[n] = c
	}
	code := exitOK
	for _, n := range slices.Sorted(maps.Keys(failed)) {
		fmt.Fprintf(stderr, "understudy log: node %s: %v\n", n, failed[n])
		code = max(code, remoteExit(failed[n]))
	}
	if c := showLog(ctx, readers, o, stdout, stderr); c != exitOK {
		return c
	}
	return code
}

// remoteExit is the exit status an admin port error makes.
func remoteExit(err error) int {
	if loginError(err) {
		return exitLogin
	}
	return exitFail
}

// showLog prints the records of the readers: one, unmarked (key ""),
// or several, merged and marked with their node; then, with --follow,
// what comes next.
func showLog(ctx context.Context, readers map[string]admin.LogReader, o logOpts, stdout, stderr io.Writer) int {
	lctx, cancel := context.WithTimeout(ctx, control.DefaultTimeout+admin.DefaultClientTimeout)
	var recs []logging.Record
	var err error
	if r, ok := readers[""]; ok && len(readers) == 1 {
		recs, err = r.Log(lctx, o.q)
	} else {
		recs, err = admin.ClusterLog(lctx, readers, o.q)
	}
	cancel()
	code := exitOK
	if err != nil {
		fmt.Fprintf(stderr, "understudy log: %v\n", err)
		code = remoteExit(err)
		if len(recs) == 0 {
			return code
		}
	}
	var mu sync.Mutex
	emit := func(r logging.Record) error {
		mu.Lock()
		defer mu.Unlock()
		if o.asJSON {
			return json.NewEncoder(stdout).Encode(r)
		}
		_, err := fmt.Fprintln(stdout, r.String())
		return err
	}
	if o.follow {
		slices.Reverse(recs)
	}
	for _, r := range recs {
		emit(r)
	}
	if !o.follow {
		return code
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(readers))
	for node, r := range readers {
		wg.Go(func() {
			err := admin.FollowLog(ctx, r, o.q, func(rec logging.Record) error {
				rec.Node = node
				return emit(rec)
			})
			if err != nil {
				errs <- fmt.Errorf("following node %s: %w", node, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		fmt.Fprintf(stderr, "understudy log: %v\n", err)
		code = remoteExit(err)
	}
	return code
}
