package codec

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// FieldType is a heartbeat field type (spec 4.2). Wire values: append-only.
type FieldType uint8

// The field types v1 traffic uses. Types 2-5 (nested message, string list,
// compressed, compressible nested message) are refused with ErrUnsupported.
const (
	String FieldType = 0 // text; raw bytes on the wire
	Binary FieldType = 1 // raw bytes; base64 in classic text ("(1)name=...")
)

func (t FieldType) String() string {
	switch t {
	case String:
		return "string"
	case Binary:
		return "binary"
	}
	return "type " + strconv.Itoa(int(t))
}

// AuthField is the name of the inner signature field. It is reserved: the
// encoders add it as the last field and the decoders take it out of the
// message (it is reported in [Packet.InnerAuth]).
const AuthField = "auth"

// Field is one (name, value, type) entry of a message.
type Field struct {
	Name string
	// Value holds the raw bytes. For a Binary field these are the bytes
	// themselves (16 for srcuuid/destuuid), not their base64 text.
	Value string
	Type  FieldType
}

// Message is heartbeat's ordered field list (spec 4.2). Order matters: the
// signatures cover the fields in the order they are sent. A Message never
// holds two fields with the same name, an empty name or value, or the
// reserved [AuthField]. The zero value is an empty message ready to use.
type Message struct {
	fields []Field
}

// NewMessage returns a message holding fields in order, or the first
// field's error.
func NewMessage(fields ...Field) (*Message, error) {
	m := &Message{fields: make([]Field, 0, len(fields))}
	for _, f := range fields {
		if err := m.Add(f); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Len returns the number of fields.
func (m *Message) Len() int { return len(m.fields) }

// Fields returns a copy of the fields in order.
func (m *Message) Fields() []Field { return append([]Field(nil), m.fields...) }

// Lookup returns the field called name.
func (m *Message) Lookup(name string) (Field, bool) {
	if i := m.index(name); i >= 0 {
		return m.fields[i], true
	}
	return Field{}, false
}

// Get returns the value of the field called name.
func (m *Message) Get(name string) (string, bool) {
	f, ok := m.Lookup(name)
	return f.Value, ok
}

// Add appends f. It fails with ErrInvalidField if the name is already
// present or f is not a valid field (see [Message]).
func (m *Message) Add(f Field) error {
	if err := checkField(f); err != nil {
		return err
	}
	if m.index(f.Name) >= 0 {
		return fieldErr(f.Name, "already present (heartbeat never sends a name twice)")
	}
	m.fields = append(m.fields, f)
	return nil
}

// Set sets a string field: the value of an existing field is replaced in
// place (keeping its position), otherwise the field is appended.
func (m *Message) Set(name, value string) error {
	return m.set(Field{Name: name, Value: value, Type: String})
}

// SetBinary is Set for a binary field such as srcuuid.
func (m *Message) SetBinary(name string, value []byte) error {
	return m.set(Field{Name: name, Value: string(value), Type: Binary})
}

func (m *Message) set(f Field) error {
	if err := checkField(f); err != nil {
		return err
	}
	if i := m.index(f.Name); i >= 0 {
		m.fields[i] = f
		return nil
	}
	m.fields = append(m.fields, f)
	return nil
}

// Delete removes the field called name and reports whether it was there.
func (m *Message) Delete(name string) bool {
	i := m.index(name)
	if i < 0 {
		return false
	}
	m.fields = append(m.fields[:i], m.fields[i+1:]...)
	return true
}

// Clone returns an independent copy.
func (m *Message) Clone() *Message { return &Message{fields: m.Fields()} }

// Equal reports whether both messages hold the same fields in the same order.
func (m *Message) Equal(o *Message) bool {
	if len(m.fields) != len(o.fields) {
		return false
	}
	for i := range m.fields {
		if m.fields[i] != o.fields[i] {
			return false
		}
	}
	return true
}

// String renders the message on one line for logs: name=value separated by
// blanks, binary fields as "(1)name=base64", as in the spec's examples.
func (m *Message) String() string {
	var b strings.Builder
	for i, f := range m.fields {
		if i > 0 {
			b.WriteByte(' ')
		}
		if f.Type == Binary {
			b.WriteString("(1)" + f.Name + "=" + base64.StdEncoding.EncodeToString([]byte(f.Value)))
			continue
		}
		b.WriteString(f.Name + "=" + f.Value)
	}
	return b.String()
}

func (m *Message) index(name string) int {
	for i := range m.fields {
		if m.fields[i].Name == name {
			return i
		}
	}
	return -1
}

// checkField enforces what both encodings can carry unambiguously.
func checkField(f Field) error {
	if f.Name == AuthField {
		return fieldErr(f.Name, "reserved: the encoder adds the auth field itself")
	}
	if r := nameProblem(f.Name); r != "" {
		return fieldErr(f.Name, "%s", r)
	}
	if f.Type != String && f.Type != Binary {
		return fieldErr(f.Name, "field %s: only string and binary fields are supported", f.Type)
	}
	if f.Value == "" {
		return fieldErr(f.Name, "empty value (heartbeat's classic parser rejects it; send a blank instead)")
	}
	return nil
}

// nameProblem says why name is not a valid field name, or "" if it is.
// Heartbeat only forbids "=" and the empty name; Understudy also requires
// printable ASCII and refuses a leading "(" or "<", so that a name can never
// be mistaken for a type prefix or the "<<<" end line of classic text.
func nameProblem(name string) string {
	switch {
	case name == "":
		return "empty name"
	case len(name) > MaxNameLen:
		return "name longer than 256 bytes"
	case name[0] == '(' || name[0] == '<':
		return "name starts with '(' or '<'"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c > '~' || c == '=' {
			return "name has a byte that is not printable ASCII, or '='"
		}
	}
	return ""
}
