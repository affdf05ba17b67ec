package capture

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/pcap"
	"github.com/understudy-ha/understudy/transport/session"
)

// Options say how to read a capture.
type Options struct {
	// Keys verify the messages (the node's authkeys).
	Keys config.AuthKeys
	// Port, if not 0, judges every UDP datagram from or to that port;
	// 0 judges the UDP payloads that start like a heartbeat frame.
	Port int
}

// ErrNotCapture: the input is neither a pcap or pcapng capture nor a
// heartbeat serial stream (a stream with no ">>>" line, or empty).
var ErrNotCapture = errors.New("neither a pcap or pcapng capture nor a heartbeat serial stream")

// maxSerialInput bounds a raw frame stream read into memory.
const maxSerialInput = 256 << 20

// Read reads a pcap or pcapng capture or a serial byte stream (told
// apart by their first bytes) and judges every heartbeat message in it.
// An error means the input could not be read as any of them, or not to
// the end of its headers (unsupported link type, broken file header):
// nothing in the report is to be trusted then.
func Read(in io.Reader, o Options) (*Report, error) {
	rep := &Report{Messages: []Message{}, Summary: map[string]int{}, Port: o.Port}
	d := &decoder{keys: o.Keys, port: o.Port, rep: rep,
		sess: session.New(session.Options{Passive: true, Config: session.Config{Keys: o.Keys}})}
	br := bufio.NewReaderSize(in, 64<<10)
	head, _ := br.Peek(4)
	var err error
	switch {
	case pcap.IsPcap(head):
		rep.Kind = "pcap"
		var r *pcap.Reader
		if r, err = pcap.NewReader(br); err == nil {
			rep.LinkType = r.Header.LinkType
			err = d.packets(r)
		}
	case pcap.IsPcapng(head):
		rep.Kind = "pcapng"
		var r *pcap.NgReader
		if r, err = pcap.NewNgReader(br); err == nil {
			err = d.packets(r)
		}
	default:
		rep.Kind = "serial"
		err = d.serial(br)
	}
	if err != nil {
		return rep, err
	}
	rep.finish()
	return rep, nil
}

// decoder judges messages one after the other; its session keeps the
// per-sender sequence state across the capture.
type decoder struct {
	keys config.AuthKeys
	port int
	sess *session.Session
	rep  *Report
}

// packets judges the UDP datagrams of a pcap or pcapng file.
func (d *decoder) packets(r interface{ Next() (pcap.Record, error) }) error {
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, pcap.ErrTruncated) {
			d.rep.Warnings = append(d.rep.Warnings, err.Error())
			return nil
		}
		if err != nil {
			return err
		}
		if d.rep.LinkType == 0 {
			d.rep.LinkType = rec.LinkType
		}
		if err := d.packet(rec); err != nil {
			return err
		}
	}
}

func (d *decoder) packet(rec pcap.Record) error {
	dg, err := pcap.UDP(rec.LinkType, rec.Data)
	if errors.Is(err, pcap.ErrLinkType) {
		return fmt.Errorf("packet %d: %w (understudy decode reads Ethernet, Linux cooked v1/v2, raw IP and loopback captures)", rec.N, err)
	}
	if errors.Is(err, pcap.ErrNotUDP) || errors.Is(err, pcap.ErrFragment) || (err != nil && dg.Payload == nil) {
		d.rep.Skipped++
		if err != nil && !errors.Is(err, pcap.ErrNotUDP) {
			d.rep.Warnings = append(d.rep.Warnings, fmt.Sprintf("packet %d skipped: %v", rec.N, err))
		}
		return nil
	}
	if d.port != 0 && int(dg.Src.Port()) != d.port && int(dg.Dst.Port()) != d.port ||
		d.port == 0 && !looksLikeHeartbeat(dg.Payload) {
		d.rep.Skipped++
		return nil
	}
	m := Message{N: rec.N, Time: timestamp(rec.Time, rec.Resolution), Src: dg.Src.String(), Dst: dg.Dst.String(), Length: len(dg.Payload)}
	if err != nil { // cut by the snap length: judge what is there, say why it fails
		m.Notes = append(m.Notes, err.Error())
	}
	d.judge(&m, dg.Payload, rec.Time)
	d.rep.add(m)
	return nil
}

// looksLikeHeartbeat reports whether a UDP payload starts like a
// heartbeat frame (netstring or classic; leading blank lines are allowed
// before a classic frame).
func looksLikeHeartbeat(p []byte) bool {
	q := bytes.TrimLeft(p, "\n")
	return bytes.HasPrefix(p, []byte("###\n")) || bytes.HasPrefix(q, []byte(">>>\n"))
}

// timestamp prints a capture time to its resolution; a simple packet
// block has none.
func timestamp(t time.Time, res time.Duration) string {
	switch {
	case t.IsZero():
		return ""
	case res < time.Microsecond:
		return t.Format("2006-01-02T15:04:05.000000000Z")
	}
	return t.Format("2006-01-02T15:04:05.000000Z")
}
