package transport_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/ptytest"
	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/tty"
)

type fanoutEnd struct {
	f      *transport.Fanout
	frames chan transport.Frame
	status chan transport.Status
}

// openAll opens media with OpenAll (in ns if not nil) and closes the
// Fanout at cleanup. OpenAll must not fail.
func openAll(t *testing.T, run func(func()), media []config.Medium, locks string) *fanoutEnd {
	t.Helper()
	e := &fanoutEnd{frames: make(chan transport.Frame, 64), status: make(chan transport.Status, 64)}
	var err error
	run(func() {
		e.f, err = transport.OpenAll(media, transport.Options{Frames: e.frames, Status: e.status, LockDir: locks})
	})
	if err != nil {
		t.Fatalf("OpenAll: %v", err)
	}
	t.Cleanup(func() { e.f.Close() })
	return e
}

func here(f func()) { f() }

// serialWorks checks both directions of a serial link of e over pty.
func serialWorks(t *testing.T, e *fanoutEnd, pty *ptytest.Pair, name string) {
	t.Helper()
	out := classic("to the master of %s", pty.Slave)
	if err := e.f.Send(transport.Outbound{Text: out}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	pty.Master.SetReadDeadline(time.Now().Add(wait))
	for !bytes.Contains(buf, out) {
		tmp := make([]byte, 512)
		n, err := pty.Master.Read(tmp)
		if err != nil {
			t.Fatalf("reading the master of %s: %v (got %q)", pty.Slave, err, buf)
		}
		buf = append(buf, tmp[:n]...)
	}
	in := classic("from the master of %s", pty.Slave)
	if _, err := pty.Master.Write(in); err != nil {
		t.Fatal(err)
	}
	if f := recvFrame(t, e.frames); !bytes.Equal(f.Data, in) || f.Link != name {
		t.Fatalf("got %+v, want %q on %s", f, in, name)
	}
}

// TestOpenAllSerialDeviceAppearsLater: the device is missing when the
// links open (a USB adapter not enumerated yet): the link is in the
// Fanout, reported down with the cause, and up once the device exists.
func TestOpenAllSerialDeviceAppearsLater(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "ttyUSB0")
	e := openAll(t, here, []config.Medium{{Type: config.Serial, Device: dev, Baud: 19200}}, t.TempDir())
	if names := e.f.Names(); len(names) != 1 || names[0] != dev {
		t.Fatalf("Names = %q, want the configured device", names)
	}
	if st := recvStatus(t, e.status, false); !errors.Is(st.Err, fs.ErrNotExist) || st.Link != dev {
		t.Errorf("down status %+v, want the missing device as cause", st)
	}
	if s := e.f.Stats()[0]; s.Open || s.OpenErrors == 0 || !errors.Is(s.LastErr, fs.ErrNotExist) {
		t.Errorf("stats %+v", s)
	}
	pty := ptytest.Open(t)
	if err := os.Symlink(pty.Slave, dev); err != nil {
		t.Fatal(err)
	}
	recvStatus(t, e.status, true)
	serialWorks(t, e, pty, dev)
	select {
	case st := <-e.status:
		t.Errorf("status %+v after up: each retry must not be reported", st)
	default:
	}
}

// TestOpenAllSerialLockOwnerDies: the port's lock names a live process
// (the daemon before a restart); the link waits for it and opens once
// that process is killed, even before it is reaped (a zombie).
func TestOpenAllSerialLockOwnerDies(t *testing.T) {
	pty := ptytest.Open(t)
	locks := t.TempDir()
	owner := exec.Command("sleep", "600")
	if err := owner.Start(); err != nil {
		t.Skipf("cannot start a child: %v", err)
	}
	defer func() {
		owner.Process.Kill()
		owner.Wait()
	}()
	lock := tty.LockPath(locks, pty.Slave)
	if err := os.WriteFile(lock, fmt.Appendf(nil, "%10d\n", owner.Process.Pid), 0o644); err != nil {
		t.Fatal(err)
	}
	e := openAll(t, here, []config.Medium{{Type: config.Serial, Device: pty.Slave, Baud: 19200}}, locks)
	if st := recvStatus(t, e.status, false); !errors.Is(st.Err, tty.ErrLocked) {
		t.Errorf("down status %+v, want ErrLocked", st)
	}
	owner.Process.Kill() // reaped only by the deferred Wait
	recvStatus(t, e.status, true)
	if b, err := os.ReadFile(lock); err != nil || !bytes.Contains(b, fmt.Append(nil, os.Getpid())) {
		t.Errorf("lock file %q, %v: want this process's pid", b, err)
	}
	serialWorks(t, e, pty, pty.Slave)
}

// TestOpenAllSerialReopensAfterIOError: the device goes away under an
// open link (the pty's master closed: reads fail with EIO); the link is
// reported down, then reopened once the device path works again.
func TestOpenAllSerialReopensAfterIOError(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "ttyS1")
	first := ptytest.Open(t)
	if err := os.Symlink(first.Slave, dev); err != nil {
		t.Fatal(err)
	}
	e := openAll(t, here, []config.Medium{{Type: config.Serial, Device: dev, Baud: 19200}}, t.TempDir())
	recvStatus(t, e.status, true)
	serialWorks(t, e, first, dev)

	first.Master.Close()
	st := recvStatus(t, e.status, false)
	t.Logf("down: %v", st.Err)
	second := ptytest.Open(t)
	if err := os.Remove(dev); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(second.Slave, dev); err != nil {
		t.Fatal(err)
	}
	recvStatus(t, e.status, true)
	serialWorks(t, e, second, dev)
	if s := e.f.Stats()[0]; s.Opens != 2 {
		t.Errorf("stats %+v, want 2 opens", s)
	}
	e.f.Close()
	checkNoLinkGoroutines(t)
}

// TestOpenAllUDPReopensInItsNamespace: a ucast link on an interface
// that does not exist yet is opened once it appears, and again after
// it is deleted and made anew, each time in the namespace OpenAll was
// called in, not in that of whatever thread retries.
func TestOpenAllUDPReopensInItsNamespace(t *testing.T) {
	p := newPair(t)
	const hb1 = "hb1"
	m := config.Medium{Type: config.Ucast, Iface: hb1, Peer: "198.51.100.2", Port: 694}
	e := openAll(t, func(f func()) { inNS(t, p.A, f) }, []config.Medium{m}, "")
	if st := recvStatus(t, e.status, false); st.Link != hb1 {
		t.Errorf("down status %+v", st)
	}
	for round := range 2 {
		netnsVeth(t, p, hb1)
		recvStatus(t, e.status, true)
		var got []byte
		b := openUDP(t, p.B, config.Medium{Type: config.Ucast, Iface: hb1, Peer: "198.51.100.1", Port: 694}, transport.Options{})
		want := fmt.Appendf(nil, "round %d", round)
		for i := 0; i < 50 && !bytes.Equal(got, want); i++ {
			e.f.Send(transport.Outbound{Packet: want})
			select {
			case f := <-b.frames:
				got = f.Data
			case <-time.After(100 * time.Millisecond):
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("round %d: nothing arrived over the reopened link", round)
		}
		b.link.Close()
		p.A.IP(t, "link", "del", hb1) // takes B's end with it
		down := false
		for i := 0; i < 50 && !down; i++ { // sends find the interface gone
			e.f.Send(transport.Outbound{Packet: want})
			select {
			case st := <-e.status:
				down = !st.Up
			case <-time.After(100 * time.Millisecond):
			}
		}
		if !down {
			t.Fatalf("round %d: no down status after the interface was deleted", round)
		}
	}
	if s := e.f.Stats()[0]; s.Opens != 2 {
		t.Errorf("stats %+v, want 2 opens", s)
	}
}

// netnsVeth joins A and B by a veth named name, 198.51.100.1 and .2.
func netnsVeth(t *testing.T, p pair, name string) {
	t.Helper()
	p.A.IP(t, "link", "add", name, "type", "veth", "peer", "name", name, "netns", p.B.Name)
	p.A.IP(t, "addr", "add", "198.51.100.1/24", "dev", name)
	p.B.IP(t, "addr", "add", "198.51.100.2/24", "dev", name)
	p.A.IP(t, "link", "set", name, "up")
	p.B.IP(t, "link", "set", name, "up")
}
