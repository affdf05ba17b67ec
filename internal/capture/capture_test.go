package capture_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/capture"
	"github.com/understudy-ha/understudy/internal/pcap"
	"github.com/understudy-ha/understudy/transport/codec"
)

// golden is a capture with one message of every verdict.
func golden(t *testing.T) (pkts []packet, want []string) {
	k1, k2, k3 := keyTable[1], keyTable[2], keyTable[3]
	real85 := testdata(t, "spec-8.5-bcast-status-sha1.hex")

	n2s1 := netstring(t, statusMsg(t, "node2", 0x100, 1, "up"), k2)
	n2s2 := netstring(t, statusMsg(t, "node2", 0x100, 2, "active"), k3)
	n2new := netstring(t, statusMsg(t, "node2", 0x101, 1, "init"), k1) // node2 restarted
	tampered := bytes.Replace(netstring(t, statusMsg(t, "node2", 0x101, 2, "up"), k1), []byte("st=up"), []byte("st=UP"), 1)
	badKey := netstring(t, statusMsg(t, "node2", 0x101, 3, "up"), config.AuthKey{Index: 7, Method: "sha1", Secret: "other"})
	noSig := n2new[:bytes.Index(n2new, []byte("%%%\n"))+4]
	malformed := []byte("###\n11:(0)t=status,99:(0)st=up,%%%\n")
	dns := []byte{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}

	pkts = []packet{
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
	return pkts, want
}

// The same capture as pcap and as pcapng gives the same judgement.
func TestGoldenCapture(t *testing.T) {
	pkts, want := golden(t)
	for _, kind := range []string{"pcap", "pcapng"} {
		t.Run(kind, func(t *testing.T) {
			rep, out := read(t, captureFile(t, pcap.Header{LinkType: pcap.LinkEthernet}, kind == "pcapng", pkts), 0)
			inOrder(t, out, want)
			if strings.Contains(out, "#4 ") {
				t.Errorf("the DNS packet was judged:\n%s", out)
			}
			if rep.Kind != kind || rep.OK || rep.LinkType != pcap.LinkEthernet {
				t.Errorf("kind %q, ok %v, link type %d", rep.Kind, rep.OK, rep.LinkType)
			}
		})
	}
}

func TestReportFields(t *testing.T) {
	pkts, _ := golden(t)
	rep, _ := read(t, captureFile(t, pcap.Header{LinkType: pcap.LinkEthernet}, false, pkts), 0)
	var verdicts []string
	for _, m := range rep.Messages {
		verdicts = append(verdicts, fmt.Sprintf("%d:%s", m.N, m.Verdict))
	}
	if got, want := strings.Join(verdicts, " "), "1:ok 2:ok 3:duplicate 5:ok 6:ok 7:replay 8:bad digest 9:bad key index 10:no signature 11:malformed"; got != want {
		t.Errorf("verdicts\n got %s\nwant %s", got, want)
	}
	m := rep.Messages[0]
	if rep.Kind != "pcap" || rep.Skipped != 1 || m.Src != bc1 || m.Dst != bcA || m.Key == nil || *m.Key != 1 || m.Method != "sha1" ||
		m.Fields[5] != (capture.Field{Name: "srcuuid", Type: "binary", Value: "b039d8f83671441e97944bbe481570fd"}) {
		t.Errorf("report %+v\nfirst message %+v", rep, m)
	}
	if rep.Summary["bad key index"] != 1 || rep.Summary["ok"] != 4 {
		t.Errorf("summary %v", rep.Summary)
	}
	if mal := rep.Messages[len(rep.Messages)-1]; mal.ErrorOffset == nil || mal.Reason == "" {
		t.Errorf("malformed message: %+v", mal)
	}
	if replay := rep.Messages[5]; replay.Key == nil || *replay.Key != 3 {
		t.Errorf("a replay is authentic: its key is known: %+v", replay)
	}
}

// A clean two-link capture: duplicates do not fail; big-endian,
// nanosecond, Linux cooked v1/v2, raw IP, IPv6, pcapng and --port all work.
func TestCleanCaptureVariants(t *testing.T) {
	var pkts []packet
	for seq := uint64(1); seq <= 3; seq++ {
		p := netstring(t, statusMsg(t, "node1", 0x6b02c8d3, seq, "active"), keyTable[1])
		pkts = append(pkts, packet{bc1, bcA, p}, packet{"[2001:db8::1]:40000", "[2001:db8::2]:694", p})
	}
	pkts = append(pkts, packet{"192.0.2.9:7000", "192.0.2.2:7001", []byte("###\n garbage on another port")})
	for _, c := range []struct {
		h  pcap.Header
		ng bool
	}{
		{pcap.Header{LinkType: pcap.LinkLinuxSLL2, Order: binary.BigEndian, Nano: true}, false},
		{pcap.Header{LinkType: pcap.LinkLinuxSLL}, false},
		{pcap.Header{LinkType: pcap.LinkRaw, Order: binary.BigEndian}, false},
		{pcap.Header{LinkType: pcap.LinkEthernet, Nano: true}, true},
		{pcap.Header{LinkType: pcap.LinkRaw, Order: binary.BigEndian}, true},
	} {
		file := captureFile(t, c.h, c.ng, pkts)
		rep, out := read(t, file, 694)
		if !rep.OK {
			t.Fatalf("%+v: not ok\n%s", c, out)
		}
		first := "#1 2026-01-05T10:50:53.493570Z "
		if c.h.Nano {
			first = "#1 2026-01-05T10:50:53.493570000Z "
		}
		inOrder(t, out, []string{first, "ok (signed with key 1 sha1)",
			"#2 2026-01-05T10:50:53.5", " [2001:db8::1]:40000 > [2001:db8::2]:694 netstring", "duplicate",
			"summary: 6 messages: 3 ok, 3 duplicate; 1 other packets skipped (all verified)"})
		// without --port the garbage looks like a heartbeat frame and fails
		if rep, out := read(t, file, 0); rep.OK || !strings.Contains(out, "#7 ") {
			t.Errorf("%+v without --port:\n%s", c, out)
		}
	}
}

// A serial byte stream: line noise, the real frame of spec 4.11, frames
// of our encoder (one with CR LF line ends, one tampered), an incomplete
// frame at the end.
func TestSerialStream(t *testing.T) {
	classic := func(m *codec.Message, k config.AuthKey) []byte {
		b, err := codec.EncodeClassic(m, k)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var s bytes.Buffer
	s.WriteString("\x00\xffnoise\n<<<\nt=x\n")
	s.Write(testdata(t, "spec-4.11-serial-status-sha1.txt"))
	s.WriteString("more noise\n")
	s.Write(classic(statusMsg(t, "node2", 9, 1, "up"), keyTable[3]))
	s.Write(bytes.ReplaceAll(classic(statusMsg(t, "node2", 9, 2, "up"), keyTable[2]), []byte("\n"), []byte("\r\n")))
	s.Write(bytes.Replace(classic(statusMsg(t, "node2", 9, 3, "up"), keyTable[1]), []byte("ttl=3"), []byte("ttl=4"), 1))
	s.WriteString(">>>\nt=status\n")
	rep, out := read(t, s.Bytes(), 0)
	if rep.OK || rep.Kind != "serial" {
		t.Errorf("kind %q, ok %v", rep.Kind, rep.OK)
	}
	inOrder(t, out, []string{
		"#1 at byte 16 classic 203 bytes: ok (signed with key 1 sha1)",
		"    t=status st=up dt=2ee0 protocol=1 src=node1 (1)srcuuid=b039d8f83671441e97944bbe481570fd seq=4 hg=6b02c8d6 ts=6b02cc32 ld=\"5.63 25.34 20.30 6/161 4808\" ttl=3 auth=\"1 beec8f869404e10edbd65df40eed53668673c0ff\"",
		"#2 at byte ", "classic", "ok (signed with key 3 crc)",
		"#3 ", "ok (signed with key 2 md5)",
		"#4 ", "bad digest",
		"summary: 4 messages: 3 ok, 1 bad digest (1 failed verification)"})
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "ends inside a frame that starts at byte") {
		t.Errorf("warnings %q", rep.Warnings)
	}
}

// Lost packets and a sender's early message are noted, as a node sees them.
func TestSequenceNotes(t *testing.T) {
	k := keyTable[1]
	early := statusMsg(t, "node1", 8, 1, "up")
	early.Set("t", "resource")
	rep, out := read(t, captureFile(t, pcap.Header{LinkType: pcap.LinkEthernet}, true, []packet{
		{bc1, bcA, netstring(t, statusMsg(t, "node1", 7, 1, "up"), k)},
		{bc1, bcA, netstring(t, statusMsg(t, "node1", 7, 4, "up"), k)},
		{bc1, bcA, netstring(t, early, k)},
	}), 0)
	inOrder(t, out, []string{"#2 ", "note: 2 lost packet(s) for node1 before seq 4", "#3 ", ": early", "why: newer generation before its status message",
		"summary: 3 messages: 2 ok, 1 early (all verified)"})
	if !rep.OK {
		t.Error("early is not a failure")
	}
}

// testdata/golden-editcap.pcapng is the golden capture as Wireshark
// writes it: the pcap of captureFile (nanosecond timestamps) converted by
// editcap 4.0.17 (-F pcapng), with its section and interface options.
func TestWiresharkPcapng(t *testing.T) {
	ng, err := os.ReadFile(filepath.Join("testdata", "golden-editcap.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	pkts, want := golden(t)
	rep, out := read(t, ng, 0)
	_, fromPcap := read(t, captureFile(t, pcap.Header{LinkType: pcap.LinkEthernet, Nano: true}, false, pkts), 0)
	if rep.Kind != "pcapng" || out != fromPcap {
		t.Errorf("kind %s; editcap's pcapng judged\n%s\nthe pcap judged\n%s", rep.Kind, out, fromPcap)
	}
	inOrder(t, out, want[len(want)-1:])
}
