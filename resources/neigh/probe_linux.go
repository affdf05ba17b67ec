package neigh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/understudy-ha/understudy/resources/internal/nsrun"
	"golang.org/x/sys/unix"
)

// ErrProbeUnsupported is returned by Probe for IPv6 addresses: Understudy
// does not send DAD-style neighbour solicitations (yet). Callers treat it
// as "not probed" and go ahead; IPv6 floating addresses are added with
// IFA_F_NODAD, so the kernel does not detect duplicates either.
var ErrProbeUnsupported = errors.New("neigh: probing is implemented for IPv4 (ARP) only")

// maxProbeFrames bounds how many ARP frames one probe reads, so a flood
// cannot keep it busy past its deadline checks.
const maxProbeFrames = 4096

// ProbeResult is what a probe saw.
type ProbeResult struct {
	// InUse is true when another host claimed the address.
	InUse bool
	// MAC is that host's hardware address (ARP sender MAC).
	MAC net.HardwareAddr
	// Elapsed is how long the probe ran: until the first claim, or the
	// whole wait.
	Elapsed time.Duration
}

// Prober checks whether another host holds an address, before this node
// takes it over (the split-brain guard).
type Prober struct {
	// NetNS is the network namespace to probe in ("" = the daemon's own).
	NetNS string
	// Wait is how long to listen for an answer (config ip.probe_time).
	Wait time.Duration
}

// Probe sends one RFC 5227 ARP probe for ip (sender IP 0.0.0.0, target
// ip) on link and listens up to Wait, or until ctx ends, for an ARP reply
// or request whose sender IP is ip and whose sender MAC is not link's.
// A Linux host that holds the address answers the probe; a host that is
// announcing it (gratuitous ARP) is caught too.
//
// It returns ErrProbeUnsupported for IPv6. What to do about an address in
// use is the caller's decision.
func (p Prober) Probe(ctx context.Context, link Link, ip netip.Addr) (ProbeResult, error) {
	ip = ip.Unmap()
	if !ip.Is4() {
		return ProbeResult{}, fmt.Errorf("probe %s: %w", ip, ErrProbeUnsupported)
	}
	probe, err := ARPProbe(link.MAC, ip)
	if err != nil {
		return ProbeResult{}, fmt.Errorf("probe %s on %s: %w", ip, link.Name, err)
	}
	var f *os.File
	if err := nsrun.Do(p.NetNS, func() (err error) { f, err = listenARP(link.Index); return err }); err != nil {
		return ProbeResult{}, fmt.Errorf("probe %s on %s: %w", ip, link.Name, err)
	}
	defer f.Close()

	start := time.Now()
	deadline := start.Add(p.Wait)
	short := false
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline, short = d, true
	}
	if err := f.SetReadDeadline(deadline); err != nil {
		return ProbeResult{}, fmt.Errorf("probe %s on %s: set deadline: %w", ip, link.Name, err)
	}
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	to := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: link.Index, Halen: 6, Addr: broadcastMAC}
	if err := sendOn(f, probe, to); err != nil {
		return ProbeResult{}, fmt.Errorf("probe %s on %s: send: %w", ip, link.Name, err)
	}
	mac, err := awaitClaim(f, link, ip)
	res := ProbeResult{InUse: mac != nil, MAC: mac, Elapsed: time.Since(start)}
	if mac == nil && (short || ctx.Err() != nil) {
		// Cut short: "nobody answered" would be a guess.
		cause := context.Cause(ctx)
		if cause == nil {
			cause = context.DeadlineExceeded
		}
		return res, fmt.Errorf("probe %s on %s: cut short after %v: %w", ip, link.Name, res.Elapsed, cause)
	}
	if err != nil {
		return res, fmt.Errorf("probe %s on %s: %w", ip, link.Name, err)
	}
	return res, nil
}

// listenARP opens a non-blocking AF_PACKET socket bound to ifindex that
// receives ARP, wrapped in an *os.File so the runtime poller serves its
// deadlines.
func listenARP(ifindex int) (*os.File, error) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ARP)))
	if err != nil {
		return nil, fmt.Errorf("open AF_PACKET socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: ifindex}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind AF_PACKET socket to interface %d: %w", ifindex, err)
	}
	return os.NewFile(uintptr(fd), "arp-probe"), nil
}

func sendOn(f *os.File, b []byte, to unix.Sockaddr) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), b, 0, to)
		return serr != unix.EAGAIN
	})
	return errors.Join(err, serr)
}

// awaitClaim reads ARP frames until one claims ip from another MAC (its
// MAC is returned), or the deadline passes (nil, nil). More than
// maxProbeFrames frames before the deadline is an error: undecided.
func awaitClaim(f *os.File, link Link, ip netip.Addr) (net.HardwareAddr, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 1500)
	for range maxProbeFrames {
		var n int
		var from unix.Sockaddr
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			n, from, rerr = unix.Recvfrom(int(fd), buf, 0)
			return rerr != unix.EAGAIN
		})
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, nil
		}
		if err = errors.Join(err, rerr); err != nil {
			return nil, fmt.Errorf("read ARP: %w", err)
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && (ll.Pkttype == unix.PACKET_OUTGOING || ll.Ifindex != link.Index) {
			continue
		}
		a, err := ParseARP(buf[:n])
		if err != nil || a.SenderIP != ip || bytes.Equal(a.SenderMAC, link.MAC) {
			continue
		}
		return a.SenderMAC, nil
	}
	return nil, fmt.Errorf("read %d ARP frames without reaching the deadline: undecided", maxProbeFrames)
}
