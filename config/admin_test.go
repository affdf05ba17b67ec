package config

import (
	"io/fs"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestAdminSettings(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		check      func(*testing.T, AdminSettings)
		diags      []string
	}{
		{name: "absent: no admin port, defaults", check: func(t *testing.T, a AdminSettings) {
			if !reflect.DeepEqual(a, DefaultAdminSettings()) || len(a.Listen) != 0 || !a.MetricsAuth || a.LogRecords != 1000 {
				t.Errorf("got %+v", a)
			}
		}},
		{name: "every key", text: `[admin]
listen = ["192.0.2.11:9050", "[2001:db8::11]:9443", ":9051", "198.51.100.1", "2001:db8::12"]
cert = "/etc/ha.d/admin.crt"
key = "/etc/ha.d/admin.key"
ca = "/etc/ha.d/ca.pem"
metrics_auth = false
max_request = 4096
request_timeout = "30s"
session_idle = "1h"
max_conns = 8
login_failures = 3
login_window = "10m"
log_records = 5000
`, check: func(t *testing.T, a AdminSettings) {
			want := AdminSettings{
				Listen: []string{"192.0.2.11:9050", "[2001:db8::11]:9443", ":9051", "198.51.100.1", "2001:db8::12"},
				Cert:   "/etc/ha.d/admin.crt", Key: "/etc/ha.d/admin.key", CA: "/etc/ha.d/ca.pem",
				MaxRequest: 4096, RequestTimeout: 30 * time.Second, SessionIdle: time.Hour, MaxConns: 8,
				LoginFailures: 3, LoginWindow: 10 * time.Minute, LogRecords: 5000,
			}
			if !reflect.DeepEqual(a, want) {
				t.Errorf("got  %+v\nwant %+v", a, want)
			}
			addrs := []string{"192.0.2.11:9050", "[2001:db8::11]:9443", ":9051", "198.51.100.1:9050", "[2001:db8::12]:9050"}
			if got := a.ListenAddrs(); !slices.Equal(got, addrs) {
				t.Errorf("ListenAddrs %v, want %v", got, addrs)
			}
		}},
		{name: "empty listen", text: "[admin]\nlisten = []\n", check: func(t *testing.T, a AdminSettings) {
			if len(a.ListenAddrs()) != 0 {
				t.Errorf("got %v", a.Listen)
			}
		}},
		{name: "host name refused", text: "[admin]\nlisten = [\"node1:9050\"]\n", diags: []string{`E2 admin.listen: "node1:9050": "node1" is not an IP address`}},
		{name: "bad port", text: "\n[admin]\nlisten = [\"192.0.2.1:0\"]\n", diags: []string{`E3 port "0" is not 1 to 65535`}},
		{name: "not an address", text: "[admin]\nlisten = [\"192.0.2.1:9050:1\"]\n", diags: []string{`E2 want IP:PORT`}},
		{name: "zone refused", text: "[admin]\nlisten = [\"[fe80::1%eth0]:9050\"]\n", diags: []string{`E2 is not an IP address`}},
		{name: "twice", text: "[admin]\nlisten = [\"192.0.2.1\", \"192.0.2.1:9050\"]\n", diags: []string{`E2 admin.listen: 192.0.2.1:9050 is listed twice`}},
		{name: "listen not a list", text: "[admin]\nlisten = \"192.0.2.1\"\n", diags: []string{`E2 incompatible types`}},
		{name: "cert without key", text: "[admin]\ncert = \"/c.pem\"\n", diags: []string{`E2 admin.cert is set, admin.key is missing`}},
		{name: "key without cert", text: "[admin]\nkey = \"/k.pem\"\n", diags: []string{`E2 admin.key is set, admin.cert is missing`}},
		{name: "relative paths", text: "[admin]\ncert = \"c.pem\"\nkey = \"k.pem\"\nca = \"ca.pem\"\n",
			diags: []string{`E2 admin.cert = "c.pem" is not an absolute path`, `E3 admin.key`, `E4 admin.ca`}},
		{name: "ranges", text: "[admin]\nmax_request = 10\nmax_conns = 0\nlogin_failures = 2000\nlog_records = 5\nrequest_timeout = \"1h\"\nsession_idle = \"1s\"\nlogin_window = \"0s\"\n",
			diags: []string{"E2 admin.max_request = 10 is out of range: allowed are 1024 to 16777216", "E3 admin.max_conns", "E4 admin.login_failures",
				"E5 admin.log_records", "E6 admin.request_timeout = 1h0m0s", "E7 admin.session_idle", "E8 admin.login_window"}},
		{name: "bare number duration", text: "[admin]\nsession_idle = 600\n", diags: []string{"E2 admin.session_idle must be a duration in quotes"}},
		{name: "unknown key", text: "[admin]\nlisten = []\nport = 9050\n", diags: []string{`E3 unknown key "admin.port"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, d := settingsOf(tc.text)
			expectDiags(t, d, tc.diags...)
			if tc.check != nil {
				tc.check(t, s.Admin)
			}
		})
	}
}

func TestCheckAdmin(t *testing.T) {
	on := AdminSettings{Listen: []string{"192.0.2.1"}}
	withCert := AdminSettings{Listen: []string{"192.0.2.1"}, Cert: "/etc/ha.d/admin.crt", Key: "/etc/ha.d/admin.key"}
	for _, tc := range []struct {
		name  string
		files map[string]fs.FileMode
		a     AdminSettings
		want  []string
	}{
		{"no port, no password: fine", nil, AdminSettings{}, nil},
		{"port without password", nil, on, []string{"W0 no admin password is set, so the admin port of [admin] listen will not start; set it with 'understudy passwd -c /etc/ha.d'"}},
		{"password 600", map[string]fs.FileMode{"/etc/ha.d/understudy.passwd": 0o600}, on, nil},
		{"password 400", map[string]fs.FileMode{"/etc/ha.d/understudy.passwd": 0o400}, on, nil},
		{"password too open, even without a port", map[string]fs.FileMode{"/etc/ha.d/understudy.passwd": 0o644}, AdminSettings{},
			[]string{"W0 mode 0644 is too open: the password's hash must be readable and writable by its owner only, and the admin port will not start; fix: chmod 600 /etc/ha.d/understudy.passwd"}},
		{"certificate files missing", map[string]fs.FileMode{"/etc/ha.d/understudy.passwd": 0o600}, withCert,
			[]string{"W0 the admin port will not start: stat /etc/ha.d/admin.crt", "W0 the admin port will not start: stat /etc/ha.d/admin.key"}},
		{"key too open", map[string]fs.FileMode{"/etc/ha.d/understudy.passwd": 0o600, "/etc/ha.d/admin.crt": 0o644, "/etc/ha.d/admin.key": 0o640}, withCert,
			[]string{"W0 mode 0640 is too open for a private key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := fakeEnv(tc.files).CheckAdmin("/etc/ha.d", tc.a)
			expectDiags(t, d, tc.want...)
		})
	}
}
