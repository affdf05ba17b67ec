package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// ngFile builds pcapng files block by block, in one byte order.
type ngFile struct {
	o interface {
		binary.ByteOrder
		binary.AppendByteOrder
	}
	buf bytes.Buffer
}

func (f *ngFile) block(typ uint32, body []byte) *ngFile {
	f.buf.Write(appendBlock(nil, f.o, typ, body))
	return f
}

// shb opens a section (version 1.0, unknown section length).
func (f *ngFile) shb() *ngFile {
	b := f.o.AppendUint32(nil, ngByteOrderMagic)
	b = f.o.AppendUint16(f.o.AppendUint16(b, 1), 0)
	return f.block(ngSHB, f.o.AppendUint64(b, ^uint64(0)))
}

func (f *ngFile) idb(link, snap uint32, opts ...[]byte) *ngFile {
	b := f.o.AppendUint32(f.o.AppendUint16(f.o.AppendUint16(nil, uint16(link)), 0), snap)
	for _, o := range opts {
		b = append(b, o...)
	}
	return f.block(ngIDB, append(b, 0, 0, 0, 0))
}

func (f *ngFile) opt(code uint16, v []byte) []byte {
	b := f.o.AppendUint16(f.o.AppendUint16(nil, code), uint16(len(v)))
	return append(append(b, v...), make([]byte, (4-len(v)%4)%4)...)
}

func (f *ngFile) epb(id uint32, ts uint64, data []byte, orig uint32) *ngFile {
	b := f.o.AppendUint32(nil, id)
	b = f.o.AppendUint32(f.o.AppendUint32(b, uint32(ts>>32)), uint32(ts))
	b = f.o.AppendUint32(f.o.AppendUint32(b, uint32(len(data))), orig)
	return f.block(ngEPB, append(b, data...))
}

func (f *ngFile) spb(orig uint32, data []byte) *ngFile {
	return f.block(ngSPB, append(f.o.AppendUint32(nil, orig), data...))
}

func (f *ngFile) pb(id uint16, ts uint64, data []byte) *ngFile {
	b := f.o.AppendUint16(f.o.AppendUint16(nil, id), 0)
	b = f.o.AppendUint32(f.o.AppendUint32(b, uint32(ts>>32)), uint32(ts))
	b = f.o.AppendUint32(f.o.AppendUint32(b, uint32(len(data))), uint32(len(data)))
	return f.block(ngPB, append(b, data...))
}

func le() *ngFile { return &ngFile{o: binary.LittleEndian} }
func be() *ngFile { return &ngFile{o: binary.BigEndian} }

// got is a record in a comparable form.
type got struct {
	n, orig int
	link    uint32
	time    string
	data    string
	res     time.Duration
}

func readNg(t *testing.T, file []byte) ([]got, error) {
	t.Helper()
	r, err := NewNgReader(bytes.NewReader(file))
	if err != nil {
		return nil, err
	}
	var out []got
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		ts := ""
		if !rec.Time.IsZero() {
			ts = rec.Time.Format(time.RFC3339Nano)
		}
		out = append(out, got{rec.N, rec.OrigLen, rec.LinkType, ts, string(rec.Data), rec.Resolution})
	}
}

const t1 = 1767610253 // 2026-01-05T10:50:53Z

func TestPcapngRead(t *testing.T) {
	f := le()
	tests := []struct {
		name string
		file []byte
		want []got
	}{
		{"little endian, default microseconds", le().shb().idb(LinkEthernet, 262144).epb(0, t1*1e6+493570, []byte("frame"), 5).buf.Bytes(),
			[]got{{1, 5, LinkEthernet, "2026-01-05T10:50:53.49357Z", "frame", time.Microsecond}}},
		{"big endian, nanoseconds, cut by the snap length", be().shb().idb(LinkRaw, 4, be().opt(optTSResol, []byte{9})).epb(0, t1*1e9+1, []byte("abcd"), 9).buf.Bytes(),
			[]got{{1, 9, LinkRaw, "2026-01-05T10:50:53.000000001Z", "abcd", time.Nanosecond}}},
		{"binary resolution and offset", le().shb().idb(LinkNull, 0, f.opt(optTSResol, []byte{0x80 | 10}), f.opt(optTSOffset, f.o.AppendUint64(nil, 100))).epb(0, 3<<10|512, []byte("x"), 1).buf.Bytes(),
			[]got{{1, 1, LinkNull, "1970-01-01T00:01:43.5Z", "x", 976562 * time.Nanosecond}}},
		{"simple packet block: no time, cut to the snap length", le().shb().idb(LinkEthernet, 3).spb(6, []byte("abcdef")).buf.Bytes(),
			[]got{{1, 6, LinkEthernet, "", "abc", time.Microsecond}}},
		{"obsolete packet block", le().shb().idb(LinkEthernet, 0).pb(0, 2e6, []byte("old")).buf.Bytes(),
			[]got{{1, 3, LinkEthernet, "1970-01-01T00:00:02Z", "old", time.Microsecond}}},
		{"unknown blocks skipped", le().shb().block(0x40000BAD, []byte("custom data")).idb(LinkEthernet, 0).block(5, make([]byte, 300)).epb(0, 0, []byte("p"), 1).block(4, nil).buf.Bytes(),
			[]got{{1, 1, LinkEthernet, "1970-01-01T00:00:00Z", "p", time.Microsecond}}},
		{"two interfaces", le().shb().idb(LinkEthernet, 0).idb(LinkLinuxSLL2, 0, f.opt(optTSResol, []byte{9})).epb(1, 5, []byte("b"), 1).epb(0, 5, []byte("a"), 1).buf.Bytes(),
			[]got{{1, 1, LinkLinuxSLL2, "1970-01-01T00:00:00.000000005Z", "b", time.Nanosecond}, {2, 1, LinkEthernet, "1970-01-01T00:00:00.000005Z", "a", time.Microsecond}}},
		{"a second section in the other byte order, with its own interfaces", append(le().shb().idb(LinkEthernet, 0).epb(0, 0, []byte("1"), 1).buf.Bytes(),
			be().shb().idb(LinkRaw, 0).epb(0, 0, []byte("2"), 1).buf.Bytes()...),
			[]got{{1, 1, LinkEthernet, "1970-01-01T00:00:00Z", "1", time.Microsecond}, {2, 1, LinkRaw, "1970-01-01T00:00:00Z", "2", time.Microsecond}}},
		{"no packets", le().shb().idb(LinkEthernet, 0).buf.Bytes(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !IsPcapng(tt.file) || IsPcap(tt.file) {
				t.Fatal("not told apart from classic pcap")
			}
			recs, err := readNg(t, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(tt.want) {
				t.Fatalf("got %+v\nwant %+v", recs, tt.want)
			}
			for i := range recs {
				if recs[i] != tt.want[i] {
					t.Errorf("record %d\n got %+v\nwant %+v", i, recs[i], tt.want[i])
				}
			}
		})
	}
}

func TestPcapngErrors(t *testing.T) {
	good := le().shb().idb(LinkEthernet, 0).epb(0, 0, []byte("abcd"), 4).buf.Bytes()
	patch := func(off int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	const idb, epb = 28, 28 + 24 // block offsets in good (88 bytes)
	tests := []struct {
		name string
		file []byte
		want error
		text string
	}{
		{"empty", nil, ErrNotPcap, "no pcapng section header"},
		{"classic pcap", []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0}, ErrNotPcap, ""},
		{"text", []byte(">>>\nt=status\n<<<\n"), ErrNotPcap, ""},
		{"bad byte-order magic", patch(8, 0x12345678), ErrFormat, "byte-order magic"},
		{"version 2", patch(12, 2), ErrFormat, "version 2.0"},
		{"section header too short", le().block(ngSHB, le().o.AppendUint32(nil, ngByteOrderMagic)).buf.Bytes(), ErrFormat, "block length 16"},
		{"length not a multiple of 4", patch(idb+4, 21), ErrFormat, "block length 21"},
		{"trailing length differs", patch(epb+32, 40), ErrFormat, "trailing block length 40, leading 36"},
		{"unknown interface", patch(epb+8, 1), ErrFormat, "interface 1, but the section describes 1"},
		{"captured length overruns", patch(epb+20, 9), ErrFormat, "captured length 9 overruns"},
		{"block too large", patch(epb+4, ngMaxBlock+4), ErrFormat, "exceeds"},
		{"timestamp resolution 10^-20", le().shb().idb(LinkEthernet, 0, le().opt(optTSResol, []byte{20})).buf.Bytes(), ErrFormat, "resolution 0x14"},
		{"option overruns", le().shb().idb(LinkEthernet, 0, le().o.AppendUint16(le().o.AppendUint16(nil, 2), 99)).buf.Bytes(), ErrFormat, "overruns"},
		{"cut inside a block", good[:len(good)-3], ErrTruncated, "block at byte 52"},
		{"cut inside a skipped block", le().shb().block(5, make([]byte, 40)).buf.Bytes()[:50], ErrTruncated, "block at byte 28"},
		{"cut inside a block header", good[:epb+5], ErrTruncated, "block header has 5 of 8 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readNg(t, tt.file)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %v, want %v saying %q", err, tt.want, tt.text)
			}
		})
	}
}

// A heartbeat datagram captured by dumpcap comes out of UDP as it went in.
func TestPcapngUDP(t *testing.T) {
	src, dst := netip.MustParseAddrPort("192.0.2.1:40370"), netip.MustParseAddrPort("192.0.2.255:694")
	fr, err := EncodeUDP(LinkEthernet, src, dst, spec85(t))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewNgReader(bytes.NewReader(be().shb().idb(LinkEthernet, 262144).epb(0, 0, fr, uint32(len(fr))).buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	d, err := UDP(rec.LinkType, rec.Data)
	if err != nil || d.Src != src || d.Dst != dst || !bytes.Equal(d.Payload, spec85(t)) {
		t.Fatalf("%+v %v", d, err)
	}
}

// NgWriter's files read back: both byte orders, both resolutions, frames
// cut by the snap length.
func TestNgWriterRoundTrip(t *testing.T) {
	at := time.Date(2026, 1, 5, 10, 50, 53, 493570123, time.UTC)
	for _, h := range []Header{{LinkType: LinkEthernet}, {LinkType: LinkLinuxSLL2, Order: binary.BigEndian, Nano: true, SnapLen: 4}} {
		var buf bytes.Buffer
		w, err := NewNgWriter(&buf, h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(at, []byte("first"))
		w.Write(at.Add(time.Second), []byte("second"))
		recs, err := readNg(t, buf.Bytes())
		if err != nil || len(recs) != 2 {
			t.Fatalf("%+v: %+v %v", h, recs, err)
		}
		want, res, data := "2026-01-05T10:50:53.49357Z", time.Microsecond, "first"
		if h.Nano {
			want, res, data = "2026-01-05T10:50:53.493570123Z", time.Nanosecond, "firs"
		}
		if r := recs[0]; r.time != want || r.res != res || r.link != h.LinkType || r.data != data || r.orig != 5 || recs[1].n != 2 {
			t.Errorf("%+v: %+v", h, recs)
		}
	}
}
