package capture_test

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/capture"
	"github.com/understudy-ha/understudy/internal/pcap"
	"github.com/understudy-ha/understudy/transport/codec"
)

// The lab's authkeys (spec 8.2).
var keyTable = map[int]config.AuthKey{
	1: {Index: 1, Method: "sha1", Secret: "labsecret"},
	2: {Index: 2, Method: "md5", Secret: "labsecret"},
	3: {Index: 3, Method: "crc"},
}

var labKeys = config.AuthKeys{Active: 1, Keys: keyTable}

// testdata reads a test vector of package codec (spec 8.5 and 4.11).
func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "transport", "codec", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".hex") {
		if b, err = hex.DecodeString(strings.Join(strings.Fields(string(b)), "")); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// statusMsg builds a status message with the standard fields, in the
// order transport/session sends them.
func statusMsg(t *testing.T, src string, gen, seq uint64, st string) *codec.Message {
	t.Helper()
	m := &codec.Message{}
	for _, kv := range [][2]string{{"t", "status"}, {"st", st}, {"dt", "2710"}, {"src", src}} {
		if err := m.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.SetBinary("srcuuid", bytes.Repeat([]byte{byte(len(src))}, 16)); err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{{"seq", strconv.FormatUint(seq, 16)}, {"hg", strconv.FormatUint(gen, 16)},
		{"ts", "6b02c90d"}, {"ld", "0.00 0.01 0.05 1/100 42"}, {"ttl", "3"}} {
		if err := m.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func netstring(t *testing.T, m *codec.Message, key config.AuthKey) []byte {
	t.Helper()
	b, err := codec.EncodeNetstring(m, key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type packet struct {
	src, dst string
	payload  []byte
}

// writer is pcap.Writer or pcap.NgWriter.
type writer interface {
	Write(time.Time, []byte) error
}

// captureFile writes pkts as a pcap file, or a pcapng one if ng.
func captureFile(t testing.TB, h pcap.Header, ng bool, pkts []packet) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w writer
	var err error
	if ng {
		w, err = pcap.NewNgWriter(&buf, h)
	} else {
		w, err = pcap.NewWriter(&buf, h)
	}
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 5, 10, 50, 53, 493570000, time.UTC)
	for i, p := range pkts {
		f, err := pcap.EncodeUDP(h.LinkType, netip.MustParseAddrPort(p.src), netip.MustParseAddrPort(p.dst), p.payload)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(at.Add(time.Duration(i)*100*time.Millisecond), f); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// read judges a capture and renders it as text.
func read(t *testing.T, file []byte, port int) (*capture.Report, string) {
	t.Helper()
	rep, err := capture.Read(bytes.NewReader(file), capture.Options{Keys: labKeys, Port: port})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.WriteText(&out)
	return rep, out.String()
}

// inOrder checks that every want string appears in out, in order.
func inOrder(t *testing.T, out string, want []string) {
	t.Helper()
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("output lacks %q (in order)\n--- output:\n%s", w, out)
		}
		rest = rest[i+len(w):]
	}
}

const (
	bc1 = "192.0.2.1:40370"
	bc2 = "192.0.2.2:57282"
	bcA = "192.0.2.255:694"
	uc1 = "192.0.2.1:694"
)
