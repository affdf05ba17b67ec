package tty

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Options are the line settings. The zero value is not usable: Baud is
// required.
type Options struct {
	// Baud is the line speed in bits per second: one of 9600, 19200,
	// 38400, 57600, 115200, 230400 or 460800 (what ha.cf's baud allows).
	Baud int
	// HardwareFlow turns on RTS/CTS flow control (CRTSCTS), as heartbeat
	// does. Off by default: a three-wire null-modem cable has no RTS/CTS,
	// and with it on such a line never sends.
	HardwareFlow bool
}

var speeds = map[int]uint32{
	9600:   unix.B9600,
	19200:  unix.B19200,
	38400:  unix.B38400,
	57600:  unix.B57600,
	115200: unix.B115200,
	230400: unix.B230400,
	460800: unix.B460800,
}

// Open opens the serial device at path raw 8N1 with CLOCAL and CREAD at
// o.Baud, sets TIOCEXCL (which root ignores: use [Lock] as well), flushes
// both queues, and returns it as an *os.File whose fd is non-blocking and
// registered with the runtime poller: SetReadDeadline and
// SetWriteDeadline work, and Close wakes a blocked Read or Write with
// os.ErrClosed.
func Open(path string, o Options) (*os.File, error) {
	speed, ok := speeds[o.Baud]
	if !ok {
		return nil, fmt.Errorf("open %s: baud %d not supported (9600, 19200, 38400, 57600, 115200, 230400, 460800)", path, o.Baud)
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := setup(fd, speed, o.HardwareFlow); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// os.NewFile sees O_NONBLOCK and registers the fd with the poller.
	return os.NewFile(uintptr(fd), path), nil
}

func setup(fd int, speed uint32, flow bool) error {
	if err := unix.IoctlSetInt(fd, unix.TIOCEXCL, 0); err != nil {
		return fmt.Errorf("TIOCEXCL: %w", err)
	}
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return fmt.Errorf("get termios: %w", err)
	}
	makeRaw(t, speed, flow)
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		return fmt.Errorf("set termios: %w", err)
	}
	if err := unix.IoctlSetInt(fd, unix.TCFLSH, unix.TCIOFLUSH); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

// makeRaw is cfmakeraw plus 8N1, CLOCAL|CREAD, the speed and the flow
// control choice. VMIN=1, VTIME=0: a read returns what has arrived; the
// poller, not the line discipline, does the waiting.
func makeRaw(t *unix.Termios, speed uint32, flow bool) {
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR |
		unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF | unix.IXANY
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB | unix.CSTOPB | unix.CRTSCTS | unix.CBAUD
	t.Cflag |= unix.CS8 | unix.CLOCAL | unix.CREAD | speed
	if flow {
		t.Cflag |= unix.CRTSCTS
	}
	t.Ispeed, t.Ospeed = speed, speed
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
}

// FlushOutput discards what is queued for sending but not yet sent, as
// heartbeat does after a write timeout, so the next frame starts clean.
func FlushOutput(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return fmt.Errorf("flush %s: %w", f.Name(), err)
	}
	var ierr error
	if err := rc.Control(func(fd uintptr) {
		ierr = unix.IoctlSetInt(int(fd), unix.TCFLSH, unix.TCOFLUSH)
	}); err != nil {
		return fmt.Errorf("flush %s: %w", f.Name(), err)
	}
	if ierr != nil {
		return fmt.Errorf("flush %s: %w", f.Name(), ierr)
	}
	return nil
}

// Close clears the exclusive mode (TIOCNXCL) and closes f, which wakes a
// blocked Read or Write at once. Clearing matters where the tty outlives
// the close, as a pty does while its master is open: otherwise the next
// open by a non-root process fails with EBUSY.
func Close(f *os.File) error {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.IoctlSetInt(int(fd), unix.TIOCNXCL, 0) })
	}
	return f.Close()
}
