package capture

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/understudy-ha/understudy/transport/codec"
)

// Verdicts, as printed in JSON. The text output adds details: "ok
// (signed with key N METHOD)", "bad key index N", "malformed: REASON at
// offset X".
const (
	VerdictOK        = "ok"            // authentic and new (or an NS_* message, which has no seq)
	VerdictBadKey    = "bad key index" // signed with a key index not in authkeys
	VerdictBadDigest = "bad digest"    // wrong secret, or the bytes were changed
	VerdictNoSig     = "no signature"  // the auth string is missing or unreadable
	VerdictReplay    = "replay"        // authentic, but an older generation than already seen from that sender
	VerdictDuplicate = "duplicate"     // authentic, seq already seen (another link's copy): normal
	VerdictEarly     = "early"         // authentic, newer generation before its status message: normal at a restart
	VerdictMalformed = "malformed"     // not a well-formed heartbeat frame
)

// failing are the verdicts that fail verification.
var failing = map[string]bool{VerdictBadKey: true, VerdictBadDigest: true, VerdictNoSig: true,
	VerdictMalformed: true, VerdictReplay: true}

// verdictOrder is the order of the summary.
var verdictOrder = []string{VerdictOK, VerdictDuplicate, VerdictEarly, VerdictReplay,
	VerdictBadKey, VerdictBadDigest, VerdictNoSig, VerdictMalformed}

// Report is what `understudy decode --json` prints.
type Report struct {
	Input string `json:"input"`
	// Kind is "pcap", "pcapng" or "serial" (a raw byte stream of frames).
	Kind string `json:"kind"`
	// LinkType is the capture's link type (pcapng: its first packet's).
	LinkType uint32    `json:"link_type,omitempty"`
	Port     int       `json:"port,omitempty"`
	Messages []Message `json:"messages"`
	// Summary counts the messages per verdict.
	Summary map[string]int `json:"summary"`
	// Skipped counts captured packets that carry no heartbeat message.
	Skipped  int      `json:"skipped"`
	Warnings []string `json:"warnings,omitempty"`
	// OK: there is at least one message and none failed verification.
	OK bool `json:"ok"`
}

// Message is one judged heartbeat message.
type Message struct {
	// N is the packet number in the capture (from 1, as tcpdump and
	// Wireshark count), or the frame's number in a serial stream.
	N int `json:"n"`
	// Time, Src and Dst come from the capture (pcap and pcapng only).
	Time string `json:"time,omitempty"`
	Src  string `json:"src,omitempty"`
	Dst  string `json:"dst,omitempty"`
	// Offset is the frame's byte offset in a serial stream.
	Offset   *int64  `json:"offset,omitempty"`
	Length   int     `json:"length"`
	Encoding string  `json:"encoding,omitempty"`
	Fields   []Field `json:"fields"`
	// InnerAuth is the inner auth field, Trailer the netstring trailer.
	InnerAuth string `json:"inner_auth,omitempty"`
	Trailer   string `json:"trailer,omitempty"`
	Verdict   string `json:"verdict"`
	// Text is the verdict as the text output prints it.
	Text   string `json:"text"`
	Key    *int   `json:"key,omitempty"`
	Method string `json:"method,omitempty"`
	Reason string `json:"reason,omitempty"`
	// ErrorOffset is where a malformed frame went wrong (byte offset
	// into the message).
	ErrorOffset *int     `json:"error_offset,omitempty"`
	Notes       []string `json:"notes,omitempty"`
}

// Field is one field of a message.
type Field struct {
	Name string `json:"name"`
	Type string `json:"type"` // "string" or "binary"
	// Value is the string, or the binary bytes in hex.
	Value string `json:"value"`
}

func (r *Report) add(m Message) {
	m.Text = verdictText(m)
	r.Messages = append(r.Messages, m)
	r.Summary[m.Verdict]++
}

// finish sets OK.
func (r *Report) finish() {
	r.OK = len(r.Messages) > 0
	for v, n := range r.Summary {
		if n > 0 && failing[v] {
			r.OK = false
		}
	}
	if len(r.Messages) == 0 {
		r.Warnings = append(r.Warnings, "no heartbeat message found")
	}
}

func verdictText(m Message) string {
	switch m.Verdict {
	case VerdictOK:
		if m.Key != nil {
			return fmt.Sprintf("ok (signed with key %d %s)", *m.Key, m.Method)
		}
	case VerdictBadKey:
		if m.Key != nil {
			return fmt.Sprintf("bad key index %d", *m.Key)
		}
	case VerdictMalformed:
		if m.ErrorOffset != nil {
			return fmt.Sprintf("malformed: %s at offset %d", m.Reason, *m.ErrorOffset)
		}
		return "malformed: " + m.Reason
	}
	return m.Verdict
}

// WriteText prints the report as `understudy decode` does: each message
// on a line with its fields, reasons and notes indented below, then the
// summary.
func (r *Report) WriteText(w io.Writer) {
	for _, m := range r.Messages {
		writeMessage(w, m)
	}
	fmt.Fprintln(w, r.summaryLine())
}

func writeMessage(w io.Writer, m Message) {
	var where string
	switch {
	case m.Src != "":
		where = fmt.Sprintf(" %s %s > %s", m.Time, m.Src, m.Dst)
	case m.Offset != nil:
		where = fmt.Sprintf(" at byte %d", *m.Offset)
	}
	enc := m.Encoding
	if enc == "" {
		enc = "unknown"
	}
	fmt.Fprintf(w, "#%d%s %s %d bytes: %s\n", m.N, where, enc, m.Length, m.Text)
	var fields []string
	for _, f := range m.Fields {
		name := f.Name
		if f.Type == codec.Binary.String() {
			name = "(1)" + name
		}
		fields = append(fields, name+"="+quote(f.Value))
	}
	if m.InnerAuth != "" {
		fields = append(fields, "auth="+quote(m.InnerAuth))
	}
	if m.Trailer != "" {
		fields = append(fields, "trailer="+quote(m.Trailer))
	}
	if len(fields) > 0 {
		fmt.Fprintf(w, "    %s\n", strings.Join(fields, " "))
	}
	if m.Reason != "" && m.Verdict != VerdictMalformed {
		fmt.Fprintf(w, "    why: %s\n", m.Reason)
	}
	for _, n := range m.Notes {
		fmt.Fprintf(w, "    note: %s\n", n)
	}
}

func (r *Report) summaryLine() string {
	var parts []string
	failed := 0
	for _, v := range verdictOrder {
		if n := r.Summary[v]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
		if failing[v] {
			failed += r.Summary[v]
		}
	}
	msgs := "messages"
	if len(r.Messages) == 1 {
		msgs = "message"
	}
	line := fmt.Sprintf("summary: %d %s", len(r.Messages), msgs)
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, ", ")
	}
	if r.Skipped > 0 {
		line += fmt.Sprintf("; %d other packets skipped", r.Skipped)
	}
	verdict := "all verified"
	switch {
	case len(r.Messages) == 0:
		verdict = "no heartbeat message found"
	case failed > 0:
		verdict = fmt.Sprintf("%d failed verification", failed)
	}
	return fmt.Sprintf("%s (%s)", line, verdict)
}

// quote quotes a value that holds blanks or unprintable bytes.
func quote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == '"' || r >= 0x7f }) {
		return s
	}
	return strconv.Quote(s)
}
