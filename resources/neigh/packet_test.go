package neigh

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
)

var (
	testMAC = net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}
	testV4  = netip.MustParseAddr("192.0.2.100")
	testV6  = netip.MustParseAddr("2001:db8::100")
)

// unhex decodes a hex dump with blanks and newlines for readability.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuildersGolden(t *testing.T) {
	tests := []struct {
		name  string
		build func() ([]byte, error)
		want  string
	}{{
		name:  "garp request: who-has VIP tell VIP, THA zero",
		build: func() ([]byte, error) { return GARPRequest(testMAC, testV4) },
		want: `0001 0800 06 04 0001
		       02005e100001 c0000264
		       000000000000 c0000264`,
	}, {
		name:  "garp reply: VIP is-at MAC, THA = SHA",
		build: func() ([]byte, error) { return GARPReply(testMAC, testV4) },
		want: `0001 0800 06 04 0002
		       02005e100001 c0000264
		       02005e100001 c0000264`,
	}, {
		name:  "garp request from a v4-mapped address",
		build: func() ([]byte, error) { return GARPRequest(testMAC, netip.MustParseAddr("::ffff:192.0.2.100").Unmap()) },
		want: `0001 0800 06 04 0001
		       02005e100001 c0000264
		       000000000000 c0000264`,
	}, {
		name:  "rfc 5227 probe: sender IP 0.0.0.0",
		build: func() ([]byte, error) { return ARPProbe(testMAC, testV4) },
		want: `0001 0800 06 04 0001
		       02005e100001 00000000
		       000000000000 c0000264`,
	}, {
		name:  "unsolicited NA: type 136, override, TLLA option",
		build: func() ([]byte, error) { return UnsolicitedNA(testMAC, testV6) },
		want: `88 00 0000 20000000
		       20010db8000000000000000000000100
		       02 01 02005e100001`,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, tc.want); !bytes.Equal(got, want) {
				t.Errorf("got  %x\nwant %x", got, want)
			}
		})
	}
}

func TestBuildersReject(t *testing.T) {
	tests := []struct {
		name  string
		build func() ([]byte, error)
		want  error
	}{
		{"short mac", func() ([]byte, error) { return GARPRequest(testMAC[:4], testV4) }, ErrInvalidMAC},
		{"infiniband mac", func() ([]byte, error) { return GARPReply(make(net.HardwareAddr, 20), testV4) }, ErrInvalidMAC},
		{"garp for ipv6", func() ([]byte, error) { return GARPRequest(testMAC, testV6) }, ErrInvalidIP},
		{"probe for invalid", func() ([]byte, error) { return ARPProbe(testMAC, netip.Addr{}) }, ErrInvalidIP},
		{"na for ipv4", func() ([]byte, error) { return UnsolicitedNA(testMAC, testV4) }, ErrInvalidIP},
		{"na short mac", func() ([]byte, error) { return UnsolicitedNA(nil, testV6) }, ErrInvalidMAC},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.build(); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseARP(t *testing.T) {
	reply := unhex(t, `0001 0800 06 04 0002 02005e100002 c0000264 02005e100001 00000000
	                   000000000000000000000000000000000000`) // Ethernet padding to 46 bytes
	got, err := ParseARP(reply)
	if err != nil {
		t.Fatal(err)
	}
	want := ARP{Op: OpReply, SenderMAC: net.HardwareAddr{2, 0, 0x5e, 0x10, 0, 2}, SenderIP: testV4,
		TargetMAC: testMAC, TargetIP: netip.IPv4Unspecified()}
	if got.Op != want.Op || got.SenderIP != want.SenderIP || got.TargetIP != want.TargetIP ||
		!bytes.Equal(got.SenderMAC, want.SenderMAC) || !bytes.Equal(got.TargetMAC, want.TargetMAC) {
		t.Errorf("ParseARP = %+v, want %+v", got, want)
	}
	for name, b := range map[string][]byte{
		"short":      reply[:27],
		"ipv6 ptype": unhex(t, `0001 86dd 06 10 0001 02005e100002`+strings.Repeat("00", 40)),
		"token ring": unhex(t, `0006 0800 06 04 0001`+strings.Repeat("00", 20)),
	} {
		if _, err := ParseARP(b); !errors.Is(err, ErrNotARP) {
			t.Errorf("%s: err = %v, want ErrNotARP", name, err)
		}
	}
}

func TestMarshalParseRoundTrip(t *testing.T) {
	for _, b := range [][]byte{must(GARPRequest(testMAC, testV4)), must(GARPReply(testMAC, testV4)), must(ARPProbe(testMAC, testV4))} {
		p, err := ParseARP(b)
		if err != nil {
			t.Fatal(err)
		}
		again, err := p.Marshal()
		if err != nil || !bytes.Equal(again, b) {
			t.Errorf("round trip of %x = %x, %v", b, again, err)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func FuzzParseARP(f *testing.F) {
	f.Add(must(GARPReply(testMAC, testV4)))
	f.Add(must(ARPProbe(testMAC, testV4)))
	f.Add([]byte{0, 1, 8, 0, 6, 4}) // header only
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseARP(b)
		if err != nil {
			return
		}
		out, err := p.Marshal()
		if err != nil {
			t.Fatalf("Marshal of parsed %x: %v", b, err)
		}
		if !bytes.Equal(out, b[:ARPLen]) {
			t.Fatalf("round trip %x -> %x", b[:ARPLen], out)
		}
	})
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
