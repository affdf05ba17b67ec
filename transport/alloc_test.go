package transport

import (
	"bytes"
	"testing"
)

// nopLink takes every frame and does nothing.
type nopLink struct{}

func (nopLink) Name() string      { return "nop" }
func (nopLink) Send([]byte) error { return nil }
func (nopLink) Close() error      { return nil }

// TestFanoutSendDoesNotAllocate: queueing a message on the links and
// sending it from their goroutines costs no allocation (issue 12, goal
// 2: none per heartbeat in the fan-out).
func TestFanoutSendDoesNotAllocate(t *testing.T) {
	f := NewFanout()
	defer f.Close()
	f.Add(nopLink{}, Datagram)
	f.Add(nopLink{}, Stream)
	m := Outbound{Packet: []byte("###\n"), Text: []byte(">>>\n<<<\n")}
	if n := testing.AllocsPerRun(1000, func() { f.Send(m) }); n != 0 {
		t.Errorf("Fanout.Send: %v allocations per message, want 0", n)
	}
}

// TestDeframerAllocatesOncePerFrame: the frame handed on is the one
// allocation per received frame, whatever its size.
func TestDeframerAllocatesOncePerFrame(t *testing.T) {
	for _, size := range []int{200, 3000} {
		d := newDeframer(MaxFrame)
		in := []byte(">>>\nt=status\nsrc=" + string(bytes.Repeat([]byte("x"), size)) + "\n<<<\n")
		emit := func([]byte) {}
		d.feed(in, emit) // warm up the reused buffers
		if n := testing.AllocsPerRun(100, func() { d.feed(in, emit) }); n != 1 {
			t.Errorf("deframing a %d-byte frame: %v allocations, want 1", len(in), n)
		}
	}
}

func BenchmarkFanoutSend(b *testing.B) {
	f := NewFanout()
	defer f.Close()
	f.Add(nopLink{}, Datagram)
	f.Add(nopLink{}, Stream)
	m := Outbound{Packet: bytes.Repeat([]byte("n"), 250), Text: bytes.Repeat([]byte("t"), 250)}
	b.ReportAllocs()
	for b.Loop() {
		f.Send(m)
	}
}

func BenchmarkDeframer(b *testing.B) {
	d := newDeframer(MaxFrame)
	in := []byte(">>>\nt=status\nsrc=" + string(bytes.Repeat([]byte("x"), 200)) + "\n<<<\n")
	emit := func([]byte) {}
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		d.feed(in, emit)
	}
}
