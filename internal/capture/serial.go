package capture

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/understudy-ha/understudy/transport/codec"
)

// serial splits a byte stream into frames as heartbeat's serial reader
// does (spec 4.11): CR bytes are dropped (IGNCR), bytes are skipped until a
// line starting with ">>>", then lines are collected up to one starting
// with "<<<". A stream that is one netstring frame is judged as such. A
// stream with no frame start at all is ErrNotCapture.
func (d *decoder) serial(in io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(in, maxSerialInput+1))
	if err != nil {
		return err
	}
	if len(data) > maxSerialInput {
		return fmt.Errorf("more than %d bytes of raw frames; split the capture", maxSerialInput)
	}
	if bytes.HasPrefix(data, []byte("###\n")) {
		d.frame(1, 0, data)
		return nil
	}
	var frame []byte
	var start int64
	in0, starts, n := false, 0, 0
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			break // an unterminated last line: heartbeat would still be waiting
		}
		line, lineStart := data[off:off+end+1], off
		off += end + 1
		line = bytes.ReplaceAll(line, []byte("\r"), nil)
		switch {
		case !in0 && bytes.HasPrefix(line, []byte(">>>")):
			in0, start, frame = true, int64(lineStart), append(frame[:0], ">>>\n"...)
			starts++
		case !in0:
			// garbage between frames
		case bytes.HasPrefix(line, []byte("<<<")):
			n++
			d.frame(n, start, append(frame, "<<<\n"...))
			in0 = false
		default:
			frame = append(frame, line...)
			if len(frame) > codec.MaxFrame {
				n++
				s := start
				d.rep.add(Message{N: n, Offset: &s, Length: len(frame), Encoding: codec.Classic.String(),
					Fields: []Field{}, Verdict: VerdictMalformed, Reason: fmt.Sprintf("no \"<<<\" line within %d bytes", codec.MaxFrame)})
				in0 = false
			}
		}
	}
	if starts == 0 {
		return notCapture(data)
	}
	if in0 {
		d.rep.Warnings = append(d.rep.Warnings, fmt.Sprintf("the stream ends inside a frame that starts at byte %d", start))
	}
	return nil
}

// frame judges the n-th frame of a stream, found at byte off.
func (d *decoder) frame(n int, off int64, b []byte) {
	m := Message{N: n, Offset: &off, Length: len(b)}
	d.judge(&m, b, time.Time{})
	d.rep.add(m)
}

// notCapture says what the input looks like instead.
func notCapture(data []byte) error {
	if len(data) == 0 {
		return fmt.Errorf("%w: the input is empty", ErrNotCapture)
	}
	head := data[:min(len(data), 4)]
	return fmt.Errorf("%w: it starts with the bytes % x (a pcap file starts with a1 b2 c3 d4 or d4 c3 b2 a1, "+
		"a pcapng file with 0a 0d 0d 0a) and has no line starting with \">>>\" (a serial stream's frames do)", ErrNotCapture, head)
}
