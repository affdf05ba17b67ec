package console

import (
	"net/url"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/logging"
)

// FuzzParseLogFilter: any query string is refused or gives a filter
// within the limits.
func FuzzParseLogFilter(f *testing.F) {
	for _, s := range []string{"", "n=5&level=warn&text=x&node=node1", "n=0", "n=99999", "level=loud",
		"node=%00", "text=" + strings.Repeat("a", maxField+1), "n=-1&n=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		lf, err := parseLogFilter(v)
		if err != nil {
			return
		}
		if lf.N < 1 || lf.N > maxLogRows || len(lf.Text) > maxField || (lf.Node != "" && !okField(lf.Node)) {
			t.Fatalf("%q gave %+v", raw, lf)
		}
		if lf.Level != "" {
			if _, err := logging.ParseLevel(lf.Level); err != nil {
				t.Fatalf("%q gave level %q", raw, lf.Level)
			}
		}
	})
}

// FuzzParseAction: any form is refused or gives a command whose words
// are the form's, within the limits, for a known action.
func FuzzParseAction(f *testing.F) {
	f.Add("standby", "node2", "")
	f.Add("move", "node2", "IPaddr::192.0.2.10/24")
	f.Add("clear", "", "web")
	f.Add("takeover", "node\n1", "")
	f.Fuzz(func(t *testing.T, do, node, group string) {
		what, cmd, to, err := parseAction(do, node, group, "self")
		if err != nil {
			return
		}
		if what == "" || to == "" || cmd.Name == "" {
			t.Fatalf("%q %q %q: %q %+v to %q", do, node, group, what, cmd, to)
		}
		for k, v := range cmd.Args {
			if k != "set" && !okField(v) {
				t.Fatalf("%q %q %q: argument %s=%q", do, node, group, k, v)
			}
		}
		if (do == actMove || do == actClear) && cmd.Args["group"] != group {
			t.Fatalf("%q %q %q: group %q", do, node, group, cmd.Args["group"])
		}
	})
}
