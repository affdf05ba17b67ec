package codec_test

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/transport/codec"
)

// labKeys is the lab's authkeys (spec 8.3): "auth 1", "1 sha1 labsecret",
// "2 md5 othersecret", "3 crc", plus an Understudy-only sha256 key.
func labKeys() config.AuthKeys {
	return config.AuthKeys{Active: 1, Keys: map[int]config.AuthKey{
		1: {Index: 1, Method: config.SHA1, Secret: "labsecret"},
		2: {Index: 2, Method: config.MD5, Secret: "othersecret"},
		3: {Index: 3, Method: config.CRC},
		4: {Index: 4, Method: config.SHA256, Secret: "understudy-secret"},
	}}
}

func key(t testing.TB, idx int) config.AuthKey {
	t.Helper()
	k, ok := labKeys().Key(idx)
	if !ok {
		t.Fatalf("no lab key %d", idx)
	}
	return k
}

func readHex(t testing.TB, path string) []byte {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.Join(strings.Fields(string(text)), ""))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// msg builds a message from "name=value" words; "(1)name=hex" is binary.
func msg(t testing.TB, words ...string) *codec.Message {
	t.Helper()
	m := &codec.Message{}
	for _, w := range words {
		name, value, ok := strings.Cut(w, "=")
		if !ok {
			t.Fatalf("bad word %q", w)
		}
		var err error
		if b, isBin := strings.CutPrefix(name, "(1)"); isBin {
			raw, herr := hex.DecodeString(value)
			if herr != nil {
				t.Fatalf("bad hex in %q", w)
			}
			err = m.SetBinary(b, raw)
		} else {
			err = m.Add(codec.Field{Name: name, Value: value})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return m
}
