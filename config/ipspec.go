package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// IPSpec is the argument of an IPaddr or IPaddr2 resource, heartbeat's
// "IP[/BITS[/IFACE[/BROADCAST]]]" or "IP/BITS/BROADCAST" (heartbeat-spec
// §2.6). Understudy also accepts IPv6 addresses here.
type IPSpec struct {
	Addr netip.Addr `json:"addr"`
	// Bits is the prefix length; 0 means "take it from the connected route
	// that covers Addr".
	Bits int `json:"bits,omitempty"`
	// Iface is the interface to add the address to; "" means "the one whose
	// connected route covers Addr".
	Iface string `json:"iface,omitempty"`
	// Broadcast is the IPv4 broadcast address; invalid means derived.
	Broadcast netip.Addr `json:"broadcast,omitzero"`
}

func (s IPSpec) String() string {
	var b strings.Builder
	b.WriteString(s.Addr.String())
	if s.Bits > 0 {
		fmt.Fprintf(&b, "/%d", s.Bits)
	}
	if s.Iface != "" {
		fmt.Fprintf(&b, " on %s", s.Iface)
	} else {
		b.WriteString(" on the interface of its subnet")
	}
	if s.Broadcast.IsValid() {
		fmt.Fprintf(&b, " brd %s", s.Broadcast)
	}
	return b.String()
}

// Prefix returns Addr/Bits, or false when Bits is not given.
func (s IPSpec) Prefix() (netip.Prefix, bool) {
	if s.Bits == 0 {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(s.Addr, s.Bits), true
}

// ParseIPSpec parses an IPaddr argument.
func ParseIPSpec(s string) (IPSpec, error) {
	var spec IPSpec
	parts := strings.Split(s, "/")
	if len(parts) > 4 {
		return spec, fmt.Errorf("%q has %d parts: the form is IP[/BITS[/IFACE[/BROADCAST]]]", s, len(parts))
	}
	a, err := netip.ParseAddr(parts[0])
	if err != nil || a.Zone() != "" {
		return spec, fmt.Errorf("%q is not an IP address", parts[0])
	}
	a = a.Unmap()
	if a.IsUnspecified() || a.IsLoopback() || a.IsMulticast() || a.IsLinkLocalUnicast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return spec, fmt.Errorf("%s cannot be a floating address (unspecified, loopback, multicast, link-local or broadcast)", a)
	}
	spec.Addr = a
	if len(parts) > 1 && parts[1] != "" {
		if spec.Bits, err = parseBits(a, parts[1]); err != nil {
			return spec, err
		}
	}
	rest := parts[min(2, len(parts)):]
	// heartbeat: a third part starting with a digit is the broadcast address.
	if len(rest) == 1 && rest[0] != "" && rest[0][0] >= '0' && rest[0][0] <= '9' {
		rest = []string{"", rest[0]}
	}
	if len(rest) > 0 && rest[0] != "" {
		if !validIfaceName(rest[0]) {
			return spec, fmt.Errorf("%q is not an interface name", rest[0])
		}
		spec.Iface = rest[0]
	}
	if len(rest) > 1 && rest[1] != "" {
		b, err := netip.ParseAddr(rest[1])
		if err != nil || !b.Is4() || !a.Is4() {
			return spec, fmt.Errorf("broadcast %q is not an IPv4 address (IPv6 has no broadcast)", rest[1])
		}
		spec.Broadcast = b
	}
	return spec, nil
}

// parseBits reads a prefix length, or an IPv4 dotted netmask.
func parseBits(a netip.Addr, s string) (int, error) {
	if strings.Contains(s, ".") && a.Is4() {
		m, err := netip.ParseAddr(s)
		if err == nil && m.Is4() {
			v := m.As4()
			u := uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
			ones := 0
			for u&(1<<31) != 0 {
				ones++
				u <<= 1
			}
			if u == 0 && ones > 0 {
				return ones, nil
			}
		}
		return 0, fmt.Errorf("netmask %q is not a contiguous IPv4 netmask", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > a.BitLen() {
		return 0, fmt.Errorf("prefix length %q is not a number from 1 to %d", s, a.BitLen())
	}
	return n, nil
}
