package neigh

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"testing"
)

// dadGolden is DADProbe(2001:db8::100); its checksum was computed
// independently (a few lines of Python over the RFC 8200 pseudo-header).
const dadGolden = `6000 0000 0018 3a ff
	00000000000000000000000000000000
	ff0200000000000000000001ff000100
	87 00 4aef 00000000
	20010db8000000000000000000000100`

// naGolden is what Linux sends back: an NA from 2001:db8::100 to
// ff02::1, override set, with the holder's MAC (02:00:5e:10:00:02) as
// target link-layer address; checksum computed independently.
const naGolden = `6000 0000 0020 3a ff
	20010db8000000000000000000000100
	ff020000000000000000000000000001
	88 00 991b 20000000
	20010db8000000000000000000000100
	02 01 02005e100002`

func TestDADProbeGolden(t *testing.T) {
	got, err := DADProbe(testV6)
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, dadGolden); !bytes.Equal(got, want) {
		t.Errorf("got  %x\nwant %x", got, want)
	}
	group, mac := SolicitedNode(testV6)
	if group.String() != "ff02::1:ff00:100" || mac.String() != "33:33:ff:00:01:00" {
		t.Errorf("solicited-node group %s on %s; want ff02::1:ff00:100 on 33:33:ff:00:01:00", group, mac)
	}
	for _, bad := range []netip.Addr{testV4, netip.MustParseAddr("::ffff:192.0.2.1"), netip.MustParseAddr("ff02::1"), netip.IPv6Unspecified(), {}} {
		if _, err := DADProbe(bad); !errors.Is(err, ErrInvalidIP) {
			t.Errorf("DADProbe(%v): err = %v, want ErrInvalidIP", bad, err)
		}
	}
}

func TestParseND(t *testing.T) {
	holder := net.HardwareAddr{2, 0, 0x5e, 0x10, 0, 2}
	na := unhex(t, naGolden)
	got, err := ParseND(append(na, 0, 0, 0, 0)) // Ethernet padding is ignored
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != TypeNA || got.DAD() || got.Src != testV6 || got.Dst.String() != "ff02::1" || got.Target != testV6 ||
		got.Flags != naOverride || !bytes.Equal(got.LinkAddr, holder) {
		t.Errorf("NA parsed as %+v", got)
	}
	dad, err := ParseND(must(DADProbe(testV6)))
	if err != nil {
		t.Fatal(err)
	}
	if dad.Type != TypeNS || !dad.DAD() || dad.Target != testV6 || dad.LinkAddr != nil {
		t.Errorf("DAD probe parsed as %+v", dad)
	}

	mutate := func(b []byte, f func([]byte)) []byte {
		c := bytes.Clone(b)
		f(c)
		return c
	}
	// Each is the golden NA or DAD probe with one thing wrong.
	tests := map[string][]byte{
		"short":                 na[:39],
		"IPv4":                  mutate(na, func(b []byte) { b[0] = 0x45 }),
		"hop limit 64":          mutate(na, func(b []byte) { b[7] = 64 }),
		"extension header":      mutate(na, func(b []byte) { b[6] = 0 }),
		"payload past the end":  mutate(na, func(b []byte) { b[5] = 0x40 }),
		"echo request":          mutate(na, func(b []byte) { b[40] = 128 }),
		"code 1":                mutate(na, func(b []byte) { b[41] = 1 }),
		"bad checksum":          mutate(na, func(b []byte) { b[43]++ }),
		"truncated message":     mutate(na[:60], func(b []byte) { b[5] = 20 }),
		"zero-length option":    mutate(na, func(b []byte) { b[65] = 0 }),
		"option past the end":   mutate(na, func(b []byte) { b[65] = 2 }),
		"DAD to all-nodes":      mutate(must(DADProbe(testV6)), func(b []byte) { copy(b[24:40], net.ParseIP("ff02::1")) }),
		"multicast target":      mutate(na, func(b []byte) { b[48] = 0xff }),
		"DAD with a link layer": dadWithSLLA(t),
	}
	for name, b := range tests {
		if _, err := ParseND(b); !errors.Is(err, ErrNotND) {
			t.Errorf("%s: err = %v, want ErrNotND", name, err)
		}
	}
}

// dadWithSLLA is a DAD probe carrying a source link-layer option, which
// RFC 4861 forbids from ::, with a correct checksum.
func dadWithSLLA(t *testing.T) []byte {
	b := append(must(DADProbe(testV6)), 1, 1, 2, 0, 0x5e, 0x10, 0, 1)
	b[5] = nsLen + 8
	b[42], b[43] = 0, 0
	c := icmpv6Checksum(b[8:24], b[24:40], b[40:])
	b[42], b[43] = byte(c>>8), byte(c)
	return b
}

func FuzzParseND(f *testing.F) {
	f.Add(must(DADProbe(testV6)))
	f.Add(append(must(DADProbe(testV6)), 0, 0))
	f.Add([]byte{0x60, 0, 0, 0, 0, 0, 58, 255})
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := ParseND(b)
		if err != nil {
			return
		}
		if (n.Type != TypeNS && n.Type != TypeNA) || !n.Target.Is6() || n.Target.IsMulticast() {
			t.Fatalf("accepted %x as %+v", b, n)
		}
		if n.LinkAddr != nil && len(n.LinkAddr) != 6 {
			t.Fatalf("link-layer address %x of %d bytes", n.LinkAddr, len(n.LinkAddr))
		}
		if n.DAD() {
			// Same source, type and target as the probe we would send, to
			// a solicited-node group (traffic class, flow label, reserved
			// bytes, options and which group may differ).
			again, err := DADProbe(n.Target)
			if err != nil || !bytes.Equal(again[6:24], b[6:24]) || !bytes.Equal(again[40:42], b[40:42]) ||
				!bytes.Equal(again[48:64], b[48:64]) || !isSolicitedNode(n.Dst) {
				t.Fatalf("DAD probe %x does not match ours: %x, %v", b, again, err)
			}
		}
	})
}
