package neigh

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// NALen is the length of a neighbour advertisement with one target
// link-layer address option for Ethernet.
const NALen = 32

// ICMPv6 types of neighbour discovery (RFC 4861 §4.3, §4.4).
const (
	TypeNS uint8 = 135
	TypeNA uint8 = 136
)

// NA flag bits (RFC 4861 §4.4).
const (
	naRouter    = 0x80
	naSolicited = 0x40
	naOverride  = 0x20
)

// ipv6HeaderLen is the fixed IPv6 header; nsLen an NS without options.
const (
	ipv6HeaderLen = 40
	nsLen         = 24
	// DADProbeLen is the length of the IPv6 packet DADProbe returns.
	DADProbeLen = ipv6HeaderLen + nsLen
)

// ErrNotND is returned by ParseND for anything but a well-formed
// neighbour solicitation or advertisement that a node would accept
// (RFC 4861 §7.1): IPv6 without extension headers, hop limit 255,
// code 0, a correct checksum, well-formed options.
var ErrNotND = errors.New("neigh: not a valid IPv6 neighbour solicitation or advertisement")

// UnsolicitedNA returns the ICMPv6 body of an unsolicited neighbour
// advertisement for target, as RFC 4861 §7.2.6 describes for a node whose
// link-layer address changed:
//
//	0  type = 136   1  code = 0   2  checksum = 0 (the kernel fills it in
//	                                 on a raw ICMPv6 socket)
//	4  flags: R=0 S=0 O=1 (0x20), then 3 reserved bytes
//	8  target address (16)
//	24 option type 2 (target link-layer address), length 1 (8 bytes)
//	26 MAC (6)
//
// It is sent to ff02::1 with hop limit 255.
func UnsolicitedNA(mac net.HardwareAddr, target netip.Addr) ([]byte, error) {
	if len(mac) != 6 {
		return nil, ErrInvalidMAC
	}
	if !isIPv6(target) {
		return nil, fmt.Errorf("neighbour advertisement target %v is not IPv6: %w", target, ErrInvalidIP)
	}
	b := make([]byte, NALen)
	b[0] = TypeNA
	b[4] = naOverride
	t := target.As16()
	copy(b[8:24], t[:])
	b[24], b[25] = 2, 1
	copy(b[26:32], mac)
	return b, nil
}

func isIPv6(ip netip.Addr) bool { return ip.Is6() && !ip.Is4In6() }

// SolicitedNode returns the solicited-node multicast group of ip,
// ff02::1:ffXX:XXXX with its last 24 bits (RFC 4291 §2.7.1), and the
// Ethernet multicast address that carries it (33:33 and the group's last
// 32 bits, RFC 2464 §7).
func SolicitedNode(ip netip.Addr) (netip.Addr, net.HardwareAddr) {
	t := ip.As16()
	g := [16]byte{0: 0xff, 1: 0x02, 11: 0x01, 12: 0xff, 13: t[13], 14: t[14], 15: t[15]}
	return netip.AddrFrom16(g), net.HardwareAddr{0x33, 0x33, 0xff, t[13], t[14], t[15]}
}

// DADProbe returns a whole IPv6 packet, for an AF_PACKET socket, that
// asks whether anybody holds target, as duplicate address detection does
// (RFC 4862 §5.4.2): a neighbour solicitation from the unspecified
// address to target's solicited-node group, hop limit 255, without a
// source link-layer address option (§7.2.2 of RFC 4861 forbids one from
// ::). A node holding target answers with an advertisement to ff02::1.
// The Ethernet destination is the second value of SolicitedNode.
//
//	0  IPv6 header: 6, payload 24, next header 58, hop limit 255,
//	   source ::, destination ff02::1:ffXX:XXXX
//	40 type = 135, code = 0, checksum, 4 reserved bytes
//	48 target address (16)
func DADProbe(target netip.Addr) ([]byte, error) {
	if !isIPv6(target) || target.IsMulticast() || target.IsUnspecified() {
		return nil, fmt.Errorf("duplicate address detection of %v: %w", target, ErrInvalidIP)
	}
	group, _ := SolicitedNode(target)
	b := make([]byte, DADProbeLen)
	b[0] = 0x60
	binary.BigEndian.PutUint16(b[4:], nsLen)
	b[6], b[7] = 58, 255
	g := group.As16()
	copy(b[24:40], g[:])
	b[40] = TypeNS
	t := target.As16()
	copy(b[48:64], t[:])
	binary.BigEndian.PutUint16(b[42:], icmpv6Checksum(b[8:24], b[24:40], b[40:]))
	return b, nil
}

// icmpv6Checksum is the ICMPv6 checksum of msg (its checksum field
// zero) between src and dst (RFC 4443 §2.3, RFC 8200 §8.1).
func icmpv6Checksum(src, dst, msg []byte) uint16 {
	var sum uint32
	add := func(b []byte) {
		for len(b) >= 2 {
			sum += uint32(b[0])<<8 | uint32(b[1])
			b = b[2:]
		}
		if len(b) == 1 {
			sum += uint32(b[0]) << 8
		}
	}
	add(src)
	add(dst)
	sum += uint32(len(msg)) + 58
	add(msg)
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// ND is a neighbour solicitation or advertisement, as ParseND reads it
// from an IPv6 packet.
type ND struct {
	// Type is TypeNS or TypeNA.
	Type uint8
	// Src and Dst are the IPv6 source and destination; Src is :: in a
	// duplicate address detection probe.
	Src, Dst netip.Addr
	// Target is the address solicited or advertised.
	Target netip.Addr
	// Flags are an advertisement's R, S and O bits (0x80, 0x40, 0x20).
	Flags uint8
	// LinkAddr is the source (NS) or target (NA) link-layer address
	// option; nil when absent.
	LinkAddr net.HardwareAddr
}

// DAD reports whether n is a duplicate address detection probe: a
// solicitation from the unspecified address.
func (n ND) DAD() bool { return n.Type == TypeNS && n.Src.IsUnspecified() }

// ParseND decodes an IPv6 packet (no link-layer header) carrying a
// neighbour solicitation or advertisement, with the validity checks a
// node applies before believing one (RFC 4861 §7.1.1, §7.1.2); trailing
// bytes beyond the payload length (Ethernet padding) are ignored.
// Anything else is ErrNotND.
func ParseND(b []byte) (ND, error) {
	if len(b) < ipv6HeaderLen || b[0]>>4 != 6 {
		return ND{}, fmt.Errorf("not an IPv6 packet: %w", ErrNotND)
	}
	plen := int(binary.BigEndian.Uint16(b[4:]))
	if b[6] != 58 || b[7] != 255 || plen > len(b)-ipv6HeaderLen {
		return ND{}, fmt.Errorf("next header %d, hop limit %d, payload %d of %d bytes: %w", b[6], b[7], plen, len(b)-ipv6HeaderLen, ErrNotND)
	}
	msg := b[ipv6HeaderLen : ipv6HeaderLen+plen]
	if len(msg) < nsLen || (msg[0] != TypeNS && msg[0] != TypeNA) || msg[1] != 0 {
		return ND{}, fmt.Errorf("ICMPv6 of %d bytes, type %d: %w", len(msg), firstByte(msg), ErrNotND)
	}
	if icmpv6Checksum(b[8:24], b[24:40], msg) != 0 {
		return ND{}, fmt.Errorf("bad ICMPv6 checksum: %w", ErrNotND)
	}
	n := ND{Type: msg[0], Src: netip.AddrFrom16([16]byte(b[8:24])), Dst: netip.AddrFrom16([16]byte(b[24:40])),
		Target: netip.AddrFrom16([16]byte(msg[8:24]))}
	if n.Type == TypeNA {
		n.Flags = msg[4] & (naRouter | naSolicited | naOverride)
	}
	if n.Target.IsMulticast() {
		return ND{}, fmt.Errorf("multicast target %s: %w", n.Target, ErrNotND)
	}
	want := uint8(1) // source link-layer address, in a solicitation
	if n.Type == TypeNA {
		want = 2
	}
	for opts := msg[nsLen:]; len(opts) > 0; {
		if len(opts) < 8 || opts[1] == 0 || int(opts[1])*8 > len(opts) {
			return ND{}, fmt.Errorf("malformed option: %w", ErrNotND)
		}
		if opts[0] == want && opts[1] == 1 {
			n.LinkAddr = net.HardwareAddr(append([]byte(nil), opts[2:8]...))
		}
		opts = opts[int(opts[1])*8:]
	}
	if n.DAD() && (n.LinkAddr != nil || !isSolicitedNode(n.Dst)) {
		return ND{}, fmt.Errorf("solicitation from :: with a link-layer option or to %s: %w", n.Dst, ErrNotND)
	}
	return n, nil
}

func firstByte(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	return int(b[0])
}

func isSolicitedNode(ip netip.Addr) bool {
	g, _ := SolicitedNode(ip)
	return g == ip
}
