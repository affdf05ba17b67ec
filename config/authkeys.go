package config

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// AuthMethod is a signing method of authkeys(5).
type AuthMethod string

// The signing methods. CRC, MD5 and SHA1 are heartbeat's; SHA256
// (HMAC-SHA256) is Understudy's own and is not understood by heartbeat peers.
const (
	CRC    AuthMethod = "crc"
	MD5    AuthMethod = "md5"
	SHA1   AuthMethod = "sha1"
	SHA256 AuthMethod = "sha256"
)

// NeedsSecret reports whether the method is keyed.
func (m AuthMethod) NeedsSecret() bool { return m != CRC }

func parseAuthMethod(s string) (AuthMethod, bool) {
	switch m := AuthMethod(strings.ToLower(s)); m {
	case CRC, MD5, SHA1, SHA256:
		return m, true
	}
	return "", false
}

// AuthKey is one line of the key table: index, method and secret.
type AuthKey struct {
	Index  int
	Method AuthMethod
	// Secret is used as raw bytes, exactly as written (one
	// whitespace-free token). Empty for crc.
	Secret string
}

// MaxAuthIndex is the highest key index heartbeat accepts.
const MaxAuthIndex = 15

// AuthKeys is the parsed authkeys file: the key that signs outbound
// messages and every key inbound messages may name.
type AuthKeys struct {
	// Active is the index named by the "auth N" line; it signs what we send.
	Active int
	// Keys holds every configured key by index. Inbound messages are
	// verified with the key under the index they carry, so several keys
	// may be listed while a new one is rolled out.
	Keys map[int]AuthKey
}

// ActiveKey returns the key that signs outbound messages.
func (a AuthKeys) ActiveKey() AuthKey { return a.Keys[a.Active] }

// Key returns the key with the given index, if configured.
func (a AuthKeys) Key(index int) (AuthKey, bool) {
	k, ok := a.Keys[index]
	return k, ok
}

// FileOwner describes who may own authkeys: root and the daemon's own user.
type FileOwner struct {
	UID  uint32 // owner of the file
	Mode fs.FileMode
}

// checkAuthkeysPerm judges authkeys' permission bits and owner. The file
// holds the cluster's secrets: it must be mode 600 or stricter and owned by
// root or by selfUID, the user the daemon runs as.
func checkAuthkeysPerm(path string, st FileOwner, selfUID uint32, r reporter) {
	perm := st.Mode.Perm()
	if perm&^0o600 != 0 {
		also := ""
		if perm&0o044 != 0 {
			also = " (heartbeat refuses this too)"
		}
		r.errorf(0, "mode %04o (%s) is too open: the secrets must be readable and writable by their owner only%s; fix: chmod 600 %s", perm, LsMode(st.Mode), also, path)
	}
	if st.UID != 0 && st.UID != selfUID {
		r.errorf(0, "owned by uid %d: it must be owned by root or by the daemon's user (uid %d); fix: chown root %s", st.UID, selfUID, path)
	}
}

// parseAuthkeys parses authkeys(5) text. Differences from heartbeat 3.0.6,
// all deliberate and documented in authkeys(5):
//   - the "auth N" line may come after its key line (heartbeat refuses);
//   - extra words after the secret are reported instead of silently ignored;
//   - a key index of 0 is accepted like heartbeat does, with a warning.
func parseAuthkeys(text string, r reporter) AuthKeys {
	ak := AuthKeys{Active: -1, Keys: map[int]AuthKey{}}
	authLine := 0
	keyLine := map[int]int{}
	// What was written but refused, so that its consequences are not
	// reported again (one error per mistake): an auth line, the indexes
	// of refused key lines, and whether a key line's index was unreadable.
	badAuth, badKeyIndex := false, false
	badKey := map[int]bool{}
	for n, line := range splitLines(text) {
		n++
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if f[0] == "auth" {
			// heartbeat reads "auth %d" and ignores the rest of the line.
			if len(f) > 2 && strings.HasPrefix(f[2], "#") {
				f = f[:2]
			} else if len(f) > 2 {
				r.warnf(n, "words after \"auth %s\" are ignored: %q", f[1], strings.Join(f[2:], " "))
				f = f[:2]
			}
			if len(f) != 2 {
				r.errorf(n, "invalid auth line %q: want \"auth N\" with N the key index (0-%d) that signs outgoing messages", line, MaxAuthIndex)
				badAuth = true
				continue
			}
			idx, ok := parseAuthIndex(f[1])
			if !ok {
				r.errorf(n, "invalid auth line: key index %q is not a number from 0 to %d", f[1], MaxAuthIndex)
				badAuth = true
				continue
			}
			if authLine != 0 {
				r.warnf(n, "second auth line: it replaces the one on line %d (the last one wins)", authLine)
			}
			ak.Active, authLine = idx, n
			continue
		}
		if strings.HasPrefix(f[0], "a") {
			r.errorf(n, "invalid auth line %q: the only directive is \"auth N\"%s", line, didYouMean(f[0], []string{"auth"}))
			badAuth = true
			continue
		}
		idx, ok := parseAuthIndex(f[0])
		switch {
		case !ok:
			r.errorf(n, "invalid key index %q: want a number from 0 to %d", f[0], MaxAuthIndex)
			badKeyIndex = true
			continue
		case len(f) < 2:
			r.errorf(n, "invalid key line %q: want \"N METHOD [SECRET]\" with METHOD crc, md5, sha1 or sha256", line)
			badKey[idx] = true
			continue
		}
		m, ok := parseAuthMethod(f[1])
		if !ok {
			r.errorf(n, "unknown method %q for key %d: allowed are crc, md5, sha1 and sha256%s", f[1], idx, didYouMean(strings.ToLower(f[1]), authMethods))
			badKey[idx] = true
			continue
		}
		k := AuthKey{Index: idx, Method: m}
		switch {
		case m.NeedsSecret() && len(f) < 3:
			r.errorf(n, "method %s of key %d requires a secret: \"%d %s SECRET\"", m, idx, idx, m)
			badKey[idx] = true
			continue
		case !m.NeedsSecret() && len(f) > 2:
			r.errorf(n, "method crc of key %d takes no secret; remove %q (crc is a checksum, not authentication)", idx, f[2])
			badKey[idx] = true
			continue
		case m.NeedsSecret():
			k.Secret = f[2]
			if len(f) > 3 && !strings.HasPrefix(f[3], "#") {
				r.warnf(n, "words after the secret of key %d are ignored: %q (a secret cannot contain blanks)", idx, strings.Join(f[3:], " "))
			}
			weakSecret(n, k, r)
		}
		if idx == 0 {
			r.warnf(n, "key index 0 is accepted, but authkeys(5) documents 1-15; prefer 1-15")
		}
		if prev, dup := keyLine[idx]; dup {
			r.warnf(n, "key %d is defined again; this line replaces line %d", idx, prev)
		}
		keyLine[idx] = n
		ak.Keys[idx] = k
	}
	switch {
	case authLine == 0 && !badAuth:
		r.errorf(0, "missing \"auth N\" line: it names the key that signs outgoing messages")
	case authLine == 0:
		// The auth line was refused above.
	default:
		_, ok := ak.Keys[ak.Active]
		switch {
		case !ok && (badKey[ak.Active] || badKeyIndex):
			// Its key line was refused above.
		case !ok:
			r.errorf(authLine, "auth %d names a key that is not defined; add a line \"%d METHOD SECRET\"", ak.Active, ak.Active)
		case keyLine[ak.Active] < authLine:
			r.warnf(authLine, "key %d is defined before the auth line; heartbeat 3.0.6 refuses this order (Understudy accepts it)", ak.Active)
		}
	}
	if k, ok := ak.Keys[ak.Active]; ok {
		switch k.Method {
		case CRC:
			r.warnf(authLine, "auth %d uses crc: messages are checksummed, not authenticated; anyone on the network can forge heartbeats", ak.Active)
		case SHA256:
			r.warnf(authLine, "auth %d uses sha256, which heartbeat 3.0.6 peers cannot verify; use sha1 while heartbeat nodes remain in the cluster", ak.Active)
		}
	}
	return ak
}

func parseAuthIndex(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > MaxAuthIndex {
		return 0, false
	}
	return n, true
}

// splitLines splits text into lines, accepting \n, \r\n and a last line
// without a newline.
func splitLines(text string) []string {
	lines := strings.Split(text, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

func (k AuthKey) String() string {
	if k.Method.NeedsSecret() {
		return fmt.Sprintf("%d %s (secret of %d bytes)", k.Index, k.Method, len(k.Secret))
	}
	return fmt.Sprintf("%d %s", k.Index, k.Method)
}

// MinSecretLen is the shortest secret authkeys takes without a warning.
// A signed heartbeat is an HMAC of a message anyone on the link can read,
// so one captured packet lets an attacker test guesses offline, at the
// speed of a GPU and without being seen. Sixteen characters drawn at
// random from letters and digits hold about 95 bits, out of reach of such
// a search; shorter secrets, and words a person chose, are not.
const MinSecretLen = 16

// SampleSecret is the secret of the authkeys sample shipped in ha.d/.
const SampleSecret = "ReplaceThisSecretBeforeUse"

// authMethods are the method names, for suggestions.
var authMethods = []string{string(CRC), string(MD5), string(SHA1), string(SHA256)}

// weakSecret warns about a secret anyone can guess: the sample's, or one
// shorter than MinSecretLen.
func weakSecret(n int, k AuthKey, r reporter) {
	const fix = "make one with: head -c 32 /dev/urandom | sha256sum | cut -c1-40 (the same on every node)"
	switch {
	case k.Secret == SampleSecret:
		r.warnf(n, "key %d uses the sample's secret %q, which anyone can read in the package: %s", k.Index, SampleSecret, fix)
	case len(k.Secret) < MinSecretLen:
		r.warnf(n, "the secret of key %d is %s long: a secret under %d bytes can be guessed offline from one captured heartbeat; %s",
			k.Index, plural(len(k.Secret), "byte"), MinSecretLen, fix)
	}
}

// plural writes "1 byte", "2 bytes".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
