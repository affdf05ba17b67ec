package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/pcap"
	"github.com/understudy-ha/understudy/transport/codec"
)

// Verdicts of `understudy decode`, as printed in --json. The text output
// adds details: "ok (signed with key N METHOD)", "bad key index N",
// "malformed: REASON at offset X".
const (
	verdictOK        = "ok"            // authentic and new (or an NS_* message, which has no seq)
	verdictBadKey    = "bad key index" // signed with a key index not in authkeys
	verdictBadDigest = "bad digest"    // wrong secret, or the bytes were changed
	verdictNoSig     = "no signature"  // the auth string is missing or unreadable
	verdictReplay    = "replay"        // authentic, but an older generation than already seen from that sender
	verdictDuplicate = "duplicate"     // authentic, seq already seen (another link's copy): normal
	verdictEarly     = "early"         // authentic, newer generation before its status message: normal at a restart
	verdictMalformed = "malformed"     // not a well-formed heartbeat frame
)

// decodeFailing are the verdicts that make decode exit 1.
var decodeFailing = map[string]bool{verdictBadKey: true, verdictBadDigest: true, verdictNoSig: true,
	verdictMalformed: true, verdictReplay: true}

// decodeVerdictOrder is the order of the summary.
var decodeVerdictOrder = []string{verdictOK, verdictDuplicate, verdictEarly, verdictReplay,
	verdictBadKey, verdictBadDigest, verdictNoSig, verdictMalformed}

// maxSerialInput bounds a raw frame stream read into memory.
const maxSerialInput = 256 << 20

// decodeReport is what `understudy decode --json` prints.
type decodeReport struct {
	Input string `json:"input"`
	// Kind is "pcap" or "serial" (a raw byte stream of frames).
	Kind     string         `json:"kind"`
	LinkType uint32         `json:"link_type,omitempty"`
	Port     int            `json:"port,omitempty"`
	Messages []decodedMsg   `json:"messages"`
	Summary  map[string]int `json:"summary"`
	// Skipped counts captured packets that carry no heartbeat message.
	Skipped  int      `json:"skipped"`
	Warnings []string `json:"warnings,omitempty"`
	OK       bool     `json:"ok"`
	nano     bool
}

type decodedMsg struct {
	// N is the pcap packet number (from 1), or the frame's number in a
	// serial stream.
	N int `json:"n"`
	// Time, Src and Dst come from the capture (pcap only).
	Time string `json:"time,omitempty"`
	Src  string `json:"src,omitempty"`
	Dst  string `json:"dst,omitempty"`
	// Offset is the frame's byte offset in a serial stream.
	Offset   *int64         `json:"offset,omitempty"`
	Length   int            `json:"length"`
	Encoding string         `json:"encoding,omitempty"`
	Fields   []decodedField `json:"fields"`
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

type decodedField struct {
	Name string `json:"name"`
	Type string `json:"type"` // "string" or "binary"
	// Value is the string, or the binary bytes in hex.
	Value string `json:"value"`
}

func runDecode(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("c", config.DefaultDir, "configuration `directory` whose authkeys verifies the messages")
	asJSON := fs.Bool("json", false, "print everything as one JSON document")
	port := fs.Int("port", 0, "judge only UDP datagrams from or to `PORT`, all of them (default: every UDP payload that looks like a heartbeat message)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: understudy decode [-c DIR] [--port PORT] [--json] FILE|-

Decodes and verifies heartbeat messages in a pcap capture (tcpdump -w) or in
a raw serial byte stream (">>>" ... "<<<" frames), with DIR's authkeys.
Replays and duplicates are judged per sender across the capture.
Exit status: 0 every message verified (duplicates allowed), 1 some message
failed (bad key, bad digest, no signature, malformed, replay), 2 could not run.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "understudy decode: give one capture FILE, or - for standard input")
		fs.Usage()
		return exitUsage
	}
	if *port < 0 || *port > 65535 {
		fmt.Fprintf(stderr, "understudy decode: --port %d is not a UDP port\n", *port)
		return exitUsage
	}
	keys, err := decodeLoadKeys(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "understudy decode: %v\n", err)
		return exitUsage
	}

	name := fs.Arg(0)
	var in io.Reader
	if name == "-" {
		in, name = os.Stdin, "(standard input)"
	} else {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "understudy decode: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		in = f
	}
	rep, err := decodeStream(in, keys, *port)
	rep.Input = name
	if err != nil {
		fmt.Fprintf(stderr, "understudy decode: %s: %v\n", name, err)
		return exitUsage
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "understudy decode: %v\n", err)
			return exitUsage
		}
	} else {
		printDecode(stdout, rep)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(stderr, "understudy decode: %s: warning: %s\n", name, w)
	}
	if !rep.OK {
		return exitFail
	}
	return exitOK
}

// decodeLoadKeys loads DIR/authkeys. The other files of DIR may be
// missing or wrong: only authkeys' own diagnostics count.
func decodeLoadKeys(dir string) (config.AuthKeys, error) {
	cfg, diags := config.Load(dir)
	path := filepath.Join(dir, config.AuthkeysFile)
	var mine config.Diagnostics
	for _, d := range diags {
		if d.File == path {
			mine = append(mine, d)
		}
	}
	if mine.HasErrors() {
		return config.AuthKeys{}, fmt.Errorf("cannot use %s:\n%s", path, mine.Filter(config.Error).String())
	}
	if len(cfg.Auth.Keys) == 0 {
		return config.AuthKeys{}, fmt.Errorf("%s holds no key", path)
	}
	return cfg.Auth, nil
}

// decoder judges messages one after the other, keeping per-sender
// sequence state across the capture.
type decoder struct {
	keys config.AuthKeys
	seqs map[string]*codec.SeqState
	rep  *decodeReport
}

// decodeStream reads a pcap file or a serial byte stream (told apart by
// the pcap magic number) and judges every heartbeat message in it. An
// error means the input could not be read at all.
func decodeStream(in io.Reader, keys config.AuthKeys, port int) (*decodeReport, error) {
	rep := &decodeReport{Messages: []decodedMsg{}, Summary: map[string]int{}, Port: port}
	d := &decoder{keys: keys, seqs: map[string]*codec.SeqState{}, rep: rep}
	br := bufio.NewReaderSize(in, 64<<10)
	head, _ := br.Peek(4)
	var err error
	if pcap.IsPcap(head) {
		rep.Kind = "pcap"
		err = d.pcap(br, port)
	} else {
		rep.Kind = "serial"
		err = d.serial(br)
	}
	rep.OK = true
	for v, n := range rep.Summary {
		if n > 0 && decodeFailing[v] {
			rep.OK = false
		}
	}
	if err == nil && len(rep.Messages) == 0 {
		rep.Warnings = append(rep.Warnings, "no heartbeat message found")
	}
	return rep, err
}

func (d *decoder) pcap(in io.Reader, port int) error {
	r, err := pcap.NewReader(in)
	if err != nil {
		return err
	}
	d.rep.LinkType, d.rep.nano = r.Header.LinkType, r.Header.Nano
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, pcap.ErrTruncated) {
			d.rep.Warnings = append(d.rep.Warnings, err.Error())
			return nil
		}
		if err != nil {
			return err
		}
		dg, err := pcap.UDP(r.Header.LinkType, rec.Data)
		if errors.Is(err, pcap.ErrLinkType) {
			return fmt.Errorf("%w (understudy decode reads Ethernet, Linux cooked v1/v2, raw IP and loopback captures)", err)
		}
		if errors.Is(err, pcap.ErrNotUDP) || errors.Is(err, pcap.ErrFragment) || (err != nil && dg.Payload == nil) {
			d.rep.Skipped++
			if err != nil && !errors.Is(err, pcap.ErrNotUDP) {
				d.rep.Warnings = append(d.rep.Warnings, fmt.Sprintf("packet %d skipped: %v", rec.N, err))
			}
			continue
		}
		if port != 0 && int(dg.Src.Port()) != port && int(dg.Dst.Port()) != port {
			d.rep.Skipped++
			continue
		}
		if port == 0 && !decodeLooksLikeHeartbeat(dg.Payload) {
			d.rep.Skipped++
			continue
		}
		m := decodedMsg{N: rec.N, Time: decodeTime(rec.Time, r.Header.Nano),
			Src: dg.Src.String(), Dst: dg.Dst.String(), Length: len(dg.Payload)}
		if err != nil { // cut by the snap length: judge what is there, say why it fails
			m.Notes = append(m.Notes, err.Error())
		}
		d.judge(&m, dg.Payload)
		d.add(m)
	}
}

// decodeLooksLikeHeartbeat reports whether a UDP payload starts like a
// heartbeat frame (netstring or classic; leading blank lines are allowed
// before a classic frame).
func decodeLooksLikeHeartbeat(p []byte) bool {
	q := bytes.TrimLeft(p, "\n")
	return bytes.HasPrefix(p, []byte("###\n")) || bytes.HasPrefix(q, []byte(">>>\n"))
}

// serial splits a byte stream into frames as heartbeat's serial reader
// does (spec 4.11): CR bytes are dropped (IGNCR), bytes are skipped until a
// line starting with ">>>", then lines are collected up to one starting
// with "<<<". A stream that is one netstring frame is judged as such.
func (d *decoder) serial(in io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(in, maxSerialInput+1))
	if err != nil {
		return err
	}
	if len(data) > maxSerialInput {
		return fmt.Errorf("more than %d bytes of raw frames; split the capture", maxSerialInput)
	}
	if bytes.HasPrefix(data, []byte("###\n")) {
		off := int64(0)
		m := decodedMsg{N: 1, Offset: &off, Length: len(data)}
		d.judge(&m, data)
		d.add(m)
		return nil
	}
	var frame []byte
	var start int64
	in0, n := false, 0
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		var line []byte
		if end < 0 {
			line, end = data[off:], len(data)
		} else {
			line, end = data[off:off+end+1], off+end+1
		}
		lineStart := off
		off = end
		if !bytes.HasSuffix(line, []byte("\n")) {
			break // an unterminated last line: heartbeat would still be waiting
		}
		line = bytes.ReplaceAll(line, []byte("\r"), nil)
		switch {
		case !in0 && bytes.HasPrefix(line, []byte(">>>")):
			in0, start, frame = true, int64(lineStart), append(frame[:0], ">>>\n"...)
		case !in0:
			// garbage between frames
		case bytes.HasPrefix(line, []byte("<<<")):
			frame = append(frame, "<<<\n"...)
			n++
			s := start
			m := decodedMsg{N: n, Offset: &s, Length: len(frame)}
			d.judge(&m, frame)
			d.add(m)
			in0 = false
		default:
			frame = append(frame, line...)
			if len(frame) > codec.MaxFrame {
				n++
				s := start
				m := decodedMsg{N: n, Offset: &s, Length: len(frame), Encoding: codec.Classic.String(),
					Fields: []decodedField{}, Verdict: verdictMalformed, Reason: fmt.Sprintf("no \"<<<\" line within %d bytes", codec.MaxFrame)}
				d.add(m)
				in0 = false
			}
		}
	}
	if in0 {
		d.rep.Warnings = append(d.rep.Warnings, fmt.Sprintf("the stream ends inside a frame that starts at byte %d", start))
	}
	return nil
}

// judge decodes and verifies one message.
func (d *decoder) judge(m *decodedMsg, b []byte) {
	m.Fields = []decodedField{}
	p, err := codec.Parse(b)
	if err != nil {
		m.Verdict = verdictMalformed
		var fe *codec.FormatError
		if errors.As(err, &fe) {
			if fe.Format != codec.Unknown {
				m.Encoding = fe.Format.String()
			}
			off := fe.Offset
			m.Reason, m.ErrorOffset = fe.Reason, &off
		} else {
			m.Reason = err.Error()
		}
		return
	}
	m.Encoding = p.Format.String()
	for _, f := range p.Message.Fields() {
		v := f.Value
		if f.Type == codec.Binary {
			v = hex.EncodeToString([]byte(f.Value))
		}
		m.Fields = append(m.Fields, decodedField{Name: f.Name, Type: f.Type.String(), Value: v})
	}
	m.InnerAuth, m.Trailer = p.InnerAuth, p.Trailer
	if err := p.Verify(d.keys); err != nil {
		var ae *codec.AuthError
		if errors.As(err, &ae) {
			m.Reason = ae.Part + ": " + ae.Reason
			if ae.Index >= 0 {
				i := ae.Index
				m.Key = &i
			}
		} else {
			m.Reason = err.Error()
		}
		switch {
		case errors.Is(err, codec.ErrUnknownKey):
			m.Verdict = verdictBadKey
		case errors.Is(err, codec.ErrBadDigest):
			m.Verdict = verdictBadDigest
		default:
			m.Verdict = verdictNoSig
		}
		return
	}
	auth := p.InnerAuth
	if p.Format == codec.Netstring {
		auth = p.Trailer
		d.checkInner(m, p)
	}
	if idx, ok := decodeAuthIndex(auth); ok {
		if k, ok := d.keys.Key(idx); ok {
			m.Key, m.Method = &idx, string(k.Method)
		}
	}
	src, _ := p.Message.Get("src")
	st := d.seqs[src]
	if st == nil {
		st = &codec.SeqState{}
		d.seqs[src] = st
	}
	obs, err := st.ObserveMessage(p.Message)
	if err != nil {
		m.Verdict, m.Reason = verdictMalformed, "sequenced message without a valid hex seq and hg field"
		return
	}
	switch obs.Verdict {
	case codec.Replay:
		m.Verdict, m.Reason = verdictReplay, fmt.Sprintf("generation older than %s's current one", decodeName(src))
	case codec.Duplicate:
		m.Verdict = verdictDuplicate
	case codec.Early:
		m.Verdict, m.Reason = verdictEarly, "newer generation before its status message"
	default:
		m.Verdict = verdictOK
		if obs.Lost > 0 {
			m.Notes = append(m.Notes, fmt.Sprintf("%d lost packet(s) for %s before seq %d", obs.Lost, decodeName(src), st.Last()))
		}
		if obs.Restarted {
			m.Notes = append(m.Notes, fmt.Sprintf("%s restarted (new generation)", decodeName(src)))
		}
	}
}

// checkInner checks the inner auth field of a verified netstring frame,
// which heartbeat itself ignores (spec 3.4): a mismatch is only a note.
func (d *decoder) checkInner(m *decodedMsg, p *codec.Packet) {
	if p.InnerAuth == "" {
		return
	}
	idx, ok := decodeAuthIndex(p.InnerAuth)
	k, known := d.keys.Key(idx)
	if !ok || !known {
		m.Notes = append(m.Notes, "the inner auth field names an unknown key (heartbeat checks only the trailer)")
		return
	}
	text, err := codec.EncodeClassic(p.Message, k)
	if err != nil {
		return
	}
	if q, err := codec.Parse(text); err == nil && q.InnerAuth != p.InnerAuth {
		m.Notes = append(m.Notes, "the inner auth field does not verify (heartbeat checks only the trailer)")
	}
}

func decodeAuthIndex(auth string) (int, bool) {
	i, _, _ := strings.Cut(auth, " ")
	n, err := strconv.Atoi(i)
	return n, err == nil && n >= 0
}

func decodeName(src string) string {
	if src == "" {
		return "(no src)"
	}
	return src
}

func decodeTime(t time.Time, nano bool) string {
	if nano {
		return t.Format("2006-01-02T15:04:05.000000000Z")
	}
	return t.Format("2006-01-02T15:04:05.000000Z")
}

func (d *decoder) add(m decodedMsg) {
	m.Text = decodeVerdictText(m)
	d.rep.Messages = append(d.rep.Messages, m)
	d.rep.Summary[m.Verdict]++
}

func decodeVerdictText(m decodedMsg) string {
	switch m.Verdict {
	case verdictOK:
		if m.Key != nil {
			return fmt.Sprintf("ok (signed with key %d %s)", *m.Key, m.Method)
		}
	case verdictBadKey:
		if m.Key != nil {
			return fmt.Sprintf("bad key index %d", *m.Key)
		}
	case verdictMalformed:
		if m.ErrorOffset != nil {
			return fmt.Sprintf("malformed: %s at offset %d", m.Reason, *m.ErrorOffset)
		}
		return "malformed: " + m.Reason
	}
	return m.Verdict
}

func printDecode(w io.Writer, rep *decodeReport) {
	for _, m := range rep.Messages {
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
			fields = append(fields, name+"="+decodeQuote(f.Value))
		}
		if m.InnerAuth != "" {
			fields = append(fields, "auth="+decodeQuote(m.InnerAuth))
		}
		if m.Trailer != "" {
			fields = append(fields, "trailer="+decodeQuote(m.Trailer))
		}
		if len(fields) > 0 {
			fmt.Fprintf(w, "    %s\n", strings.Join(fields, " "))
		}
		if m.Reason != "" && m.Verdict != verdictMalformed {
			fmt.Fprintf(w, "    why: %s\n", m.Reason)
		}
		for _, n := range m.Notes {
			fmt.Fprintf(w, "    note: %s\n", n)
		}
	}
	var parts []string
	for _, v := range decodeVerdictOrder {
		if n := rep.Summary[v]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	total := len(rep.Messages)
	msgs := "messages"
	if total == 1 {
		msgs = "message"
	}
	line := fmt.Sprintf("summary: %d %s", total, msgs)
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, ", ")
	}
	if rep.Skipped > 0 {
		line += fmt.Sprintf("; %d other packets skipped", rep.Skipped)
	}
	verdict := "all verified"
	if !rep.OK {
		failed := 0
		for v, n := range rep.Summary {
			if decodeFailing[v] {
				failed += n
			}
		}
		verdict = fmt.Sprintf("%d failed verification", failed)
	}
	fmt.Fprintf(w, "%s (%s)\n", line, verdict)
}

// decodeQuote quotes a value that holds blanks or unprintable bytes.
func decodeQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == '"' || r >= 0x7f }) {
		return s
	}
	return strconv.Quote(s)
}
