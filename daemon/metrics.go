package daemon

import (
	"slices"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/hooks"
	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/session"
)

// The metrics (docs/metrics.md) are fed here, from what the loop sees:
// the frames it decodes and the state machine's output, and the service
// monitors' results (monitors.go). Script runs are not seen by the loop
// and are not counted.

// observeFrame counts a decoded (or dropped) frame, and records an
// admin port announcement.
func (d *daemon) observeFrame(f transport.Frame, r session.Received, err error) {
	if err != nil {
		d.metrics.BadPacket(badPacketReason(session.ReasonOf(err)))
		return
	}
	d.frameLink = f.Link
	if !r.Deliver {
		return
	}
	src := r.Msg.Src
	if r.Seq.Lost > 0 && !r.Seq.Resync {
		d.metrics.HeartbeatsLost(src, f.Link, int(r.Seq.Lost))
	}
	switch r.Msg.Type {
	case cluster.MsgStatus:
		d.metrics.HeartbeatReceived(src, f.Link)
	case msgAdmin:
		d.heardAdmin(f, r.Msg, r.Dup, time.Now())
	}
}

// badPacketReason is the metric's word for why a frame was dropped.
func badPacketReason(r session.Reason) string {
	switch r {
	case session.BadAuth, session.UnknownKey, session.BadDigest:
		return "bad-auth"
	case session.NotNode:
		return "unknown-node"
	case session.Replay:
		return "replay"
	}
	return "malformed"
}

// lateHeartbeat starts the reason of the state machine's warning about
// a heartbeat that came after warntime.
const lateHeartbeat = "late heartbeat"

// observe counts what one step of the state machine did: heartbeats
// sent, late heartbeats, takeovers and their durations, guard refusals;
// and announces the admin port when a node comes up or it is due.
func (d *daemon) observe(out cluster.Output) {
	now := time.Now()
	for _, m := range out.Messages {
		if m.Type != cluster.MsgStatus {
			continue
		}
		var seen []string
		for _, link := range d.links.Names() {
			if !slices.Contains(seen, link) {
				seen = append(seen, link)
				d.metrics.HeartbeatSent(link)
			}
		}
	}
	force := false
	for _, t := range out.Transitions {
		switch {
		case t.Kind == "node" && t.From == t.To && strings.HasPrefix(t.Reason, lateHeartbeat):
			// Only a status message makes this warning: the frame just
			// decoded.
			d.metrics.HeartbeatLate(t.Subject, d.frameLink)
		case t.Kind == "group":
			d.observeGroup(t, now)
		}
		if ev, ok := hookEvent(d.self, t); ok && ev.Kind == hooks.NodeUp {
			force = true
		}
	}
	for _, k := range out.Acquire {
		if _, ok := d.acquiring[k]; !ok {
			d.acquiring[k] = now // a retry after the guard, say
		}
	}
	d.announceAdmin(now, force)
}

// observeGroup times a takeover from the decision (acquiring) to
// running (ok) or failed, the split-brain guard's waits included, and
// counts the guard's refusals.
func (d *daemon) observeGroup(t cluster.Transition, now time.Time) {
	start, timed := d.acquiring[t.Subject]
	switch {
	case t.To == "acquiring" && !timed:
		d.acquiring[t.Subject] = now
	case t.From == "acquiring" && t.To == "waiting":
		d.metrics.GuardRefusal("address-in-use")
	case t.From == "acquiring" && (t.To == "running" || t.To == "failed") && timed:
		delete(d.acquiring, t.Subject)
		d.metrics.Takeover(t.Subject, t.To == "running", now.Sub(start))
	case t.To == "stopped" || t.To == "releasing":
		delete(d.acquiring, t.Subject) // not taken after all
	}
}
