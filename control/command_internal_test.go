package control

import (
	"testing"
)

// FuzzRequestCommand: a request's command is refused with a reason, or
// reads as one whose request line reads back the same.
func FuzzRequestCommand(f *testing.F) {
	f.Add("move", "", "g", "node2", "")
	f.Add("maintenance", "", "", "", "on")
	f.Add("standby", "failback", "", "", "")
	f.Add("clear", "all", "g", "", "")
	f.Fuzz(func(t *testing.T, cmd, set, group, node, mode string) {
		r := Request{Cmd: cmd, Set: set, Group: group, Node: node, Mode: mode}
		c, err := r.Command()
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%+v: an error without a reason", r)
			}
			return
		}
		back, err := c.request(0)
		if err != nil {
			t.Fatalf("%+v read as %+v, which has no request: %v", r, c, err)
		}
		again, err := back.Command()
		if err != nil || again != c {
			t.Fatalf("%+v read as %+v, written as %+v, read again as %+v (%v)", r, c, back, again, err)
		}
	})
}
