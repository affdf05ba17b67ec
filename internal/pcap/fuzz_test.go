package pcap

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"testing"
	"time"
)

// FuzzReader feeds arbitrary files to the reader and every record to UDP:
// nothing may panic, every record must respect MaxRecord, and the only
// errors are the documented ones.
func FuzzReader(f *testing.F) {
	for _, link := range []uint32{LinkEthernet, LinkLinuxSLL, LinkLinuxSLL2, LinkRaw, LinkNull} {
		var buf bytes.Buffer
		w, _ := NewWriter(&buf, Header{LinkType: link, Nano: link%2 == 0})
		for _, ap := range []string{"192.0.2.1:694", "[2001:db8::1]:694"} {
			a := netip.MustParseAddrPort(ap)
			fr, err := EncodeUDP(link, a, a, spec85(f))
			if err != nil {
				f.Fatal(err)
			}
			w.Write(time.Unix(1767610253, 0), fr)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte{0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrNotPcap) && !errors.Is(err, ErrFormat) {
				t.Fatalf("NewReader: undocumented error %v", err)
			}
			return
		}
		checkRecords(t, r.Next)
	})
}

// FuzzUDP decodes arbitrary frames of every supported link type.
func FuzzUDP(f *testing.F) {
	for _, link := range []uint32{LinkEthernet, LinkLinuxSLL, LinkLinuxSLL2, LinkRaw, LinkNull} {
		for _, ap := range []string{"192.0.2.1:694", "[2001:db8::1]:694"} {
			a := netip.MustParseAddrPort(ap)
			fr, _ := EncodeUDP(link, a, a, []byte("###\n%%%\n"))
			f.Add(link, fr)
		}
	}
	f.Fuzz(func(t *testing.T, link uint32, frame []byte) {
		checkUDP(t, link, frame)
	})
}

func checkUDP(t *testing.T, link uint32, frame []byte) {
	d, err := UDP(link, frame)
	if err != nil {
		for _, e := range []error{ErrNotUDP, ErrLinkType, ErrShort, ErrFragment, ErrBadHeader} {
			if errors.Is(err, e) {
				return
			}
		}
		t.Fatalf("UDP: undocumented error %v", err)
	}
	if len(d.Payload) > len(frame) || !d.Src.IsValid() || !d.Dst.IsValid() {
		t.Fatalf("UDP: %+v from %d bytes", d, len(frame))
	}
	// a payload must be a sub-slice of the frame
	if len(d.Payload) > 0 && !bytes.Contains(frame, d.Payload) {
		t.Fatal("payload is not part of the frame")
	}
}

// FuzzNgReader feeds arbitrary files to the pcapng reader: nothing may
// panic, every record respects MaxRecord, and the only errors are the
// documented ones.
func FuzzNgReader(f *testing.F) {
	fr, err := EncodeUDP(LinkEthernet, netip.MustParseAddrPort("192.0.2.1:694"), netip.MustParseAddrPort("192.0.2.255:694"), spec85(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(le().shb().idb(LinkEthernet, 0).epb(0, 1767610253e6, fr, uint32(len(fr))).buf.Bytes())
	f.Add(be().shb().idb(LinkRaw, 64, be().opt(optTSResol, []byte{9})).spb(100, fr[14:]).block(5, nil).buf.Bytes())
	f.Add(append(le().shb().idb(LinkNull, 0).pb(0, 1, []byte("x")).buf.Bytes(), be().shb().buf.Bytes()...))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewNgReader(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrNotPcap) && !errors.Is(err, ErrFormat) && !errors.Is(err, ErrTruncated) {
				t.Fatalf("NewNgReader: undocumented error %v", err)
			}
			return
		}
		checkRecords(t, r.Next)
	})
}

// checkRecords reads every record: the only errors are the documented
// ones, and each record respects MaxRecord and decodes without a panic.
func checkRecords(t *testing.T, next func() (Record, error)) {
	for {
		rec, err := next()
		if err == io.EOF {
			return
		}
		if err != nil {
			if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrFormat) {
				t.Fatalf("Next: undocumented error %v", err)
			}
			return
		}
		if len(rec.Data) > MaxRecord || rec.OrigLen < len(rec.Data) || rec.Resolution <= 0 {
			t.Fatalf("record %d: %d bytes, orig %d, resolution %v", rec.N, len(rec.Data), rec.OrigLen, rec.Resolution)
		}
		checkUDP(t, rec.LinkType, rec.Data)
	}
}
