package pinger

import (
	"fmt"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// listen opens a raw ICMP socket for IPv4 or IPv6 on every address,
// with the kernel's filter set to pass echo replies only: the socket
// would otherwise get a copy of every ICMP message the machine receives.
func listen(is4 bool) (packetConn, error) {
	network, addr := "ip6:ipv6-icmp", "::"
	if is4 {
		network, addr = "ip4:icmp", "0.0.0.0"
	}
	c, err := icmp.ListenPacket(network, addr)
	if err != nil {
		return nil, fmt.Errorf("pinger: raw ICMP socket (needs CAP_NET_RAW): %w", err)
	}
	if is4 {
		var f ipv4.ICMPFilter
		f.SetAll(true)
		f.Accept(ipv4.ICMPTypeEchoReply)
		err = c.IPv4PacketConn().SetICMPFilter(&f)
	} else {
		var f ipv6.ICMPFilter
		f.SetAll(true)
		f.Accept(ipv6.ICMPTypeEchoReply)
		err = c.IPv6PacketConn().SetICMPFilter(&f)
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("pinger: ICMP filter: %w", err)
	}
	return c, nil
}
