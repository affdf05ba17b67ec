package admin

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var cheap = KDF{Time: 1, Memory: 64, Threads: 1}

func TestPasswordRoundTrip(t *testing.T) {
	p, err := NewPassword("correct horse", cheap)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := p.MarshalText()
	if strings.Contains(string(text), "correct horse") {
		t.Fatal("the password itself is in the file")
	}
	q, err := ParsePassword(string(text))
	if err != nil || q.StoredKey != p.StoredKey || q.ServerKey != p.ServerKey || string(q.Salt) != string(p.Salt) || q.KDF != cheap {
		t.Fatalf("read back %+v %v", q, err)
	}
	if !q.Check("correct horse") || q.Check("correct horsE") || q.Check("") {
		t.Error("Check")
	}
	p2, _ := NewPassword("correct horse", cheap)
	if p2.StoredKey == p.StoredKey {
		t.Error("same password, same salt: the salt is not random")
	}
}

func TestNewPasswordRefuses(t *testing.T) {
	for pw, want := range map[string]string{
		"short":                   "too short",
		"two\nlines!":             "line break",
		strings.Repeat("x", 1025): "too long",
		"bad \xff utf8":           "UTF-8",
	} {
		if _, err := NewPassword(pw, cheap); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", pw, err, want)
		}
	}
	if _, err := NewPassword("long enough", KDF{Time: 100, Memory: 64, Threads: 1}); err == nil {
		t.Error("cost out of bounds accepted")
	}
}

func TestParsePassword(t *testing.T) {
	good := "understudy-passwd-1 argon2id t=2 m=19456 p=1 salt=c2FsdHNhbHRzYWx0c2FsdA stored=" + strings.Repeat("A", 43) + " server=" + strings.Repeat("B", 42) + "A"
	if _, err := ParsePassword("# c\n\n" + good + "\n"); err != nil {
		t.Fatalf("good: %v", err)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"empty", "", "no password line"},
		{"comments only", "# x\n", "no password line"},
		{"two lines", good + "\n" + good, "line 2: a second password line (the first is line 1)"},
		{"other tag", strings.Replace(good, "understudy-passwd-1", "x", 1), "line 1: not a password line"},
		{"other kdf", strings.Replace(good, "argon2id", "bcrypt", 1), "not a password line"},
		{"missing key", strings.Replace(good, " p=1", "", 1), "p= is missing"},
		{"repeated key", good + " t=2", `"t=2": want key=value, each key once`},
		{"unknown key", good + " x=1", `unknown key "x"`},
		{"bad number", strings.Replace(good, "t=2", "t=two", 1), "t: strconv"},
		{"cost too high", strings.Replace(good, "m=19456", "m=9999999", 1), "out of bounds"},
		{"short salt", strings.Replace(good, "c2FsdHNhbHRzYWx0c2FsdA", "c2FsdA", 1), "salt: shorter than 8 bytes"},
		{"short key", strings.Replace(good, strings.Repeat("A", 43), "AAAA", 1), "stored: 3 bytes, want 32"},
		{"bad base64", strings.Replace(good, strings.Repeat("A", 43), strings.Repeat("*", 43), 1), "stored: illegal base64"},
		{"padded base64", strings.Replace(good, "c2FsdHNhbHRzYWx0c2FsdA", "c2FsdHNhbHRzYWx0c2FsdA==", 1), "salt: illegal base64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePassword(tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzParsePassword(f *testing.F) {
	p, _ := NewPassword("correct horse", cheap)
	text, _ := p.MarshalText()
	f.Add(string(text))
	f.Add("understudy-passwd-1 argon2id t=1 m=8 p=1 salt=AAAAAAAAAAA stored= server=")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePassword(s)
		if err != nil {
			return
		}
		if p.KDF.check() != nil || len(p.Salt) < 8 {
			t.Fatalf("accepted %+v", p)
		}
		again, _ := p.MarshalText()
		q, err := ParsePassword(string(again))
		if err != nil || q.StoredKey != p.StoredKey || q.ServerKey != p.ServerKey || q.KDF != p.KDF || string(q.Salt) != string(p.Salt) {
			t.Fatalf("written back differs: %v", err)
		}
	})
}

func TestSetLoadPassword(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadPassword(dir); !errors.Is(err, ErrNoPassword) || !strings.Contains(err.Error(), "understudy passwd -c "+dir) {
		t.Fatalf("no file: %v", err)
	}
	if err := SetPassword(dir, "correct horse"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, PasswdFile)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	p, err := LoadPassword(dir)
	if err != nil || p.KDF != DefaultKDF || !p.Check("correct horse") {
		t.Fatalf("load: %+v %v", p, err)
	}
	os.Chmod(path, 0o640)
	if _, err := LoadPassword(dir); err == nil || !strings.Contains(err.Error(), "mode 0640 is too open") || !strings.Contains(err.Error(), "chmod 600 "+path) {
		t.Errorf("too open: %v", err)
	}
	os.Chmod(path, 0o600)
	os.WriteFile(path, []byte("garbage\n"), 0o600)
	if _, err := LoadPassword(dir); err == nil || !strings.Contains(err.Error(), path+": line 1:") {
		t.Errorf("garbage: %v", err)
	}
	if err := SetPassword(dir, "short"); err == nil {
		t.Error("short password written")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
