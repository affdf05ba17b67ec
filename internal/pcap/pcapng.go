package pcap

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"time"
)

// pcapng (the format Wireshark and dumpcap write by default), as the IETF
// draft "PCAP Next Generation (pcapng) Capture File Format" describes it.
// A file is a sequence of blocks:
//
//	type (4) | total length (4) | body | total length (4)
//
// padded to 4 bytes, in the byte order the Section Header Block that
// opens each section announces. NgReader reads the Section Header Block
// (type 0x0A0D0D0A), Interface Description Blocks (1: link type, snap
// length, if_tsresol and if_tsoffset options), Enhanced Packet Blocks
// (6), Simple Packet Blocks (3) and the obsolete Packet Blocks (2); it
// skips every other block (statistics, name resolution, custom blocks)
// without reading it into memory.

// Block types.
const (
	ngSHB = 0x0A0D0D0A
	ngIDB = 1
	ngPB  = 2 // obsolete Packet Block
	ngSPB = 3
	ngEPB = 6

	ngByteOrderMagic = 0x1A2B3C4D
	// ngMaxBlock bounds a block read into memory: a packet of MaxRecord
	// bytes plus its header and options.
	ngMaxBlock = MaxRecord + 64<<10
)

// IDB options.
const (
	optEnd      = 0
	optTSResol  = 9
	optTSOffset = 14
)

// IsPcapng reports whether b starts with a pcapng Section Header Block.
func IsPcapng(b []byte) bool {
	return len(b) >= 4 && binary.BigEndian.Uint32(b) == ngSHB
}

// NgReader reads packet records from a pcapng file.
type NgReader struct {
	r      *bufio.Reader
	order  binary.ByteOrder
	ifaces []ngIface
	n      int   // packets returned
	off    int64 // byte offset of the next block
	buf    []byte
}

type ngIface struct {
	link    uint32
	snap    uint32
	perSec  uint64 // timestamp units per second
	offset  int64  // seconds added to every timestamp
	resolve time.Duration
}

// NewNgReader reads the first Section Header Block from r. The error is
// ErrNotPcap (wrapped) when r does not start with one, and wraps
// ErrFormat or ErrTruncated when that block is broken.
func NewNgReader(r io.Reader) (*NgReader, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	head, _ := br.Peek(4)
	if !IsPcapng(head) {
		return nil, fmt.Errorf("%w: no pcapng section header block", ErrNotPcap)
	}
	ng := &NgReader{r: br}
	if _, _, err := ng.block(); err != nil {
		return nil, err
	}
	return ng, nil
}

// Next returns the next packet, io.EOF at a clean end of file, or an
// error wrapping ErrTruncated or ErrFormat. Record.LinkType and
// Record.Resolution are those of the packet's interface.
func (ng *NgReader) Next() (Record, error) {
	for {
		typ, body, err := ng.block()
		if err != nil {
			return Record{}, err
		}
		if typ == ngEPB || typ == ngSPB || typ == ngPB {
			return ng.packet(typ, body)
		}
	}
}

// block reads the next block and handles section and interface blocks.
// It returns the body of packet blocks; other blocks come back with a nil
// body.
func (ng *NgReader) block() (uint32, []byte, error) {
	start := ng.off
	var h [12]byte
	n, err := io.ReadFull(ng.r, h[:8])
	switch {
	case err == io.EOF:
		return 0, nil, io.EOF
	case err != nil:
		return 0, nil, ng.truncated(start, fmt.Sprintf("block header has %d of 8 bytes", n))
	}
	typ := binary.BigEndian.Uint32(h[:])
	if typ == ngSHB {
		// The byte order is the section's own, announced after the length.
		if n, err := io.ReadFull(ng.r, h[8:12]); err != nil {
			return 0, nil, ng.truncated(start, fmt.Sprintf("section header has %d of 12 bytes", 8+n))
		}
		switch binary.BigEndian.Uint32(h[8:]) {
		case ngByteOrderMagic:
			ng.order = binary.BigEndian
		case 0x4D3C2B1A:
			ng.order = binary.LittleEndian
		default:
			return 0, nil, ng.invalid(start+8, fmt.Sprintf("byte-order magic %08x", binary.BigEndian.Uint32(h[8:])))
		}
	} else if ng.order == nil {
		return 0, nil, fmt.Errorf("%w: no pcapng section header block", ErrNotPcap)
	}
	typ = ng.order.Uint32(h[:])
	total := ng.order.Uint32(h[4:])
	if total < 12 || total%4 != 0 || typ == ngSHB && total < 28 {
		return 0, nil, ng.invalid(start+4, fmt.Sprintf("block length %d (a multiple of 4, at least 12, 28 for a section header)", total))
	}
	known := typ == ngSHB || typ == ngIDB || typ == ngEPB || typ == ngSPB || typ == ngPB
	if known && total > ngMaxBlock {
		return 0, nil, ng.invalid(start+4, fmt.Sprintf("block of %d bytes exceeds %d", total, ngMaxBlock))
	}
	read := uint32(8)
	if typ == ngSHB {
		read = 12
	}
	if !known {
		// Skip the body and check the trailing length.
		if m, err := io.CopyN(io.Discard, ng.r, int64(total-read-4)); err != nil {
			return 0, nil, ng.truncated(start, fmt.Sprintf("block of %d bytes has %d", total, int64(read)+m))
		}
		return typ, nil, ng.trailer(start, total, read+(total-read-4))
	}
	if cap(ng.buf) < int(total-read) {
		ng.buf = make([]byte, total-read)
	}
	body := ng.buf[:total-read]
	if m, err := io.ReadFull(ng.r, body); err != nil {
		return 0, nil, ng.truncated(start, fmt.Sprintf("block of %d bytes has %d", total, int(read)+m))
	}
	if end := ng.order.Uint32(body[len(body)-4:]); end != total {
		return 0, nil, ng.invalid(start+int64(total)-4, fmt.Sprintf("trailing block length %d, leading %d", end, total))
	}
	ng.off += int64(total)
	body = body[:len(body)-4]
	switch typ {
	case ngSHB:
		return typ, nil, ng.section(start, body)
	case ngIDB:
		return typ, nil, ng.iface(start, body)
	}
	return typ, body, nil
}

// trailer reads a skipped block's trailing length.
func (ng *NgReader) trailer(start int64, total, at uint32) error {
	var t [4]byte
	if _, err := io.ReadFull(ng.r, t[:]); err != nil {
		return ng.truncated(start, fmt.Sprintf("block of %d bytes has %d", total, at))
	}
	if end := ng.order.Uint32(t[:]); end != total {
		return ng.invalid(start+int64(at), fmt.Sprintf("trailing block length %d, leading %d", end, total))
	}
	ng.off += int64(total)
	return nil
}

// section starts a new section: its interfaces are its own.
func (ng *NgReader) section(start int64, body []byte) error {
	if len(body) < 12 {
		return ng.invalid(start, "section header block shorter than 28 bytes")
	}
	if major, minor := ng.order.Uint16(body), ng.order.Uint16(body[2:]); major != 1 {
		return ng.invalid(start+12, fmt.Sprintf("version %d.%d, want 1.x", major, minor))
	}
	ng.ifaces = ng.ifaces[:0]
	return nil
}

// iface adds an interface of the current section.
func (ng *NgReader) iface(start int64, body []byte) error {
	if len(body) < 8 {
		return ng.invalid(start, "interface description block shorter than 20 bytes")
	}
	ifc := ngIface{link: uint32(ng.order.Uint16(body)), snap: ng.order.Uint32(body[4:]), perSec: 1e6}
	for opts := body[8:]; len(opts) >= 4; {
		code, n := ng.order.Uint16(opts), int(ng.order.Uint16(opts[2:]))
		if code == optEnd {
			break
		}
		if 4+n > len(opts) {
			return ng.invalid(start, fmt.Sprintf("interface option %d of %d bytes overruns the block", code, n))
		}
		v := opts[4 : 4+n]
		switch {
		case code == optTSResol && n == 1:
			per, ok := tsPerSecond(v[0])
			if !ok {
				return ng.invalid(start, fmt.Sprintf("timestamp resolution %#02x not supported", v[0]))
			}
			ifc.perSec = per
		case code == optTSOffset && n == 8:
			ifc.offset = int64(ng.order.Uint64(v))
		}
		opts = opts[min(len(opts), 4+(n+3)&^3):]
	}
	ifc.resolve = time.Duration(max(1, 1e9/ifc.perSec))
	ng.ifaces = append(ng.ifaces, ifc)
	return nil
}

// tsPerSecond decodes if_tsresol: 10^-v, or 2^-v when the top bit is set.
func tsPerSecond(v byte) (uint64, bool) {
	if v&0x80 != 0 {
		e := v & 0x7f
		return 1 << e, e < 64
	}
	if v > 19 {
		return 0, false
	}
	per := uint64(1)
	for range v {
		per *= 10
	}
	return per, true
}

// packet decodes an EPB, SPB or PB body.
func (ng *NgReader) packet(typ uint32, b []byte) (Record, error) {
	start := ng.off - int64(len(b)) - 12
	o := ng.order
	var id, caplen, orig uint32
	var ts uint64
	var data []byte
	switch typ {
	case ngSPB:
		if len(b) < 4 {
			return Record{}, ng.invalid(start, "simple packet block shorter than 16 bytes")
		}
		orig, data = o.Uint32(b), b[4:]
		caplen = min(orig, uint32(len(data)))
	default: // EPB: id(4) ts(8) caplen orig; PB: id(2) drops(2) ts(8) caplen orig
		if len(b) < 20 {
			return Record{}, ng.invalid(start, "packet block shorter than 32 bytes")
		}
		id = o.Uint32(b)
		if typ == ngPB {
			id = uint32(o.Uint16(b))
		}
		ts = uint64(o.Uint32(b[4:]))<<32 | uint64(o.Uint32(b[8:]))
		caplen, orig, data = o.Uint32(b[12:]), o.Uint32(b[16:]), b[20:]
		if uint64(caplen) > uint64(len(data)) {
			return Record{}, ng.invalid(start, fmt.Sprintf("captured length %d overruns the block", caplen))
		}
	}
	if int(id) >= len(ng.ifaces) {
		return Record{}, ng.invalid(start, fmt.Sprintf("packet of interface %d, but the section describes %d", id, len(ng.ifaces)))
	}
	ifc := ng.ifaces[id]
	if typ == ngSPB && ifc.snap > 0 {
		caplen = min(caplen, ifc.snap)
	}
	if caplen > MaxRecord {
		return Record{}, ng.invalid(start, fmt.Sprintf("captured length %d exceeds %d", caplen, MaxRecord))
	}
	ng.n++
	rec := Record{N: ng.n, Data: data[:caplen], OrigLen: int(max(orig, caplen)), LinkType: ifc.link, Resolution: ifc.resolve}
	if typ != ngSPB { // a simple packet block has no timestamp
		sec, frac := ts/ifc.perSec, ts%ifc.perSec
		hi, lo := bits.Mul64(frac, 1e9)
		ns, _ := bits.Div64(hi, lo, ifc.perSec)
		rec.Time = time.Unix(int64(sec)+ifc.offset, int64(ns)).UTC()
	}
	return rec, nil
}

func (ng *NgReader) invalid(off int64, reason string) error {
	return &FormatError{Offset: off, Reason: "pcapng: " + reason}
}

func (ng *NgReader) truncated(off int64, what string) error {
	return fmt.Errorf("pcapng: block at byte %d: %s: %w", off, what, ErrTruncated)
}
