package capture

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/transport/codec"
	"github.com/understudy-ha/understudy/transport/session"
)

// judge decodes and verifies one message with the session, as the
// daemon would, and fills m with what it found.
func (d *decoder) judge(m *Message, b []byte, at time.Time) {
	m.Fields = []Field{}
	r, err := d.sess.Decode(b, at)
	if p := r.Packet; p != nil {
		m.Encoding = p.Format.String()
		for _, f := range p.Message.Fields() {
			v := f.Value
			if f.Type == codec.Binary {
				v = hex.EncodeToString([]byte(f.Value))
			}
			m.Fields = append(m.Fields, Field{Name: f.Name, Type: f.Type.String(), Value: v})
		}
		m.InnerAuth, m.Trailer = p.InnerAuth, p.Trailer
	}
	if err != nil {
		d.dropped(m, err, r.Packet)
		return
	}
	d.signer(m, r.Packet)
	src := name(r.Msg.Src)
	switch r.Seq.Verdict {
	case codec.Duplicate:
		m.Verdict = VerdictDuplicate
	case codec.Early:
		m.Verdict, m.Reason = VerdictEarly, "newer generation before its status message"
	default:
		m.Verdict = VerdictOK
		if r.Seq.Lost > 0 {
			seq, _ := r.Packet.Message.Get("seq")
			n, _ := strconv.ParseUint(seq, 16, 64)
			m.Notes = append(m.Notes, fmt.Sprintf("%d lost packet(s) for %s before seq %d", r.Seq.Lost, src, n))
		}
		if r.Seq.Restarted {
			m.Notes = append(m.Notes, fmt.Sprintf("%s restarted (new generation)", src))
		}
	}
}

// dropped turns the session's reason for dropping a frame into a verdict.
func (d *decoder) dropped(m *Message, err error, p *codec.Packet) {
	var fe *codec.FormatError
	var ae *codec.AuthError
	switch {
	case errors.As(err, &fe):
		m.Verdict = VerdictMalformed
		if fe.Format != codec.Unknown {
			m.Encoding = fe.Format.String()
		}
		off := fe.Offset
		m.Reason, m.ErrorOffset = fe.Reason, &off
	case errors.As(err, &ae):
		m.Reason = ae.Part + ": " + ae.Reason
		if ae.Index >= 0 {
			i := ae.Index
			m.Key = &i
		}
		switch session.ReasonOf(err) {
		case session.UnknownKey:
			m.Verdict = VerdictBadKey
		case session.BadDigest:
			m.Verdict = VerdictBadDigest
		default:
			m.Verdict = VerdictNoSig
		}
	case session.ReasonOf(err) == session.Replay:
		d.signer(m, p)
		m.Verdict, m.Reason = VerdictReplay, fmt.Sprintf("generation older than %s's current one", name(srcOf(p)))
	default: // a sequenced message without a valid seq or hg
		d.signer(m, p)
		m.Verdict, m.Reason = VerdictMalformed, "sequenced message without a valid hex seq and hg field"
	}
}

// signer notes the key that signed a verified frame, and checks the
// inner auth field of a netstring frame.
func (d *decoder) signer(m *Message, p *codec.Packet) {
	if p == nil {
		return
	}
	auth := p.InnerAuth
	if p.Format == codec.Netstring {
		auth = p.Trailer
		d.checkInner(m, p)
	}
	if idx, ok := authIndex(auth); ok {
		if k, ok := d.keys.Key(idx); ok {
			m.Key, m.Method = &idx, string(k.Method)
		}
	}
}

// checkInner checks the inner auth field of a verified netstring frame,
// which heartbeat itself ignores (spec 3.4): a mismatch is only a note.
func (d *decoder) checkInner(m *Message, p *codec.Packet) {
	if p.InnerAuth == "" {
		return
	}
	idx, ok := authIndex(p.InnerAuth)
	k, known := d.keys.Key(idx)
	if !ok || !known {
		m.Notes = append(m.Notes, "the inner auth field names an unknown key (heartbeat checks only the trailer)")
		return
	}
	text, err := codec.EncodeClassic(p.Message, k)
	if err != nil {
		return
	}
	if q, err := codec.Parse(text); err == nil && q.InnerAuth != p.InnerAuth {
		m.Notes = append(m.Notes, "the inner auth field does not verify (heartbeat checks only the trailer)")
	}
}

func authIndex(auth string) (int, bool) {
	i, _, _ := strings.Cut(auth, " ")
	n, err := strconv.Atoi(i)
	return n, err == nil && n >= 0
}

func srcOf(p *codec.Packet) string {
	if p == nil {
		return ""
	}
	src, _ := p.Message.Get("src")
	return src
}

func name(src string) string {
	if src == "" {
		return "(no src)"
	}
	return src
}
