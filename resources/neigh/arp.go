package neigh

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// ARP operation codes (RFC 826).
const (
	OpRequest uint16 = 1
	OpReply   uint16 = 2
)

// ARPLen is the length of an ARP body for IPv4 over Ethernet.
const ARPLen = 28

// Errors returned by the builders and ParseARP.
var (
	// ErrInvalidMAC is returned when a hardware address is not 6 bytes.
	ErrInvalidMAC = errors.New("neigh: hardware address is not a 6-byte Ethernet address")
	// ErrInvalidIP is returned when an address has the wrong family.
	ErrInvalidIP = errors.New("neigh: wrong address family")
	// ErrNotARP is returned by ParseARP for a body that is not IPv4 over
	// Ethernet ARP.
	ErrNotARP = errors.New("neigh: not an IPv4-over-Ethernet ARP packet")
)

// ARP is an IPv4-over-Ethernet ARP packet body (RFC 826), without the
// Ethernet header: AF_PACKET SOCK_DGRAM sockets add and strip that.
type ARP struct {
	Op        uint16
	SenderMAC net.HardwareAddr
	SenderIP  netip.Addr
	TargetMAC net.HardwareAddr
	TargetIP  netip.Addr
}

// Marshal returns the 28-byte body:
//
//	0  htype = 1 (Ethernet)      2  ptype = 0x0800 (IPv4)
//	4  hlen = 6    5  plen = 4   6  op
//	8  sender MAC (6)           14  sender IP (4)
//	18 target MAC (6)           24  target IP (4)
//
// A nil TargetMAC is written as zeros.
func (p ARP) Marshal() ([]byte, error) {
	if len(p.SenderMAC) != 6 || (p.TargetMAC != nil && len(p.TargetMAC) != 6) {
		return nil, ErrInvalidMAC
	}
	if !p.SenderIP.Is4() || !p.TargetIP.Is4() {
		return nil, fmt.Errorf("ARP carries IPv4 addresses, got sender %v target %v: %w", p.SenderIP, p.TargetIP, ErrInvalidIP)
	}
	b := make([]byte, ARPLen)
	binary.BigEndian.PutUint16(b[0:], 1)
	binary.BigEndian.PutUint16(b[2:], 0x0800)
	b[4], b[5] = 6, 4
	binary.BigEndian.PutUint16(b[6:], p.Op)
	copy(b[8:14], p.SenderMAC)
	s4 := p.SenderIP.As4()
	copy(b[14:18], s4[:])
	copy(b[18:24], p.TargetMAC)
	t4 := p.TargetIP.As4()
	copy(b[24:28], t4[:])
	return b, nil
}

// ParseARP decodes an ARP body; trailing bytes (Ethernet padding) are
// ignored. It returns ErrNotARP for anything but IPv4 over Ethernet.
func ParseARP(b []byte) (ARP, error) {
	if len(b) < ARPLen {
		return ARP{}, fmt.Errorf("ARP body of %d bytes, want at least %d: %w", len(b), ARPLen, ErrNotARP)
	}
	if binary.BigEndian.Uint16(b[0:]) != 1 || binary.BigEndian.Uint16(b[2:]) != 0x0800 || b[4] != 6 || b[5] != 4 {
		return ARP{}, fmt.Errorf("htype/ptype/hlen/plen %x: %w", b[0:6], ErrNotARP)
	}
	return ARP{
		Op:        binary.BigEndian.Uint16(b[6:]),
		SenderMAC: net.HardwareAddr(append([]byte(nil), b[8:14]...)),
		SenderIP:  netip.AddrFrom4([4]byte(b[14:18])),
		TargetMAC: net.HardwareAddr(append([]byte(nil), b[18:24]...)),
		TargetIP:  netip.AddrFrom4([4]byte(b[24:28])),
	}, nil
}

// GARPRequest is the request form of gratuitous ARP: "who-has VIP tell
// VIP", sender = target = vip, target MAC zero (RFC 5944 §4.6).
func GARPRequest(mac net.HardwareAddr, vip netip.Addr) ([]byte, error) {
	return ARP{Op: OpRequest, SenderMAC: mac, SenderIP: vip, TargetIP: vip}.Marshal()
}

// GARPReply is the reply form: "VIP is-at MAC" with target MAC = sender
// MAC, the only reply form Linux accepts as gratuitous.
func GARPReply(mac net.HardwareAddr, vip netip.Addr) ([]byte, error) {
	return ARP{Op: OpReply, SenderMAC: mac, SenderIP: vip, TargetMAC: mac, TargetIP: vip}.Marshal()
}

// ARPProbe is an RFC 5227 §2.1.1 probe: a request with sender IP 0.0.0.0
// and target IP = the address being checked. A host holding the address
// answers it; nobody updates a cache from it.
func ARPProbe(mac net.HardwareAddr, ip netip.Addr) ([]byte, error) {
	return ARP{Op: OpRequest, SenderMAC: mac, SenderIP: netip.IPv4Unspecified(), TargetIP: ip}.Marshal()
}
