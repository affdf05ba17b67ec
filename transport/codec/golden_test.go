package codec_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/transport/codec"
)

const uuid1 = "b039d8f83671441e97944bbe481570fd" // node1's srcuuid in the captures

// TestGoldenCapturedNetstring decodes the bcast/sha1 packet captured from a
// real heartbeat 3.0.6 (spec 8.5), checks both signatures with the lab
// secret, and re-encodes its fields to the identical 306 bytes.
func TestGoldenCapturedNetstring(t *testing.T) {
	raw := readHex(t, "testdata/spec-8.5-bcast-status-sha1.hex")
	if len(raw) != 306 {
		t.Fatalf("capture is %d bytes, want 306", len(raw))
	}
	p, err := codec.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(labKeys()); err != nil {
		t.Fatalf("trailer: %v", err)
	}
	if p.Format != codec.Netstring {
		t.Errorf("format %v", p.Format)
	}
	if want := "1 3fff677b2f6e56808e42f4fe575664851b00e044"; p.InnerAuth != want {
		t.Errorf("inner auth %q, want %q", p.InnerAuth, want)
	}
	if want := "1 0c580994175df9aee878f2598592ff89508604fd"; p.Trailer != want {
		t.Errorf("trailer %q, want %q", p.Trailer, want)
	}
	want := msg(t, "t=status", "st=up", "dt=2ee0", "protocol=1", "src=node1", "(1)srcuuid="+uuid1,
		"seq=5", "hg=6b02c8d3", "ts=6b02c90d", "ld=1.06 0.59 0.26 1/106 13620", "ttl=3")
	if !p.Message.Equal(want) {
		t.Fatalf("fields:\n got %v\nwant %v", p.Message, want)
	}
	// The inner field is the classic signature of spec 3.3: the classic
	// frame of the same fields must carry the same auth line.
	classic, err := codec.EncodeClassic(p.Message, key(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(classic, []byte("\nauth="+p.InnerAuth+"\n")) {
		t.Errorf("classic rendering signs differently:\n%s", classic)
	}
	again, err := codec.EncodeNetstring(p.Message, key(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, raw) {
		t.Fatalf("re-encoded bytes differ:\n got %q\nwant %q", again, raw)
	}
}

// TestGoldenCapturedSerial does the same for the classic frame captured on
// the emulated null-modem link (spec 4.11).
func TestGoldenCapturedSerial(t *testing.T) {
	raw := readFile(t, "testdata/spec-4.11-serial-status-sha1.txt")
	m, err := codec.Decode(raw, labKeys())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Get("ld"); v != "5.63 25.34 20.30 6/161 4808" {
		t.Errorf("ld = %q", v)
	}
	if f, _ := m.Lookup("srcuuid"); f.Type != codec.Binary || len(f.Value) != 16 {
		t.Errorf("srcuuid = %+v", f)
	}
	again, err := codec.EncodeClassic(m, key(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, raw) {
		t.Fatalf("re-encoded bytes differ:\n got %q\nwant %q", again, raw)
	}
}

// TestCapturedWithOtherKeys: the captured packets fail with a different
// secret under the same index, and name index 1 whatever the active key.
func TestCapturedWithOtherKeys(t *testing.T) {
	raw := readHex(t, "testdata/spec-8.5-bcast-status-sha1.hex")
	keys := labKeys()
	k := keys.Keys[1]
	k.Secret = "not-the-lab-secret"
	keys.Keys[1] = k
	if _, err := codec.Decode(raw, keys); !errors.Is(err, codec.ErrBadDigest) {
		t.Errorf("wrong secret: %v, want ErrBadDigest", err)
	}
	// Verification uses the key under the packet's index (1), not the
	// active key: heartbeat's rotation bug (spec 3.4) is not copied.
	keys = labKeys()
	keys.Active = 2
	if _, err := codec.Decode(raw, keys); err != nil {
		t.Errorf("active key 2, packet signed with 1: %v", err)
	}
	delete(keys.Keys, 1)
	var ae *codec.AuthError
	if _, err := codec.Decode(raw, keys); !errors.Is(err, codec.ErrUnknownKey) || !errors.As(err, &ae) || ae.Index != 1 {
		t.Errorf("key 1 not configured: %v, want ErrUnknownKey for index 1", err)
	}
}

// The v1 message types as captured in spec 8.7, with the standard tail.
// The spec lists their fields, not their bytes, so these check the field
// order survives both encodings and all four methods.
var specMessageTypes = [][]string{
	{"t=status", "st=init", "dt=2ee0", "protocol=1", "src=node1", "(1)srcuuid=" + uuid1},
	{"t=starting", "src=node2", "(1)srcuuid=" + uuid1},
	{"t=resource", "rsc_hold=none", "rtype=full", "isstable=0", "src=node1"},
	{"t=resource", "rsc_hold=local", "rtype=full", "isstable=1", "info=req_our_resources()", "src=node1"},
	{"t=resource", "rsc_hold=foreign", "info=mach_down", "src=node1"},
	{"t=ask_resources", "rsc_hold=foreign", "info=me", "src=node1"},
	{"t=hb_takeover", "rsc_hold=local", "src=node1"},
	{"t=ip-request", "ipaddr=hbtest::delta", "src=node2"},
	{"t=ip-request-resp", "dest=node1", "ipaddr=IPaddr::192.0.2.100/24/hb0", "weown=yes", "ok=OK", "(1)destuuid=" + uuid1, "src=node1"},
	{"t=stonith", "node=node2", "result=n_stnth", "src=node1"},
	{"t=shutdone", "st=dead", "src=node2"},
	{"t=NS_ackmsg", "dest=node2", "ackseq=1", "(1)destuuid=" + uuid1, "src=node2", "(1)srcuuid=" + uuid1, "hg=6b02c90e", "ts=6b02c90f", "ttl=3"},
	{"t=reqnodes", "dest=node1", "(1)destuuid=" + uuid1, "src=node2"},
	{"dest=node2", "t=repnodes", "nodelist=node1 node2 ", "delnodelist= ", "(1)destuuid=" + uuid1, "src=node1"},
	{"t=query-cstatus", "dest=node2", "cn=ipfail", "from_id=21704"},
	{"t=respond-cstatus", "dest=node1", "result=OK", "cn=ipfail", "to_id=21704", "cs=offline"},
}

var standardTail = []string{"seq=8", "hg=6b02c90e", "ts=6b02c90f", "ld=0.10 0.20 0.30 1/106 13620", "ttl=3"}

func TestSpecMessageTypes(t *testing.T) {
	for _, words := range specMessageTypes {
		if words[0] != "t=NS_ackmsg" {
			words = append(append([]string(nil), words...), standardTail...)
		}
		m := msg(t, words...)
		for idx := 1; idx <= 4; idx++ {
			for _, enc := range encoders {
				b, err := enc.fn(m, key(t, idx))
				if err != nil {
					t.Fatalf("%s key %d: %v", enc.name, idx, err)
				}
				got, err := codec.Decode(b, labKeys())
				if err != nil {
					t.Fatalf("%s key %d: %v\n%q", enc.name, idx, err, b)
				}
				if !got.Equal(m) {
					t.Errorf("%s key %d:\n got %v\nwant %v", enc.name, idx, got, m)
				}
			}
		}
	}
}

var encoders = []struct {
	name string
	fn   func(*codec.Message, config.AuthKey) ([]byte, error)
}{
	{"netstring", codec.EncodeNetstring},
	{"classic", codec.EncodeClassic},
}
