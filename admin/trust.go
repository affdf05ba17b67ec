package admin

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/understudy-ha/understudy/config"
)

// Trust says how a client decides that the admin port it reached is the
// node it meant. The first that is set decides:
//
//   - Fingerprint: the certificate's SHA-256 fingerprint must be this one
//     (--fingerprint, UNDERSTUDY_FINGERPRINT); names and dates are not
//     checked.
//   - CAFile: the certificate must chain to a CA in this PEM file and name
//     the host, as in any HTTPS client.
//   - KnownHosts: the fingerprint must be the one this file lists for
//     the address. An address it does not list is refused with its
//     fingerprint in the error (an UnknownHostError), unless Ask says to
//     trust it: then it is added to the file.
type Trust struct {
	Fingerprint string
	CAFile      string
	// KnownHosts is the file of remembered fingerprints; "" means
	// DefaultKnownHosts().
	KnownHosts string
	// Ask is called, outside the TLS handshake, for an address the known
	// hosts file does not list; it shows the fingerprint to the operator
	// and returns true to trust it and remember it. Nil (no terminal)
	// means never: a fingerprint is never remembered silently.
	Ask func(addr, fingerprint string) (bool, error)
}

// DefaultKnownHosts is $XDG_CONFIG_HOME/understudy/known_hosts, or
// ~/.config/understudy/known_hosts.
func DefaultKnownHosts() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "/root"
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "understudy", "known_hosts")
}

// HostPort is addr with the admin port (9050) added when it names none:
// "192.0.2.11" gives "192.0.2.11:9050", "[2001:db8::1]:9443" stays.
func HostPort(addr string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	return net.JoinHostPort(strings.Trim(addr, "[]"), strconv.Itoa(config.AdminPort))
}

// UnknownHostError is a certificate that the known hosts file has no
// entry for, when no Ask is set or Ask said no.
type UnknownHostError struct {
	Addr, Fingerprint, File string
}

func (e *UnknownHostError) Error() string {
	return fmt.Sprintf("%s is not in %s; its admin certificate has the SHA-256 fingerprint\n  %s\n"+
		"compare it with what 'understudy status' shows on that node, then pass it with --fingerprint\n"+
		"(or UNDERSTUDY_FINGERPRINT), or run the command once on a terminal to remember it", e.Addr, e.File, e.Fingerprint)
}

// MismatchError is a certificate that is not the one expected.
type MismatchError struct {
	Addr, Got, Want string
	// File and Line locate the known hosts entry, if one was used.
	File string
	Line int
}

func (e *MismatchError) Error() string {
	s := fmt.Sprintf("the admin certificate of %s is not the expected one: it has the fingerprint\n  %s\nnot\n  %s\n"+
		"someone may be intercepting the connection, or the node's certificate was replaced", e.Addr, e.Got, e.Want)
	if e.File != "" {
		s += fmt.Sprintf("; if it was, remove line %d of %s", e.Line, e.File)
	}
	return s
}

// knownHost is one line of a known hosts file.
type knownHost struct {
	addr string
	fp   [32]byte
	line int
}

// parseKnownHosts reads "ADDR FINGERPRINT" lines; # comments and blank
// lines are skipped. The address is as HostPort gives it.
func parseKnownHosts(text string) ([]knownHost, error) {
	var out []knownHost
	for n, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) != 2 {
			return nil, fmt.Errorf("line %d: want ADDRESS FINGERPRINT", n+1)
		}
		fp, err := ParseFingerprint(f[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		out = append(out, knownHost{addr: HostPort(f[0]), fp: fp, line: n + 1})
	}
	return out, nil
}

// lookupKnown finds addr in the known hosts file; a missing file lists
// nothing.
func lookupKnown(file, addr string) (knownHost, bool, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return knownHost{}, false, nil
	}
	if err != nil {
		return knownHost{}, false, fmt.Errorf("known hosts: %w", err)
	}
	hosts, err := parseKnownHosts(string(b))
	if err != nil {
		return knownHost{}, false, fmt.Errorf("known hosts %s: %w", file, err)
	}
	for _, h := range hosts {
		if h.addr == addr {
			return h, true, nil
		}
	}
	return knownHost{}, false, nil
}

// rememberHost appends addr's fingerprint to the known hosts file,
// creating it (and its directory) if needed.
func rememberHost(file, addr, fp string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("known hosts: %w", err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("known hosts: %w", err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "%s %s\n", addr, fp)
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return fmt.Errorf("known hosts %s: %w", file, err)
	}
	return nil
}

// tlsConfig returns the client TLS configuration for addr ("host:port").
func (t Trust) tlsConfig(addr string) (*tls.Config, error) {
	host, _, _ := net.SplitHostPort(addr)
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	if t.Fingerprint == "" && t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("admin CA: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("admin CA %s: no PEM certificate in it", t.CAFile)
		}
		return cfg, nil
	}
	// The certificate is judged by its fingerprint alone.
	cfg.InsecureSkipVerify = true
	var want [32]byte
	var known knownHost
	var isKnown bool
	file := t.KnownHosts
	if t.Fingerprint != "" {
		fp, err := ParseFingerprint(t.Fingerprint)
		if err != nil {
			return nil, err
		}
		want = fp
	} else {
		if file == "" {
			file = DefaultKnownHosts()
		}
		var err error
		if known, isKnown, err = lookupKnown(file, addr); err != nil {
			return nil, err
		}
		want = known.fp
	}
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("the admin port sent no certificate")
		}
		got := Fingerprint(cs.PeerCertificates[0].Raw)
		switch {
		case t.Fingerprint == "" && !isKnown:
			return &UnknownHostError{Addr: addr, Fingerprint: got, File: file}
		case got != formatFingerprint(want):
			e := &MismatchError{Addr: addr, Got: got, Want: formatFingerprint(want)}
			if isKnown {
				e.File, e.Line = file, known.line
			}
			return e
		}
		return nil
	}
	return cfg, nil
}
