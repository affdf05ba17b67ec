package logging

import (
	"bytes"
	"log/slog"
	"slices"
	"testing"
	"time"
)

func TestParseLine(t *testing.T) {
	ref := time.Date(2026, time.November, 22, 12, 0, 0, 0, time.UTC)
	tm := time.Date(2026, time.November, 22, 10, 51, 5, 0, time.UTC)
	for _, tc := range []struct {
		name, line string
		ok         bool
		want       Record
	}{
		{"syslog form", "Nov 22 10:51:05 node1 understudy: [13575]: info: group acquired group=192.0.2.100\n", true,
			Record{Time: tm, Level: slog.LevelInfo, Text: "group acquired", Attrs: []Attr{{"group", "192.0.2.100"}}}},
		{"plain form", "understudy[13575]: 2026/11/22_10:51:05 ERROR: script failed script=\"httpd start\" code=1", true,
			Record{Time: tm, Level: slog.LevelError, Text: "script failed", Attrs: []Attr{{"script", "httpd start"}, {"code", "1"}}}},
		{"heartbeat's own line", "heartbeat[2143]: 2026/11/22_10:51:05 WARN: node node2: is dead", true,
			Record{Time: tm, Level: slog.LevelWarn, Text: "node node2: is dead"}},
		{"syslog space-padded day", "Nov  2 10:51:05 node1 heartbeat: [77]: CRIT: Late heartbeat: Node node2", true,
			Record{Time: tm.AddDate(0, 0, -20), Level: slog.LevelError, Text: "Late heartbeat: Node node2"}},
		{"last year", "Dec 31 23:59:59 node1 understudy: [1]: debug: tick", true,
			Record{Time: time.Date(2025, time.December, 31, 23, 59, 59, 0, time.UTC), Level: slog.LevelDebug, Text: "tick"}},
		{"tomorrow is still this year", "Nov 23 10:51:05 node1 understudy: [1]: info: clock skew", true,
			Record{Time: tm.AddDate(0, 0, 1), Level: slog.LevelInfo, Text: "clock skew"}},
		{"text with = inside is text", "understudy[1]: 2026/11/22_10:51:05 info: set a=b then c", true,
			Record{Time: tm, Level: slog.LevelInfo, Text: "set a=b then c"}},
		{"attrs after text with =", "understudy[1]: 2026/11/22_10:51:05 info: set a=b then c d=\"\" e=\"x\\ny\"", true,
			Record{Time: tm, Level: slog.LevelInfo, Text: "set a=b then c", Attrs: []Attr{{"d", ""}, {"e", "x\ny"}}}},
		{"quoted value holding k=v", "understudy[1]: 2026/11/22_10:51:05 info: x k=\"a b=c\" z=1", true,
			Record{Time: tm, Level: slog.LevelInfo, Text: "x", Attrs: []Attr{{"k", "a b=c"}, {"z", "1"}}}},
		{"empty text", "understudy[1]: 2026/11/22_10:51:05 info:  a=1", true,
			Record{Time: tm, Level: slog.LevelInfo, Attrs: []Attr{{"a", "1"}}}},
		{"empty body", "understudy[1]: 2026/11/22_10:51:05 info:", true, Record{Time: tm, Level: slog.LevelInfo}},
		{"bad quoted tail stays text", "understudy[1]: 2026/11/22_10:51:05 info: x k=\"open", true,
			Record{Time: tm, Level: slog.LevelInfo, Text: "x k=\"open"}},
		{"script output", "+ ip addr add 192.0.2.100/24 dev eth0", false, Record{}},
		{"unknown level", "understudy[1]: 2026/11/22_10:51:05 loud: x", false, Record{}},
		{"bad date", "understudy[1]: 2026/13/22_10:51:05 info: x", false, Record{}},
		{"pid not digits", "understudy[x1]: 2026/11/22_10:51:05 info: x", false, Record{}},
		{"syslog without pid", "Nov 22 10:51:05 node1 understudy: info: x y z", false, Record{}},
		{"empty", "", false, Record{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseLine(tc.line, ref, time.UTC)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tc.ok, got)
			}
			if !ok {
				return
			}
			if !got.Time.Equal(tc.want.Time) || got.Level != tc.want.Level || got.Text != tc.want.Text || !slices.Equal(got.Attrs, tc.want.Attrs) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestParseWhatWeWrite: every line the file handler writes reads back.
func TestParseWhatWeWrite(t *testing.T) {
	for _, syslogFmt := range []bool{true, false} {
		var buf bytes.Buffer
		l, c, _ := New(Options{Stderr: &buf, Debug: 1, SyslogMsgFmt: syslogFmt, Host: "node1"})
		logAt(t, l, slog.LevelWarn, "late heartbeat", "node", "node2", "link", "eth0 (bcast)", "ms", 1500, "err", nil)
		c.Close()
		got, ok := ParseLine(buf.String(), at.Add(time.Hour), time.Local)
		want := []Attr{{"node", "node2"}, {"link", "eth0 (bcast)"}, {"ms", "1500"}, {"err", "<nil>"}}
		if !ok || !got.Time.Equal(at) || got.Level != slog.LevelWarn || got.Text != "late heartbeat" || !slices.Equal(got.Attrs, want) {
			t.Errorf("syslogmsgfmt %v: %q read as %+v %v", syslogFmt, buf.String(), got, ok)
		}
	}
}

func TestSplitBodyBounded(t *testing.T) {
	// Many k=v look-alikes followed by a plain word: the split must give
	// up quickly and keep the body as text.
	var b []byte
	for range 20000 {
		b = append(b, " k=v"...)
	}
	b = append(b, " end"...)
	text, attrs := splitBody("x" + string(b))
	if attrs != nil || len(text) != len(b)+1 {
		t.Errorf("got %d attrs", len(attrs))
	}
}

// FuzzParseLine: no input panics, and a parsed line written back in the
// plain form reads back the same.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		"Nov 22 10:51:05 node1 understudy: [13575]: info: group acquired group=192.0.2.100",
		"understudy[1]: 2026/11/22_10:51:05 ERROR: script failed script=\"httpd start\" code=1",
		"understudy[1]: 2026/11/22_10:51:05 info: x k=\"a b=c\" z=1",
		"understudy[1]: 2026/11/22_10:51:05 info:  a=1",
		"Nov  2 10:51:05 n heartbeat: [77]: CRIT: x=",
		"understudy[1]: 2026/11/22_10:51:05 info: a=\"\\xff\" b=\x00",
	} {
		f.Add(s)
	}
	ref := time.Date(2026, time.November, 22, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, line string) {
		r, ok := ParseLine(line, ref, time.UTC)
		if !ok {
			return
		}
		again := "understudy[1]: " + r.Time.Format("2006/01/02_15:04:05") + " " + LevelWord(r.Level) + ": " + r.Body()
		r2, ok := ParseLine(again, ref, time.UTC)
		if !ok || !r2.Time.Equal(r.Time) || r2.Level != r.Level || r2.Text != r.Text || !slices.Equal(r2.Attrs, r.Attrs) {
			t.Fatalf("%q\nread as %+v\nwritten %q\nread as %+v (%v)", line, r, again, r2, ok)
		}
	})
}
