package daemon

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/codec"
)

// wire turns cluster messages into signed frames and frames back into
// verified, de-duplicated cluster messages, with heartbeat's standard
// fields, sequence numbers and retransmissions (heartbeat-spec §4.6, §4.7).
type wire struct {
	self  string
	uuid  []byte
	gen   uint64
	seq   uint64
	ttl   int
	keys  config.AuthKeys
	nodes map[string]bool
	// serial: some link needs the classic encoding.
	serial bool
	hist   *codec.History
	peers  map[string]*codec.SeqState
	uuids  map[string][]byte
	load   func() string
}

func newWire(self string, uuid []byte, gen uint64, c *config.Config) *wire {
	w := &wire{self: self, uuid: uuid, gen: gen, ttl: len(c.Nodes) + c.Hopfudge, keys: c.Auth,
		nodes: map[string]bool{}, hist: codec.NewHistory(codec.HistorySize, c.MaxRexmitDelay-10*time.Millisecond),
		peers: map[string]*codec.SeqState{}, uuids: map[string][]byte{}, load: loadavg}
	for _, n := range c.Nodes {
		w.nodes[n] = true
	}
	for _, m := range c.Media {
		w.serial = w.serial || m.Type == config.Serial
	}
	return w
}

// setConfig applies a reload: keys, node list, ttl and encodings.
func (w *wire) setConfig(c *config.Config) {
	fresh := newWire(w.self, w.uuid, w.gen, c)
	w.keys, w.nodes, w.ttl, w.serial = fresh.keys, fresh.nodes, fresh.ttl, fresh.serial
}

// loadavg is what heartbeat puts in the ld field.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if s := strings.TrimSpace(string(b)); err == nil && s != "" {
		return s
	}
	return "0.00 0.00 0.00 0/0 0"
}

// encode builds the wire form of a cluster message: its own fields, then
// dest/destuuid, src, srcuuid, seq, hg, ts, ld, ttl (no seq and ld on NS_
// messages), signed by the active key.
func (w *wire) encode(m cluster.Msg, now time.Time) (transport.Outbound, error) {
	msg, err := w.build(m, now)
	if err != nil {
		return transport.Outbound{}, err
	}
	return w.frames(msg)
}

func (w *wire) build(m cluster.Msg, now time.Time) (*codec.Message, error) {
	msg := &codec.Message{}
	add := func(k, v string) error { return msg.Add(codec.Field{Name: k, Value: v}) }
	errs := []error{add("t", m.Type)}
	if m.Dest != "" {
		errs = append(errs, add("dest", m.Dest))
	}
	for _, f := range m.Fields {
		errs = append(errs, add(f.K, f.V))
	}
	if u, ok := w.uuids[m.Dest]; ok && m.Dest != "" {
		errs = append(errs, msg.SetBinary("destuuid", u))
	}
	errs = append(errs, add("src", w.self), msg.SetBinary("srcuuid", w.uuid))
	sequenced := !strings.HasPrefix(m.Type, "NS_")
	if sequenced {
		w.seq++
		errs = append(errs, add("seq", strconv.FormatUint(w.seq, 16)))
	}
	errs = append(errs, add("hg", strconv.FormatUint(w.gen, 16)), add("ts", strconv.FormatInt(now.Unix(), 16)))
	if sequenced {
		errs = append(errs, add("ld", w.load()))
	}
	errs = append(errs, add("ttl", strconv.Itoa(w.ttl)))
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("build %s message: %w", m.Type, err)
	}
	if sequenced {
		if err := w.hist.Record(msg); err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// frames signs msg in the encodings the links need.
func (w *wire) frames(msg *codec.Message) (transport.Outbound, error) {
	key := w.keys.ActiveKey()
	pkt, err := codec.EncodeNetstring(msg, key)
	if err != nil {
		return transport.Outbound{}, err
	}
	out := transport.Outbound{Packet: pkt}
	if w.serial {
		if out.Text, err = codec.EncodeClassic(msg, key); err != nil {
			return transport.Outbound{}, err
		}
	}
	return out, nil
}

// standard fields are not passed to the cluster.
var standard = map[string]bool{"t": true, "src": true, "srcuuid": true, "seq": true, "hg": true,
	"ts": true, "ld": true, "ttl": true, "dest": true, "destuuid": true, "auth": true}

// received is the outcome of decoding one frame.
type received struct {
	msg cluster.Msg
	dup bool
	// deliver: pass msg to the cluster (possibly as a duplicate).
	deliver bool
	// replies are protocol messages to send (NS_rexmit, resends, naks).
	replies []*codec.Message
	// note is something worth logging (replay, lost packets).
	note string
}

// decode verifies and judges one frame.
func (w *wire) decode(data []byte, now time.Time) (received, error) {
	var r received
	m, err := codec.Decode(data, w.keys)
	if err != nil {
		return r, err
	}
	src, _ := m.Get("src")
	typ, _ := m.Get("t")
	if src == w.self {
		return r, nil // our own broadcast, looped back
	}
	if !w.nodes[src] {
		return r, fmt.Errorf("message from %q, which is not a node of ha.cf", src)
	}
	if u, ok := m.Lookup("srcuuid"); ok && len(u.Value) == 16 {
		w.uuids[src] = []byte(u.Value)
	}
	dest, _ := m.Get("dest")
	if strings.HasPrefix(typ, "NS_") {
		if dest == "" || dest == w.self {
			r.replies, r.note = w.control(m, typ, src, now)
		}
		return r, nil
	}
	return w.sequenced(m, src, typ, dest)
}

// sequenced applies the sequence and generation rules.
func (w *wire) sequenced(m *codec.Message, src, typ, dest string) (received, error) {
	var r received
	st := w.peers[src]
	if st == nil {
		st = &codec.SeqState{}
		w.peers[src] = st
	}
	obs, err := st.ObserveMessage(m)
	if err != nil {
		return r, err
	}
	switch obs.Verdict {
	case codec.Replay:
		return r, fmt.Errorf("replayed or stale message from %s dropped", src)
	case codec.Early:
		return r, nil
	case codec.Duplicate:
		r.dup = true
	}
	if obs.Lost > 0 && !obs.Resync {
		r.note = fmt.Sprintf("%d lost packet(s) for [%s]", obs.Lost, src)
	}
	for _, s := range obs.Request {
		r.replies = append(r.replies, codec.RexmitRequest(src, s))
	}
	hg, _ := m.Get("hg")
	gen, _ := strconv.ParseUint(hg, 16, 64)
	cm := cluster.Msg{Type: typ, Src: src, Dest: dest, Gen: gen}
	for _, f := range m.Fields() {
		if f.Type == codec.String && !standard[f.Name] {
			cm.Fields = append(cm.Fields, cluster.KV{K: f.Name, V: f.Value})
		}
	}
	r.msg, r.deliver = cm, true
	return r, nil
}

// control answers heartbeat's NS_ protocol messages.
func (w *wire) control(m *codec.Message, typ, src string, now time.Time) ([]*codec.Message, string) {
	switch typ {
	case "NS_rexmit":
		rep, err := w.hist.Answer(m, src, now)
		if err != nil {
			return nil, "bad retransmission request from " + src + ": " + err.Error()
		}
		return append(rep.Resend, rep.Nak...), ""
	case "NS_nak_rexmit":
		if seq, err := codec.ParseNak(m); err == nil {
			if st := w.peers[src]; st != nil {
				st.GiveUp(seq)
			}
			return nil, fmt.Sprintf("irretrievably lost packet: node %s seq %d", src, seq)
		}
	}
	return nil, ""
}

// resend encodes a message again: recorded ones keep their fields, new
// protocol messages get the standard fields.
func (w *wire) resend(m *codec.Message, now time.Time) (transport.Outbound, error) {
	if _, ok := m.Get("src"); ok {
		return w.frames(m)
	}
	typ, _ := m.Get("t")
	cm := cluster.Msg{Type: typ}
	for _, f := range m.Fields() {
		switch f.Name {
		case "t":
		case "dest":
			cm.Dest = f.Value
		default:
			cm.Fields = append(cm.Fields, cluster.KV{K: f.Name, V: f.Value})
		}
	}
	return w.encode(cm, now)
}
