package codec

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"

	"github.com/understudy-ha/understudy/config"
)

// Sign returns the auth string "<index> <digest>" of data under key, as
// placed in the inner auth field and in the netstring trailer (spec 3.2).
func Sign(key config.AuthKey, data []byte) (string, error) {
	d, err := digest(key, data)
	if err != nil {
		return "", err
	}
	return strconv.Itoa(key.Index) + " " + d, nil
}

// digest computes the lowercase hex digest of data under key.
func digest(key config.AuthKey, data []byte) (string, error) {
	var h func() hash.Hash
	switch key.Method {
	case config.CRC:
		return strconv.FormatUint(uint64(crc32POSIX(data)), 16), nil
	case config.MD5:
		h = md5.New
	case config.SHA1:
		h = sha1.New
	case config.SHA256:
		h = sha256.New
	default:
		return "", fmt.Errorf("codec: key %d: method %q cannot be computed: %w", key.Index, key.Method, ErrUnknownKey)
	}
	mac, err := newHMAC(h, key)
	if err != nil {
		return "", err
	}
	mac.Write(data)
	var sum [sha256.Size]byte
	return hex.EncodeToString(mac.Sum(sum[:0])), nil
}

// newHMAC is hmac.New, except that a refusal by the crypto module (under
// GODEBUG=fips140=only hmac.New panics for md5, sha1 and short keys) comes
// back as an error instead of taking the daemon down.
func newHMAC(h func() hash.Hash, key config.AuthKey) (mac hash.Hash, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("codec: key %d (%s): refused by the crypto module: %v: %w", key.Index, key.Method, r, ErrUnknownKey)
		}
	}()
	return hmac.New(h, []byte(key.Secret)), nil
}

// verify checks an auth string against data with the key it names.
func verify(keys config.AuthKeys, part, auth string, data []byte) error {
	idx, want, err := parseAuth(auth)
	if err != nil {
		return &AuthError{Part: part, Index: -1, Reason: err.Error(), Err: ErrBadAuth}
	}
	key, ok := keys.Key(idx)
	if !ok {
		return &AuthError{Part: part, Index: idx, Reason: "index not configured in authkeys", Err: ErrUnknownKey}
	}
	got, err := digest(key, data)
	if err != nil {
		return &AuthError{Part: part, Index: idx, Reason: err.Error(), Err: ErrUnknownKey}
	}
	if !hmac.Equal([]byte(got), []byte(want)) {
		return &AuthError{Part: part, Index: idx, Reason: fmt.Sprintf("%s digest does not match", key.Method), Err: ErrBadDigest}
	}
	return nil
}

// parseAuth splits "<index> <digest>": a decimal index of at most two
// digits, one blank, and a non-empty digest without blanks.
func parseAuth(s string) (int, string, error) {
	i := 0
	for i < len(s) && i < 3 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	switch {
	case s == "":
		return 0, "", fmt.Errorf("missing")
	case i == 0 || i > 2:
		return 0, "", fmt.Errorf("%q: want a key index of 1 or 2 digits", clip(s))
	case i+1 >= len(s) || s[i] != ' ':
		return 0, "", fmt.Errorf("%q: want \"<index> <digest>\"", clip(s))
	}
	d := s[i+1:]
	for j := 0; j < len(d); j++ {
		if d[j] <= ' ' || d[j] > '~' {
			return 0, "", fmt.Errorf("%q: digest is not printable text", clip(s))
		}
	}
	idx, _ := strconv.Atoi(s[:i])
	return idx, d, nil
}

// clip shortens attacker-supplied text quoted in errors.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// crcTable is CRC-32 with polynomial 0x04C11DB7, most significant bit
// first (not reflected), indexed by the top byte.
var crcTable = func() (t [256]uint32) {
	for i := range t {
		c := uint32(i) << 24
		for range 8 {
			if c&0x80000000 != 0 {
				c = c<<1 ^ 0x04C11DB7
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// crc32POSIX is heartbeat's crc method: initial value 0, MSB first, final
// XOR 0xFFFFFFFF and, unlike cksum(1), no length appended. Go's hash/crc32
// is reflected-only, hence the table above.
func crc32POSIX(data []byte) uint32 {
	var c uint32
	for _, b := range data {
		c = c<<8 ^ crcTable[byte(c>>24)^b]
	}
	return ^c
}
