package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/BurntSushi/toml"
)

// AdminPort is the admin port's TCP port when an address names none.
const AdminPort = 9050

// AdminSettings are the [admin] table of understudy.toml: the admin port
// (HTTPS: remote commands, the log, Prometheus metrics) and the log
// records kept in memory. See understudy-admin(7).
type AdminSettings struct {
	// Listen holds the TCP addresses of the admin port, "IP:PORT",
	// "[IPv6]:PORT", ":PORT" (every address) or an IP alone (port 9050).
	// Empty, the default: no admin port.
	Listen []string `toml:"listen" json:"listen"`
	// Cert and Key are PEM files holding the port's certificate (chain)
	// and private key; both or neither. Neither: a self-signed key and
	// certificate are made in paths.state_dir on first start and kept.
	Cert string `toml:"cert" json:"cert,omitempty"`
	Key  string `toml:"key" json:"key,omitempty"`
	// CA is a PEM file of CA certificates that signed the other nodes'
	// admin certificates: this node checks them with it when it asks
	// them (cluster status and log), and so do commands run on this node
	// with --host.
	CA string `toml:"ca" json:"ca,omitempty"`
	// MetricsAuth: GET /metrics asks for HTTP Basic auth (user admin and
	// the admin password). Default true; false serves it to anyone who
	// reaches the port.
	MetricsAuth bool `toml:"metrics_auth" json:"metrics_auth"`
	// MaxRequest is the largest request body read, in bytes. Default
	// 65536; 1024 to 16777216.
	MaxRequest int `toml:"max_request" json:"max_request"`
	// RequestTimeout bounds reading a request and answering it (a log
	// follow waits up to 25 s more). Default 10s; 1s to 5m.
	RequestTimeout time.Duration `toml:"request_timeout" json:"-"`
	// SessionIdle ends a login session unused that long. Default 15m; 1m
	// to 24h.
	SessionIdle time.Duration `toml:"session_idle" json:"-"`
	// MaxConns is how many connections the port serves at once; more
	// wait. Default 64; 1 to 10000.
	MaxConns int `toml:"max_conns" json:"max_conns"`
	// LoginFailures is how many failed logins a source address may make
	// before it is refused; the allowance refills over LoginWindow.
	// Default 5 per 1m; 1 to 1000, 1s to 24h.
	LoginFailures int           `toml:"login_failures" json:"login_failures"`
	LoginWindow   time.Duration `toml:"login_window" json:"-"`
	// LogRecords is how many recent log records the daemon keeps in
	// memory for `understudy log` (with or without an admin port).
	// Default 1000; 10 to 1000000.
	LogRecords int `toml:"log_records" json:"log_records"`
}

// DefaultAdminSettings is the [admin] table when it is absent.
func DefaultAdminSettings() AdminSettings {
	return AdminSettings{
		MetricsAuth:    true,
		MaxRequest:     64 << 10,
		RequestTimeout: 10 * time.Second,
		SessionIdle:    15 * time.Minute,
		MaxConns:       64,
		LoginFailures:  5,
		LoginWindow:    time.Minute,
		LogRecords:     1000,
	}
}

// adminDurations are the [admin] keys that hold durations.
var adminDurations = []string{"request_timeout", "session_idle", "login_window"}

// checkAdminTypes reports [admin] durations not written as strings (a
// bare number would be nanoseconds); false if there was one.
func checkAdminTypes(md toml.MetaData, text string, r reporter) bool {
	ok := true
	for _, name := range adminDurations {
		k := toml.Key{"admin", name}
		if t := md.Type(k...); t != "" && t != "String" {
			r.errorf(tomlKeyLine(text, k), "%s must be a duration in quotes, such as \"10s\" (a bare number would be nanoseconds)", k.String())
			ok = false
		}
	}
	return ok
}

// ListenAddrs returns Listen with the default port filled in, as
// "host:port". Valid only for settings that passed validation.
func (a AdminSettings) ListenAddrs() []string {
	out := make([]string, 0, len(a.Listen))
	for _, l := range a.Listen {
		addr, _ := parseAdminListen(l)
		out = append(out, addr)
	}
	return out
}

// parseAdminListen reads one listen address and returns it as
// "host:port".
func parseAdminListen(s string) (string, error) {
	if ip, err := netip.ParseAddr(s); err == nil && ip.Zone() == "" {
		return net.JoinHostPort(ip.String(), strconv.Itoa(AdminPort)), nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("want IP:PORT, [IPv6]:PORT, :PORT or an IP address")
	}
	if host != "" {
		ip, err := netip.ParseAddr(host)
		if err != nil || ip.Zone() != "" {
			return "", fmt.Errorf("%q is not an IP address (host names are not resolved here)", host)
		}
		host = ip.String()
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return "", fmt.Errorf("port %q is not 1 to 65535", port)
	}
	return net.JoinHostPort(host, strconv.Itoa(p)), nil
}

func (a AdminSettings) validate(r reporter, text string) {
	line := func(k string) int { return tomlKeyLine(text, toml.Key{"admin", k}) }
	var seen []string
	for _, l := range a.Listen {
		addr, err := parseAdminListen(l)
		switch {
		case err != nil:
			r.errorf(line("listen"), "admin.listen: %q: %v", l, err)
		case slices.Contains(seen, addr):
			r.errorf(line("listen"), "admin.listen: %s is listed twice", addr)
		}
		seen = append(seen, addr)
	}
	if (a.Cert == "") != (a.Key == "") {
		set, unset := "cert", "key"
		if a.Cert == "" {
			set, unset = unset, set
		}
		r.errorf(line(set), "admin.cert and admin.key go together: admin.%s is set, admin.%s is missing", set, unset)
	}
	for _, f := range []struct{ k, p string }{{"cert", a.Cert}, {"key", a.Key}, {"ca", a.CA}} {
		if f.p != "" && !filepath.IsAbs(f.p) {
			r.errorf(line(f.k), "admin.%s = %q is not an absolute path", f.k, f.p)
		}
	}
	checkInt := func(v, lo, hi int, k string) {
		if v < lo || v > hi {
			r.errorf(line(k), "admin.%s = %d is out of range: allowed are %d to %d", k, v, lo, hi)
		}
	}
	checkInt(a.MaxRequest, 1<<10, 16<<20, "max_request")
	checkInt(a.MaxConns, 1, 10000, "max_conns")
	checkInt(a.LoginFailures, 1, 1000, "login_failures")
	checkInt(a.LogRecords, 10, 1000000, "log_records")
	checkDur := func(d, lo, hi time.Duration, k string) {
		if d < lo || d > hi {
			r.errorf(line(k), "admin.%s = %s is out of range: allowed are %s to %s", k, d, lo, hi)
		}
	}
	checkDur(a.RequestTimeout, time.Second, 5*time.Minute, "request_timeout")
	checkDur(a.SessionIdle, time.Minute, 24*time.Hour, "session_idle")
	checkDur(a.LoginWindow, time.Second, 24*time.Hour, "login_window")
}

// PasswdFile is the admin password file in the configuration directory
// (written by `understudy passwd`; its format is package admin's).
const PasswdFile = "understudy.passwd"

// CheckAdmin judges the files the admin port needs, for `understudy
// check`: with [admin] listen set, the password file must exist; if it
// exists it must be mode 600 or stricter; configured certificate and key
// files must exist, the key readable by its owner only. Each finding is
// a warning, since the cluster runs without its admin port: it says the
// port will not start and how to fix it.
func (e Env) CheckAdmin(dir string, a AdminSettings) Diagnostics {
	var d Diagnostics
	path := filepath.Join(dir, PasswdFile)
	r := reporter{file: path, diags: &d}
	st, err := e.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && len(a.Listen) > 0:
		r.warnf(0, "no admin password is set, so the admin port of [admin] listen will not start; set it with 'understudy passwd -c %s' on every node", dir)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		r.warnf(0, "%v", err)
	case err == nil && st.Mode().Perm()&^0o600 != 0:
		r.warnf(0, "mode %04o is too open: the password's hash must be readable and writable by its owner only, and the admin port will not start; fix: chmod 600 %s", st.Mode().Perm(), path)
	}
	if len(a.Listen) == 0 || a.Cert == "" {
		return d
	}
	for _, f := range []struct {
		path string
		key  bool
	}{{a.Cert, false}, {a.Key, true}} {
		r := reporter{file: f.path, diags: &d}
		st, err := e.Stat(f.path)
		switch {
		case err != nil:
			r.warnf(0, "the admin port will not start: %v", err)
		case f.key && st.Mode().Perm()&0o077 != 0:
			r.warnf(0, "mode %04o is too open for a private key; fix: chmod 600 %s", st.Mode().Perm(), f.path)
		}
	}
	return d
}
