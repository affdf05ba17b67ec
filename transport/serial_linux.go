package transport

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/transport/tty"
)

// Serial is a null-modem serial link (heartbeat-spec 4.11): classic text
// frames over a raw 8N1 tty, locked with a UUCP lock file.
type Serial struct {
	name, medium string
	baud         int
	opts         Options
	f            *os.File
	lock         *tty.Lock
	st           *reporter

	sem       chan struct{} // one Send on the line at a time
	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

var _ Link = (*Serial)(nil)

// DefaultBaud is heartbeat's default line speed.
const DefaultBaud = 19200

// readBackoff is how long the reader waits after a read error (a pty
// hangup, a USB adapter unplugged) before it tries again.
const readBackoff = time.Second

// OpenSerial locks m.Device (Options.LockDir), opens it raw 8N1 at
// m.Baud, and starts reading frames into o.Frames.
func OpenSerial(m config.Medium, o Options) (*Serial, error) {
	if m.Type != config.Serial || m.Device == "" {
		return nil, badMedium{fmt.Errorf("open serial link: medium %q is not a serial medium with a device", m)}
	}
	if o.Frames == nil {
		return nil, badMedium{fmt.Errorf("open serial link %s: Options.Frames is nil", m.Device)}
	}
	baud := m.Baud
	if baud == 0 {
		baud = DefaultBaud
	}
	lock, err := tty.Acquire(o.LockDir, m.Device)
	if err != nil {
		return nil, fmt.Errorf("open serial link: %w", err)
	}
	f, err := tty.Open(m.Device, tty.Options{Baud: baud, HardwareFlow: o.HardwareFlow})
	if err != nil {
		lock.Release()
		return nil, fmt.Errorf("open serial link: %w", err)
	}
	s := &Serial{
		name: m.Device, medium: m.String(), baud: baud, opts: o, f: f, lock: lock,
		sem: make(chan struct{}, 1), done: make(chan struct{}),
	}
	st, own := o.reporter(s.name, s.medium, s.done)
	s.st = st
	s.st.opened()
	if own {
		s.st.start(&s.wg)
	}
	s.wg.Go(s.read)
	return s, nil
}

// Name is the tty path, as heartbeat names serial links.
func (s *Serial) Name() string { return s.name }

// Send writes one classic frame. It waits at most the send timeout for
// the line, in total, including the wait for a concurrent Send; on a
// timeout the unsent rest is flushed (the peer's deframer resynchronises
// on the next frame) and the link is reported down.
func (s *Serial) Send(frame []byte) error {
	if len(frame) > s.opts.maxFrame() {
		return fmt.Errorf("send on %s: %d bytes: %w", s.name, len(frame), ErrTooLarge)
	}
	if !isClassic(frame) {
		return fmt.Errorf("send on %s: %w", s.name, ErrNotClassic)
	}
	deadline := time.Now().Add(s.timeout(len(frame)))
	if err := s.acquire(deadline); err != nil {
		return fmt.Errorf("send on %s: %w", s.name, err)
	}
	defer func() { <-s.sem }()
	err := s.f.SetWriteDeadline(deadline)
	if err == nil {
		_, err = s.f.Write(frame)
	}
	switch {
	case err == nil:
		s.st.sent(nil)
		return nil
	case errors.Is(err, os.ErrClosed) || s.closed():
		return fmt.Errorf("send on %s: %w", s.name, ErrClosed)
	case errors.Is(err, os.ErrDeadlineExceeded):
		tty.FlushOutput(s.f) // best effort: the line is stuck anyway
		err = fmt.Errorf("send %d bytes on %s (no connection or bad cable?): %w", len(frame), s.name, err)
		s.st.sent(err)
		return err
	}
	// An I/O error (the USB adapter unplugged, the pty's other end
	// gone): the device needs reopening.
	err = fmt.Errorf("send %d bytes on %s: %w", len(frame), s.name, err)
	s.st.sent(err)
	s.st.broke()
	return err
}

// acquire takes the send slot before deadline.
func (s *Serial) acquire(deadline time.Time) error {
	if s.closed() {
		return ErrClosed
	}
	select {
	case s.sem <- struct{}{}: // the usual case: no concurrent Send, no timer
		return nil
	default:
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case s.sem <- struct{}{}:
		return nil
	case <-s.done:
		return ErrClosed
	case <-t.C:
		return fmt.Errorf("waiting for a concurrent send: %w", os.ErrDeadlineExceeded)
	}
}

// timeout is Options.SendTimeout, or DefaultSendTimeout plus the time n
// bytes take on the line (10 bits per byte at 8N1).
func (s *Serial) timeout(n int) time.Duration {
	if s.opts.SendTimeout > 0 {
		return s.opts.SendTimeout
	}
	return DefaultSendTimeout + time.Duration(n)*10*time.Second/time.Duration(s.baud)
}

// read runs until Close: bytes from the tty through the deframer into
// Options.Frames.
func (s *Serial) read() {
	buf := make([]byte, 4096)
	d := newDeframer(s.opts.maxFrame())
	for {
		n, err := s.f.Read(buf)
		if n > 0 {
			d.feed(buf[:n], s.deliver)
		}
		if err == nil {
			continue
		}
		if errors.Is(err, os.ErrClosed) || s.closed() {
			return
		}
		// With CLOCAL and no read deadline, a tty read fails only when
		// the device is in trouble (EIO, hangup): it needs reopening.
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("the device hung up: %w", err)
		}
		s.st.received(fmt.Errorf("read %s: %w", s.name, err))
		s.st.broke()
		if !sleepUnlessClosed(s.done, readBackoff) {
			return
		}
	}
}

func (s *Serial) deliver(frame []byte) {
	select {
	case s.opts.Frames <- Frame{Link: s.name, Data: frame}:
		s.st.received(nil)
	case <-s.done:
	}
}

func (s *Serial) closed() bool { return isClosed(s.done) }

// Close closes the tty, which wakes a blocked read or write at once,
// waits for the link's goroutines, and removes the lock file.
func (s *Serial) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		err := tty.Close(s.f)
		s.wg.Wait()
		if lerr := s.lock.Release(); lerr != nil {
			err = errors.Join(err, lerr)
		}
		if err != nil {
			s.closeErr = fmt.Errorf("close %s: %w", s.name, err)
		}
	})
	return s.closeErr
}
