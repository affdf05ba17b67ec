package pcap

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"
)

// spec85 is the UDP payload of heartbeat-spec §8.5, shared with package
// codec's tests.
func spec85(t testing.TB) []byte {
	t.Helper()
	text, err := os.ReadFile("../../transport/codec/testdata/spec-8.5-bcast-status-sha1.hex")
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.Join(strings.Fields(string(text)), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The IPv4 and UDP headers exactly as tcpdump printed them in §8.5.
const spec85Headers = "4500014e6be540004011 48b9 c0000201 c00002ff 9db202b6013a864c"

func TestSpec85Frame(t *testing.T) {
	hdr, err := hex.DecodeString(strings.ReplaceAll(spec85Headers, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	if got := sum(0, hdr[:20]); got != 0xffff {
		t.Errorf("IPv4 header checksum of the real packet does not verify: sum %#x", got)
	}
	payload := spec85(t)
	ipPkt := append(hdr, payload...)
	eth := append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 8, 0}, ipPkt...)
	for _, c := range []struct {
		link  uint32
		frame []byte
	}{{LinkEthernet, eth}, {LinkRaw, ipPkt}, {LinkEthernet, append(eth, 0, 0, 0, 0)}} {
		d, err := UDP(c.link, c.frame)
		if err != nil {
			t.Fatalf("link %d: %v", c.link, err)
		}
		if d.Src.String() != "192.0.2.1:40370" || d.Dst.String() != "192.0.2.255:694" || !bytes.Equal(d.Payload, payload) {
			t.Errorf("link %d: got %v > %v, %d bytes", c.link, d.Src, d.Dst, len(d.Payload))
		}
	}
	// The real packet was captured on the sending side of a veth with
	// checksum offload: its UDP checksum field holds only the pseudo
	// header sum. Ours is complete.
	pseudo := append(append([]byte{}, hdr[12:20]...), 0, 17, hdr[24], hdr[25])
	if got := sum(0, pseudo); got != binary.BigEndian.Uint16(hdr[26:]) {
		t.Errorf("pseudo header sum %#x, captured checksum field %x", got, hdr[26:28])
	}
	enc, err := EncodeUDP(LinkRaw, netip.MustParseAddrPort("192.0.2.1:40370"), netip.MustParseAddrPort("192.0.2.255:694"), payload)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc[20:26], hdr[20:26]) {
		t.Errorf("UDP header %x, real %x", enc[20:26], hdr[20:26])
	}
	if sum(0, enc[:20]) != 0xffff {
		t.Error("encoded IPv4 header checksum does not verify")
	}
	if sum(uint32(sum(0, pseudo)), enc[20:]) != 0xffff {
		t.Error("encoded UDP checksum does not verify")
	}
}

func TestRoundTrip(t *testing.T) {
	v4s, v4d := netip.MustParseAddrPort("192.0.2.1:40370"), netip.MustParseAddrPort("192.0.2.255:694")
	v6s, v6d := netip.MustParseAddrPort("[2001:db8::1]:5000"), netip.MustParseAddrPort("[2001:db8::2]:694")
	at := time.Date(2026, 1, 5, 10, 50, 53, 493570123, time.UTC)
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		for _, nano := range []bool{false, true} {
			for _, link := range []uint32{LinkEthernet, LinkLinuxSLL, LinkLinuxSLL2, LinkRaw, LinkNull} {
				name := fmt.Sprintf("%v/nano=%v/link=%d", order, nano, link)
				var buf bytes.Buffer
				w, err := NewWriter(&buf, Header{Order: order, Nano: nano, LinkType: link})
				if err != nil {
					t.Fatal(err)
				}
				var want []Datagram
				for i, ap := range [][2]netip.AddrPort{{v4s, v4d}, {v6s, v6d}, {v4d, v4s}} {
					p := []byte(fmt.Sprintf("payload %d", i))
					f, err := EncodeUDP(link, ap[0], ap[1], p)
					if err != nil {
						t.Fatal(err)
					}
					if err := w.Write(at.Add(time.Duration(i)*time.Second), f); err != nil {
						t.Fatal(err)
					}
					want = append(want, Datagram{ap[0], ap[1], p})
				}
				if !IsPcap(buf.Bytes()) {
					t.Fatalf("%s: IsPcap false", name)
				}
				r, err := NewReader(&buf)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if r.Header.Order != order || r.Header.Nano != nano || r.Header.LinkType != link {
					t.Errorf("%s: header %+v", name, r.Header)
				}
				for i, wd := range want {
					rec, err := r.Next()
					if err != nil {
						t.Fatalf("%s: record %d: %v", name, i+1, err)
					}
					wantT := at.Add(time.Duration(i) * time.Second)
					if !nano {
						wantT = wantT.Truncate(time.Microsecond)
					}
					if rec.N != i+1 || !rec.Time.Equal(wantT) {
						t.Errorf("%s: record %d at %v, want %v", name, rec.N, rec.Time, wantT)
					}
					d, err := UDP(link, rec.Data)
					if err != nil {
						t.Fatalf("%s: record %d: %v", name, i+1, err)
					}
					if d.Src != wd.Src || d.Dst != wd.Dst || !bytes.Equal(d.Payload, wd.Payload) {
						t.Errorf("%s: record %d: %v > %v %q", name, i+1, d.Src, d.Dst, d.Payload)
					}
				}
				if _, err := r.Next(); err != io.EOF {
					t.Errorf("%s: after the last record: %v", name, err)
				}
			}
		}
	}
}

func TestIPv6ExtensionHeaders(t *testing.T) {
	f, err := EncodeUDP(LinkRaw, netip.MustParseAddrPort("[2001:db8::1]:1"), netip.MustParseAddrPort("[2001:db8::2]:694"), []byte("hi"))
	if err != nil {
		t.Fatal(err)
	}
	// insert a hop-by-hop header (8 bytes, next header UDP)
	g := append(append(append([]byte{}, f[:40]...), 17, 0, 1, 4, 0, 0, 0, 0), f[40:]...)
	g[6] = 0
	binary.BigEndian.PutUint16(g[4:], binary.BigEndian.Uint16(f[4:])+8)
	d, err := UDP(LinkRaw, g)
	if err != nil || string(d.Payload) != "hi" || d.Dst.Port() != 694 {
		t.Fatalf("%v %+v", err, d)
	}
	g[6] = 44
	if _, err := UDP(LinkRaw, g); !errors.Is(err, ErrFragment) {
		t.Errorf("IPv6 fragment: %v", err)
	}
}

func TestNotUDPAndDamage(t *testing.T) {
	src, dst := netip.MustParseAddrPort("192.0.2.1:1"), netip.MustParseAddrPort("192.0.2.2:694")
	f, err := EncodeUDP(LinkEthernet, src, dst, []byte("0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	mod := func(fn func(b []byte) []byte) []byte { return fn(append([]byte{}, f...)) }
	cases := []struct {
		name  string
		link  uint32
		frame []byte
		want  error
	}{
		{"arp", LinkEthernet, mod(func(b []byte) []byte { b[12], b[13] = 8, 6; return b }), ErrNotUDP},
		{"tcp", LinkEthernet, mod(func(b []byte) []byte { b[14+9] = 6; return b }), ErrNotUDP},
		{"fragment", LinkEthernet, mod(func(b []byte) []byte { b[14+6] = 0x20; return b }), ErrFragment},
		{"snapped", LinkEthernet, f[:len(f)-3], ErrShort},
		{"short ethernet", LinkEthernet, f[:10], ErrShort},
		{"bad udp length", LinkEthernet, mod(func(b []byte) []byte { b[14+20+4] = 0xff; return b }), ErrBadHeader},
		{"bad ihl", LinkEthernet, mod(func(b []byte) []byte { b[14] = 0x41; return b }), ErrBadHeader},
		{"link type", 228, f, ErrLinkType},
	}
	for _, c := range cases {
		if _, err := UDP(c.link, c.frame); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	vlan := append(append(append([]byte{}, f[:12]...), 0x81, 0, 0, 7), f[12:]...)
	if d, err := UDP(LinkEthernet, vlan); err != nil || string(d.Payload) != "0123456789" {
		t.Errorf("VLAN: %v", err)
	}
}

func TestReaderErrors(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, Header{LinkType: LinkEthernet})
	w.Write(time.Unix(1, 0), []byte("abcdef"))
	w.Write(time.Unix(2, 0), []byte("ghijkl"))
	full := buf.Bytes()

	if _, err := NewReader(strings.NewReader(">>>\nt=status\n")); !errors.Is(err, ErrNotPcap) {
		t.Errorf("text: %v", err)
	}
	if _, err := NewReader(bytes.NewReader(nil)); !errors.Is(err, ErrNotPcap) {
		t.Errorf("empty: %v", err)
	}
	if _, err := NewReader(bytes.NewReader(full[:10])); !errors.Is(err, ErrFormat) {
		t.Errorf("short header: %v", err)
	}
	r, err := NewReader(bytes.NewReader(full[:len(full)-2]))
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := r.Next(); err != nil || string(rec.Data) != "abcdef" {
		t.Fatalf("first record: %v", err)
	}
	if _, err := r.Next(); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated: %v", err)
	}
	huge := append([]byte{}, full[:24+16]...)
	binary.LittleEndian.PutUint32(huge[24+8:], MaxRecord+1)
	r, _ = NewReader(bytes.NewReader(huge))
	if _, err := r.Next(); !errors.Is(err, ErrFormat) {
		t.Errorf("huge record: %v", err)
	}
	bad := append([]byte{}, full...)
	binary.LittleEndian.PutUint32(bad[24+4:], 2e6)
	r, _ = NewReader(bytes.NewReader(bad))
	if _, err := r.Next(); !errors.Is(err, ErrFormat) {
		t.Errorf("microseconds out of range: %v", err)
	}
	v1 := append([]byte{}, full...)
	v1[4] = 1
	if _, err := NewReader(bytes.NewReader(v1)); !errors.Is(err, ErrFormat) {
		t.Errorf("version 1: %v", err)
	}
}
