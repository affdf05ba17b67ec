package ipaddr

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/resources/neigh"
)

func TestBroadcast(t *testing.T) {
	for _, tc := range []struct{ prefix, given, want string }{
		{"192.0.2.10/24", "", "192.0.2.255"},
		{"192.0.2.10/24", "192.0.2.127", "192.0.2.127"},
		{"198.51.100.66/27", "", "198.51.100.95"},
		{"192.0.2.10/8", "", "192.255.255.255"},
		{"192.0.2.10/30", "", "192.0.2.11"},
		{"192.0.2.10/31", "", "invalid IP"},
		{"192.0.2.10/32", "", "invalid IP"},
		{"2001:db8::10/64", "", "invalid IP"},
	} {
		a := Address{Prefix: netip.MustParsePrefix(tc.prefix)}
		if tc.given != "" {
			a.Broadcast = netip.MustParseAddr(tc.given)
		}
		if got := a.broadcast().String(); got != tc.want {
			t.Errorf("%s brd %q: %s, want %s", tc.prefix, tc.given, got, tc.want)
		}
	}
}

// TestAdderRequest: the RTM_NEWADDR request, byte for byte (host byte
// order is little-endian on every machine this test is meant for).
func TestAdderRequest(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("SKIPPING: golden bytes are little-endian")
	}
	a := newAdder("")
	a.seq = 7
	for _, tc := range []struct {
		addr Address
		want string
	}{{
		Address{Prefix: netip.MustParsePrefix("192.0.2.10/24"), Link: neigh.Link{Index: 3}},
		`30000000 1400 0506 07000000 00000000
		 02 18 00 00 03000000
		 0800 0200 c000020a  0800 0100 c000020a  0800 0400 c00002ff`,
	}, {
		Address{Prefix: netip.MustParsePrefix("2001:db8::10/64"), Link: neigh.Link{Index: 258}},
		`40000000 1400 0506 07000000 00000000
		 0a 40 02 00 02010000
		 1400 0200 20010db8000000000000000000000010
		 1400 0100 20010db8000000000000000000000010`,
	}} {
		want, err := hex.DecodeString(strings.Join(strings.Fields(tc.want), ""))
		if err != nil {
			t.Fatal(err)
		}
		if got := a.build(tc.addr); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %x\nwant %x", tc.addr.Prefix, got, want)
		}
	}
}
