package neigh

import (
	"fmt"
	"net"
	"net/netip"
)

// NALen is the length of a neighbour advertisement with one target
// link-layer address option for Ethernet.
const NALen = 32

// NA flag bits (RFC 4861 §4.4).
const (
	naRouter    = 0x80
	naSolicited = 0x40
	naOverride  = 0x20
)

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
	if !target.Is6() || target.Is4In6() {
		return nil, fmt.Errorf("neighbour advertisement target %v is not IPv6: %w", target, ErrInvalidIP)
	}
	b := make([]byte, NALen)
	b[0] = 136
	b[4] = naOverride
	t := target.As16()
	copy(b[8:24], t[:])
	b[24], b[25] = 2, 1
	copy(b[26:32], mac)
	return b, nil
}
