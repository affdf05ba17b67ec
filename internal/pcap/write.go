package pcap

import (
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"time"
)

// Writer writes a classic pcap file: the counterpart of Reader, for tests
// and tools that produce captures.
type Writer struct {
	w   io.Writer
	h   Header
	buf []byte
}

// NewWriter writes the file header described by h (Order defaults to
// little endian, SnapLen to 262144, version to 2.4) and returns a Writer.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	if h.Order == nil {
		h.Order = binary.LittleEndian
	}
	if h.SnapLen == 0 {
		h.SnapLen = 262144
	}
	if h.Major == 0 {
		h.Major, h.Minor = 2, 4
	}
	b := make([]byte, fileHeaderLen)
	m := MagicMicro
	if h.Nano {
		m = MagicNano
	}
	h.Order.PutUint32(b[0:], m)
	h.Order.PutUint16(b[4:], h.Major)
	h.Order.PutUint16(b[6:], h.Minor)
	h.Order.PutUint32(b[16:], h.SnapLen)
	h.Order.PutUint32(b[20:], h.LinkType)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	return &Writer{w: w, h: h}, nil
}

// Write appends one record captured at t. Frames longer than the snap
// length are cut, as a capture would.
func (w *Writer) Write(t time.Time, frame []byte) error {
	incl := min(len(frame), int(w.h.SnapLen))
	frac := uint32(t.Nanosecond())
	if !w.h.Nano {
		frac /= 1000
	}
	o := w.h.Order
	var h [recordHeaderLen]byte
	o.PutUint32(h[0:], uint32(t.Unix()))
	o.PutUint32(h[4:], frac)
	o.PutUint32(h[8:], uint32(incl))
	o.PutUint32(h[12:], uint32(len(frame)))
	w.buf = append(append(w.buf[:0], h[:]...), frame[:incl]...)
	_, err := w.w.Write(w.buf)
	return err
}

// EncodeUDP builds a frame of link type link carrying payload in a UDP
// datagram from src to dst (both IPv4 or both IPv6), with valid IP and
// UDP checksums.
func EncodeUDP(link uint32, src, dst netip.AddrPort, payload []byte) ([]byte, error) {
	if src.Addr().Is4() != dst.Addr().Is4() {
		return nil, fmt.Errorf("pcap: %v and %v are not of one address family", src, dst)
	}
	if len(payload) > 65535-8-40 {
		return nil, fmt.Errorf("pcap: UDP payload of %d bytes is too large", len(payload))
	}
	be := binary.BigEndian
	udp := make([]byte, 8, 8+len(payload))
	be.PutUint16(udp[0:], src.Port())
	be.PutUint16(udp[2:], dst.Port())
	be.PutUint16(udp[4:], uint16(8+len(payload)))
	udp = append(udp, payload...)

	var ip []byte
	var ether uint16
	s, d := src.Addr().AsSlice(), dst.Addr().AsSlice()
	pseudo := append(append([]byte{}, s...), d...)
	if src.Addr().Is4() {
		ether = etherIPv4
		pseudo = append(pseudo, 0, ipProtoUDP, byte(len(udp)>>8), byte(len(udp)))
		ip = make([]byte, 20, 20+len(udp))
		ip[0], ip[8], ip[9] = 0x45, 64, ipProtoUDP
		be.PutUint16(ip[2:], uint16(20+len(udp)))
		be.PutUint16(ip[6:], 0x4000) // DF
		copy(ip[12:], s)
		copy(ip[16:], d)
		be.PutUint16(ip[10:], ^sum(0, ip))
	} else {
		ether = etherIPv6
		pseudo = append(pseudo, 0, 0, byte(len(udp)>>8), byte(len(udp)), 0, 0, 0, ipProtoUDP)
		ip = make([]byte, 40, 40+len(udp))
		ip[0], ip[6], ip[7] = 0x60, ipProtoUDP, 64
		be.PutUint16(ip[4:], uint16(len(udp)))
		copy(ip[8:], s)
		copy(ip[24:], d)
	}
	ck := ^sum(uint32(sum(0, pseudo)), udp)
	if ck == 0 {
		ck = 0xffff
	}
	be.PutUint16(udp[6:], ck)
	ip = append(ip, udp...)

	var hdr []byte
	switch link {
	case LinkEthernet:
		hdr = []byte{0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0, 0}
		be.PutUint16(hdr[12:], ether)
	case LinkLinuxSLL:
		hdr = make([]byte, 16)
		be.PutUint16(hdr[0:], 4) // sent by us
		be.PutUint16(hdr[2:], 1) // ARPHRD_ETHER
		be.PutUint16(hdr[4:], 6)
		copy(hdr[6:], []byte{0x02, 0, 0, 0, 0, 1})
		be.PutUint16(hdr[14:], ether)
	case LinkLinuxSLL2:
		hdr = make([]byte, 20)
		be.PutUint16(hdr[0:], ether)
		be.PutUint32(hdr[4:], 2) // ifindex
		be.PutUint16(hdr[8:], 1) // ARPHRD_ETHER
		hdr[10], hdr[11] = 4, 6
		copy(hdr[12:], []byte{0x02, 0, 0, 0, 0, 1})
	case LinkRaw:
	case LinkNull:
		hdr = make([]byte, 4)
		af := uint32(2) // AF_INET
		if ether == etherIPv6 {
			af = 10 // AF_INET6 on Linux
		}
		binary.NativeEndian.PutUint32(hdr, af)
	default:
		return nil, fmt.Errorf("pcap: %w %d", ErrLinkType, link)
	}
	return append(hdr, ip...), nil
}

// sum is the ones' complement sum of RFC 1071, folded.
func sum(acc uint32, b []byte) uint16 {
	for len(b) >= 2 {
		acc += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint32(b[0]) << 8
	}
	for acc>>16 != 0 {
		acc = acc&0xffff + acc>>16
	}
	return uint16(acc)
}
