package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"
)

// watch turns a stream of request results into change lines and the
// longest gap between two good replies.
type watch struct {
	out   io.Writer
	start time.Time

	ok, failed int
	// lastGood is the time and name of the last good reply.
	lastGood     time.Time
	lastSent     time.Time // when the request behind lastGood went out
	lastName     string
	failing      bool
	failingSince time.Time
	// gap is the longest time between two consecutive good replies.
	gap      time.Duration
	gapFrom  string
	gapTo    string
	gapStart time.Time
}

// record takes one result of a request sent at sent and finished at now:
// the answering node, or the request's error. Results come in the order
// they complete, which with overlapping requests is not the order they were
// sent: a failure of a request older than the last good one says nothing
// new. A failure is reported at the time its request went out; a reply
// when it came.
func (w *watch) record(sent, now time.Time, name string, err error) {
	if err != nil {
		w.failed++
		if !w.failing && !sent.Before(w.lastSent) {
			w.failing, w.failingSince = true, sent
			w.line(sent, "no answer: %s", short(err))
		}
		return
	}
	w.ok++
	switch {
	case w.lastName == "":
		w.line(now, "answered by %s", name)
	case w.failing:
		w.line(now, "answered by %s again, %s after the last good reply (from %s)", name, ms(now.Sub(w.lastGood)), w.lastName)
	case name != w.lastName:
		w.line(now, "answered by %s instead of %s", name, w.lastName)
	}
	if w.lastName != "" {
		if d := now.Sub(w.lastGood); d > w.gap {
			w.gap, w.gapFrom, w.gapTo, w.gapStart = d, w.lastName, name, w.lastGood
		}
	}
	w.failing = false
	w.lastGood, w.lastName = now, name
	if sent.After(w.lastSent) {
		w.lastSent = sent
	}
}

// summary prints the final lines; the last one is machine-readable.
func (w *watch) summary() {
	if w.failing {
		w.line(time.Now(), "still no answer at exit (failing for %s)", ms(time.Since(w.failingSince)))
	}
	from, to := w.gapFrom, w.gapTo
	if from == "" {
		from, to = "-", "-"
	}
	start := "-"
	if !w.gapStart.IsZero() {
		start = fmt.Sprintf("%.3f", w.gapStart.Sub(w.start).Seconds())
	}
	fmt.Fprintf(w.out, "gap_ms=%.1f from=%s to=%s at_s=%s ok=%d failed=%d\n",
		float64(w.gap)/float64(time.Millisecond), from, to, start, w.ok, w.failed)
}

func (w *watch) line(now time.Time, format string, args ...any) {
	fmt.Fprintf(w.out, "%8.3fs  %s\n", now.Sub(w.start).Seconds(), fmt.Sprintf(format, args...))
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// short reduces an HTTP client error to its cause.
func short(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return "timeout"
	}
	return err.Error()
}
