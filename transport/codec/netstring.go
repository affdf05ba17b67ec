package codec

import (
	"bytes"
	"strconv"
)

// Netstring markers (spec 4.4). Wire constants: never change them.
const (
	netStart = "###\n"
	netEnd   = "%%%\n"
)

// parseNetstring parses "###\n", field netstrings, "%%%\n" and the
// optional trailer netstring. Bytes after the trailer are ignored, as
// heartbeat does.
func parseNetstring(b []byte) (*Packet, error) {
	p := &Packet{Format: Netstring, Message: &Message{}}
	off := len(netStart)
	for !bytes.HasPrefix(b[off:], []byte(netEnd)) {
		item, next, err := readNetstring(b, off)
		if err != nil {
			return nil, err
		}
		if err := p.addNetItem(item, off); err != nil {
			return nil, err
		}
		off = next
	}
	off += len(netEnd)
	p.signed = bytes.Clone(b[:off])
	if off < len(b) {
		tr, _, err := readNetstring(b, off)
		if err != nil {
			return nil, err
		}
		p.Trailer = string(tr)
	}
	return p, nil
}

// readNetstring reads `LEN ":" PAYLOAD ","` at off and returns the
// payload and the offset after the comma. Like heartbeat, it skips any
// bytes between the length digits and the colon.
func readNetstring(b []byte, off int) (payload []byte, next int, err error) {
	if off >= len(b) {
		return nil, 0, malformed(Netstring, off, "truncated: missing \"%%%%%%\" end marker")
	}
	n, i := 0, off
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int(b[i]-'0')
		if n > MaxFrame {
			return nil, 0, malformed(Netstring, off, "netstring length over %d", MaxFrame)
		}
	}
	if i == off {
		return nil, 0, malformed(Netstring, off, "want a netstring length (decimal digits), got %q", b[off])
	}
	colon := bytes.IndexByte(b[i:], ':')
	if colon < 0 {
		return nil, 0, malformed(Netstring, i, "netstring length without ':'")
	}
	start := i + colon + 1
	end := start + n
	if end >= len(b) {
		return nil, 0, malformed(Netstring, start, "netstring of %d bytes runs past the end of the input", n)
	}
	if b[end] != ',' {
		return nil, 0, malformed(Netstring, end, "netstring not terminated by ','")
	}
	return b[start:end], end + 1, nil
}

// addNetItem parses one field item `"(" T ")" NAME "=" VALUE` found at off.
func (p *Packet) addNetItem(item []byte, off int) error {
	if len(item) < 3 || item[0] != '(' || item[2] != ')' {
		return malformed(Netstring, off, "field without \"(T)\" type prefix")
	}
	var typ FieldType
	switch d := item[1]; {
	case d == '0':
		typ = String
	case d == '1':
		typ = Binary
	case d >= '2' && d <= '5':
		e := malformed(Netstring, off, "field type %c (nested, list or compressed) is not used by v1", d)
		e.Kind = ErrUnsupported
		return e
	default:
		return malformed(Netstring, off, "unknown field type %q", d)
	}
	eq := bytes.IndexByte(item[3:], '=')
	if eq < 0 {
		return malformed(Netstring, off, "field without '='")
	}
	name, value := string(item[3:3+eq]), string(item[3+eq+1:])
	if value == "" {
		return malformed(Netstring, off, "empty value of field %q", clip(name))
	}
	return p.addField(Field{Name: name, Value: value, Type: typ}, Netstring, off)
}

// appendNetItem appends the netstring of one field.
func appendNetItem(dst []byte, f Field) []byte {
	dst = strconv.AppendInt(dst, int64(3+len(f.Name)+1+len(f.Value)), 10)
	dst = append(dst, ":("...)
	dst = append(dst, '0'+byte(f.Type))
	dst = append(dst, ')')
	dst = append(dst, f.Name...)
	dst = append(dst, '=')
	dst = append(dst, f.Value...)
	return append(dst, ',')
}

// appendNetBody appends "###\n", the fields, the inner auth field and
// "%%%\n": the bytes the trailer signs.
func appendNetBody(dst []byte, fields []Field, inner string) []byte {
	dst = append(dst, netStart...)
	for _, f := range fields {
		dst = appendNetItem(dst, f)
	}
	dst = appendNetItem(dst, Field{Name: AuthField, Value: inner})
	return append(dst, netEnd...)
}

// appendTrailer appends the trailer netstring `LEN ":" AUTH ","`.
func appendTrailer(dst []byte, auth string) []byte {
	dst = strconv.AppendInt(dst, int64(len(auth)), 10)
	dst = append(dst, ':')
	dst = append(dst, auth...)
	return append(dst, ',')
}
