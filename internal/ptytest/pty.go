package ptytest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Pair is one pseudo terminal: Master is the test's end (nobody reads it
// unless the test does), Slave is the path a serial link opens.
type Pair struct {
	Master *os.File
	Slave  string
}

// Open opens a new pty pair and closes the master in t.Cleanup. The test
// is skipped if /dev/ptmx cannot be opened (no devpts in this sandbox).
func Open(t testing.TB) *Pair {
	t.Helper()
	p, err := open()
	if err != nil {
		t.Skipf("no pseudo terminals here, so no serial test: %v", err)
	}
	t.Cleanup(func() { p.Master.Close() })
	return p
}

func open() (*Pair, error) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/ptmx: %w", err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("pty number: %w", err)
	}
	slave := fmt.Sprintf("/dev/pts/%d", n)
	return &Pair{Master: os.NewFile(uintptr(fd), "ptmx:"+slave), Slave: slave}, nil
}

// NullModem is two pty pairs whose masters are relayed both ways: a link
// on A and a link on B talk as over a crossed serial cable.
type NullModem struct {
	A, B string // slave paths, one per end

	ma, mb *os.File
	wg     sync.WaitGroup
}

// OpenNullModem opens the two pairs and starts the relay; t.Cleanup
// closes the masters and waits for the relay goroutines.
func OpenNullModem(t testing.TB) *NullModem {
	t.Helper()
	a, b := Open(t), Open(t)
	n := &NullModem{A: a.Slave, B: b.Slave, ma: a.Master, mb: b.Master}
	n.wg.Add(2)
	go n.relay(a.Master, b.Master)
	go n.relay(b.Master, a.Master)
	t.Cleanup(func() {
		a.Master.Close()
		b.Master.Close()
		n.wg.Wait()
	})
	return n
}

// relay copies src to dst until src or dst is closed. Before a slave is
// opened, or after it is closed, reading its master fails with EIO: wait
// a little and retry, as the lab relay does.
func (n *NullModem) relay(src, dst *os.File) {
	defer n.wg.Done()
	buf := make([]byte, 4096)
	for {
		k, err := src.Read(buf)
		if k > 0 {
			if _, werr := dst.Write(buf[:k]); errors.Is(werr, os.ErrClosed) {
				return
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, os.ErrClosed):
			return
		case errors.Is(err, unix.EIO), errors.Is(err, io.EOF):
			time.Sleep(10 * time.Millisecond) // no slave open yet: poll
		default:
			return
		}
	}
}
