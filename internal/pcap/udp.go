package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Datagram is one UDP datagram taken out of a captured frame.
type Datagram struct {
	Src, Dst netip.AddrPort
	// Payload aliases the frame's bytes.
	Payload []byte
}

// Errors of UDP. A frame that is not IP or not UDP is ErrNotUDP: normal
// traffic to skip. The others say the frame could not be fully decoded.
var (
	ErrNotUDP    = errors.New("not a UDP datagram")
	ErrLinkType  = errors.New("unsupported link type")
	ErrShort     = errors.New("frame cut short")
	ErrFragment  = errors.New("fragmented IP datagram")
	ErrBadHeader = errors.New("invalid header")
)

// EtherTypes.
const (
	etherIPv4  = 0x0800
	etherIPv6  = 0x86dd
	etherVLAN  = 0x8100
	etherQinQ  = 0x88a8
	ipProtoUDP = 17
)

// UDP extracts the UDP datagram carried by frame, captured with link type
// link. The payload is cut to the UDP length; if the capture cut the frame
// shorter than that, the error is ErrShort (wrapped).
func UDP(link uint32, frame []byte) (Datagram, error) {
	ether, ip, err := network(link, frame)
	if err != nil {
		return Datagram{}, err
	}
	switch ether {
	case etherIPv4:
		return udp4(ip)
	case etherIPv6:
		return udp6(ip)
	}
	return Datagram{}, fmt.Errorf("%w: EtherType %#04x", ErrNotUDP, ether)
}

// network strips the link header: it returns the EtherType of the payload
// and the payload.
func network(link uint32, b []byte) (uint16, []byte, error) {
	be := binary.BigEndian
	switch link {
	case LinkEthernet:
		if len(b) < 14 {
			return 0, nil, fmt.Errorf("%w: Ethernet header", ErrShort)
		}
		et, off := be.Uint16(b[12:]), 14
		for et == etherVLAN || et == etherQinQ {
			if len(b) < off+4 {
				return 0, nil, fmt.Errorf("%w: VLAN tag", ErrShort)
			}
			et, off = be.Uint16(b[off+2:]), off+4
		}
		return et, b[off:], nil
	case LinkLinuxSLL:
		if len(b) < 16 {
			return 0, nil, fmt.Errorf("%w: SLL header", ErrShort)
		}
		return be.Uint16(b[14:]), b[16:], nil
	case LinkLinuxSLL2:
		if len(b) < 20 {
			return 0, nil, fmt.Errorf("%w: SLL2 header", ErrShort)
		}
		return be.Uint16(b[0:]), b[20:], nil
	case LinkRaw:
		return ipVersion(b)
	case LinkNull:
		if len(b) < 4 {
			return 0, nil, fmt.Errorf("%w: loopback header", ErrShort)
		}
		return ipVersion(b[4:])
	}
	return 0, nil, fmt.Errorf("%w %d", ErrLinkType, link)
}

func ipVersion(b []byte) (uint16, []byte, error) {
	if len(b) == 0 {
		return 0, nil, fmt.Errorf("%w: IP header", ErrShort)
	}
	switch b[0] >> 4 {
	case 4:
		return etherIPv4, b, nil
	case 6:
		return etherIPv6, b, nil
	}
	return 0, nil, fmt.Errorf("%w: IP version %d", ErrNotUDP, b[0]>>4)
}

func udp4(b []byte) (Datagram, error) {
	be := binary.BigEndian
	if len(b) < 20 {
		return Datagram{}, fmt.Errorf("%w: IPv4 header", ErrShort)
	}
	if b[0]>>4 != 4 {
		return Datagram{}, fmt.Errorf("%w: IPv4 packet of version %d", ErrBadHeader, b[0]>>4)
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(be.Uint16(b[2:]))
	if ihl < 20 || total < ihl {
		return Datagram{}, fmt.Errorf("%w: IPv4 header length %d, total length %d", ErrBadHeader, ihl, total)
	}
	if b[9] != ipProtoUDP {
		return Datagram{}, fmt.Errorf("%w: IP protocol %d", ErrNotUDP, b[9])
	}
	if frag := be.Uint16(b[6:]); frag&0x3fff != 0 { // MF or an offset
		return Datagram{}, fmt.Errorf("%w (offset %d)", ErrFragment, (frag&0x1fff)*8)
	}
	if len(b) < ihl {
		return Datagram{}, fmt.Errorf("%w: IPv4 options", ErrShort)
	}
	src := netip.AddrFrom4([4]byte(b[12:16]))
	dst := netip.AddrFrom4([4]byte(b[16:20]))
	// Ethernet pads short frames: the IP total length says where the
	// datagram ends; a capture may hold less.
	end := min(total, len(b))
	return udpPayload(src, dst, b[ihl:end], total-ihl)
}

func udp6(b []byte) (Datagram, error) {
	be := binary.BigEndian
	if len(b) < 40 {
		return Datagram{}, fmt.Errorf("%w: IPv6 header", ErrShort)
	}
	if b[0]>>4 != 6 {
		return Datagram{}, fmt.Errorf("%w: IPv6 packet of version %d", ErrBadHeader, b[0]>>4)
	}
	plen := int(be.Uint16(b[4:]))
	next := b[6]
	src := netip.AddrFrom16([16]byte(b[8:24]))
	dst := netip.AddrFrom16([16]byte(b[24:40]))
	rest := b[40:min(len(b), 40+plen)]
	left := plen // bytes of the payload on the wire, captured or not
	for hops := 0; ; hops++ {
		switch next {
		case ipProtoUDP:
			return udpPayload(src, dst, rest, left)
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if hops >= 8 {
				return Datagram{}, fmt.Errorf("%w: too many IPv6 extension headers", ErrBadHeader)
			}
			if len(rest) < 8 {
				return Datagram{}, fmt.Errorf("%w: IPv6 extension header", ErrShort)
			}
			n := (int(rest[1]) + 1) * 8
			if n > left {
				return Datagram{}, fmt.Errorf("%w: IPv6 extension header of %d bytes in a payload of %d", ErrBadHeader, n, left)
			}
			if n > len(rest) {
				return Datagram{}, fmt.Errorf("%w: IPv6 extension header", ErrShort)
			}
			next, rest, left = rest[0], rest[n:], left-n
		case 44:
			return Datagram{}, ErrFragment
		default:
			return Datagram{}, fmt.Errorf("%w: IPv6 next header %d", ErrNotUDP, next)
		}
	}
}

// udpPayload decodes the UDP header in b; wire is the length of the IP
// payload on the wire (b may be shorter if the capture cut it).
func udpPayload(src, dst netip.Addr, b []byte, wire int) (Datagram, error) {
	be := binary.BigEndian
	if len(b) < 8 {
		return Datagram{}, fmt.Errorf("%w: UDP header", ErrShort)
	}
	ulen := int(be.Uint16(b[4:]))
	if ulen < 8 || ulen > wire {
		return Datagram{}, fmt.Errorf("%w: UDP length %d in an IP payload of %d", ErrBadHeader, ulen, wire)
	}
	d := Datagram{Src: netip.AddrPortFrom(src, be.Uint16(b[0:])), Dst: netip.AddrPortFrom(dst, be.Uint16(b[2:]))}
	if len(b) < ulen {
		d.Payload = b[8:]
		return d, fmt.Errorf("%w: UDP payload has %d of %d bytes (snap length?)", ErrShort, len(b)-8, ulen-8)
	}
	d.Payload = b[8:ulen]
	return d, nil
}
