package cluster

import (
	"fmt"
	"strings"
)

// The message types this package sends or handles (heartbeat-spec §4, §5),
// as they travel in the t field. Msg.Type holds one of them, or whatever
// type a peer sent.
const (
	MsgStatus        = "status"        // heartbeat: st, dt
	MsgStarting      = "starting"      // start-up negotiation begins (§5.3)
	MsgResource      = "resource"      // what the sender holds: rsc_hold, isstable, us_held
	MsgAskResources  = "ask_resources" // standby handshake step: me, other, done (§5.8)
	MsgTakeover      = "hb_takeover"   // an operator asks the others to go standby
	MsgShutdone      = "shutdone"      // graceful shutdown complete (§5.6)
	MsgIPRequest     = "ip-request"    // legacy: may I have this group? (§5.4)
	MsgIPRequestResp = "ip-request-resp"
	MsgReqnodes      = "reqnodes" // heartbeat asks for the node list (§4.7)
	MsgRepnodes      = "repnodes"
	// MsgGroupFailed is Understudy's "I could not start this group": a
	// peer that has not failed it takes it. heartbeat ignores the type.
	MsgGroupFailed = "understudy-group-failed"
	// Understudy's own messages for monitors and operators' commands;
	// heartbeat ignores them (it runs rc.d/<type> if such a script
	// exists, and none does).
	//
	// MsgHandOver: group, to, why (monitor, move), step: "give" — the
	// sender released the group and hands it to node to, which takes it
	// if it can (the others leave it to that node for two dead times);
	// "took" — node to, which a move handed it to, runs it; "refused"
	// (addressed to the node that asked for a move, with reason) — the
	// holder will not move it.
	MsgHandOver = "understudy-hand-over"
	// MsgMove (addressed to the node holding group): hand group to node
	// to (an operator's move on another node).
	MsgMove = "understudy-move"
	// MsgClear: an operator cleared group's failure marks; every node
	// clears its own.
	MsgClear = "understudy-clear"
	// MsgStandbyCancel (addressed, rsc_hold): the sender got our "other"
	// for a standby it no longer runs (its "me" came late); sent to
	// Understudy nodes only.
	MsgStandbyCancel = "understudy-standby-cancel"
)

// Msg is a cluster message: its type, its fields in order (without the
// standard fields the transport adds: src, seq, hg, ts, auth, ...), and
// for received messages its sender. Dest is empty for "everyone".
type Msg struct {
	Type   string
	Src    string
	Dest   string
	Gen    uint64 // sender's generation (received messages)
	Fields []KV
}

// KV is one message field.
type KV struct{ K, V string }

// Get returns the first field named k.
func (m Msg) Get(k string) string {
	for _, f := range m.Fields {
		if f.K == k {
			return f.V
		}
	}
	return ""
}

func (m Msg) String() string {
	var b strings.Builder
	b.WriteString("t=" + m.Type)
	if m.Dest != "" {
		b.WriteString(" dest=" + m.Dest)
	}
	for _, f := range m.Fields {
		fmt.Fprintf(&b, " %s=%s", f.K, f.V)
	}
	return b.String()
}

func msg(t string, kv ...string) Msg {
	m := Msg{Type: t}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Fields = append(m.Fields, KV{kv[i], kv[i+1]})
	}
	return m
}
