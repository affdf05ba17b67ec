package codec

import (
	"encoding/base64"
	"strings"
)

// Classic text markers and the byte that stands for a newline inside a
// string value (spec 4.3). Wire constants: never change them.
const (
	classicStart = ">>>\n"
	classicEnd   = "<<<" // a line starting with it ends the frame
	newlineByte  = 0x13
)

// appendClassicFields renders fields as classic text lines: the text the
// inner auth field signs (spec 3.3) and the body of a classic frame.
func appendClassicFields(dst []byte, fields []Field) []byte {
	for _, f := range fields {
		if f.Type == Binary {
			dst = append(dst, "(1)"...)
			dst = append(dst, f.Name...)
			dst = append(dst, '=')
			dst = base64.StdEncoding.AppendEncode(dst, []byte(f.Value))
			dst = append(dst, '\n')
			continue
		}
		dst = append(dst, f.Name...)
		dst = append(dst, '=')
		for i := 0; i < len(f.Value); i++ {
			c := f.Value[i]
			if c == '\n' {
				c = newlineByte
			}
			dst = append(dst, c)
		}
		dst = append(dst, '\n')
	}
	return dst
}

// parseClassic parses a classic frame: optional blank lines, ">>>", field
// lines, and a line starting with "<<<". Bytes after that line (older
// heartbeats sent a trailing NUL over UDP) are ignored, as heartbeat does.
// Names and string values are substrings of s.
func parseClassic(s string) (*Packet, error) {
	off := 0
	for off < len(s) && s[off] == '\n' {
		off++
	}
	if !strings.HasPrefix(s[off:], classicStart) {
		return nil, malformed(Classic, off, "missing \">>>\" start line")
	}
	off += len(classicStart)
	p := &Packet{Format: Classic, Message: &Message{}}
	for {
		nl := strings.IndexByte(s[off:], '\n')
		if nl < 0 {
			return nil, malformed(Classic, len(s), "missing \"<<<\" end line")
		}
		line := s[off : off+nl]
		if strings.HasPrefix(line, classicEnd) {
			return p, nil
		}
		if err := p.addClassicLine(line, off); err != nil {
			return nil, err
		}
		off += nl + 1
	}
}

// addClassicLine parses `[(T)]NAME=VALUE` found at offset off.
func (p *Packet) addClassicLine(line string, off int) error {
	typ := String
	if len(line) >= 3 && line[0] == '(' && line[2] == ')' {
		switch d := line[1]; {
		case d == '1':
			typ = Binary
		case d == '0':
			return malformed(Classic, off, "\"(0)\" prefix: classic text writes string fields without one")
		case d >= '2' && d <= '5':
			e := malformed(Classic, off, "field type %c (nested, list or compressed) is not used by v1", d)
			e.Kind = ErrUnsupported
			return e
		default:
			return malformed(Classic, off, "unknown field type %q", d)
		}
		line, off = line[3:], off+3
	}
	name, value, ok := strings.Cut(line, "=")
	if !ok {
		return malformed(Classic, off, "line without '='")
	}
	voff := off + len(name) + 1
	switch {
	case value == "":
		return malformed(Classic, voff, "empty value of field %q", clip(name))
	case typ == Binary:
		// DecodeString skips '\r'; refuse it so that decoding is exact.
		v, err := base64.StdEncoding.Strict().DecodeString(value)
		if err != nil || strings.IndexByte(value, '\r') >= 0 {
			return malformed(Classic, voff, "binary field %q: bad base64", clip(name))
		}
		value = string(v)
	default:
		value = strings.ReplaceAll(value, "\x13", "\n")
	}
	return p.addField(Field{Name: name, Value: value, Type: typ}, Classic, off)
}

// encodeClassic appends the classic frame of fields, signed with inner.
func encodeClassic(fields []Field, inner string) []byte {
	b := make([]byte, 0, 32+classicSize(fields)+len(inner))
	b = append(b, classicStart...)
	b = appendClassicFields(b, fields)
	b = append(b, AuthField+"="...)
	b = append(b, inner...)
	b = append(b, "\n"+classicEnd+"\n"...)
	return b
}

func classicSize(fields []Field) int {
	n := 0
	for _, f := range fields {
		n += len(f.Name) + 5 + base64.StdEncoding.EncodedLen(len(f.Value))
	}
	return n
}
