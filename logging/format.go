package logging

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// levelWord is the level as heartbeat prints it.
func levelWord(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARN"
	case l >= slog.LevelInfo:
		return "info"
	}
	return "debug"
}

// journalPrefix is the "<N>" syslog priority journald reads on stderr.
func journalPrefix(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "<3>"
	case l >= slog.LevelWarn:
		return "<4>"
	case l >= slog.LevelInfo:
		return "<6>"
	}
	return "<7>"
}

// format is the file line of a record, newline included.
func (c *core) format(t time.Time, l slog.Level, body string) string {
	if c.syslogFmt {
		// %b %d %H:%M:%S HOST understudy: [PID]: LEVEL: text
		return t.Format("Jan 02 15:04:05") + " " + c.host + " " + Ident + ": [" + itoa(c.pid) + "]: " +
			levelWord(l) + ": " + body + "\n"
	}
	// understudy[PID]: YYYY/MM/DD_HH:MM:SS LEVEL: text
	return Ident + "[" + itoa(c.pid) + "]: " + t.Format("2006/01/02_15:04:05") + " " + levelWord(l) + ": " + body + "\n"
}

func itoa(n int) string { return strconv.Itoa(n) }

// msgEscaper keeps a message on one line.
var msgEscaper = strings.NewReplacer("\n", `\n`, "\r", `\r`)

// appendText appends the record's message, on one line.
func appendText(b []byte, msg string) []byte {
	if strings.ContainsAny(msg, "\r\n") {
		msg = msgEscaper.Replace(msg)
	}
	return append(b, msg...)
}

// attrString is " key=value" for one string attribute.
func attrString(key, value string) string {
	return string(appendAttr(nil, "", slog.String(key, value)))
}

// appendAttr appends " key=value", groups flattened with dots under prefix.
func appendAttr(b []byte, prefix string, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return b
	}
	if a.Value.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, ga := range a.Value.Group() {
			b = appendAttr(b, prefix, ga)
		}
		return b
	}
	b = append(b, ' ')
	b = append(b, prefix...)
	b = append(b, a.Key...)
	b = append(b, '=')
	return appendValue(b, valueString(a.Value))
}

// valueString renders a resolved, non-group value.
func valueString(v slog.Value) string {
	switch v.Kind() {
	case slog.KindString:
		return v.String()
	case slog.KindTime:
		return v.Time().Format(time.RFC3339Nano)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return err.Error()
		}
		return fmt.Sprint(v.Any())
	}
	return v.String()
}

// appendValue appends s, quoted when it would not read back as one token.
func appendValue(b []byte, s string) []byte {
	if needsQuote(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if r == ' ' || r == '=' || r == '"' || r == utf8.RuneError || !unicode.IsPrint(r) {
			return true
		}
	}
	return false
}
