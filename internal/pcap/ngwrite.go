package pcap

import (
	"encoding/binary"
	"io"
	"time"
)

// NgWriter writes a pcapng file of one section and one interface: the
// counterpart of NgReader, for tests and tools that produce captures.
type NgWriter struct {
	w   io.Writer
	h   Header
	o   binary.AppendByteOrder
	buf []byte
}

// NewNgWriter writes the section header and the interface description
// block for h (Order defaults to little endian, SnapLen to 262144; Nano
// sets if_tsresol to nanoseconds) and returns an NgWriter.
func NewNgWriter(w io.Writer, h Header) (*NgWriter, error) {
	if h.SnapLen == 0 {
		h.SnapLen = 262144
	}
	o := binary.AppendByteOrder(binary.LittleEndian)
	if h.Order == binary.BigEndian {
		o = binary.BigEndian
	}
	shb := o.AppendUint16(o.AppendUint16(o.AppendUint32(nil, ngByteOrderMagic), 1), 0) // version 1.0
	shb = o.AppendUint64(shb, ^uint64(0))                                              // section length unknown
	idb := o.AppendUint32(o.AppendUint16(o.AppendUint16(nil, uint16(h.LinkType)), 0), h.SnapLen)
	if h.Nano {
		idb = append(o.AppendUint16(o.AppendUint16(idb, optTSResol), 1), 9, 0, 0, 0) // 10^-9, padded
	}
	idb = o.AppendUint32(idb, optEnd)
	b := appendBlock(appendBlock(nil, o, ngSHB, shb), o, ngIDB, idb)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	return &NgWriter{w: w, h: h, o: o}, nil
}

// Write appends one enhanced packet block captured at t. Frames longer
// than the snap length are cut, as a capture would.
func (w *NgWriter) Write(t time.Time, frame []byte) error {
	ts := uint64(t.UnixNano())
	if !w.h.Nano {
		ts /= 1000
	}
	incl := min(len(frame), int(w.h.SnapLen))
	o := w.o
	body := o.AppendUint32(o.AppendUint32(o.AppendUint32(nil, 0), uint32(ts>>32)), uint32(ts))
	body = append(o.AppendUint32(o.AppendUint32(body, uint32(incl)), uint32(len(frame))), frame[:incl]...)
	w.buf = appendBlock(w.buf[:0], o, ngEPB, body)
	_, err := w.w.Write(w.buf)
	return err
}

// appendBlock appends one block: type, total length, body padded to 4
// bytes, total length.
func appendBlock(dst []byte, o binary.AppendByteOrder, typ uint32, body []byte) []byte {
	pad := (4 - len(body)%4) % 4
	total := uint32(12 + len(body) + pad)
	dst = append(o.AppendUint32(o.AppendUint32(dst, typ), total), body...)
	return o.AppendUint32(append(dst, make([]byte, pad)...), total)
}
