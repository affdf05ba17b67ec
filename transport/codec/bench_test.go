package codec_test

import (
	"testing"

	"github.com/understudy-ha/understudy/transport/codec"
)

// BenchmarkDecodeVerifySHA1 is the per-packet receive cost: parse and
// verify the 306-byte status packet captured from heartbeat (spec 8.5).
func BenchmarkDecodeVerifySHA1(b *testing.B) {
	raw := readHex(b, "testdata/spec-8.5-bcast-status-sha1.hex")
	keys := labKeys()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := codec.Decode(raw, keys); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeVerify compares the methods on the same status message.
func BenchmarkDecodeVerify(b *testing.B) {
	m := msg(b, "t=status", "st=up", "dt=2ee0", "protocol=1", "src=node1", "(1)srcuuid="+uuid1,
		"seq=5", "hg=6b02c8d3", "ts=6b02c90d", "ld=1.06 0.59 0.26 1/106 13620", "ttl=3")
	keys := labKeys()
	for idx, name := range map[int]string{1: "sha1", 2: "md5", 3: "crc", 4: "sha256"} {
		for _, enc := range encoders {
			raw, err := enc.fn(m, keys.Keys[idx])
			if err != nil {
				b.Fatal(err)
			}
			b.Run(enc.name+"/"+name, func(b *testing.B) {
				b.SetBytes(int64(len(raw)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := codec.Decode(raw, keys); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkEncodeNetstringSHA1 is the per-packet send cost (two HMACs).
func BenchmarkEncodeNetstringSHA1(b *testing.B) {
	m := msg(b, "t=status", "st=up", "dt=2ee0", "protocol=1", "src=node1", "(1)srcuuid="+uuid1,
		"seq=5", "hg=6b02c8d3", "ts=6b02c90d", "ld=1.06 0.59 0.26 1/106 13620", "ttl=3")
	k := key(b, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := codec.EncodeNetstring(m, k); err != nil {
			b.Fatal(err)
		}
	}
}
