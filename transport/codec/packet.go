package codec

import (
	"fmt"
	"strings"

	"github.com/understudy-ha/understudy/config"
)

// Limits (spec 4.12).
const (
	// MaxFrame is the largest frame accepted or produced, in bytes:
	// heartbeat's MAXMSG (262144). Its UDP receive buffer is one byte
	// smaller, so no larger heartbeat packet can arrive; a larger outgoing
	// message would need compression, which Understudy does not implement.
	MaxFrame = 262144
	// MaxFields bounds the fields of one message. Heartbeat has no bound;
	// v1 messages carry about 15 fields and script-sent ones come through a
	// 512-byte FIFO line, so 256 leaves ample room.
	MaxFields = 256
	// MaxNameLen bounds a field name.
	MaxNameLen = 256
)

// Format is a wire encoding.
type Format uint8

// The encodings. Heartbeat picks one by the first four bytes.
const (
	Unknown   Format = iota
	Classic          // ">>>\n" ... "<<<\n", signed by the inner auth field
	Netstring        // "###\n" ... "%%%\n" + trailer, signed by the trailer
)

func (f Format) String() string {
	switch f {
	case Classic:
		return "classic"
	case Netstring:
		return "netstring"
	}
	return "unknown"
}

// Packet is a parsed frame whose signature has not been checked yet.
type Packet struct {
	Format Format
	// Message holds the fields in wire order, without the inner auth field.
	Message *Message
	// InnerAuth is the value of the inner auth field, "" if absent. It is
	// what authenticates a classic frame; in a netstring frame it is
	// covered by the trailer and, as in heartbeat, not checked.
	InnerAuth string
	// Trailer is the netstring trailer ("<index> <digest>"), "" if absent.
	Trailer string

	signed []byte // netstring: the body bytes the trailer signs (a copy)
}

// Parse parses b as a classic or netstring frame without checking its
// signature. It does not keep b: the message's names and values share one
// copy of it. Errors are *FormatError.
func Parse(b []byte) (*Packet, error) {
	if len(b) > MaxFrame {
		return nil, &FormatError{Offset: MaxFrame, Reason: fmt.Sprintf("%d bytes, limit %d", len(b), MaxFrame), Kind: ErrTooLarge}
	}
	// One copy of the input; every name and value is a substring of it.
	s := string(b)
	if strings.HasPrefix(s, netStart) {
		return parseNetstring(s)
	}
	if strings.HasPrefix(strings.TrimLeft(s, "\n"), classicStart) {
		return parseClassic(s)
	}
	return nil, malformed(Unknown, 0, "starts with neither \"###\\n\" (netstring) nor \">>>\\n\" (classic)")
}

// Verify authenticates the packet as heartbeat does (spec 3.4): the trailer
// of a netstring frame, the inner auth field of a classic one, each with
// the key stored under the index the packet names. Errors are *AuthError.
func (p *Packet) Verify(keys config.AuthKeys) error {
	switch {
	case p.Message == nil:
		return &AuthError{Part: "packet", Index: -1, Reason: "not a parsed packet", Err: ErrBadAuth}
	case p.Format == Netstring:
		return verify(keys, "netstring trailer", p.Trailer, p.signed)
	}
	text := appendClassicFields(nil, p.Message.fields)
	return verify(keys, "inner auth field", p.InnerAuth, text)
}

// Decode parses and authenticates a frame received from any medium and
// returns its message. Errors are *FormatError or *AuthError.
func Decode(b []byte, keys config.AuthKeys) (*Message, error) {
	p, err := Parse(b)
	if err != nil {
		return nil, err
	}
	if err := p.Verify(keys); err != nil {
		return nil, err
	}
	return p.Message, nil
}

// EncodeNetstring returns m as heartbeat 3.0.6 with cluster-glue 1.0.12
// sends it on UDP (spec 4.5): a netstring body whose last field is the
// inner auth field, then the trailer, both signed with key.
func EncodeNetstring(m *Message, key config.AuthKey) ([]byte, error) {
	inner, err := Sign(key, appendClassicFields(nil, m.fields))
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 64+netSize(m.fields)+2*len(inner))
	b = appendNetBody(b, m.fields, inner)
	trailer, err := Sign(key, b)
	if err != nil {
		return nil, err
	}
	b = appendTrailer(b, trailer)
	return checkSize(b)
}

// EncodeClassic returns m as a classic text frame with the inner auth
// field signed with key: the serial framing of spec 4.11.
//
// A string value holding byte 0x13 is refused with ErrInvalidField:
// classic text uses that byte for a newline, so it would come back as one.
func EncodeClassic(m *Message, key config.AuthKey) ([]byte, error) {
	for _, f := range m.fields {
		if f.Type == String && strings.IndexByte(f.Value, newlineByte) >= 0 {
			return nil, fieldErr(f.Name, "value holds byte 0x13, which classic text reserves for newline")
		}
	}
	inner, err := Sign(key, appendClassicFields(nil, m.fields))
	if err != nil {
		return nil, err
	}
	return checkSize(encodeClassic(m.fields, inner))
}

func checkSize(b []byte) ([]byte, error) {
	if len(b) > MaxFrame {
		return nil, fmt.Errorf("codec: encoded message is %d bytes, limit %d (compression is not implemented): %w", len(b), MaxFrame, ErrTooLarge)
	}
	return b, nil
}

func netSize(fields []Field) int {
	n := 0
	for _, f := range fields {
		n += len(f.Name) + len(f.Value) + 12
	}
	return n
}

// addField adds a decoded field, turning the Message rules into
// FormatErrors and taking the inner auth field aside.
func (p *Packet) addField(f Field, format Format, off int) error {
	if f.Name == AuthField {
		if p.InnerAuth != "" {
			return malformed(format, off, "second auth field")
		}
		if f.Type != String {
			return malformed(format, off, "auth field is not a string field")
		}
		p.InnerAuth = f.Value
		return nil
	}
	if r := nameProblem(f.Name); r != "" {
		return malformed(format, off, "field name %q: %s", clip(f.Name), r)
	}
	if p.Message.index(f.Name) >= 0 {
		return malformed(format, off, "field %q appears twice", clip(f.Name))
	}
	if len(p.Message.fields) >= MaxFields {
		return malformed(format, off, "more than %d fields", MaxFields)
	}
	p.Message.fields = append(p.Message.fields, f)
	return nil
}
