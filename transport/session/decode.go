package session

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/codec"
)

// Received is what to do with one received frame.
type Received struct {
	// Msg is the message without its standard fields.
	Msg Message
	// Deliver: pass Msg to the cluster. Own looped-back broadcasts,
	// protocol messages and messages of a sender's next generation that
	// come before its status message are not delivered.
	Deliver bool
	// Dup: Msg is a copy of one already delivered (the same message on
	// another link). It is delivered all the same: it shows the link
	// works.
	Dup bool
	// Replies are protocol messages the frame calls for, ready to send
	// on every link: requests for the sender's missing messages, the
	// messages a peer asked for again, refusals for those no longer held.
	Replies []transport.Outbound
	// Note is worth a log line: packets lost, one given up for good, a
	// bad retransmission request.
	Note string
	// Packet is the frame as parsed (every field, the auth strings), for
	// tools that show it. It is set whenever the frame parsed, also when
	// Decode returns an error of another reason.
	Packet *codec.Packet
	// Seq is the sequence judgement of the message (Verdict Unsequenced
	// for protocol messages; zero when not judged).
	Seq codec.Observation
}

// standard fields are not part of Message.Fields.
var standard = map[string]bool{"t": true, "src": true, "srcuuid": true, "seq": true, "hg": true,
	"ts": true, "ld": true, "ttl": true, "dest": true, "destuuid": true, codec.AuthField: true}

// Decode verifies one frame from any link and judges it by the sequence
// and generation rules. now is when it arrived. A dropped frame is an
// error whose Reason says why (see [Error]); an ignored one (own, early,
// another node's protocol message) is a Received that is not delivered.
func (s *Session) Decode(frame []byte, now time.Time) (Received, error) {
	var r Received
	p, err := codec.Parse(frame)
	if err != nil {
		return r, &Error{Reason: Malformed, Err: err}
	}
	r.Packet = p
	m := p.Message
	src, _ := m.Get("src")
	if err := p.Verify(s.o.Keys); err != nil {
		return r, &Error{Reason: authReason(err), Src: src, Err: err}
	}
	if !s.o.Passive {
		if src == s.o.Self {
			return r, nil // our own broadcast, looped back
		}
		if !s.nodes[src] {
			return r, &Error{Reason: NotNode, Src: src}
		}
	}
	if u, ok := m.Lookup("srcuuid"); ok && len(u.Value) == 16 {
		s.uuids[src] = []byte(u.Value)
	}
	r.Msg = message(m)
	if strings.HasPrefix(r.Msg.Type, "NS_") {
		r.Seq.Verdict = codec.Unsequenced
		if !s.o.Passive && (r.Msg.Dest == "" || r.Msg.Dest == s.o.Self) {
			r.Replies, r.Note = s.control(m, r.Msg.Type, src, now)
		}
		return r, nil
	}
	return s.sequenced(r, m, now)
}

// message takes the standard fields out.
func message(m *codec.Message) Message {
	typ, _ := m.Get("t")
	src, _ := m.Get("src")
	dest, _ := m.Get("dest")
	hg, _ := m.Get("hg")
	gen, _ := strconv.ParseUint(hg, 16, 64)
	msg := Message{Type: typ, Src: src, Dest: dest, Gen: gen}
	for _, f := range m.Fields() {
		if f.Type == codec.String && !standard[f.Name] {
			msg.Fields = append(msg.Fields, Field{Name: f.Name, Value: f.Value})
		}
	}
	return msg
}

// sequenced applies the sequence and generation rules (spec 4.7).
func (s *Session) sequenced(r Received, m *codec.Message, now time.Time) (Received, error) {
	src := r.Msg.Src
	st := s.peers[src]
	if st == nil {
		st = &codec.SeqState{}
		s.peers[src] = st
	}
	obs, err := st.ObserveMessage(m)
	if err != nil {
		return r, &Error{Reason: Malformed, Src: src, Err: err}
	}
	r.Seq = obs
	switch obs.Verdict {
	case codec.Replay:
		cur, _ := st.Generation()
		return r, &Error{Reason: Replay, Src: src, Err: fmt.Errorf("generation %d is older than %d, the current one", r.Msg.Gen, cur)}
	case codec.Early:
		return r, nil
	case codec.Duplicate:
		r.Dup = true
	}
	if obs.Lost > 0 && !obs.Resync {
		r.Note = fmt.Sprintf("%d lost packet(s) for [%s]", obs.Lost, src)
	}
	if !s.o.Passive {
		for _, q := range obs.Request {
			r.reply(s.protocol(codec.RexmitRequest(src, q), now))
		}
	}
	r.Deliver = true
	return r, nil
}

// control answers heartbeat's NS_ protocol messages addressed to us.
func (s *Session) control(m *codec.Message, typ, src string, now time.Time) ([]transport.Outbound, string) {
	var r Received
	switch typ {
	case "NS_rexmit":
		rep, err := s.hist.Answer(m, src, now)
		if err != nil {
			return nil, "bad retransmission request from " + src + ": " + err.Error()
		}
		for _, old := range rep.Resend {
			r.reply(s.frames(old)) // recorded as sent: the same fields again
		}
		for _, nak := range rep.Nak {
			r.reply(s.protocol(nak, now))
		}
	case "NS_nak_rexmit":
		if seq, err := codec.ParseNak(m); err == nil {
			if st := s.peers[src]; st != nil {
				st.GiveUp(seq)
			}
			r.Note = fmt.Sprintf("irretrievably lost packet: node %s seq %d", src, seq)
		}
	}
	return r.Replies, r.Note
}

// reply adds an encoded reply; one that cannot be encoded is noted.
func (r *Received) reply(o transport.Outbound, err error) {
	if err != nil {
		r.Note = strings.TrimPrefix(r.Note+"; ", "; ") + "cannot encode a reply: " + err.Error()
		return
	}
	r.Replies = append(r.Replies, o)
}
