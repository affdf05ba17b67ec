package tty_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/understudy-ha/understudy/internal/ptytest"
	"github.com/understudy-ha/understudy/transport/tty"
)

func TestOpenSetsRaw8N1(t *testing.T) {
	p := ptytest.Open(t)
	f, err := tty.Open(p.Slave, tty.Options{Baud: 38400})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close(f)
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var tio *unix.Termios
	var terr error
	rc.Control(func(fd uintptr) { tio, terr = unix.IoctlGetTermios(int(fd), unix.TCGETS) })
	if terr != nil {
		t.Fatal(terr)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"CS8", tio.Cflag&unix.CSIZE == unix.CS8},
		{"no parity, one stop bit", tio.Cflag&(unix.PARENB|unix.CSTOPB) == 0},
		{"CLOCAL|CREAD", tio.Cflag&(unix.CLOCAL|unix.CREAD) == unix.CLOCAL|unix.CREAD},
		{"no CRTSCTS", tio.Cflag&unix.CRTSCTS == 0},
		{"38400 baud", tio.Cflag&unix.CBAUD == unix.B38400},
		{"no ICANON/ECHO/ISIG", tio.Lflag&(unix.ICANON|unix.ECHO|unix.ISIG) == 0},
		{"no OPOST", tio.Oflag&unix.OPOST == 0},
		{"no ICRNL/IXON/ISTRIP", tio.Iflag&(unix.ICRNL|unix.IXON|unix.ISTRIP) == 0},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("termios: want %s (%+v)", c.name, tio)
		}
	}
}

func TestOpenRefusesOddBaud(t *testing.T) {
	p := ptytest.Open(t)
	if f, err := tty.Open(p.Slave, tty.Options{Baud: 12345}); err == nil {
		tty.Close(f)
		t.Fatal("baud 12345 accepted")
	}
}
