package transport_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/netnstest"
	"github.com/understudy-ha/understudy/transport"
)

// TestIdleCost measures what the links cost an idle node (issue 12,
// goal 2): two nodes, each with a ucast link over a veth pair and a
// serial link over a socat pty pair (socat's CPU is not counted, as in
// the lab), each sending one heartbeat every 50 ms for
// UNDERSTUDY_IDLE_COST (e.g. 60s) while the other receives it. It logs
// the process CPU time per node and minute and the allocations per
// frame sent and received; it asserts only that the heartbeats flowed.
// Skipped unless UNDERSTUDY_IDLE_COST is set; needs root (namespaces).
//
//	UNDERSTUDY_IDLE_COST=60s go test -count=1 -run TestIdleCost -v ./transport/
func TestIdleCost(t *testing.T) {
	run, err := time.ParseDuration(os.Getenv("UNDERSTUDY_IDLE_COST"))
	if err != nil || run <= 0 {
		t.Skip("set UNDERSTUDY_IDLE_COST to a duration (e.g. 60s) to measure the links' idle cost")
	}
	const keepalive = 50 * time.Millisecond
	p := newPair(t)
	ttyA, ttyB := socatPair(t)
	locks := t.TempDir()
	type node struct {
		f      *transport.Fanout
		frames chan transport.Frame
		got    int
	}
	open := func(ns *netnstest.NS, peer, dev string) *node {
		n := &node{frames: make(chan transport.Frame, 256)}
		media := []config.Medium{
			{Type: config.Ucast, Iface: link, Peer: peer, Port: 694},
			{Type: config.Serial, Device: dev, Baud: 115200},
		}
		var err error
		inNS(t, ns, func() {
			n.f, err = transport.OpenAll(media, transport.Options{Frames: n.frames, LockDir: locks})
		})
		if err != nil {
			t.Fatalf("OpenAll: %v", err)
		}
		t.Cleanup(func() { n.f.Close() })
		return n
	}
	a, b := open(p.A, ipB, ttyA), open(p.B, ipA, ttyB)
	// A heartbeat of the usual size: about 250 bytes in both encodings.
	msg := transport.Outbound{
		Packet: bytes.Repeat([]byte("n"), 250),
		Text:   classic("%s", bytes.Repeat([]byte("x"), 160)),
	}
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	cpu0, cs0 := cpuTime(t)
	start := time.Now()
	tick := time.NewTicker(keepalive)
	defer tick.Stop()
	sent := 0
	for end := time.After(run); ; {
		select {
		case <-tick.C:
			a.f.Send(msg)
			b.f.Send(msg)
			sent++
			continue
		case <-a.frames:
			a.got++
			continue
		case <-b.frames:
			b.got++
			continue
		case <-end:
		}
		break
	}
	cpu, cs := cpuTime(t)
	cpu, cs = cpu-cpu0, cs-cs0
	elapsed := time.Since(start)
	runtime.ReadMemStats(&ms1)
	frames := 2 * sent * 2 // two nodes, two links each; as many received
	perMin := time.Duration(float64(cpu) / 2 * float64(time.Minute) / float64(elapsed))
	t.Logf("%d heartbeats per node over %v: CPU %v in all, %v per node and minute", sent, elapsed.Round(time.Millisecond), cpu, perMin.Round(time.Millisecond))
	t.Logf("context switches (thread wake-ups): %.1f per heartbeat and node", float64(cs)/float64(2*sent))
	t.Logf("allocations: %.1f per frame sent and received, %.0f bytes", float64(ms1.Mallocs-ms0.Mallocs)/float64(frames), float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(frames))
	t.Logf("frames received: A %d, B %d (of %d each)", a.got, b.got, 2*sent)
	if a.got < sent || b.got < sent {
		t.Errorf("heartbeats did not flow: A got %d, B got %d frames for %d heartbeats on two links", a.got, b.got, sent)
	}
}

// socatPair starts socat with a raw pty pair (the lab's null modem) and
// returns the two tty paths; socat is killed by pid at cleanup.
func socatPair(t *testing.T) (string, string) {
	t.Helper()
	if _, err := exec.LookPath("socat"); err != nil {
		t.Skip("socat not installed")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "ttyA"), filepath.Join(dir, "ttyB")
	cmd := exec.Command("socat", "pty,raw,echo=0,link="+a, "pty,raw,echo=0,link="+b)
	if err := cmd.Start(); err != nil {
		t.Fatalf("socat: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for range 500 {
		_, ea := os.Stat(a)
		_, eb := os.Stat(b)
		if ea == nil && eb == nil {
			return a, b
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("socat made no ptys within 5s")
	return "", ""
}

// cpuTime is this process's user+system time so far, and its threads'
// context switches (voluntary and not).
func cpuTime(t *testing.T) (time.Duration, int64) {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Nvcsw + ru.Nivcsw
}
