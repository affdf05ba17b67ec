package config

import (
	"io/fs"
	"testing"
)

func authOf(text string) (AuthKeys, Diagnostics) {
	var d Diagnostics
	a := parseAuthkeys(text, reporter{file: "authkeys", diags: &d})
	return a, d
}

// Secrets of 16 bytes or more, so that the cases below are about what
// they test, not about weak secrets (TestWeakSecrets).
const (
	sa = "secret-a-16bytes"
	sb = "secret-b-16bytes"
)

func TestAuthkeys(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		active     int
		keys       map[int]AuthKey
		diags      []string
	}{
		{name: "sha1", text: "auth 1\n1 sha1 SecretPhrase16byte\n", active: 1,
			keys: map[int]AuthKey{1: {1, SHA1, "SecretPhrase16byte"}}},
		{name: "several keys and comments", text: "# keys\n  auth 2\n1 sha1 " + sa + "\n2 md5 " + sb + "\n 3 crc\n", active: 2,
			keys: map[int]AuthKey{1: {1, SHA1, sa}, 2: {2, MD5, sb}, 3: {3, CRC, ""}}},
		{name: "method case-insensitive", text: "auth 1\n1 SHA1 " + sa + "\n", active: 1, keys: map[int]AuthKey{1: {1, SHA1, sa}}},
		{name: "sha256 warns about heartbeat peers", text: "auth 4\n4 sha256 " + sa + "\n", active: 4,
			keys: map[int]AuthKey{4: {4, SHA256, sa}}, diags: []string{"W1 heartbeat 3.0.6 peers cannot verify"}},
		{name: "crc warns", text: "auth 3\n3 crc\n", active: 3, keys: map[int]AuthKey{3: {3, CRC, ""}},
			diags: []string{"W1 not authenticated"}},
		{name: "secret keeps # when glued", text: "auth 1\n1 sha1 ab#cd-16-bytes-ok\n", active: 1, keys: map[int]AuthKey{1: {1, SHA1, "ab#cd-16-bytes-ok"}}},
		{name: "words after secret", text: "auth 1\n1 sha1 " + sa + " cd\n", active: 1, keys: map[int]AuthKey{1: {1, SHA1, sa}},
			diags: []string{"W2 words after the secret"}},
		{name: "key before auth line accepted (heartbeat refuses)", text: "1 sha1 " + sa + "\nauth 1\n", active: 1,
			keys: map[int]AuthKey{1: {1, SHA1, sa}}, diags: []string{"W2 heartbeat 3.0.6 refuses this order"}},
		{name: "index 0 accepted with a warning", text: "auth 0\n0 md5 " + sa + "\n", active: 0,
			keys: map[int]AuthKey{0: {0, MD5, sa}}, diags: []string{"W2 key index 0"}},
		{name: "second auth line wins", text: "auth 1\nauth 2\n1 sha1 " + sa + "\n2 sha1 " + sb + "\n", active: 2,
			keys: map[int]AuthKey{1: {1, SHA1, sa}, 2: {2, SHA1, sb}}, diags: []string{"W2 second auth line"}},
		{name: "redefined key", text: "auth 1\n1 sha1 " + sa + "\n1 sha1 " + sb + "\n", active: 1,
			keys: map[int]AuthKey{1: {1, SHA1, sb}}, diags: []string{"W3 replaces line 2"}},
		{name: "missing auth", text: "1 sha1 " + sa + "\n", active: -1, keys: map[int]AuthKey{1: {1, SHA1, sa}},
			diags: []string{"E0 missing \"auth N\""}},
		{name: "auth names undefined key", text: "auth 2\n1 sha1 " + sa + "\n", active: 2, keys: map[int]AuthKey{1: {1, SHA1, sa}},
			diags: []string{"E1 not defined"}},
		{name: "md5 without secret", text: "auth 1\n1 md5\n", active: 1, keys: map[int]AuthKey{},
			diags: []string{"E2 requires a secret"}},
		{name: "crc with secret", text: "auth 1\n1 crc x\n", active: 1, keys: map[int]AuthKey{},
			diags: []string{"E2 takes no secret"}},
		{name: "unknown method", text: "auth 1\n1 sha512 x\n", active: 1, keys: map[int]AuthKey{},
			diags: []string{"E2 unknown method \"sha512\""}},
		{name: "index out of range", text: "auth 16\n16 sha1 x\n", active: -1, keys: map[int]AuthKey{},
			diags: []string{"E1 not a number from 0 to 15", "E2 invalid key index"}},
		{name: "auth line with a comment", text: "auth 1 # the new key\n1 sha1 " + sa + " # old\n", active: 1, keys: map[int]AuthKey{1: {1, SHA1, sa}}},
		{name: "auth line with extra words", text: "auth 1 2\n1 sha1 " + sa + "\n", active: 1, keys: map[int]AuthKey{1: {1, SHA1, sa}},
			diags: []string{"W1 words after \"auth 1\""}},
		{name: "bad auth line", text: "auth\nauthx 1\n", active: -1, keys: map[int]AuthKey{},
			diags: []string{"E1 invalid auth line", "E2 invalid auth line \"authx 1\": the only directive is \"auth N\": did you mean \"auth\"?"}},
		{name: "key line too short", text: "auth 1\n1\n", active: 1, keys: map[int]AuthKey{},
			diags: []string{"E2 invalid key line"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, d := authOf(tc.text)
			expectDiags(t, d, tc.diags...)
			if a.Active != tc.active {
				t.Errorf("active = %d, want %d", a.Active, tc.active)
			}
			if len(a.Keys) != len(tc.keys) {
				t.Errorf("keys = %v, want %v", a.Keys, tc.keys)
			}
			for i, k := range tc.keys {
				if a.Keys[i] != k {
					t.Errorf("key %d = %+v, want %+v", i, a.Keys[i], k)
				}
			}
		})
	}
}

func TestAuthkeysPerm(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mode  fs.FileMode
		uid   uint32
		diags []string
	}{
		{"600 root", 0o600, 0, nil},
		{"400 root", 0o400, 0, nil},
		{"600 daemon user", 0o600, 1000, nil},
		{"644", 0o644, 0, []string{"E0 mode 0644 (-rw-r--r--) is too open"}},
		{"640", 0o640, 0, []string{"E0 chmod 600"}},
		{"620 group write", 0o620, 0, []string{"E0 mode 0620"}},
		{"700 exec bit", 0o700, 0, []string{"E0 mode 0700"}},
		{"other owner", 0o600, 4242, []string{"E0 owned by uid 4242"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d Diagnostics
			checkAuthkeysPerm("/etc/ha.d/authkeys", FileOwner{UID: tc.uid, Mode: tc.mode}, 1000, reporter{file: "authkeys", diags: &d})
			expectDiags(t, d, tc.diags...)
		})
	}
}
