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

// ErrProbeUnsupported is returned by ProbeAll for IPv6 addresses:
// Understudy does not send DAD-style neighbour solicitations (yet). IPv6
// floating addresses are added with IFA_F_NODAD, so the kernel does not
// detect duplicates either.
var ErrProbeUnsupported = errors.New("neigh: probing is implemented for IPv4 (ARP) only")

// maxProbeFrames bounds how many ARP frames one probe reads, so a flood
// cannot keep it busy past its deadline checks.
const maxProbeFrames = 4096

// Prober checks whether another host holds an address, before this node
// takes it over (the split-brain guard).
type Prober struct {
	// NetNS is the network namespace to probe in ("" = the daemon's own).
	NetNS string
	// Wait is how long to listen for an answer (config ip.probe_time).
	Wait time.Duration
}

// ProbeAll sends one RFC 5227 ARP probe per address of ips (sender IP
// 0.0.0.0, target the address) on link and listens up to Wait, or until
// ctx ends, for ARP replies or requests whose sender IP is one of them
// and whose sender MAC is not link's. A Linux host that holds an address
// answers the probe; a host that is announcing it (gratuitous ARP) is
// caught too. One socket and one wait serve every address: taking over a
// group of 128 addresses costs one probe time, not 128 sockets. The wait
// ends early once every address was claimed.
//
// It returns the addresses another host claimed, with that host's MAC,
// and how long it listened. A probe that ctx cut short is an error: "no
// answer yet" is not "free". An IPv6 address is an error wrapping
// ErrProbeUnsupported, and nothing is probed. What to do about an address
// in use is the caller's decision.
func (p Prober) ProbeAll(ctx context.Context, link Link, ips []netip.Addr) (map[netip.Addr]net.HardwareAddr, time.Duration, error) {
	var probes [][]byte
	want := map[netip.Addr]bool{}
	for _, ip := range ips {
		ip = ip.Unmap()
		if !ip.Is4() {
			return nil, 0, fmt.Errorf("probe %s: %w", ip, ErrProbeUnsupported)
		}
		probe, err := ARPProbe(link.MAC, ip)
		if err != nil {
			return nil, 0, fmt.Errorf("probe %s on %s: %w", ip, link.Name, err)
		}
		probes = append(probes, probe)
		want[ip] = true
	}
	what := fmt.Sprintf("probe %d address(es) on %s", len(ips), link.Name)
	if len(ips) == 1 {
		what = fmt.Sprintf("probe %s on %s", ips[0], link.Name)
	}
	var f *os.File
	if err := nsrun.Do(p.NetNS, func() (err error) { f, err = listenARP(link.Index); return err }); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	defer f.Close()

	start := time.Now()
	deadline := start.Add(p.Wait)
	short := false
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline, short = d, true
	}
	if err := f.SetReadDeadline(deadline); err != nil {
		return nil, 0, fmt.Errorf("%s: set deadline: %w", what, err)
	}
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	to := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: link.Index, Halen: 6, Addr: broadcastMAC}
	for _, probe := range probes {
		if err := sendOn(f, probe, to); err != nil {
			return nil, 0, fmt.Errorf("%s: send: %w", what, err)
		}
	}
	claims, err := awaitClaims(f, link, want)
	elapsed := time.Since(start)
	if len(claims) < len(want) && (short || ctx.Err() != nil) {
		// Cut short: "nobody answered" would be a guess.
		cause := context.Cause(ctx)
		if cause == nil {
			cause = context.DeadlineExceeded
		}
		return claims, elapsed, fmt.Errorf("%s: cut short after %v: %w", what, elapsed, cause)
	}
	if err != nil {
		return claims, elapsed, fmt.Errorf("%s: %w", what, err)
	}
	return claims, elapsed, nil
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

// awaitClaims reads ARP frames until every wanted address was claimed by
// another MAC, or the deadline passes; it returns the claims seen. More
// than maxProbeFrames frames before the deadline is an error: undecided.
func awaitClaims(f *os.File, link Link, want map[netip.Addr]bool) (map[netip.Addr]net.HardwareAddr, error) {
	claims := map[netip.Addr]net.HardwareAddr{}
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
			return claims, nil
		}
		if err = errors.Join(err, rerr); err != nil {
			return claims, fmt.Errorf("read ARP: %w", err)
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && (ll.Pkttype == unix.PACKET_OUTGOING || ll.Ifindex != link.Index) {
			continue
		}
		a, err := ParseARP(buf[:n])
		if err != nil || !want[a.SenderIP] || bytes.Equal(a.SenderMAC, link.MAC) {
			continue
		}
		if _, seen := claims[a.SenderIP]; !seen {
			claims[a.SenderIP] = a.SenderMAC
		}
		if len(claims) == len(want) {
			return claims, nil
		}
	}
	return claims, fmt.Errorf("read %d ARP frames without reaching the deadline: undecided", maxProbeFrames)
}
