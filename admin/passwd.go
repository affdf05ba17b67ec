package admin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/understudy-ha/understudy/config"
)

// PasswdFile is the admin password file's name in the configuration
// directory (/etc/ha.d): the same file on every node, like authkeys.
const PasswdFile = config.PasswdFile

// ErrNoPassword is wrapped by LoadPassword when no password is set.
var ErrNoPassword = errors.New("no admin password is set")

// KDF is the cost of argon2id (RFC 9106) as the password file records it.
type KDF struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultKDF is the cost SetPassword uses: argon2id with 19 MiB, 2
// passes, 1 thread (the OWASP recommendation), some tens of
// milliseconds. Only the client computes it for a login; the daemon only
// for /metrics Basic auth.
var DefaultKDF = KDF{Time: 2, Memory: 19 << 10, Threads: 1}

// Bounds of what a password file or a server may ask a client to
// compute: a hostile server must not make the client spend a gigabyte.
const (
	maxKDFTime   = 16
	maxKDFMemory = 256 << 10 // KiB
	minPassword  = 8
	maxPassword  = 1024
	saltLen      = 16
)

// Password is what the password file holds: the argon2id salt and cost
// and two keys derived from the password, never the password itself.
// With S = argon2id(password, Salt, KDF, 32 bytes):
//
//	ClientKey = HMAC-SHA256(S, "Client Key")
//	StoredKey = SHA-256(ClientKey)
//	ServerKey = HMAC-SHA256(S, "Server Key")
//
// as in SCRAM (RFC 5802). The daemon checks a login with StoredKey
// alone: reading the file does not let anyone log in without first
// guessing the password (at argon2id's cost per guess).
type Password struct {
	KDF       KDF
	Salt      []byte
	StoredKey [32]byte
	ServerKey [32]byte
}

// keys are the password-derived keys of one side of a login.
type keys struct {
	client, stored, server [32]byte
}

// deriveKeys computes the keys of password (slow: argon2id).
func deriveKeys(password string, salt []byte, k KDF) keys {
	s := argon2.IDKey([]byte(password), salt, k.Time, k.Memory, k.Threads, 32)
	var ks keys
	copy(ks.client[:], hmacSum(s, []byte("Client Key")))
	ks.stored = sha256.Sum256(ks.client[:])
	copy(ks.server[:], hmacSum(s, []byte("Server Key")))
	return ks
}

func hmacSum(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// checkPasswordText says what is wrong with a new password, if anything.
func checkPasswordText(pw string) error {
	switch n := utf8.RuneCountInString(pw); {
	case !utf8.ValidString(pw):
		return errors.New("the password is not valid UTF-8")
	case n < minPassword:
		return fmt.Errorf("the password is too short: at least %d characters", minPassword)
	case len(pw) > maxPassword:
		return fmt.Errorf("the password is too long: at most %d bytes", maxPassword)
	case strings.ContainsAny(pw, "\r\n"):
		return errors.New("the password may not contain a line break")
	}
	return nil
}

// NewPassword derives a password file entry for pw with a fresh salt.
func NewPassword(pw string, k KDF) (Password, error) {
	if err := checkPasswordText(pw); err != nil {
		return Password{}, err
	}
	if err := k.check(); err != nil {
		return Password{}, err
	}
	salt := make([]byte, saltLen)
	rand.Read(salt)
	ks := deriveKeys(pw, salt, k)
	return Password{KDF: k, Salt: salt, StoredKey: ks.stored, ServerKey: ks.server}, nil
}

// Check reports whether pw is the password (slow: argon2id), comparing
// in constant time.
func (p Password) Check(pw string) bool {
	ks := deriveKeys(pw, p.Salt, p.KDF)
	return subtle.ConstantTimeCompare(ks.stored[:], p.StoredKey[:]) == 1
}

func (k KDF) check() error {
	if k.Time < 1 || k.Time > maxKDFTime || k.Memory < 8*uint32(max(k.Threads, 1)) || k.Memory > maxKDFMemory || k.Threads < 1 {
		return fmt.Errorf("argon2id cost t=%d m=%d p=%d is out of bounds (t 1 to %d, m up to %d KiB, p at least 1)",
			k.Time, k.Memory, k.Threads, maxKDFTime, maxKDFMemory)
	}
	return nil
}

// passwdTag opens the one line of the password file.
const passwdTag = "understudy-passwd-1"

// MarshalText is the password file's content.
func (p Password) MarshalText() ([]byte, error) {
	b64 := base64.RawStdEncoding.EncodeToString
	return fmt.Appendf(nil, "# Understudy admin password (understudy passwd): the same file on every node, mode 600.\n"+
		"%s argon2id t=%d m=%d p=%d salt=%s stored=%s server=%s\n",
		passwdTag, p.KDF.Time, p.KDF.Memory, p.KDF.Threads, b64(p.Salt), b64(p.StoredKey[:]), b64(p.ServerKey[:])), nil
}

// ParsePassword reads a password file's content: comment lines (#) and
// blank lines, and one line as MarshalText writes it.
func ParsePassword(text string) (Password, error) {
	var p Password
	found := 0
	for n, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if found > 0 {
			return Password{}, fmt.Errorf("line %d: a second password line (the first is line %d)", n+1, found)
		}
		found = n + 1
		var err error
		if p, err = parsePasswordLine(f); err != nil {
			return Password{}, fmt.Errorf("line %d: %w", n+1, err)
		}
	}
	if found == 0 {
		return Password{}, errors.New("no password line")
	}
	return p, nil
}

func parsePasswordLine(f []string) (Password, error) {
	if f[0] != passwdTag || len(f) < 2 || f[1] != "argon2id" {
		return Password{}, fmt.Errorf("not a password line: want %q argon2id …", passwdTag)
	}
	var p Password
	var t, m, th uint64
	seen := map[string]bool{}
	for _, kv := range f[2:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return Password{}, fmt.Errorf("%q: want key=value, each key once", kv)
		}
		seen[k] = true
		var err error
		switch k {
		case "t":
			t, err = strconv.ParseUint(v, 10, 32)
		case "m":
			m, err = strconv.ParseUint(v, 10, 32)
		case "p":
			th, err = strconv.ParseUint(v, 10, 8)
		case "salt":
			p.Salt, err = base64.RawStdEncoding.Strict().DecodeString(v)
			if err == nil && len(p.Salt) < 8 {
				err = errors.New("shorter than 8 bytes")
			}
		case "stored":
			err = decodeKey(v, &p.StoredKey)
		case "server":
			err = decodeKey(v, &p.ServerKey)
		default:
			return Password{}, fmt.Errorf("unknown key %q", k)
		}
		if err != nil {
			return Password{}, fmt.Errorf("%s: %v", k, err)
		}
	}
	for _, k := range []string{"t", "m", "p", "salt", "stored", "server"} {
		if !seen[k] {
			return Password{}, fmt.Errorf("%s= is missing", k)
		}
	}
	p.KDF = KDF{Time: uint32(t), Memory: uint32(m), Threads: uint8(th)}
	return p, p.KDF.check()
}

func decodeKey(v string, key *[32]byte) error {
	b, err := base64.RawStdEncoding.Strict().DecodeString(v)
	if err == nil && len(b) != len(key) {
		err = fmt.Errorf("%d bytes, want %d", len(b), len(key))
	}
	copy(key[:], b)
	return err
}

// SetPassword writes DIR/understudy.passwd for pw, mode 600, replacing
// any earlier one atomically.
func SetPassword(dir, pw string) error {
	p, err := NewPassword(pw, DefaultKDF)
	if err != nil {
		return err
	}
	text, _ := p.MarshalText()
	if err := writeFileAtomic(filepath.Join(dir, PasswdFile), text, 0o600); err != nil {
		return fmt.Errorf("admin password: %w", err)
	}
	return nil
}

// LoadPassword reads DIR/understudy.passwd. A missing file is
// ErrNoPassword with the command that sets one; a file readable or
// writable by group or others is refused, as authkeys is.
func LoadPassword(dir string) (Password, error) {
	path := filepath.Join(dir, PasswdFile)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Password{}, fmt.Errorf("%w (%s is missing): set it with 'understudy passwd -c %s' on every node", ErrNoPassword, path, dir)
	}
	if err != nil {
		return Password{}, fmt.Errorf("admin password: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&^0o600 != 0 {
		return Password{}, fmt.Errorf("%s: mode %04o is too open: the file must be readable and writable by its owner only; fix: chmod 600 %s", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Password{}, fmt.Errorf("admin password: %w", err)
	}
	p, err := ParsePassword(string(b))
	if err != nil {
		return Password{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}
