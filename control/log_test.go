package control_test

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
	"github.com/understudy-ha/understudy/logging"
)

// TestLog: a log request carries its query to the backend and the
// records back, newest first as the backend gave them; clear-log says
// how many records went.
func TestLog(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.UTC)
	recs := []logging.Record{
		{ID: 2, Time: t0.Add(time.Second), Level: slog.LevelWarn, Text: "link down", Attrs: []logging.Attr{{Key: "link", Value: "eth1"}}},
		{ID: 1, Time: t0, Level: slog.LevelInfo, Text: "understudy started"},
	}
	b := &controltest.Backend{Records: recs}
	path := controltest.Serve(t, &control.Server{Backend: b})
	q := control.LogQuery{N: 2, Since: t0, Level: "info", Text: "link", After: 7, WaitMS: 1500}
	got, err := control.GetLog(context.Background(), path, q)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, recs) {
		t.Errorf("records = %+v, want %+v", got, recs)
	}
	if qs := b.LogQueries(); len(qs) != 1 || !reflect.DeepEqual(qs[0], q) {
		t.Errorf("the backend was asked %+v, want %+v", qs, q)
	}
	n, err := control.ClearLog(context.Background(), path)
	if err != nil || n != 2 {
		t.Errorf("ClearLog = %d, %v; want 2 records cleared", n, err)
	}
	if got, err := control.GetLog(context.Background(), path, control.LogQuery{}); err != nil || len(got) != 0 {
		t.Errorf("after clear-log: %+v, %v", got, err)
	}
}

// TestLogRefused: a wait over MaxLogWait, a negative count, and a
// backend that keeps no log are refused with a reason.
func TestLogRefused(t *testing.T) {
	path := controltest.Serve(t, &control.Server{Backend: &controltest.Backend{}})
	for _, q := range []control.LogQuery{{WaitMS: control.MaxLogWait.Milliseconds() + 1}, {N: -1}} {
		if _, err := control.GetLog(context.Background(), path, q); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("GetLog(%+v) error = %v, want out of range", q, err)
		}
	}
	noLog := controltest.Serve(t, &control.Server{Backend: statusOnly{}})
	if _, err := control.GetLog(context.Background(), noLog, control.LogQuery{}); err == nil || !strings.Contains(err.Error(), "keeps no log") {
		t.Errorf("GetLog from a backend without a log: %v", err)
	}
	if _, err := control.ClearLog(context.Background(), noLog); err == nil || !strings.Contains(err.Error(), "keeps no log") {
		t.Errorf("ClearLog from a backend without a log: %v", err)
	}
}

// statusOnly is a control.Backend without the log methods.
type statusOnly struct{ control.Backend }
