package capture_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/internal/capture"
	"github.com/understudy-ha/understudy/internal/pcap"
)

// Input that is no capture fails, saying why; it is never "0 messages,
// all verified".
func TestUnreadable(t *testing.T) {
	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.IntN(256))
	}
	var otherLink bytes.Buffer
	w, _ := pcap.NewWriter(&otherLink, pcap.Header{LinkType: 228})
	w.Write(time.Unix(0, 0), []byte{0x45})
	ng := captureFile(t, pcap.Header{LinkType: pcap.LinkEthernet}, true, nil)
	badOrder := bytes.Clone(ng)
	copy(badOrder[8:], "\x01\x02\x03\x04")
	tests := []struct {
		name string
		in   []byte
		want error
		text string
	}{
		{"empty", nil, capture.ErrNotCapture, "the input is empty"},
		{"random bytes", random, capture.ErrNotCapture, "starts with the bytes"},
		{"text", []byte("hello\nworld\n<<<\n"), capture.ErrNotCapture, `no line starting with ">>>"`},
		{"a frame start without its line end", []byte(">>>"), capture.ErrNotCapture, "3e 3e 3e"},
		{"pcap header cut short", []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0}, pcap.ErrFormat, "file header cut short"},
		{"pcapng section header broken", badOrder, pcap.ErrFormat, "byte-order magic"},
		{"pcap of a link type not read", otherLink.Bytes(), pcap.ErrLinkType, "packet 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := capture.Read(bytes.NewReader(tt.in), capture.Options{Keys: labKeys})
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %v, want %v saying %q", err, tt.want, tt.text)
			}
		})
	}
}

// A capture without heartbeat traffic reads, but is not "all verified".
func TestNoHeartbeat(t *testing.T) {
	dns := []byte{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, ng := range []bool{false, true} {
		rep, out := read(t, captureFile(t, pcap.Header{LinkType: pcap.LinkEthernet}, ng, []packet{{"192.0.2.2:53", "192.0.2.1:5353", dns}}), 0)
		if rep.OK || !strings.Contains(out, "summary: 0 messages; 1 other packets skipped (no heartbeat message found)") ||
			len(rep.Warnings) != 1 {
			t.Errorf("ok %v, warnings %q\n%s", rep.OK, rep.Warnings, out)
		}
	}
}

// FuzzRead: any input (pcap, pcapng or byte stream) is judged without
// panicking, and the summary accounts for every message.
func FuzzRead(f *testing.F) {
	real85 := testdata(f, "spec-8.5-bcast-status-sha1.hex")
	for _, ng := range []bool{false, true} {
		f.Add(captureFile(f, pcap.Header{LinkType: pcap.LinkRaw}, ng, []packet{{bc1, bcA, real85}, {bc1, uc1, real85}}))
	}
	f.Add(real85)
	f.Add([]byte("noise\n>>>\nt=status\nsrc=n\nseq=1\nhg=1\nauth=3 0\n<<<\r\n>>>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := capture.Read(bytes.NewReader(data), capture.Options{Keys: labKeys})
		if err != nil {
			return
		}
		total := 0
		for _, n := range rep.Summary {
			total += n
		}
		if total != len(rep.Messages) || rep.OK && total == 0 {
			t.Fatalf("summary %v for %d messages, ok %v", rep.Summary, len(rep.Messages), rep.OK)
		}
		for _, m := range rep.Messages {
			if m.Verdict == "" || m.Text == "" {
				t.Fatalf("message without a verdict: %+v", m)
			}
		}
	})
}
