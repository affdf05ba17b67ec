package config

import (
	"fmt"
	"strings"
	"testing"
)

// expectDiags checks that got holds exactly the diagnostics described by
// want, in order. Each entry is "E<line> <substring>" or "W<line>
// <substring>"; the substring must occur in the message.
func expectDiags(t *testing.T, got Diagnostics, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d diagnostics, want %d:\n%s\nwant:\n%s", len(got), len(want), got, strings.Join(want, "\n"))
	}
	for i, w := range want {
		code, sub, _ := strings.Cut(w, " ")
		sev := Warning
		if code[0] == 'E' {
			sev = Error
		}
		var line int
		fmt.Sscanf(code[1:], "%d", &line)
		d := got[i]
		if d.Severity != sev || d.Line != line || !strings.Contains(d.Msg, sub) {
			t.Errorf("diagnostic %d = %s\n want %s", i, d, w)
		}
	}
}

// parseText runs one of the parsers on text and returns its diagnostics.
func hacfOf(text string) (HACF, Diagnostics) {
	var d Diagnostics
	c := parseHACF(text, reporter{file: "ha.cf", diags: &d})
	return c, d
}

// base is a minimal valid ha.cf to which tests append lines.
const base = "node node1 node2\nbcast eth1\nauto_failback on\nlogfacility daemon\n"
