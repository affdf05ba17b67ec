package monitor

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// probeFunc runs one probe of s within ctx and returns nil when the
// service is up.
type probeFunc func(ctx context.Context, s Spec) error

// probe dispatches by kind.
func (p *prober) probe(ctx context.Context, s Spec) error {
	switch s.Kind {
	case config.KindHTTP, config.KindHTTPS:
		return probeHTTP(ctx, s)
	case config.KindFTP, config.KindSMTP:
		return probeGreeting(ctx, s)
	case config.KindTCP:
		c, err := dial(ctx, s)
		if err != nil {
			return err
		}
		return c.Close()
	case config.KindScript:
		return p.script(ctx, s)
	case config.KindStatus:
		if p.status == nil {
			return errNoStatus
		}
		return p.status(ctx, s.Group)
	}
	return fmt.Errorf("unknown kind of monitor %q", s.Kind)
}

// runProbe runs one probe bounded by s.Timeout and makes its Result.
func runProbe(ctx context.Context, probe probeFunc, s Spec) Result {
	at := time.Now()
	pctx, cancel := context.WithTimeout(ctx, s.Timeout)
	err := probe(pctx, s)
	lat := time.Since(at)
	if err != nil && ctx.Err() == nil && (pctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded)) {
		// The probe's own time ran out (a connection's deadline is the
		// context's, and may strike a moment before it).
		err = fmt.Errorf("%w: no answer within %s (%v)", ErrTimeout, s.Timeout, err)
	}
	cancel()
	r := Result{Group: s.Group, Name: s.Name, OK: err == nil, Err: err, At: at, Latency: lat}
	if err != nil {
		r.Reason = err.Error()
	}
	return r
}

// target is the address and port a network probe connects to.
func target(s Spec) (netip.AddrPort, error) {
	if !s.Addr.IsValid() {
		return netip.AddrPort{}, errors.New("no address to probe")
	}
	if s.Port < 1 || s.Port > 65535 {
		return netip.AddrPort{}, fmt.Errorf("port %d is not a port (1 to 65535)", s.Port)
	}
	return netip.AddrPortFrom(s.Addr, uint16(s.Port)), nil
}

// dial connects to the target from s.Source, if set.
func dial(ctx context.Context, s Spec) (net.Conn, error) {
	to, err := target(s)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	if s.Source.IsValid() {
		d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(s.Source, 0))
	}
	return d.DialContext(ctx, "tcp", to.String())
}

func probeHTTP(ctx context.Context, s Spec) error {
	to, err := target(s)
	if err != nil {
		return err
	}
	scheme := "http"
	if s.Kind == config.KindHTTPS {
		scheme = "https"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, scheme+"://"+to.String()+s.Path, nil)
	if err != nil {
		return err
	}
	if s.Host != "" {
		req.Host = s.Host
	}
	req.Header.Set("User-Agent", "understudy-monitor")
	tr := &http.Transport{
		// A fresh connection each time, so that a service which no longer
		// accepts is seen; no proxy from the environment.
		DisableKeepAlives: true,
		DialContext:       func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx, s) },
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, // a monitor asks whether it answers, not who it is
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if !s.StatusUp(resp.StatusCode) {
		return fmt.Errorf("HTTP status %s", resp.Status)
	}
	return nil
}

// maxGreeting bounds what is read of a greeting line.
const maxGreeting = 512

// probeGreeting waits for an FTP or SMTP server's 220 line, then QUITs.
func probeGreeting(ctx context.Context, s Spec) error {
	c, err := dial(ctx, s)
	if err != nil {
		return err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	line, err := bufio.NewReaderSize(c, maxGreeting).ReadSlice('\n')
	if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
		if len(line) > 0 {
			return fmt.Errorf("incomplete greeting %q: %w", line, err)
		}
		return fmt.Errorf("no greeting: %w", err)
	}
	if !strings.HasPrefix(string(line), "220") {
		return fmt.Errorf("greeting %q, not 220", strings.TrimSpace(string(line)))
	}
	c.Write([]byte("QUIT\r\n"))
	return nil
}
