package session

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/codec"
)

// Message is a heartbeat message without its standard fields.
type Message struct {
	// Type is the t field ("status", "ip-request", ...). Types starting
	// with "NS_" are protocol messages: they carry no seq and no ld and
	// are never recorded for retransmission.
	Type string
	// Src is the sender (received messages; Encode sends Self).
	Src string
	// Dest is the addressee; "" broadcasts.
	Dest string
	// Gen is the sender's generation (received messages; Encode sends
	// Options.Generation).
	Gen uint64
	// Fields are the message's own string fields, in order.
	Fields []Field
}

// Field is one string field.
type Field struct{ Name, Value string }

// Encode signs m for every link: its type and destination, its own
// fields, then destuuid (when the destination's UUID is known), src,
// srcuuid, seq, hg, ts, ld and ttl, with no seq and ld on NS_ messages.
// A sequenced message is recorded to answer retransmission requests.
// now is the ts field.
func (s *Session) Encode(m Message, now time.Time) (transport.Outbound, error) {
	msg, err := s.stamp(m, now)
	if err != nil {
		return transport.Outbound{}, err
	}
	return s.frames(msg)
}

// stamp builds the wire message: m's fields and the standard ones.
func (s *Session) stamp(m Message, now time.Time) (*codec.Message, error) {
	msg := &codec.Message{}
	add := func(k, v string) error { return msg.Add(codec.Field{Name: k, Value: v}) }
	errs := []error{add("t", m.Type)}
	if m.Dest != "" {
		errs = append(errs, add("dest", m.Dest))
	}
	for _, f := range m.Fields {
		errs = append(errs, add(f.Name, f.Value))
	}
	if u, ok := s.uuids[m.Dest]; ok && m.Dest != "" {
		errs = append(errs, msg.SetBinary("destuuid", u))
	}
	errs = append(errs, add("src", s.o.Self), msg.SetBinary("srcuuid", s.o.UUID))
	sequenced := !strings.HasPrefix(m.Type, "NS_")
	if sequenced {
		s.seq++
		errs = append(errs, add("seq", strconv.FormatUint(s.seq, 16)))
	}
	errs = append(errs, add("hg", strconv.FormatUint(s.o.Generation, 16)), add("ts", strconv.FormatInt(now.Unix(), 16)))
	if sequenced {
		errs = append(errs, add("ld", s.o.Load()))
	}
	errs = append(errs, add("ttl", strconv.Itoa(s.o.TTL)))
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("build %s message: %w", m.Type, err)
	}
	if sequenced {
		if err := s.hist.Record(msg); err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// frames signs msg in the encodings the links need.
func (s *Session) frames(msg *codec.Message) (transport.Outbound, error) {
	key := s.o.Keys.ActiveKey()
	pkt, err := codec.EncodeNetstring(msg, key)
	if err != nil {
		return transport.Outbound{}, err
	}
	out := transport.Outbound{Packet: pkt}
	if s.o.Classic {
		if out.Text, err = codec.EncodeClassic(msg, key); err != nil {
			return transport.Outbound{}, err
		}
	}
	return out, nil
}

// protocol encodes a protocol message the codec built (NS_rexmit,
// NS_nak_rexmit): its t and dest become Type and Dest, the rest its
// fields, and it gets the standard fields.
func (s *Session) protocol(m *codec.Message, now time.Time) (transport.Outbound, error) {
	var pm Message
	for _, f := range m.Fields() {
		switch f.Name {
		case "t":
			pm.Type = f.Value
		case "dest":
			pm.Dest = f.Value
		default:
			pm.Fields = append(pm.Fields, Field{Name: f.Name, Value: f.Value})
		}
	}
	return s.Encode(pm, now)
}
