package codec_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/transport/codec"
)

func TestMessageGetSetAdd(t *testing.T) {
	m := msg(t, "t=status", "st=up", "src=node1")
	if v, ok := m.Get("st"); !ok || v != "up" {
		t.Errorf("Get(st) = %q %v", v, ok)
	}
	if _, ok := m.Get("nope"); ok {
		t.Error("Get of an absent field succeeded")
	}
	// Set replaces in place: order, hence the signature, is kept.
	if err := m.Set("st", "active"); err != nil {
		t.Fatal(err)
	}
	if err := m.Set("dt", "2710"); err != nil {
		t.Fatal(err)
	}
	if got := m.String(); got != "t=status st=active src=node1 dt=2710" {
		t.Errorf("after Set: %q", got)
	}
	if err := m.SetBinary("srcuuid", []byte{0xb0, 0x39}); err != nil {
		t.Fatal(err)
	}
	if f, _ := m.Lookup("srcuuid"); f.Type != codec.Binary || f.Value != "\xb0\x39" {
		t.Errorf("srcuuid = %+v", f)
	}
	if !m.Delete("dt") || m.Delete("dt") || m.Len() != 4 {
		t.Errorf("Delete: len %d", m.Len())
	}
	c := m.Clone()
	_ = c.Set("t", "other")
	if v, _ := m.Get("t"); v != "status" {
		t.Error("Clone shares fields")
	}
	fs := m.Fields()
	fs[0].Value = "changed"
	if v, _ := m.Get("t"); v != "status" {
		t.Error("Fields shares its slice")
	}
}

func TestMessageRejects(t *testing.T) {
	tests := []struct {
		name string
		f    codec.Field
	}{
		{"empty name", codec.Field{Value: "x"}},
		{"empty value", codec.Field{Name: "info"}},
		{"name with =", codec.Field{Name: "a=b", Value: "x"}},
		{"name with blank", codec.Field{Name: "a b", Value: "x"}},
		{"name with newline", codec.Field{Name: "a\nb", Value: "x"}},
		{"name with high byte", codec.Field{Name: "caf\xc3\xa9", Value: "x"}},
		{"name like a type prefix", codec.Field{Name: "(1)x", Value: "x"}},
		{"name like the end line", codec.Field{Name: "<<<", Value: "x"}},
		{"name too long", codec.Field{Name: strings.Repeat("n", 257), Value: "x"}},
		{"reserved auth", codec.Field{Name: "auth", Value: "1 abc"}},
		{"nested type", codec.Field{Name: "x", Value: "y", Type: 2}},
		{"duplicate", codec.Field{Name: "t", Value: "again"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := msg(t, "t=status")
			if err := m.Add(tt.f); !errors.Is(err, codec.ErrInvalidField) {
				t.Errorf("Add(%+v) = %v, want ErrInvalidField", tt.f, err)
			}
			if tt.name != "duplicate" && tt.f.Type == codec.String {
				if err := m.Set(tt.f.Name, tt.f.Value); !errors.Is(err, codec.ErrInvalidField) {
					t.Errorf("Set(%q, %q) = %v, want ErrInvalidField", tt.f.Name, tt.f.Value, err)
				}
			}
			if m.Len() != 1 {
				t.Errorf("rejected field was stored: %v", m)
			}
		})
	}
	if _, err := codec.NewMessage(codec.Field{Name: "t", Value: "a"}, codec.Field{Name: "t", Value: "b"}); !errors.Is(err, codec.ErrInvalidField) {
		t.Errorf("NewMessage with a duplicate: %v", err)
	}
}

// TestNewlineInValue: a newline in a string value travels raw in
// netstring, as 0x13 in classic text, and comes back as a newline.
func TestNewlineInValue(t *testing.T) {
	m := msg(t, "t=x", "info=two\nlines")
	c, err := codec.EncodeClassic(m, key(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(c), "info=two\x13lines\n") {
		t.Errorf("classic: %q", c)
	}
	n, _ := codec.EncodeNetstring(m, key(t, 1))
	if !strings.Contains(string(n), "17:(0)info=two\nlines,") {
		t.Errorf("netstring: %q", n)
	}
	for _, b := range [][]byte{c, n} {
		got, err := codec.Decode(b, labKeys())
		if err != nil || !got.Equal(m) {
			t.Errorf("decode %q: %v %v", b, got, err)
		}
	}
}

func TestEncodeTooLarge(t *testing.T) {
	m := msg(t, "t=x", "blob="+strings.Repeat("a", codec.MaxFrame))
	if _, err := codec.EncodeNetstring(m, key(t, 1)); !errors.Is(err, codec.ErrTooLarge) {
		t.Errorf("netstring: %v", err)
	}
	if _, err := codec.EncodeClassic(m, key(t, 1)); !errors.Is(err, codec.ErrTooLarge) {
		t.Errorf("classic: %v", err)
	}
}
