package monitor

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// These tests run real probes against servers on loopback. They assert
// what a probe finds, never how long it took.

var loopback = netip.MustParseAddr("127.0.0.1")

// spec is a monitor of kind at addrport, with a generous timeout (a
// loaded machine must not make a good probe fail).
func spec(kind config.MonitorKind, ap netip.AddrPort) Spec {
	return Spec{Monitor: config.Monitor{Group: "g", Name: string(kind), Kind: kind, Port: int(ap.Port()),
		Interval: 10 * time.Second, Timeout: 5 * time.Second, Path: "/"}, Addr: ap.Addr()}
}

func probeOnce(t *testing.T, s Spec, status func(context.Context, string) error) Result {
	t.Helper()
	p := &prober{status: status, env: []string{"PATH=/usr/bin:/bin", "UNDERSTUDY_NODE=stale"}}
	return runProbe(context.Background(), p.probe, s)
}

func addrPort(t *testing.T, addr net.Addr) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

// listen opens a TCP listener on loopback and serves each connection
// with handle in a goroutine; everything is closed at the end.
func listen(t *testing.T, handle func(net.Conn)) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if handle != nil {
					handle(c)
				}
				<-done // hold the connection open until the test ends
			}()
		}
	}()
	return addrPort(t, ln.Addr())
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) netip.AddrPort {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ap := addrPort(t, ln.Addr())
	ln.Close()
	return ap
}

func expect(t *testing.T, r Result, ok bool, reason string) {
	t.Helper()
	if r.OK != ok || !strings.Contains(r.Reason, reason) || (r.Err == nil) != ok || r.Group != "g" || r.At.IsZero() {
		t.Errorf("result = %+v; want OK=%v and a reason with %q", r, ok, reason)
	}
}

func TestTCP(t *testing.T) {
	expect(t, probeOnce(t, spec(config.KindTCP, listen(t, nil)), nil), true, "")
	expect(t, probeOnce(t, spec(config.KindTCP, closedPort(t)), nil), false, "connection refused")
	s := spec(config.KindTCP, listen(t, nil))
	s.Addr = netip.Addr{}
	expect(t, probeOnce(t, s, nil), false, "no address to probe")
	s = spec(config.KindTCP, listen(t, nil))
	s.Port = 0
	expect(t, probeOnce(t, s, nil), false, "port 0 is not a port")
}

// TestTCPBacklog documents the tcp kind's limit: a listener that never
// accepts (a stopped process) still completes handshakes from its
// backlog, so a tcp monitor sees it up.
func TestTCPBacklog(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	expect(t, probeOnce(t, spec(config.KindTCP, addrPort(t, ln.Addr())), nil), true, "")
}

func TestSource(t *testing.T) {
	seen := make(chan string, 1)
	ap := listen(t, func(c net.Conn) { seen <- c.RemoteAddr().String() })
	s := spec(config.KindTCP, ap)
	s.Source = netip.MustParseAddr("127.0.0.2")
	expect(t, probeOnce(t, s, nil), true, "")
	if from := <-seen; !strings.HasPrefix(from, "127.0.0.2:") {
		t.Errorf("probe came from %s, want 127.0.0.2", from)
	}
}

func TestHTTP(t *testing.T) {
	type seen struct{ method, path, host, agent string }
	got := make(chan seen, 10)
	status := 200
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.Method, r.URL.RequestURI(), r.Host, r.UserAgent()}
		mu.Lock()
		defer mu.Unlock()
		if status == 301 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	ap := addrPort(t, srv.Listener.Addr())
	s := spec(config.KindHTTP, ap)
	s.Path, s.Host = "/health?deep=1", "www.example.org"
	expect(t, probeOnce(t, s, nil), true, "")
	if g := <-got; g != (seen{"HEAD", "/health?deep=1", "www.example.org", "understudy-monitor"}) {
		t.Errorf("server saw %+v", g)
	}
	for _, tc := range []struct {
		status int
		expect []int
		ok     bool
		reason string
	}{
		{301, nil, true, ""}, // not followed: a redirect is an answer
		{204, nil, true, ""},
		{404, nil, false, "HTTP status 404 Not Found"},
		{503, nil, false, "HTTP status 503"},
		{200, []int{204}, false, "HTTP status 200 OK"},
		{401, []int{200, 401}, true, ""},
	} {
		mu.Lock()
		status = tc.status
		mu.Unlock()
		s := spec(config.KindHTTP, ap)
		s.Expect = tc.expect
		r := probeOnce(t, s, nil)
		<-got
		if r.OK != tc.ok || !strings.Contains(r.Reason, tc.reason) {
			t.Errorf("status %d expect %v: %+v", tc.status, tc.expect, r)
		}
	}
	expect(t, probeOnce(t, spec(config.KindHTTP, closedPort(t)), nil), false, "connection refused")
}

func TestHTTPS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the http-to-https case below is expected
	srv.StartTLS()
	defer srv.Close()
	expect(t, probeOnce(t, spec(config.KindHTTPS, addrPort(t, srv.Listener.Addr())), nil), true, "")
	// http spoken to a TLS server gets a 400, which is down.
	expect(t, probeOnce(t, spec(config.KindHTTP, addrPort(t, srv.Listener.Addr())), nil), false, "HTTP status 400")
}

// TestHang: a server that accepts and never answers (a stopped or hung
// process) fails the probe at its timeout.
func TestHang(t *testing.T) {
	for _, kind := range []config.MonitorKind{config.KindHTTP, config.KindFTP, config.KindSMTP} {
		s := spec(kind, listen(t, nil))
		s.Timeout = 100 * time.Millisecond
		r := probeOnce(t, s, nil)
		if r.OK || !errors.Is(r.Err, ErrTimeout) || !strings.Contains(r.Reason, "no answer within 100ms") {
			t.Errorf("%s against a silent server: %+v", kind, r)
		}
	}
}

func TestGreeting(t *testing.T) {
	greet := func(text string) netip.AddrPort {
		return listen(t, func(c net.Conn) { c.Write([]byte(text)) })
	}
	quit := make(chan string, 1)
	polite := listen(t, func(c net.Conn) {
		c.Write([]byte("220 mail.example.org ESMTP\r\n"))
		line, _ := bufio.NewReader(c).ReadString('\n')
		quit <- line
	})
	expect(t, probeOnce(t, spec(config.KindSMTP, polite), nil), true, "")
	if q := <-quit; q != "QUIT\r\n" {
		t.Errorf("server read %q after the greeting, want QUIT", q)
	}
	for _, tc := range []struct {
		name, text string
		ok         bool
		reason     string
	}{
		{"ftp multi-line", "220-Welcome\r\n220 ready\r\n", true, ""},
		{"busy", "421 Too many connections\r\n", false, "greeting \"421 Too many connections\", not 220"},
		{"long line", "220 " + strings.Repeat("x", 2000), true, ""},
		{"closed at once", "", false, "no greeting: EOF"},
		{"cut short", "22", false, "incomplete greeting \"22\""},
	} {
		ap := greet(tc.text)
		if tc.text == "" || tc.text == "22" {
			ap = listenAndClose(t, tc.text)
		}
		r := probeOnce(t, spec(config.KindFTP, ap), nil)
		if r.OK != tc.ok || !strings.Contains(r.Reason, tc.reason) {
			t.Errorf("%s: %+v", tc.name, r)
		}
	}
	expect(t, probeOnce(t, spec(config.KindFTP, closedPort(t)), nil), false, "connection refused")
}

// listenAndClose serves one connection: writes text and hangs up.
func listenAndClose(t *testing.T, text string) netip.AddrPort {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write([]byte(text))
		c.Close()
	}()
	return addrPort(t, ln.Addr())
}

func TestStatus(t *testing.T) {
	s := spec(config.KindStatus, netip.AddrPort{})
	var asked string
	expect(t, probeOnce(t, s, func(_ context.Context, g string) error { asked = g; return nil }), true, "")
	if asked != "g" {
		t.Errorf("status asked of %q", asked)
	}
	expect(t, probeOnce(t, s, func(context.Context, string) error { return errors.New("resource httpd is stopped") }), false, "resource httpd is stopped")
	expect(t, probeOnce(t, s, nil), false, "no status function")
	s.Kind = "bogus"
	expect(t, probeOnce(t, s, nil), false, "unknown kind")
}

func TestLocalAddressIn(t *testing.T) {
	pf := netip.MustParsePrefix
	addrs := []netip.Prefix{pf("127.0.0.1/8"), pf("192.0.2.5/24"), pf("192.0.2.10/24"), pf("198.51.100.7/24"),
		pf("198.51.100.8/28"), pf("2001:db8::5/64"), pf("::1/128")}
	for _, tc := range []struct{ vip, want string }{
		{"192.0.2.10", "192.0.2.5"},      // the VIP held here is not our own address
		{"192.0.2.99", "192.0.2.5"},      // the first listed of one subnet
		{"198.51.100.9", "198.51.100.8"}, // the narrowest subnet
		{"198.51.100.200", "198.51.100.7"},
		{"2001:db8::10", "2001:db8::5"},
		{"203.0.113.1", ""},
	} {
		got, err := localAddressIn(addrs, netip.MustParseAddr(tc.vip))
		if (tc.want == "") != (err != nil) || (err == nil && got.String() != tc.want) {
			t.Errorf("localAddressIn(%s) = %v, %v; want %s", tc.vip, got, err, tc.want)
		}
	}
	if a, err := LocalAddress(netip.MustParseAddr("127.0.0.99")); err != nil || a != loopback {
		t.Errorf("LocalAddress(127.0.0.99) = %v, %v", a, err)
	}
}
