package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// pollOptions are the poll subcommand's flags.
type pollOptions struct {
	url       string
	interval  time.Duration
	timeout   time.Duration
	duration  time.Duration
	untilName string
	untilNot  string
	linger    time.Duration
}

// reached says whether a reply from node name is the one the poll waits
// for (--until-name, --until-not).
func (o pollOptions) reached(name string) bool {
	switch {
	case o.untilName != "":
		return name == o.untilName
	case o.untilNot != "":
		return name != o.untilNot
	}
	return false
}

// check says what is wrong with the options, if anything.
func (o pollOptions) check() string {
	switch {
	case o.url == "":
		return "--url is required and no arguments are taken"
	case o.interval <= 0 || o.timeout <= 0 || o.duration <= 0 || o.duration > 10*time.Minute:
		return "--interval and --timeout must be positive, --duration between 0 and 10m"
	case o.untilName != "" && o.untilNot != "":
		return "--until-name and --until-not exclude each other"
	case o.linger < 0 || o.linger > time.Minute:
		return "--linger must be between 0 and 1m"
	case o.linger > 0 && o.untilName == "" && o.untilNot == "":
		return "--linger needs --until-name or --until-not"
	}
	return ""
}

func runPoll(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("poll", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o pollOptions
	fs.StringVar(&o.url, "url", "", "`URL` to poll (required)")
	fs.DurationVar(&o.interval, "interval", 10*time.Millisecond, "time between the starts of two requests")
	fs.DurationVar(&o.timeout, "timeout", 50*time.Millisecond, "per-request timeout")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "stop after this long (at most 10m)")
	fs.StringVar(&o.untilName, "until-name", "", "stop as soon as node `NAME` answers")
	fs.StringVar(&o.untilNot, "until-not", "", "stop as soon as a node other than `NAME` answers")
	fs.DurationVar(&o.linger, "linger", 0, "with --until-name or --until-not, go on polling this long after that answer")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		o.url = "" // no arguments are taken
	}
	if msg := o.check(); msg != "" {
		fmt.Fprintln(stderr, "demoweb poll: "+msg)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	w := &watch{out: stdout, start: time.Now()}
	reached := poll(ctx, o, w)
	w.summary()
	switch {
	case w.ok == 0:
		return 1
	case o.untilName != "" && !reached:
		fmt.Fprintf(stdout, "%s never answered\n", o.untilName)
		return 1
	case o.untilNot != "" && !reached:
		fmt.Fprintf(stdout, "no node other than %s answered\n", o.untilNot)
		return 1
	}
	return 0
}

// maxInFlight bounds the requests outstanding at once.
const maxInFlight = 32

// poll starts a request every interval, without waiting for the previous
// one: a request stuck until its timeout (a SYN sent while nobody holds the
// address) must not hide the moment the service comes back. It asks until
// ctx ends or, with untilName or untilNot, until the awaited node answers
// (and then linger longer), and reports whether it did.
func poll(ctx context.Context, o pollOptions, w *watch) bool {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	tr := &http.Transport{DisableKeepAlives: true, Proxy: nil}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Timeout: o.timeout,
		// A fresh connection per request, as a new user would make: a
		// kept-alive one to a dead node would measure TCP, not failover.
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		reached bool
	)
	slots := make(chan struct{}, maxInFlight)
	tick := time.NewTicker(o.interval)
	defer tick.Stop()
	for ctx.Err() == nil {
		select {
		case slots <- struct{}{}:
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				sent := time.Now()
				name, err := ask(ctx, client, o.url)
				if ctx.Err() != nil {
					return // a request cut short by the end is no result
				}
				mu.Lock()
				defer mu.Unlock()
				w.record(sent, time.Now(), name, err)
				if err == nil && !reached && o.reached(name) {
					reached = true
					if o.linger == 0 {
						stop()
					} else {
						time.AfterFunc(o.linger, stop)
					}
				}
			}()
		default: // all slots busy: skip this tick
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	wg.Wait()
	return reached
}

// ask makes one request and returns the node that answered.
func ask(ctx context.Context, c *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 512))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP status %s", resp.Status)
	}
	name, ok := strings.CutPrefix(strings.TrimSpace(string(body)), "hello from ")
	if !ok || name == "" {
		return "", fmt.Errorf("unexpected reply %q", body)
	}
	return name, nil
}
