package pinger

import (
	"net"
	"net/netip"
	"testing"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// echoReply turns an echo request into the reply a host sends back: the
// same identifier, sequence number and data.
func echoReply(t testing.TB, req []byte, v6 bool) []byte {
	t.Helper()
	proto, typ := protoICMP, icmp.Type(ipv4.ICMPTypeEchoReply)
	if v6 {
		proto, typ = protoICMPv6, ipv6.ICMPTypeEchoReply
	}
	m, err := icmp.ParseMessage(proto, req)
	if err != nil {
		t.Fatalf("request does not parse: %v", err)
	}
	m.Type = typ
	b, err := m.Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func from(s string) net.Addr { return ipAddr(netip.MustParseAddr(s)) }

func TestParseReply(t *testing.T) {
	s := stamp{id: 0x1234, token: [tokenLen]byte{1, 2, 3, 4, 5, 6, 7, 8}}
	other := stamp{id: 0x1234, token: [tokenLen]byte{9}}
	v4 := echoReply(t, s.echoRequest(addrA, 7), false)
	v6 := echoReply(t, s.echoRequest(addrG6, 8), true)
	ll := echoReply(t, s.echoRequest(addrLL, 9), true)
	reqAsIs := s.echoRequest(addrA, 7)
	for _, tc := range []struct {
		name  string
		proto int
		b     []byte
		from  net.Addr
		want  reply
		ok    bool
	}{
		{"IPv4 reply", protoICMP, v4, from("192.0.2.1"), reply{addrA, 7}, true},
		{"IPv4 reply from a mapped address", protoICMP, v4, &net.IPAddr{IP: net.ParseIP("192.0.2.1")}, reply{addrA, 7}, true},
		{"IPv6 reply", protoICMPv6, v6, from("2001:db8::1"), reply{addrG6, 8}, true},
		{"link-local reply with its zone", protoICMPv6, ll, from("fe80::1%eth0"), reply{addrLL.WithZone(""), 9}, true},
		{"from another address", protoICMP, v4, from("192.0.2.9"), reply{}, false},
		{"an echo request, not a reply", protoICMP, reqAsIs, from("192.0.2.1"), reply{}, false},
		{"another program's token", protoICMP, echoReply(t, other.echoRequest(addrA, 7), false), from("192.0.2.1"), reply{}, false},
		{"another identifier", protoICMP, echoReply(t, stamp{id: 1, token: s.token}.echoRequest(addrA, 7), false), from("192.0.2.1"), reply{}, false},
		{"truncated data", protoICMP, v4[:len(v4)-1], from("192.0.2.1"), reply{}, false},
		{"IPv4 message on the IPv6 socket", protoICMPv6, v4, from("192.0.2.1"), reply{}, false},
		{"not an IP address", protoICMP, v4, &net.UDPAddr{IP: net.ParseIP("192.0.2.1")}, reply{}, false},
		{"garbage", protoICMP, []byte{0, 0}, from("192.0.2.1"), reply{}, false},
	} {
		got, ok := s.parseReply(tc.proto, tc.b, tc.from)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: parseReply = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzParseReply: whatever arrives on the socket, parseReply never
// panics, and accepts only a reply from the address its data names.
func FuzzParseReply(f *testing.F) {
	s := stamp{id: 0x1234, token: [tokenLen]byte{1, 2, 3, 4, 5, 6, 7, 8}}
	f.Add(echoReply(f, s.echoRequest(addrA, 7), false), false, []byte(addrA.AsSlice()))
	f.Add(echoReply(f, s.echoRequest(addrG6, 8), true), true, []byte(addrG6.AsSlice()))
	f.Add(s.echoRequest(addrA, 7), false, []byte{192, 0, 2, 9})
	f.Fuzz(func(t *testing.T, b []byte, v6 bool, src []byte) {
		proto := protoICMP
		if v6 {
			proto = protoICMPv6
		}
		r, ok := s.parseReply(proto, b, &net.IPAddr{IP: src})
		if !ok {
			return
		}
		if a, _ := netip.AddrFromSlice(src); a.Unmap() != r.from || r.from.Is4() == v6 {
			t.Fatalf("accepted %+v from %v on the v6=%v socket", r, src, v6)
		}
	})
}
