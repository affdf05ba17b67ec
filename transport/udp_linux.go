package transport

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/understudy-ha/understudy/config"
)

// UDP is a bcast, mcast, ucast, mcast6 or ucast6 link (heartbeat-spec
// 4.1): one socket sends from an ephemeral port, another receives on the
// configured port; both are bound to the interface with SO_BINDTODEVICE.
type UDP struct {
	name, medium string
	opts         Options
	send, recv   *net.UDPConn
	dest         func() (netip.AddrPort, error)
	maxSend      int
	st           *reporter

	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

var _ Link = (*UDP)(nil)

// Largest UDP payloads (65535 minus the IP and UDP headers).
const (
	maxUDP4 = 65507
	maxUDP6 = 65527
)

// OpenUDP opens the sockets of a UDP medium, as heartbeat does:
//
//   - bcast: sends to the interface's IPv4 broadcast address (read again
//     on every Send, so an address change is followed) with SO_DONTROUTE;
//     receives on 0.0.0.0:port with SO_REUSEADDR.
//   - ucast, ucast6: sends to the peer (a host name is resolved once,
//     here) with a low-delay TOS; receives on the wildcard address:port
//     with SO_REUSEADDR and SO_REUSEPORT, so several ucast lines and a
//     bcast line can share the port.
//   - mcast, mcast6: sends to group:port with the multicast interface,
//     TTL (hop limit) and loopback of the line; receives on group:port,
//     joined on the interface.
//
// Every socket is bound to m.Iface (SO_BINDTODEVICE, needs
// CAP_NET_RAW). Sockets are created in the network namespace of the
// calling thread.
func OpenUDP(m config.Medium, o Options) (*UDP, error) {
	if o.Frames == nil {
		return nil, badMedium{fmt.Errorf("open %s: Options.Frames is nil", m)}
	}
	if m.Iface == "" || m.Port < 1 || m.Port > 65535 {
		return nil, badMedium{fmt.Errorf("open %s: need an interface and a port in 1..65535", m)}
	}
	ifi, err := net.InterfaceByName(m.Iface)
	if err != nil {
		return nil, fmt.Errorf("open %s: interface %s: %w", m, m.Iface, err)
	}
	u := &UDP{name: m.Iface, medium: m.String(), opts: o, done: make(chan struct{})}
	switch m.Type {
	case config.Bcast:
		err = u.openBcast(m)
	case config.Ucast, config.Ucast6:
		err = u.openUcast(m)
	case config.Mcast, config.Mcast6:
		err = u.openMcast(m, ifi)
	default:
		err = badMedium{fmt.Errorf("not a UDP medium")}
	}
	if err != nil {
		u.closeSockets()
		return nil, fmt.Errorf("open %s: %w", m, err)
	}
	st, own := o.reporter(u.name, u.medium, u.done)
	u.st = st
	u.st.opened()
	if own {
		u.st.start(&u.wg)
	}
	u.wg.Go(u.read)
	return u, nil
}

// Name is the interface, as heartbeat names UDP links.
func (u *UDP) Name() string { return u.name }

// Send sends one frame as one datagram within the send timeout.
func (u *UDP) Send(frame []byte) error {
	if u.closed() {
		return fmt.Errorf("send on %s: %w", u.name, ErrClosed)
	}
	if len(frame) > min(u.maxSend, u.opts.maxFrame()) {
		return fmt.Errorf("send on %s: %d bytes: %w", u.name, len(frame), ErrTooLarge)
	}
	dst, err := u.dest()
	if err == nil {
		err = u.send.SetWriteDeadline(time.Now().Add(u.opts.sendTimeout()))
	}
	if err == nil {
		_, err = u.send.WriteToUDPAddrPort(frame, dst)
	}
	switch {
	case err == nil:
		u.st.sent(nil)
		return nil
	case errors.Is(err, net.ErrClosed), errors.Is(err, os.ErrClosed), u.closed():
		return fmt.Errorf("send on %s: %w", u.name, ErrClosed)
	}
	err = fmt.Errorf("send %d bytes on %s (%s): %w", len(frame), u.name, u.medium, err)
	u.st.sent(err)
	if gone(err) {
		u.st.broke()
	}
	return err
}

// gone reports whether err says the interface the sockets are bound to
// no longer exists. Sockets bound to a deleted interface stay bound to
// its index, so they never work again, even if an interface of the
// same name comes back: the link needs reopening.
func gone(err error) bool {
	return errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENXIO)
}

// read runs until Close: one datagram, one Frame.
func (u *UDP) read() {
	buf := make([]byte, 65536)
	for {
		n, from, err := u.recv.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || u.closed() {
				return
			}
			u.st.received(fmt.Errorf("receive on %s (%s): %w", u.name, u.medium, err))
			if gone(err) {
				u.st.broke()
			}
			if !sleepUnlessClosed(u.done, readBackoff) {
				return
			}
			continue
		}
		f := Frame{Link: u.name, From: netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), Data: bytes.Clone(buf[:n])}
		select {
		case u.opts.Frames <- f:
			u.st.received(nil)
		case <-u.done:
			return
		}
	}
}

func (u *UDP) closed() bool { return isClosed(u.done) }

// Close closes both sockets, which wakes the reader, and waits for the
// link's goroutines.
func (u *UDP) Close() error {
	u.closeOnce.Do(func() {
		close(u.done)
		err := u.closeSockets()
		u.wg.Wait()
		if err != nil {
			u.closeErr = fmt.Errorf("close %s (%s): %w", u.name, u.medium, err)
		}
	})
	return u.closeErr
}

func (u *UDP) closeSockets() error {
	var errs []error
	for _, c := range []*net.UDPConn{u.send, u.recv} {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

func isClosed(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// sleepUnlessClosed waits d or until done; it reports whether done is
// still open.
func sleepUnlessClosed(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}
