package admin_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/admintest"
)

func dialWith(t *testing.T, s *admintest.Server, tr admin.Trust) error {
	t.Helper()
	c, err := admin.Dial(ctx(t), admin.ClientOptions{Addr: s.Addr, Password: admintest.Password, Trust: tr})
	if err == nil {
		c.Close()
	}
	return err
}

func TestTrustFingerprint(t *testing.T) {
	s := admintest.Start(t, &admintest.Backend{}, nil)
	lower := strings.ToLower(strings.ReplaceAll(s.Fingerprint(), ":", ""))
	if err := dialWith(t, s, admin.Trust{Fingerprint: "sha256:" + lower}); err != nil {
		t.Fatalf("fingerprint in another spelling: %v", err)
	}
	other := strings.Repeat("AB:", 31) + "AB"
	err := dialWith(t, s, admin.Trust{Fingerprint: other})
	var mm *admin.MismatchError
	if !errors.As(err, &mm) || mm.Got != s.Fingerprint() || !strings.Contains(err.Error(), "intercepting") {
		t.Fatalf("wrong fingerprint: %v", err)
	}
	if err := dialWith(t, s, admin.Trust{Fingerprint: "12:34"}); err == nil || !strings.Contains(err.Error(), "not a SHA-256 fingerprint") {
		t.Errorf("bad fingerprint: %v", err)
	}
}

func TestTrustKnownHosts(t *testing.T) {
	s := admintest.Start(t, &admintest.Backend{}, nil)
	file := filepath.Join(t.TempDir(), "cfg", "known_hosts")

	// Not interactive: refused, never remembered silently.
	err := dialWith(t, s, admin.Trust{KnownHosts: file})
	var uh *admin.UnknownHostError
	if !errors.As(err, &uh) || uh.Fingerprint != s.Fingerprint() || !strings.Contains(err.Error(), "--fingerprint") {
		t.Fatalf("unknown host: %v", err)
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatal("known hosts written without asking")
	}
	// Interactive, answered no.
	asked := 0
	no := func(addr, fp string) (bool, error) { asked++; return false, nil }
	if err := dialWith(t, s, admin.Trust{KnownHosts: file, Ask: no}); !errors.As(err, &uh) || asked != 1 {
		t.Fatalf("answered no: %v (asked %d)", err, asked)
	}
	// Interactive, answered yes: remembered, and the login goes on.
	yes := func(addr, fp string) (bool, error) {
		if addr != s.Addr || fp != s.Fingerprint() {
			t.Errorf("asked about %s %s", addr, fp)
		}
		return true, nil
	}
	if err := dialWith(t, s, admin.Trust{KnownHosts: file, Ask: yes}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(file)
	if string(b) != s.Addr+" "+s.Fingerprint()+"\n" {
		t.Errorf("known hosts: %q", b)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	// Known now: no question.
	if err := dialWith(t, s, admin.Trust{KnownHosts: file, Ask: no}); err != nil || asked != 1 {
		t.Fatalf("known host: %v (asked %d)", err, asked)
	}
	// Another node answers at that address: refused, with the line.
	os.WriteFile(file, []byte("# comment\n\n"+s.Addr+" "+strings.Repeat("00", 32)+"\n"), 0o600)
	err = dialWith(t, s, admin.Trust{KnownHosts: file, Ask: yes})
	var mm *admin.MismatchError
	if !errors.As(err, &mm) || mm.Line != 3 || !strings.Contains(err.Error(), "remove line 3 of "+file) {
		t.Fatalf("changed certificate: %v", err)
	}
	os.WriteFile(file, []byte(s.Addr+" nonsense\n"), 0o600)
	if err := dialWith(t, s, admin.Trust{KnownHosts: file}); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad known hosts file: %v", err)
	}
}

// testCA makes a CA and a certificate it signs for 127.0.0.1, written
// to dir as ca.pem, cert.pem, key.pem.
func testCA(t *testing.T, dir string) {
	t.Helper()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey, key := newKey(), newKey()
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ = x509.ParseCertificate(caDER)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "node1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := x509.MarshalPKCS8PrivateKey(key)
	write := func(name, typ string, b []byte) {
		os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600)
	}
	write("ca.pem", "CERTIFICATE", caDER)
	write("cert.pem", "CERTIFICATE", der)
	write("key.pem", "PRIVATE KEY", pk)
}

func TestTrustCA(t *testing.T) {
	dir := t.TempDir()
	testCA(t, dir)
	s := admintest.Start(t, &admintest.Backend{}, func(o *admin.Options) {
		o.Settings.Cert, o.Settings.Key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	})
	if err := dialWith(t, s, admin.Trust{CAFile: filepath.Join(dir, "ca.pem")}); err != nil {
		t.Fatalf("configured certificate, checked by CA: %v", err)
	}
	other := t.TempDir()
	testCA(t, other)
	err := dialWith(t, s, admin.Trust{CAFile: filepath.Join(other, "ca.pem")})
	var ue x509.UnknownAuthorityError
	if !errors.As(err, &ue) {
		t.Fatalf("another CA: %v", err)
	}
	// A fingerprint given on the command line wins over the CA.
	if err := dialWith(t, s, admin.Trust{Fingerprint: s.Fingerprint(), CAFile: filepath.Join(other, "ca.pem")}); err != nil {
		t.Fatalf("fingerprint over CA: %v", err)
	}
	if fp, ok, err := admin.LocalFingerprint(admintest.Settings(), t.TempDir()); ok || err != nil || fp != "" {
		t.Errorf("no certificate yet: %q %v %v", fp, ok, err)
	}
}

func TestHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.11": "192.0.2.11:9050", "192.0.2.11:9443": "192.0.2.11:9443", "node1": "node1:9050",
		"2001:db8::1": "[2001:db8::1]:9050", "[2001:db8::1]": "[2001:db8::1]:9050", "[2001:db8::1]:1": "[2001:db8::1]:1",
	} {
		if got := admin.HostPort(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
