package codec

import (
	"strconv"
	"strings"
)

// Netstring markers (spec 4.4). Wire constants: never change them.
const (
	netStart = "###\n"
	netEnd   = "%%%\n"
)

// parseNetstring parses "###\n", field netstrings, "%%%\n" and the
// optional trailer netstring. Bytes after the trailer are ignored, as
// heartbeat does. Names and values are substrings of s.
func parseNetstring(s string) (*Packet, error) {
	p := &Packet{Format: Netstring, Message: &Message{}}
	off := len(netStart)
	for !strings.HasPrefix(s[off:], netEnd) {
		start, end, err := readNetstring(s, off)
		if err != nil {
			return nil, err
		}
		if err := p.addNetItem(s[start:end], off); err != nil {
			return nil, err
		}
		off = end + 1
	}
	off += len(netEnd)
	p.signed = []byte(s[:off])
	if off < len(s) {
		start, end, err := readNetstring(s, off)
		if err != nil {
			return nil, err
		}
		p.Trailer = s[start:end]
	}
	return p, nil
}

// readNetstring reads `LEN ":" PAYLOAD ","` at off and returns where the
// payload starts and ends (the index of the comma). Like heartbeat, it
// skips any bytes between the length digits and the colon.
func readNetstring(s string, off int) (start, end int, err error) {
	if off >= len(s) {
		return 0, 0, malformed(Netstring, off, "truncated: missing \"%%%%%%\" end marker")
	}
	n, i := 0, off
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > MaxFrame {
			return 0, 0, malformed(Netstring, off, "netstring length over %d", MaxFrame)
		}
	}
	if i == off {
		return 0, 0, malformed(Netstring, off, "want a netstring length (decimal digits), got %q", s[off])
	}
	colon := strings.IndexByte(s[i:], ':')
	if colon < 0 {
		return 0, 0, malformed(Netstring, i, "netstring length without ':'")
	}
	start = i + colon + 1
	end = start + n
	if end >= len(s) {
		return 0, 0, malformed(Netstring, start, "netstring of %d bytes runs past the end of the input", n)
	}
	if s[end] != ',' {
		return 0, 0, malformed(Netstring, end, "netstring not terminated by ','")
	}
	return start, end, nil
}

// addNetItem parses one field item `"(" T ")" NAME "=" VALUE` found at off.
func (p *Packet) addNetItem(item string, off int) error {
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
	name, value, ok := strings.Cut(item[3:], "=")
	if !ok {
		return malformed(Netstring, off, "field without '='")
	}
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
