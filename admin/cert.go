package admin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// The self-signed pair's file names in the state directory.
const (
	CertFile = "admin.crt"
	KeyFile  = "admin.key"
)

// Fingerprint is the SHA-256 of a certificate's DER (x509.Certificate's
// Raw), as upper-case hex pairs joined by colons, as openssl x509
// -fingerprint -sha256 prints it.
func Fingerprint(der []byte) string { return formatFingerprint(sha256.Sum256(der)) }

func formatFingerprint(fp [32]byte) string {
	h := strings.ToUpper(hex.EncodeToString(fp[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// ParseFingerprint reads a SHA-256 fingerprint as an operator pastes it:
// 64 hex digits in any case, with or without colons or spaces between
// the pairs, optionally after "sha256:" or "SHA256 Fingerprint=".
func ParseFingerprint(s string) ([32]byte, error) {
	var fp [32]byte
	t := strings.TrimSpace(s)
	for _, p := range []string{"sha256 fingerprint=", "sha256:", "sha256="} {
		if len(t) >= len(p) && strings.EqualFold(t[:len(p)], p) {
			t = t[len(p):]
		}
	}
	t = strings.NewReplacer(":", "", " ", "").Replace(t)
	b, err := hex.DecodeString(t)
	if err != nil || len(b) != len(fp) {
		return fp, fmt.Errorf("%q is not a SHA-256 fingerprint (64 hex digits, colons allowed)", s)
	}
	copy(fp[:], b)
	return fp, nil
}

// ServerCertificate is the admin port's certificate: the configured
// cert and key files, or else the self-signed pair in stateDir, made on
// first use (see SelfSigned).
func ServerCertificate(a config.AdminSettings, stateDir string) (tls.Certificate, error) {
	if a.Cert != "" {
		c, err := tls.LoadX509KeyPair(a.Cert, a.Key)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("admin certificate %s, key %s: %w", a.Cert, a.Key, err)
		}
		return c, nil
	}
	return SelfSigned(stateDir, a.ListenAddrs())
}

// LocalFingerprint is the fingerprint of the certificate this node's
// admin port presents (or will present), for `understudy status`; it
// makes nothing. ok is false when there is none yet.
func LocalFingerprint(a config.AdminSettings, stateDir string) (fp string, ok bool, err error) {
	path := a.Cert
	if path == "" {
		path = filepath.Join(stateDir, CertFile)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("admin certificate: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return "", false, fmt.Errorf("admin certificate %s: no PEM certificate in it", path)
	}
	return Fingerprint(blk.Bytes), true, nil
}

// SelfSigned loads the self-signed key and certificate kept in stateDir
// (admin.key, mode 600, and admin.crt), or makes them if neither exists:
// an ECDSA P-256 key and a certificate valid for ten years naming the
// host name and the IP addresses of listen ("host:port"). Clients check
// it by fingerprint, not by name. If only one of the two files exists,
// nothing is overwritten: the error says which to remove.
func SelfSigned(stateDir string, listen []string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(stateDir, CertFile), filepath.Join(stateDir, KeyFile)
	_, certErr := os.Stat(certPath)
	_, keyErr := os.Stat(keyPath)
	switch {
	case certErr == nil && keyErr == nil:
		c, err := tls.LoadX509KeyPair(certPath, keyPath)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("admin certificate %s, key %s: %w (remove both to make a new pair)", certPath, keyPath, err)
		}
		return c, nil
	case errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
	case certErr == nil:
		return tls.Certificate{}, fmt.Errorf("admin certificate %s has no key %s: remove the certificate to make a new pair", certPath, keyPath)
	case keyErr == nil:
		return tls.Certificate{}, fmt.Errorf("admin key %s has no certificate %s: remove the key to make a new pair", keyPath, certPath)
	default:
		return tls.Certificate{}, fmt.Errorf("admin certificate: %w", errors.Join(certErr, keyErr))
	}
	certPEM, keyPEM, err := newSelfSigned(listen, time.Now())
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return tls.Certificate{}, fmt.Errorf("admin certificate: %w", err)
	}
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

// newSelfSigned makes a key and a self-signed certificate, in PEM.
func newSelfSigned(listen []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("admin key: %w", err)
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "understudy admin " + host},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if host != "" {
		tmpl.DNSNames = []string{host}
	}
	for _, l := range listen {
		h, _, _ := net.SplitHostPort(l)
		if ip, err := netip.ParseAddr(h); err == nil && !ip.IsUnspecified() {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip.AsSlice())
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("admin certificate: %w", err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("admin key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), nil
}

// writeFileAtomic writes path through a temporary file in its directory
// with the given mode, so that no reader sees half a file.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	err = errors.Join(err, tmp.Chmod(mode), tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
