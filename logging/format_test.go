package logging

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"
)

// at is a fixed local time: the formats print local time, as heartbeat.
var at = time.Date(2026, time.November, 2, 9, 5, 7, 0, time.Local)

// logAt hands l's handler one record with a fixed time.
func logAt(t *testing.T, l *slog.Logger, level slog.Level, msg string, args ...any) {
	t.Helper()
	if !l.Enabled(context.Background(), level) {
		return
	}
	r := slog.NewRecord(at, level, msg, 0)
	r.Add(args...)
	if err := l.Handler().Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

func TestFileFormats(t *testing.T) {
	pid := os.Getpid()
	for _, tc := range []struct {
		name      string
		syslogFmt bool
		level     slog.Level
		want      string
	}{
		{"syslogmsgfmt info", true, slog.LevelInfo, fmt.Sprintf("Nov 02 09:05:07 node1 understudy: [%d]: info: group acquired group=g1\n", pid)},
		{"syslogmsgfmt error", true, slog.LevelError, fmt.Sprintf("Nov 02 09:05:07 node1 understudy: [%d]: ERROR: group acquired group=g1\n", pid)},
		{"syslogmsgfmt warn", true, slog.LevelWarn, fmt.Sprintf("Nov 02 09:05:07 node1 understudy: [%d]: WARN: group acquired group=g1\n", pid)},
		{"syslogmsgfmt debug", true, slog.LevelDebug, fmt.Sprintf("Nov 02 09:05:07 node1 understudy: [%d]: debug: group acquired group=g1\n", pid)},
		{"plain info", false, slog.LevelInfo, fmt.Sprintf("understudy[%d]: 2026/11/02_09:05:07 info: group acquired group=g1\n", pid)},
		{"plain error", false, slog.LevelError + 2, fmt.Sprintf("understudy[%d]: 2026/11/02_09:05:07 ERROR: group acquired group=g1\n", pid)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			l, c, _ := New(Options{Stderr: &buf, Debug: 1, SyslogMsgFmt: tc.syslogFmt, Host: "node1"})
			defer c.Close()
			logAt(t, l, tc.level, "group acquired", "group", "g1")
			if got := buf.String(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

type stringer struct{}

func (stringer) String() string { return "str ung" }

type lazy struct{}

func (lazy) LogValue() slog.Value { return slog.GroupValue(slog.Int("a", 1), slog.Int("b", 2)) }

func TestAttributes(t *testing.T) {
	for _, tc := range []struct {
		name string
		log  func(l *slog.Logger)
		want string
	}{
		{"plain", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", "k", "v", "n", 3, "ok", true) }, "m k=v n=3 ok=true"},
		{"spaces quoted", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", "k", "two words") }, `m k="two words"`},
		{"empty quoted", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", "k", "") }, `m k=""`},
		{"equals and quotes", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", "k", `a="b"`) }, `m k="a=\"b\""`},
		{"newline in value", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", "k", "a\nb") }, `m k="a\nb"`},
		{"newline in message", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "one\ntwo") }, `one\ntwo`},
		{"error", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", "err", errors.New("no route")) }, `m err="no route"`},
		{"duration", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", "deadtime", 1500*time.Millisecond) }, "m deadtime=1.5s"},
		{"stringer", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", "s", stringer{}) }, `m s="str ung"`},
		{"valuer group", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", "v", lazy{}) }, "m v.a=1 v.b=2"},
		{"group attr", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", slog.Group("g", "a", 1)) }, "m g.a=1"},
		{"empty group dropped", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", slog.Group("g"), "k", 1) }, "m k=1"},
		{"inline group", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", slog.Group("", "a", 1)) }, "m a=1"},
		{"zero attr dropped", func(l *slog.Logger) { logAt(t, l, slog.LevelInfo, "m", slog.Attr{}, "k", 1) }, "m k=1"},
		{"with", func(l *slog.Logger) { logAt(t, l.With("node", "node1"), slog.LevelInfo, "m", "k", 1) }, "m node=node1 k=1"},
		{"with group", func(l *slog.Logger) {
			logAt(t, l.With("node", "n1").WithGroup("link").With("name", "hb0").WithGroup("x"), slog.LevelInfo, "m", "k", 1)
		}, "m node=n1 link.name=hb0 link.x.k=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			l, c, _ := New(Options{Stderr: &buf, Journald: true})
			defer c.Close()
			tc.log(l)
			if got, want := buf.String(), "<6>info: "+tc.want+"\n"; got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

func TestJournaldPrefixes(t *testing.T) {
	var buf bytes.Buffer
	l, c, _ := New(Options{Stderr: &buf, Journald: true, Debug: 1})
	defer c.Close()
	l.Error("e")
	l.Warn("w")
	l.Info("i")
	l.Debug("d")
	want := "<3>ERROR: e\n<4>WARN: w\n<6>info: i\n<7>debug: d\n"
	if got := buf.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestJournaldDetection(t *testing.T) {
	f, err := os.Create(t.TempDir() + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	other, _ := os.Stat(os.DevNull)
	for _, tc := range []struct {
		name, env string
		want      bool
	}{
		{"unset", "", false},
		{"same stream", streamID(fi), true},
		{"another stream", streamID(other), false},
		{"garbage", "journal", false},
		{"half", "12:", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := journalStream(tc.env, f); got != tc.want {
				t.Errorf("journalStream(%q) = %v, want %v", tc.env, got, tc.want)
			}
		})
	}
	t.Setenv("JOURNAL_STREAM", streamID(fi))
	if !Journald(f) {
		t.Error("Journald(f) with JOURNAL_STREAM naming f = false")
	}
	if Journald(nil) {
		t.Error("Journald(nil) = true")
	}
}
