package transport

import "bytes"

// Classic frame delimiters (heartbeat-spec 4.11). Wire constants.
const (
	frameStart = ">>>"
	frameEnd   = "<<<"
)

// deframer splits a serial byte stream into classic frames. It works on
// lines, as heartbeat's reader does:
//
//   - Outside a frame, bytes are discarded until a line that starts with
//     ">>>" (heartbeat's rule) or ends with ">>>" (garbage glued before
//     the marker, e.g. the rest of a frame cut off by a write timeout).
//   - Inside a frame, lines are collected until one starting with "<<<".
//     A line starting with ">>>" cannot be a field line, so it abandons
//     the frame so far and starts a new one.
//   - A frame, or a line, that grows past max bytes is dropped, and
//     bytes are discarded up to the next newline before hunting again.
//
// Emitted frames are normalised to start with ">>>\n" and end with
// "<<<\n" exactly, which is what the codec parses. A deframer is not safe
// for concurrent use.
type deframer struct {
	max     int
	line    []byte // current line, without its newline
	frame   []byte // frame so far, start line included; reused
	in      bool   // inside a frame (false: hunting for a start line)
	skip    bool   // discarding up to the next newline
	dropped int    // bytes discarded so far, for statistics
}

func newDeframer(max int) *deframer { return &deframer{max: max} }

// keepFrameBuf is the largest frame buffer a deframer keeps for the
// next frame; heartbeats are a few hundred bytes.
const keepFrameBuf = 4096

// feed consumes p and calls emit for every complete frame, in order. The
// frame passed to emit is freshly allocated and belongs to the callee.
func (d *deframer) feed(p []byte, emit func([]byte)) {
	for len(p) > 0 {
		nl := bytes.IndexByte(p, '\n')
		chunk := p
		if nl >= 0 {
			chunk = p[:nl]
			p = p[nl+1:]
		} else {
			p = nil
		}
		if d.skip {
			d.dropped += len(chunk)
			if nl >= 0 {
				d.skip = false
				d.dropped++
			}
			continue
		}
		d.line = append(d.line, chunk...)
		if len(d.frame)+len(d.line)+1 > d.max {
			d.overflow(nl >= 0)
			continue
		}
		if nl >= 0 {
			d.endLine(emit)
		}
	}
}

// overflow drops the current frame and line; if the line is not complete
// yet, the rest of it is skipped as well.
func (d *deframer) overflow(complete bool) {
	d.dropped += len(d.frame) + len(d.line)
	d.frame, d.line, d.in = d.frame[:0], d.line[:0], false
	d.skip = !complete
	if complete {
		d.dropped++
	}
}

// endLine handles one complete line (in d.line).
func (d *deframer) endLine(emit func([]byte)) {
	line := d.line
	d.line = d.line[:0]
	startsFrame := bytes.HasPrefix(line, []byte(frameStart))
	switch {
	case !d.in && (startsFrame || bytes.HasSuffix(line, []byte(frameStart))):
		d.dropped += len(line) - len(frameStart)
		d.frame, d.in = append(d.frame[:0], frameStart+"\n"...), true
	case !d.in:
		d.dropped += len(line) + 1
	case startsFrame:
		d.dropped += len(d.frame) + len(line) + 1 - len(frameStart) - 1
		d.frame = append(d.frame[:0], frameStart+"\n"...)
	case bytes.HasPrefix(line, []byte(frameEnd)):
		d.dropped += len(line) - len(frameEnd)
		d.frame = append(d.frame, frameEnd+"\n"...)
		f := bytes.Clone(d.frame) // one allocation of the exact size
		d.frame, d.in = d.frame[:0], false
		if cap(d.frame) > keepFrameBuf {
			d.frame = nil // do not hold on to the memory of a huge frame
		}
		emit(f)
	default:
		d.frame = append(d.frame, line...)
		d.frame = append(d.frame, '\n')
	}
}

// isClassic reports whether f is exactly one classic frame: ">>>\n", no
// line starting with ">>>" or "<<<" in between, and "<<<\n" at the end.
// That is what the serial link's peer can split back out of the stream.
func isClassic(f []byte) bool {
	if !bytes.HasPrefix(f, []byte(frameStart+"\n")) || !bytes.HasSuffix(f, []byte("\n"+frameEnd+"\n")) {
		return false
	}
	body := f[len(frameStart)+1 : len(f)-len(frameEnd)-1]
	for len(body) > 0 {
		if bytes.HasPrefix(body, []byte(frameStart)) || bytes.HasPrefix(body, []byte(frameEnd)) {
			return false
		}
		nl := bytes.IndexByte(body, '\n')
		if nl < 0 {
			return false
		}
		body = body[nl+1:]
	}
	return true
}
