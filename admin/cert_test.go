package admin

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/config"
)

func TestFingerprint(t *testing.T) {
	der := []byte("not really a certificate")
	sum := sha256.Sum256(der)
	want := strings.ToUpper(strings.Join(strings.Split(fmt.Sprintf("% x", sum[:]), " "), ":"))
	if got := Fingerprint(der); got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	for _, in := range []string{want, strings.ToLower(want), strings.ReplaceAll(want, ":", ""),
		"sha256:" + want, "SHA256 Fingerprint=" + want, "  " + strings.ReplaceAll(want, ":", " ") + "\n"} {
		fp, err := ParseFingerprint(in)
		if err != nil || fp != sum {
			t.Errorf("%q: %v", in, err)
		}
	}
	for _, in := range []string{"", "AB:CD", want + ":00", strings.Replace(want, "A", "G", 1)} {
		if _, err := ParseFingerprint(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestSelfSigned(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	c, err := SelfSigned(dir, []string{"192.0.2.11:9050", ":9051", "[2001:db8::11]:9050"})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if leaf.PublicKeyAlgorithm != x509.ECDSA || len(leaf.IPAddresses) != 2 || leaf.IPAddresses[0].String() != "192.0.2.11" ||
		!leaf.NotAfter.After(leaf.NotBefore.AddDate(9, 0, 0)) {
		t.Errorf("certificate %v %v %v..%v", leaf.PublicKeyAlgorithm, leaf.IPAddresses, leaf.NotBefore, leaf.NotAfter)
	}
	fi, _ := os.Stat(filepath.Join(dir, KeyFile))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v", fi.Mode())
	}
	// Kept: the second start presents the same certificate.
	c2, err := SelfSigned(dir, nil)
	if err != nil || Fingerprint(c2.Certificate[0]) != Fingerprint(c.Certificate[0]) {
		t.Fatalf("second start: %v", err)
	}
	fp, ok, err := LocalFingerprint(config.AdminSettings{}, dir)
	if err != nil || !ok || fp != Fingerprint(c.Certificate[0]) {
		t.Errorf("LocalFingerprint %s %v %v", fp, ok, err)
	}
	// Half a pair is not replaced.
	os.Remove(filepath.Join(dir, KeyFile))
	if _, err := SelfSigned(dir, nil); err == nil || !strings.Contains(err.Error(), "remove the certificate") {
		t.Errorf("certificate without key: %v", err)
	}
	os.WriteFile(filepath.Join(dir, KeyFile), []byte("junk"), 0o600)
	if _, err := SelfSigned(dir, nil); err == nil || !strings.Contains(err.Error(), "remove both") {
		t.Errorf("junk key: %v", err)
	}
	os.Remove(filepath.Join(dir, CertFile))
	if _, err := SelfSigned(dir, nil); err == nil || !strings.Contains(err.Error(), "remove the key") {
		t.Errorf("key without certificate: %v", err)
	}
	if _, err := ServerCertificate(config.AdminSettings{Cert: "/nonexistent/c", Key: "/nonexistent/k"}, dir); err == nil ||
		!strings.Contains(err.Error(), "/nonexistent/c") {
		t.Errorf("configured files missing: %v", err)
	}
}

// TestSelfSignedAsCA: a scraper that takes a node's admin.crt as its CA
// (Prometheus' tls_config.ca_file) accepts it for the listen addresses
// and the host name, and nothing else.
func TestSelfSignedAsCA(t *testing.T) {
	dir := t.TempDir()
	c, err := SelfSigned(dir, []string{"127.0.0.1:9050"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{c}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.(*tls.Conn).Handshake()
			conn.Close()
		}
	}()
	pem, _ := os.ReadFile(filepath.Join(dir, CertFile))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	host, _ := os.Hostname()
	for name, ok := range map[string]bool{"127.0.0.1": true, host: host != "", "other.example": false} {
		conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: name})
		if err == nil {
			conn.Close()
		}
		if (err == nil) != ok {
			t.Errorf("server name %q: %v", name, err)
		}
	}
}
