package daemon

import (
	"context"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/hooks"
	"github.com/understudy-ha/understudy/internal/proc"
)

// notifier is what the loop needs of the [[hook]] runner (*hooks.Runner):
// Notify never waits.
type notifier interface {
	Notify(hooks.Event)
	Close(context.Context)
}

// hookDrain bounds how long a replaced or closing hook runner may go on
// running the events it has queued.
const hookDrain = 10 * time.Second

// newHooks starts the runner of cfg's hooks.
func (d *daemon) newHooks(cfg *config.Config) notifier {
	return hooks.New(hooks.Options{Hooks: cfg.Hooks, Node: d.self, Env: proc.Environ(), Logger: d.log})
}

// setHooks replaces the hook runner after a reload. The old one finishes
// what it has queued (bounded by hookDrain) without holding the loop up.
func (d *daemon) setHooks(cfg *config.Config) {
	old := d.hooks
	d.hooks = d.newHooks(cfg)
	if old != nil {
		go closeHooks(old)
	}
}

func closeHooks(h notifier) {
	ctx, cancel := context.WithTimeout(context.Background(), hookDrain)
	defer cancel()
	h.Close(ctx)
}

// notify hands the hooks what a step's transitions mean to them.
func (d *daemon) notify(ts []cluster.Transition) {
	if d.hooks == nil {
		return
	}
	for _, t := range ts {
		if ev, ok := hookEvent(d.self, t); ok {
			if ev.Monitor != "" {
				ev.Address = d.mons.addressOf(cluster.MonitorRef{Group: ev.Group, Monitor: ev.Monitor})
			}
			d.hooks.Notify(ev)
		}
	}
}

// hookEvent reads one state machine transition as a hook event, if it is
// one: a node or link coming up or dying, a group of this node changing
// state (failed: a start or stop failed, or its monitors failed it
// here), the split-brain guard holding an acquisition back, a monitor
// here finding its service down, or up again after down (not the first
// up of a monitor that starts).
func hookEvent(self string, t cluster.Transition) (hooks.Event, bool) {
	ev := hooks.Event{Reason: t.Reason}
	switch t.Kind {
	case "node", "cluster":
		if t.Subject == self || t.To == "" {
			return ev, false
		}
		ev.Node = t.Subject
		switch {
		case t.To == "dead" && t.From != "dead":
			ev.Kind = hooks.NodeDead
		case t.To != "dead" && (t.From == "dead" || t.From == "unknown"):
			ev.Kind = hooks.NodeUp
		default:
			return ev, false
		}
	case "link":
		node, link, ok := strings.Cut(t.Subject, ":")
		if !ok {
			return ev, false
		}
		ev.Node, ev.Link = node, link
		switch t.To {
		case "up":
			ev.Kind = hooks.LinkUp
		case "dead":
			ev.Kind = hooks.LinkDead
		default:
			return ev, false
		}
	case "group":
		ev.Node, ev.Group = self, t.Subject
		switch {
		case t.To == "acquiring":
			ev.Kind = hooks.GroupAcquiring
		case t.To == "running":
			ev.Kind = hooks.GroupRunning
		case t.From == "releasing" && t.To == "stopped":
			ev.Kind = hooks.GroupReleased
		case t.To == "failed" && t.From != "failed", t.To == "stop-failed":
			ev.Kind = hooks.GroupFailed
		case t.From == "acquiring" && t.To == "waiting":
			ev.Kind = hooks.GuardRefused
		default:
			return ev, false
		}
	case "monitor":
		ref, ok := parseMonitorSubject(t.Subject)
		if !ok {
			return ev, false
		}
		ev.Node, ev.Group, ev.Monitor = self, ref.Group, ref.Monitor
		switch {
		case t.To == "down" && t.From != "down":
			ev.Kind = hooks.MonitorDown
		case t.To == "up" && t.From == "down":
			ev.Kind = hooks.MonitorUp
		default:
			return ev, false
		}
	default:
		return ev, false
	}
	return ev, true
}

// notifyReload tells the hooks a reload's outcome.
func (d *daemon) notifyReload(err error) {
	if d.hooks == nil {
		return
	}
	ev := hooks.Event{Kind: hooks.ReloadApplied, Node: d.self}
	if err != nil {
		ev.Kind, ev.Reason = hooks.ReloadRefused, err.Error()
	}
	d.hooks.Notify(ev)
}
