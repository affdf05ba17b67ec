package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/pcap"
	"github.com/understudy-ha/understudy/transport/codec"
)

// The lab's authkeys (spec 8.2). The directory holds nothing else: decode
// needs only authkeys.
const decodeLabKeys = "auth 1\n1 sha1 labsecret\n2 md5 labsecret\n3 crc\n"

var decodeKeyTable = map[int]config.AuthKey{
	1: {Index: 1, Method: "sha1", Secret: "labsecret"},
	2: {Index: 2, Method: "md5", Secret: "labsecret"},
	3: {Index: 3, Method: "crc"},
}

func decodeKeysDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "authkeys"), []byte(decodeLabKeys), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// decodeTestdata reads a test vector of package codec (spec 8.5 and 4.11).
func decodeTestdata(t testing.TB, name string) []byte {
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

// decodeStatus builds a status message as daemon/wire.go does.
func decodeStatus(t *testing.T, src string, gen, seq uint64, st string) *codec.Message {
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

func decodeNetstring(t *testing.T, m *codec.Message, key config.AuthKey) []byte {
	t.Helper()
	b, err := codec.EncodeNetstring(m, key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type decodePkt struct {
	src, dst string
	payload  []byte
}

func decodeWritePcap(t *testing.T, h pcap.Header, pkts []decodePkt) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := pcap.NewWriter(&buf, h)
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
	path := filepath.Join(t.TempDir(), "cap.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func decodeRun(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := runDecode(args, &out, &errb)
	return code, out.String(), errb.String()
}

const (
	bc1 = "192.0.2.1:40370"
	bc2 = "192.0.2.2:57282"
	bcA = "192.0.2.255:694"
	uc1 = "192.0.2.1:694"
	uc2 = "192.0.2.2:694"
)

// decodeGolden is a capture with one message of every verdict.
func decodeGolden(t *testing.T) (path string, want []string) {
	k1, k2, k3 := decodeKeyTable[1], decodeKeyTable[2], decodeKeyTable[3]
	real85 := decodeTestdata(t, "spec-8.5-bcast-status-sha1.hex")

	n2s1 := decodeNetstring(t, decodeStatus(t, "node2", 0x100, 1, "up"), k2)
	n2s2 := decodeNetstring(t, decodeStatus(t, "node2", 0x100, 2, "active"), k3)
	n2new := decodeNetstring(t, decodeStatus(t, "node2", 0x101, 1, "init"), k1) // node2 restarted
	tampered := bytes.Replace(decodeNetstring(t, decodeStatus(t, "node2", 0x101, 2, "up"), k1), []byte("st=up"), []byte("st=UP"), 1)
	badKey := decodeNetstring(t, decodeStatus(t, "node2", 0x101, 3, "up"), config.AuthKey{Index: 7, Method: "sha1", Secret: "other"})
	noSig := n2new[:bytes.Index(n2new, []byte("%%%\n"))+4]
	malformed := []byte("###\n11:(0)t=status,99:(0)st=up,%%%\n")
	dns := []byte{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}

	pkts := []decodePkt{
		{bc1, bcA, real85},                      // 1 ok, real heartbeat packet
		{bc2, bcA, n2s1},                        // 2 ok md5
		{bc2, uc1, n2s1},                        // 3 duplicate (ucast copy)
		{"192.0.2.2:53", "192.0.2.1:5353", dns}, // 4 skipped
		{bc2, bcA, n2s2},                        // 5 ok crc
		{bc2, bcA, n2new},                       // 6 ok sha1, restart
		{bc2, bcA, n2s2},                        // 7 replay (old generation)
		{bc2, bcA, tampered},                    // 8 bad digest
		{bc2, bcA, badKey},                      // 9 bad key index 7
		{bc2, bcA, noSig},                       // 10 no signature
		{bc2, bcA, malformed},                   // 11 malformed
	}
	want = []string{
		"#1 2026-01-05T10:50:53.493570Z 192.0.2.1:40370 > 192.0.2.255:694 netstring 306 bytes: ok (signed with key 1 sha1)",
		"    t=status st=up dt=2ee0 protocol=1 src=node1 (1)srcuuid=b039d8f83671441e97944bbe481570fd seq=5 hg=6b02c8d3 ts=6b02c90d ld=\"1.06 0.59 0.26 1/106 13620\" ttl=3 auth=\"1 3fff677b2f6e56808e42f4fe575664851b00e044\" trailer=\"1 0c580994175df9aee878f2598592ff89508604fd\"",
		fmt.Sprintf("#2 2026-01-05T10:50:53.593570Z 192.0.2.2:57282 > 192.0.2.255:694 netstring %d bytes: ok (signed with key 2 md5)", len(n2s1)),
		"#3 2026-01-05T10:50:53.693570Z 192.0.2.2:57282 > 192.0.2.1:694 netstring",
		": duplicate",
		"#5 ", ": ok (signed with key 3 crc)",
		"#6 ", ": ok (signed with key 1 sha1)", "note: node2 restarted (new generation)",
		"#7 ", ": replay", "why: generation older than node2's current one",
		"#8 ", ": bad digest",
		"#9 ", ": bad key index 7",
		"#10 ", ": no signature",
		"#11 2026-01-05T10:50:54.493570Z 192.0.2.2:57282 > 192.0.2.255:694 netstring 35 bytes: malformed: ",
		" at offset ",
		"summary: 10 messages: 4 ok, 1 duplicate, 1 replay, 1 bad key index, 1 bad digest, 1 no signature, 1 malformed; 1 other packets skipped (5 failed verification)",
	}
	return decodeWritePcap(t, pcap.Header{LinkType: pcap.LinkEthernet}, pkts), want
}

// decodeInOrder checks that every want string appears in out, in order.
func decodeInOrder(t *testing.T, out string, want []string) {
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

func TestDecodeGoldenPcap(t *testing.T) {
	dir := decodeKeysDir(t)
	path, want := decodeGolden(t)
	code, out, errs := decodeRun("-c", dir, path)
	if code != exitFail {
		t.Errorf("exit %d, want %d (stderr %q)", code, exitFail, errs)
	}
	decodeInOrder(t, out, want)
	if strings.Contains(out, "#4 ") {
		t.Errorf("the DNS packet was judged:\n%s", out)
	}
}

func TestDecodeJSON(t *testing.T) {
	dir := decodeKeysDir(t)
	path, _ := decodeGolden(t)
	code, out, _ := decodeRun("-c", dir, "--json", path)
	if code != exitFail {
		t.Errorf("exit %d", code)
	}
	var rep decodeReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var verdicts []string
	for _, m := range rep.Messages {
		verdicts = append(verdicts, fmt.Sprintf("%d:%s", m.N, m.Verdict))
	}
	if got, want := strings.Join(verdicts, " "), "1:ok 2:ok 3:duplicate 5:ok 6:ok 7:replay 8:bad digest 9:bad key index 10:no signature 11:malformed"; got != want {
		t.Errorf("verdicts\n got %s\nwant %s", got, want)
	}
	m := rep.Messages[0]
	if rep.Kind != "pcap" || rep.LinkType != pcap.LinkEthernet || rep.OK || rep.Skipped != 1 ||
		m.Src != bc1 || m.Dst != bcA || m.Key == nil || *m.Key != 1 || m.Method != "sha1" ||
		m.Fields[5] != (decodedField{"srcuuid", "binary", "b039d8f83671441e97944bbe481570fd"}) {
		t.Errorf("report %+v\nfirst message %+v", rep, m)
	}
	if rep.Summary["bad key index"] != 1 || rep.Summary["ok"] != 4 {
		t.Errorf("summary %v", rep.Summary)
	}
	if mal := rep.Messages[len(rep.Messages)-1]; mal.ErrorOffset == nil || mal.Reason == "" {
		t.Errorf("malformed message: %+v", mal)
	}
}

// A clean two-link capture: duplicates do not fail; big-endian,
// nanosecond, Linux cooked v2, IPv6 and --port all work.
func TestDecodeCleanCaptureVariants(t *testing.T) {
	dir := decodeKeysDir(t)
	var pkts []decodePkt
	for seq := uint64(1); seq <= 3; seq++ {
		p := decodeNetstring(t, decodeStatus(t, "node1", 0x6b02c8d3, seq, "active"), decodeKeyTable[1])
		pkts = append(pkts, decodePkt{bc1, bcA, p}, decodePkt{"[2001:db8::1]:40000", "[2001:db8::2]:694", p})
	}
	pkts = append(pkts, decodePkt{"192.0.2.9:7000", "192.0.2.2:7001", []byte("###\n garbage on another port")})
	for _, h := range []pcap.Header{
		{LinkType: pcap.LinkLinuxSLL2, Order: binary.BigEndian, Nano: true},
		{LinkType: pcap.LinkLinuxSLL},
		{LinkType: pcap.LinkRaw, Order: binary.BigEndian},
	} {
		path := decodeWritePcap(t, h, pkts)
		code, out, errs := decodeRun("-c", dir, "--port", "694", path)
		if code != exitOK {
			t.Fatalf("%+v: exit %d\n%s%s", h, code, out, errs)
		}
		first := "#1 2026-01-05T10:50:53.493570Z "
		if h.Nano {
			first = "#1 2026-01-05T10:50:53.493570000Z "
		}
		decodeInOrder(t, out, []string{first, "ok (signed with key 1 sha1)",
			"#2 2026-01-05T10:50:53.5", " [2001:db8::1]:40000 > [2001:db8::2]:694 netstring", "duplicate",
			"summary: 6 messages: 3 ok, 3 duplicate; 1 other packets skipped (all verified)"})
		// without --port the garbage looks like a heartbeat frame and fails
		if code, out, _ := decodeRun("-c", dir, path); code != exitFail || !strings.Contains(out, "#7 ") {
			t.Errorf("without --port: exit %d\n%s", code, out)
		}
	}
}

// A serial byte stream: line noise, the real frame of spec 4.11, frames
// of our encoder (one with CR LF line ends, one tampered), an incomplete
// frame at the end.
func TestDecodeSerialStream(t *testing.T) {
	dir := decodeKeysDir(t)
	classic := func(m *codec.Message, k config.AuthKey) []byte {
		b, err := codec.EncodeClassic(m, k)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var s bytes.Buffer
	s.WriteString("\x00\xffnoise\n<<<\nt=x\n")
	s.Write(decodeTestdata(t, "spec-4.11-serial-status-sha1.txt"))
	s.WriteString("more noise\n")
	s.Write(classic(decodeStatus(t, "node2", 9, 1, "up"), decodeKeyTable[3]))
	s.Write(bytes.ReplaceAll(classic(decodeStatus(t, "node2", 9, 2, "up"), decodeKeyTable[2]), []byte("\n"), []byte("\r\n")))
	s.Write(bytes.Replace(classic(decodeStatus(t, "node2", 9, 3, "up"), decodeKeyTable[1]), []byte("ttl=3"), []byte("ttl=4"), 1))
	s.WriteString(">>>\nt=status\n")
	path := filepath.Join(t.TempDir(), "serial.raw")
	if err := os.WriteFile(path, s.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := decodeRun("-c", dir, path)
	if code != exitFail {
		t.Errorf("exit %d", code)
	}
	decodeInOrder(t, out, []string{
		"#1 at byte 16 classic 203 bytes: ok (signed with key 1 sha1)",
		"    t=status st=up dt=2ee0 protocol=1 src=node1 (1)srcuuid=b039d8f83671441e97944bbe481570fd seq=4 hg=6b02c8d6 ts=6b02cc32 ld=\"5.63 25.34 20.30 6/161 4808\" ttl=3 auth=\"1 beec8f869404e10edbd65df40eed53668673c0ff\"",
		"#2 at byte ", "classic", "ok (signed with key 3 crc)",
		"#3 ", "ok (signed with key 2 md5)",
		"#4 ", "bad digest",
		"summary: 4 messages: 3 ok, 1 bad digest (1 failed verification)"})
	if !strings.Contains(errs, "ends inside a frame") {
		t.Errorf("stderr %q", errs)
	}
}

func TestDecodeStdin(t *testing.T) {
	dir := decodeKeysDir(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = old; r.Close() })
	go func() {
		w.Write(decodeTestdata(t, "spec-4.11-serial-status-sha1.txt"))
		w.Close()
	}()
	code, out, errs := decodeRun("-c", dir, "-")
	if code != exitOK || !strings.Contains(out, "summary: 1 message: 1 ok (all verified)") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
}

func TestDecodeUsage(t *testing.T) {
	dir := decodeKeysDir(t)
	loose := t.TempDir()
	os.WriteFile(filepath.Join(loose, "authkeys"), []byte(decodeLabKeys), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-c", dir}, "give one capture FILE"},
		{[]string{"-c", dir, "a", "b"}, "give one capture FILE"},
		{[]string{"-c", dir, "--port", "70000", "x"}, "not a UDP port"},
		{[]string{"-c", dir, filepath.Join(dir, "nonexistent")}, "no such file"},
		{[]string{"-c", t.TempDir(), "x"}, "authkeys"},
		{[]string{"-c", loose, "x"}, "too open"},
	} {
		code, _, errs := decodeRun(c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
	if code, _, _ := decodeRun("-h"); code != exitOK {
		t.Errorf("-h: exit %d", code)
	}
	// a pcap of a link type we do not read
	path := filepath.Join(t.TempDir(), "x.pcap")
	var buf bytes.Buffer
	w, _ := pcap.NewWriter(&buf, pcap.Header{LinkType: 228})
	w.Write(time.Unix(0, 0), []byte{0x45})
	os.WriteFile(path, buf.Bytes(), 0o644)
	if code, _, errs := decodeRun("-c", dir, path); code != exitUsage || !strings.Contains(errs, "link type") {
		t.Errorf("link type 228: exit %d, %q", code, errs)
	}
}

// FuzzDecodeStream: any input (pcap or byte stream) is judged without
// panicking, and the summary accounts for every message.
func FuzzDecodeStream(f *testing.F) {
	keys := config.AuthKeys{Active: 1, Keys: decodeKeyTable}
	var pc bytes.Buffer
	w, _ := pcap.NewWriter(&pc, pcap.Header{LinkType: pcap.LinkEthernet})
	real85 := decodeTestdata(f, "spec-8.5-bcast-status-sha1.hex")
	fr, _ := pcap.EncodeUDP(pcap.LinkEthernet, netip.MustParseAddrPort(bc1), netip.MustParseAddrPort(bcA), real85)
	w.Write(time.Unix(1767610253, 0), fr)
	f.Add(pc.Bytes())
	f.Add(real85)
	f.Add([]byte("noise\n>>>\nt=status\nsrc=n\nseq=1\nhg=1\nauth=3 0\n<<<\r\n>>>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := decodeStream(bytes.NewReader(data), keys, 0)
		if err != nil {
			return
		}
		total := 0
		for _, n := range rep.Summary {
			total += n
		}
		if total != len(rep.Messages) {
			t.Fatalf("summary %v for %d messages", rep.Summary, len(rep.Messages))
		}
		for _, m := range rep.Messages {
			if m.Verdict == "" || m.Text == "" {
				t.Fatalf("message without a verdict: %+v", m)
			}
		}
	})
}
