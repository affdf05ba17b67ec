package preflight

import (
	"context"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// fake is a machine described by tables.
type fake struct {
	ifaces []Interface
	routes []Route
	files  fstest.MapFS // paths without their leading slash
	hosts  map[string][]netip.Addr
}

func (f fake) Interfaces() ([]Interface, error) { return f.ifaces, nil }
func (f fake) Routes() ([]Route, error)         { return f.routes, nil }

func (f fake) Stat(p string) (fs.FileInfo, error) {
	return fs.Stat(f.files, strings.TrimPrefix(p, "/"))
}

func (f fake) LookupHost(ctx context.Context, h string) ([]netip.Addr, error) {
	if h == "slow.example" {
		<-ctx.Done() // a resolver that never answers
		return nil, ctx.Err()
	}
	if a, ok := f.hosts[h]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

var (
	a = netip.MustParseAddr
	p = netip.MustParsePrefix
)

// machine is node1: eth0 192.0.2.1/24 (where 192.0.2.10 is held as a
// secondary) and 2001:db8::1/64 (2001:db8::10 held without DAD), eth1
// 198.51.100.1/25, eth2 with 192.0.2.77/24 alone, a host route, a serial
// port and a disk.
var machine = fake{
	ifaces: []Interface{
		{Name: "lo", Addrs: []Addr{{Prefix: p("127.0.0.1/8")}}},
		{Name: "eth0", Addrs: []Addr{{Prefix: p("192.0.2.1/24")}, {Prefix: p("192.0.2.10/24"), Secondary: true},
			{Prefix: p("2001:db8::1/64")}, {Prefix: p("2001:db8::10/64"), NoDAD: true}}},
		{Name: "eth1", Addrs: []Addr{{Prefix: p("198.51.100.1/25")}}},
		{Name: "eth2", Addrs: []Addr{{Prefix: p("192.0.2.77/24")}}},
	},
	routes: []Route{{p("127.0.0.0/8"), "lo"}, {p("192.0.2.0/24"), "eth0"}, {p("2001:db8::/64"), "eth0"},
		{p("198.51.100.0/25"), "eth1"}, {p("192.0.2.0/24"), "eth2"}, {p("2001:db8:1::5/128"), "eth0"}},
	files: fstest.MapFS{"dev/ttyS0": {Mode: fs.ModeDevice | fs.ModeCharDevice | 0o660}, "dev/sda": {Mode: fs.ModeDevice | 0o660}},
	hosts: map[string][]netip.Addr{"node1": {a("192.0.2.1")}, "node2": {a("192.0.2.2")},
		"peer.example": {a("192.0.2.2")}, "v6only.example": {a("2001:db8::3")}},
}

const (
	hacf  = "node node1 node2\nbcast eth0\nauto_failback on\nlogfacility daemon\n"
	hares = "node1 192.0.2.20 198.51.100.20/25/eth1\n"
)

// load writes a configuration directory and loads it; the files must be
// free of errors.
func load(t *testing.T, hacfText, haresText string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"ha.cf": hacfText, "haresources": haresText, "authkeys": "auth 1\n1 sha1 0123456789abcdef0123\n"}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, d := config.Load(dir)
	if d.HasErrors() {
		t.Fatalf("the files have errors:\n%s", d)
	}
	return cfg
}

// expect checks that got holds exactly want, in order: each is
// "FILE:LINE substring" (LINE 0 for the file as a whole).
func expect(t *testing.T, dir string, got config.Diagnostics, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d diagnostics, want %d:\n%s\nwant:\n%s", len(got), len(want), got, strings.Join(want, "\n"))
	}
	for i, w := range want {
		where, sub, _ := strings.Cut(w, " ")
		d := got[i]
		at := strings.TrimPrefix(d.File, dir+"/") + ":" + strconv.Itoa(d.Line)
		if d.Severity != config.Error || at != where || !strings.Contains(d.Msg, sub) {
			t.Errorf("diagnostic %d = %s\n want %s", i, d, w)
		}
	}
}

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name        string
		hacf, hares string
		node        string
		running     string // haresources of the configuration in force
		want        []string
	}{
		{name: "good", hacf: hacf, hares: hares},
		{name: "node name not in ha.cf", hacf: hacf, hares: hares, node: "node9",
			want: []string{`ha.cf:0 this node, "node9", is not a node of ha.cf (nodes: node1 node2)`}},
		{name: "interface missing", hacf: hacf + "ucast eth9 192.0.2.2\nmcast eth8 239.192.0.1 694 1 0\n", hares: hares,
			want: []string{"ha.cf:5 ucast names interface eth9, which this machine does not have (it has lo, eth0, eth1, eth2)",
				"ha.cf:6 mcast names interface eth8"}},
		{name: "serial devices", hacf: hacf + "serial /dev/ttyS9\nserial /dev/sda\nserial /dev/ttyS0\n", hares: hares,
			want: []string{"ha.cf:5 serial device /dev/ttyS9 does not exist on this machine",
				"ha.cf:6 serial device /dev/sda is not a character device: it is brw-rw----"}},
		{name: "ucast peers resolve", hacf: hacf + "ucast eth0 peer.invalid\nucast eth0 v6only.example\nucast eth0 peer.example\n", hares: hares,
			want: []string{"ha.cf:5 ucast peer peer.invalid does not resolve on this machine: no such host",
				"ha.cf:6 ucast peer v6only.example resolves to no IPv4 address (only [2001:db8::3])"}},
		{name: "a resolver that never answers is bounded", hacf: hacf + "ucast eth0 slow.example\n", hares: hares,
			want: []string{"ha.cf:5 ucast peer slow.example does not resolve on this machine: context deadline exceeded"}},
		{name: "ping node of a node's address", hacf: hacf + "ping 192.0.2.254\nping_group up 198.51.100.9 192.0.2.2\n", hares: hares,
			want: []string{"ha.cf:6 ping node up: 192.0.2.2 is node node2's address"}},
		{name: "floating address of a node, by its name", hacf: hacf, hares: "node1 192.0.2.2 192.0.2.1\n",
			want: []string{"haresources:1 group 192.0.2.2: floating address 192.0.2.2 is node node2's address (node2 resolves to it)",
				// this machine's own, but said once: as node1's
				"haresources:1 group 192.0.2.2: floating address 192.0.2.1 is node node1's address"}},
		{name: "floating address of a ucast peer", hacf: hacf + "ucast eth0 192.0.2.30\nucast eth0 peer.example\n", hares: "node1 192.0.2.30\nnode2 192.0.2.2/24\n",
			want: []string{"haresources:1 group 192.0.2.30: floating address 192.0.2.30 is the address of the ucast peer of ha.cf line 5",
				"haresources:2 group 192.0.2.2/24: floating address 192.0.2.2 is node node2's address"}},
		{name: "this machine's own address", hacf: hacf, hares: "node1 198.51.100.1\nnode2 IPaddr2::2001:db8::1/64\n",
			want: []string{"haresources:1 group 198.51.100.1: floating address 198.51.100.1 is an address of this machine (on eth1)",
				"haresources:2 group IPaddr2::2001:db8::1/64: floating address 2001:db8::1 is an address of this machine (on eth0)"}},
		{name: "addresses held already are not the machine's own", hacf: hacf,
			hares: "node1 192.0.2.10 2001:db8::10 IPaddr::192.0.2.77/24/eth2\n"},
		{name: "at a reload, the running configuration's addresses", hacf: hacf, hares: "node1 198.51.100.1\n", running: "node1 198.51.100.1 httpd\n"},
		{name: "no interface to go on", hacf: hacf,
			hares: "node1 198.51.100.200\nnode2 192.0.2.40/24/eth9\nnode1 192.0.2.41//eth1\nnode2 2001:db8:1::5\n",
			want: []string{"haresources:1 floating address 198.51.100.200 has no interface to go on: no connected route of this machine covers it",
				"haresources:2 floating address 192.0.2.40 names interface eth9, which this machine does not have",
				"haresources:3 floating address 192.0.2.41 has no prefix length, and no connected route of eth1 covers it: write 192.0.2.41/BITS/eth1",
				// a host route is no subnet
				"haresources:4 floating address 2001:db8:1::5 has no interface to go on"}},
		{name: "a named interface with a prefix length needs no route", hacf: hacf, hares: "node1 198.51.100.200/24/eth1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := load(t, tc.hacf, tc.hares)
			o := Options{Node: "node1", Machine: machine, LookupTimeout: 50 * time.Millisecond}
			if tc.node != "" {
				o.Node = tc.node
			}
			if tc.running != "" {
				o.Running = load(t, tc.hacf, tc.running)
			}
			res := Run(cfg, o)
			expect(t, cfg.Dir, res.Diagnostics, tc.want...)
			if len(res.Skipped) != 0 {
				t.Errorf("skipped %v on the node itself", res.Skipped)
			}
			if (res.Err() == nil) != (len(tc.want) == 0) {
				t.Errorf("Err() = %v with %d errors", res.Err(), len(tc.want))
			}
		})
	}
}

// TestElsewhere: for another node, the checks of this machine are
// skipped and said to be; the others still run.
func TestElsewhere(t *testing.T) {
	cfg := load(t, hacf+"bcast eth9\nucast eth0 peer.invalid\n", "node1 198.51.100.1 192.0.2.99\nnode2 192.0.2.2\n")
	res := Run(cfg, Options{Node: "node2", Machine: machine, Elsewhere: true})
	expect(t, cfg.Dir, res.Diagnostics, "haresources:2 floating address 192.0.2.2 is node node2's address")
	if !slices.Equal(res.Skipped, OnThisMachine) {
		t.Errorf("skipped %v, want %v", res.Skipped, OnThisMachine)
	}
	res = Run(cfg, Options{Node: "node3", Machine: machine, Elsewhere: true})
	if len(res.Diagnostics) != 2 || !strings.Contains(res.Diagnostics[0].Msg, `this node, "node3"`) {
		t.Errorf("the node name is checked for another node too:\n%s", res.Diagnostics)
	}
}

// TestErrIsOneLine: the daemon's refusal is one line naming the file
// and line of the first problem, and how many more there are.
func TestErrIsOneLine(t *testing.T) {
	cfg := load(t, hacf+"bcast eth9\nbcast eth8\n", hares)
	err := Run(cfg, Options{Node: "node1", Machine: machine}).Err()
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Err() = %q", err)
	}
	want := cfg.Dir + "/ha.cf:5: error: bcast names interface eth9, which this machine does not have"
	if !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "(and 1 more: understudy check lists them)") {
		t.Errorf("Err() = %q, want %q and one more", err, want)
	}
}

func TestThisNode(t *testing.T) {
	dir := t.TempDir()
	if n, err := ThisNode(dir, "Node2"); err != nil || n != "node2" {
		t.Errorf("ThisNode with an override = %q, %v", n, err)
	}
	h, _ := os.Hostname()
	if n, err := ThisNode(dir, ""); err != nil || n != strings.ToLower(h) {
		t.Errorf("ThisNode = %q, %v; want the host name %q", n, err, strings.ToLower(h))
	}
	os.WriteFile(filepath.Join(dir, config.NodeinfoFile), []byte("Other\n"), 0o644)
	if n, _ := ThisNode(dir, ""); n != "other" {
		t.Errorf("ThisNode with nodeinfo = %q", n)
	}
}
