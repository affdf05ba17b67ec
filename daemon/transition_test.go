package daemon

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/understudy-ha/understudy/cluster"
)

// TestTransitionAttrs: a transition's log line carries from and to only
// when they say something (issue 13: `from="" to=""`).
func TestTransitionAttrs(t *testing.T) {
	tests := []struct {
		tr   cluster.Transition
		want string
	}{
		{cluster.Transition{Kind: "node", Subject: "node2", From: "active", To: "dead", Reason: "peer dead"},
			`msg="peer dead" kind=node subject=node2 from=active to=dead`},
		{cluster.Transition{Kind: "group", Subject: "192.0.2.10", Reason: "standby requested"},
			`msg="standby requested" kind=group subject=192.0.2.10`},
		{cluster.Transition{Kind: "group", Subject: "g", To: "running", Reason: "started"},
			`msg=started kind=group subject=g to=running`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		log := slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == slog.LevelKey {
				return slog.Attr{}
			}
			return a
		}}))
		log.Info(tt.tr.Reason, transitionAttrs(tt.tr)...)
		if got := bytes.TrimSpace(b.Bytes()); string(got) != tt.want {
			t.Errorf("%+v:\n got %s\nwant %s", tt.tr, got, tt.want)
		}
	}
}
