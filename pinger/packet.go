package pinger

import (
	"bytes"
	"net"
	"net/netip"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// IANA protocol numbers, as icmp.ParseMessage wants them.
const (
	protoICMP   = 1
	protoICMPv6 = 58
)

// tokenLen is the length of the random token that opens the data of
// every echo request; the destination address (16 bytes) follows it.
const tokenLen = 8

// stamp is what marks an echo request as this Pinger's: the ICMP
// identifier and the token, both random per Pinger.
type stamp struct {
	id    uint16
	token [tokenLen]byte
}

// echoRequest builds the echo request to dst with sequence number seq.
// Its data is the token and dst itself, so that a reply can be checked
// to come from the address it was sent to.
func (s stamp) echoRequest(dst netip.Addr, seq uint16) []byte {
	d16 := dst.As16()
	data := append(s.token[:len(s.token):len(s.token)], d16[:]...)
	typ := icmp.Type(ipv4.ICMPTypeEcho)
	if dst.Is6() {
		typ = ipv6.ICMPTypeEchoRequest
	}
	// For ICMPv6 the checksum is left to the kernel, which always
	// computes it on a raw ICMPv6 socket.
	b, _ := (&icmp.Message{Type: typ, Body: &icmp.Echo{ID: int(s.id), Seq: int(seq), Data: data}}).Marshal(nil)
	return b
}

// reply is an echo reply that is this Pinger's.
type reply struct {
	from netip.Addr // without zone
	seq  uint16
}

// parseReply reads b, one ICMP message received from from on a socket of
// protocol proto, and returns the reply when it is an echo reply to one
// of this Pinger's requests, from the address that request was sent to.
// Anything else (another program's echo, a forged or truncated reply,
// an answer from another address) is false.
func (s stamp) parseReply(proto int, b []byte, from net.Addr) (reply, bool) {
	ipa, ok := from.(*net.IPAddr)
	if !ok {
		return reply{}, false
	}
	src, ok := netip.AddrFromSlice(ipa.IP)
	if !ok {
		return reply{}, false
	}
	src = src.Unmap()
	m, err := icmp.ParseMessage(proto, b)
	if err != nil || (m.Type != ipv4.ICMPTypeEchoReply && m.Type != ipv6.ICMPTypeEchoReply) {
		return reply{}, false
	}
	e, ok := m.Body.(*icmp.Echo)
	if !ok || e.ID != int(s.id) || len(e.Data) < tokenLen+16 || !bytes.Equal(e.Data[:tokenLen], s.token[:]) {
		return reply{}, false
	}
	if dst := netip.AddrFrom16([16]byte(e.Data[tokenLen : tokenLen+16])).Unmap(); dst != src {
		return reply{}, false
	}
	if (proto == protoICMP) != src.Is4() {
		return reply{}, false
	}
	return reply{from: src, seq: uint16(e.Seq)}, true
}
