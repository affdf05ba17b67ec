// Package pcap reads capture files, classic libpcap (what tcpdump -w
// writes) and pcapng (what Wireshark and dumpcap write), and extracts UDP
// datagrams from the captured frames: enough to decode heartbeat traffic
// offline, nothing more.
//
// Supported: both byte orders; pcap with microsecond (0xa1b2c3d4) and
// nanosecond (0xa1b23c4d) timestamps; pcapng sections, interfaces with
// their own link type and timestamp resolution, enhanced, simple and
// (obsolete) packet blocks, other blocks skipped; link types Ethernet
// (with 802.1Q/802.1ad tags), Linux cooked capture v1 (SLL, tcpdump -i
// any) and v2 (SLL2), raw IP and BSD loopback; IPv4 and IPv6 (hop-by-hop,
// routing and destination options headers skipped) carrying UDP. Not
// supported: fragmented IP datagrams (reported as such), anything that is
// not UDP.
//
// No input makes the readers panic (they are fuzzed), and a record or
// block header claiming more than MaxRecord bytes of packet is refused
// before anything is read.
package pcap

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Link types (LINKTYPE_* of the tcpdump.org registry) this package decodes.
const (
	LinkNull      uint32 = 0   // BSD loopback: 4-byte host-order address family
	LinkEthernet  uint32 = 1   // Ethernet II, optionally VLAN-tagged
	LinkRaw       uint32 = 101 // raw IPv4 or IPv6, no link header
	LinkLinuxSLL  uint32 = 113 // Linux cooked capture v1 (16-byte header)
	LinkLinuxSLL2 uint32 = 276 // Linux cooked capture v2 (20-byte header)
)

// Magic numbers, as read in the writer's byte order.
const (
	MagicMicro uint32 = 0xa1b2c3d4
	MagicNano  uint32 = 0xa1b23c4d
)

// MaxRecord bounds one record's captured length (tcpdump's own limit for
// ordinary link types is 262144).
const MaxRecord = 1 << 20

const (
	fileHeaderLen   = 24
	recordHeaderLen = 16
)

// Errors. A *FormatError wraps ErrFormat.
var (
	// ErrNotPcap: the input does not start with a pcap magic number.
	ErrNotPcap = errors.New("not a pcap file")
	// ErrFormat: the file header or a record header is invalid.
	ErrFormat = errors.New("invalid pcap data")
	// ErrTruncated: the input ends inside a record (e.g. tcpdump was
	// killed mid-write). Everything before it was read normally.
	ErrTruncated = errors.New("capture file truncated")
)

// IsPcap reports whether b starts with a classic pcap magic number in
// either byte order.
func IsPcap(b []byte) bool {
	_, _, ok := magic(b)
	return ok
}

func magic(b []byte) (binary.ByteOrder, bool, bool) {
	if len(b) < 4 {
		return nil, false, false
	}
	for _, o := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		switch o.Uint32(b) {
		case MagicMicro:
			return o, false, true
		case MagicNano:
			return o, true, true
		}
	}
	return nil, false, false
}

// Header is the file header.
type Header struct {
	Order    binary.ByteOrder
	Nano     bool // timestamps have nanosecond resolution
	Major    uint16
	Minor    uint16
	SnapLen  uint32
	LinkType uint32
}

// Record is one captured frame.
type Record struct {
	// N is the record's number, counting from 1 as tcpdump and Wireshark do.
	N int
	// Time is the capture timestamp, in UTC.
	Time time.Time
	// Data is the captured bytes; it is valid until the next call to Next.
	Data []byte
	// OrigLen is the frame's length on the wire; more than len(Data) when
	// the snap length cut it.
	OrigLen int
	// LinkType is the link type of the frame (of the file, or in pcapng
	// of the interface it was captured on).
	LinkType uint32
	// Resolution is the timestamp's resolution: a microsecond or a
	// nanosecond in pcap, the interface's if_tsresol in pcapng (rounded
	// to a nanosecond at the finest).
	Resolution time.Duration
}

// Reader reads records from a pcap file.
type Reader struct {
	Header Header
	r      *bufio.Reader
	n      int
	buf    []byte
}

// NewReader reads the file header from r. The error is ErrNotPcap
// (wrapped) when the magic number is unknown.
func NewReader(r io.Reader) (*Reader, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	var h [fileHeaderLen]byte
	if n, err := io.ReadFull(br, h[:]); err != nil {
		if n >= 4 && !IsPcap(h[:n]) || n < 4 {
			return nil, fmt.Errorf("%w (%d bytes)", ErrNotPcap, n)
		}
		return nil, &FormatError{Offset: int64(n), Reason: "file header cut short"}
	}
	order, nano, ok := magic(h[:])
	if !ok {
		return nil, fmt.Errorf("%w: magic number %08x", ErrNotPcap, binary.BigEndian.Uint32(h[:]))
	}
	hd := Header{Order: order, Nano: nano, Major: order.Uint16(h[4:]), Minor: order.Uint16(h[6:]),
		SnapLen: order.Uint32(h[16:]), LinkType: order.Uint32(h[20:]) & 0x0fffffff}
	if hd.Major != 2 {
		return nil, &FormatError{Offset: 4, Reason: fmt.Sprintf("version %d.%d, want 2.x", hd.Major, hd.Minor)}
	}
	return &Reader{Header: hd, r: br}, nil
}

// FormatError reports an invalid header at a byte offset of the file.
type FormatError struct {
	Offset int64
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("pcap: byte %d: %s", e.Offset, e.Reason)
}

func (e *FormatError) Unwrap() error { return ErrFormat }

// Next returns the next record, io.EOF at a clean end of file, or an
// error wrapping ErrTruncated or ErrFormat.
func (r *Reader) Next() (Record, error) {
	var h [recordHeaderLen]byte
	n, err := io.ReadFull(r.r, h[:])
	switch {
	case err == io.EOF:
		return Record{}, io.EOF
	case err != nil:
		return Record{}, fmt.Errorf("pcap: record %d: header has %d of 16 bytes: %w", r.n+1, n, ErrTruncated)
	}
	o := r.Header.Order
	sec, frac := o.Uint32(h[0:]), o.Uint32(h[4:])
	incl, orig := o.Uint32(h[8:]), o.Uint32(h[12:])
	if incl > MaxRecord {
		return Record{}, fmt.Errorf("pcap: record %d: %w", r.n+1,
			&FormatError{Offset: -1, Reason: fmt.Sprintf("captured length %d exceeds %d", incl, MaxRecord)})
	}
	var ns int64
	if r.Header.Nano {
		if frac >= 1e9 {
			return Record{}, fmt.Errorf("pcap: record %d: %w", r.n+1, &FormatError{Offset: -1, Reason: fmt.Sprintf("nanoseconds %d out of range", frac)})
		}
		ns = int64(frac)
	} else {
		if frac >= 1e6 {
			return Record{}, fmt.Errorf("pcap: record %d: %w", r.n+1, &FormatError{Offset: -1, Reason: fmt.Sprintf("microseconds %d out of range", frac)})
		}
		ns = int64(frac) * 1000
	}
	if cap(r.buf) < int(incl) {
		r.buf = make([]byte, incl)
	}
	r.buf = r.buf[:incl]
	if n, err := io.ReadFull(r.r, r.buf); err != nil {
		return Record{}, fmt.Errorf("pcap: record %d: data has %d of %d bytes: %w", r.n+1, n, incl, ErrTruncated)
	}
	r.n++
	res := time.Microsecond
	if r.Header.Nano {
		res = time.Nanosecond
	}
	return Record{N: r.n, Time: time.Unix(int64(sec), ns).UTC(), Data: r.buf, OrigLen: int(max(orig, incl)),
		LinkType: r.Header.LinkType, Resolution: res}, nil
}
