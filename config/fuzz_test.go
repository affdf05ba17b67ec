package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for every parser of untrusted input. Each checks that the
// parser never panics, that every diagnostic points inside the file, and
// the invariants a clean parse promises. Crashers found by `go test -fuzz`
// are kept under testdata/fuzz/ as regression cases.
//
// Run (each >= 10 minutes once, 2026-11-22): see docs/fuzzing.md.

func checkLines(t *testing.T, text string, d Diagnostics) {
	t.Helper()
	n := strings.Count(text, "\n") + 1
	for _, x := range d {
		if x.Line < 0 || x.Line > n || x.Msg == "" || x.File == "" {
			t.Fatalf("diagnostic out of the file (%d lines): %+v", n, x)
		}
	}
}

func FuzzHACF(f *testing.F) {
	for _, s := range []string{
		base,
		base + "keepalive 500ms\ndeadtime 2\nwarntime 1\ninitdead 10\n",
		"node a,b\tc\nmcast eth0 239.1.2.3 694 1 0\nucast eth0 192.0.2.2\nserial /dev/ttyS0\nbaud 19200\n",
		"udp eth0\nnice_failback on\nauto_failback legacy\ncrm respawn\n",
		"keepalive 1.2.3\ndeadtime 10s\n# c\n\t\n",
		"ucast6 eth0 fe80::1%eth0\nmcast6 eth0 ff15::1 694 1 1\n",
		// near misses and refused node and media lines (no cascades)
		"nodes a b\nbcats eth0\nkeepalvie 2\nucast6 eth0 zz\nnode\n",
		"node a/b\nKeepalive 1\n",
		base + "ping 192.0.2.254 192.0.2.254,gw\nping6 fe80::1%eth0 ::ffff:1.2.3.4\nping_group Up 198.51.100.1 2001:db8::1\nping_group node1 192.0.2.1\ndeadping 5\n",
		base + "respawn hacluster /usr/lib/heartbeat/ipfail -d\nrespawn root /bin/x\nstonith baytech /etc/ha.d/b\nstonith_host * external/ipmi a,b c #d\nstonith_host ken3 ../x\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, d := hacfOf(text)
		checkLines(t, text, d)
		if d.HasErrors() {
			return
		}
		if c.Deadtime <= 2*c.Keepalive || c.Initdead < c.Deadtime || c.Warntime <= 0 {
			t.Fatalf("clean parse with inconsistent times: %+v", c)
		}
		if len(c.Nodes) == 0 || len(c.Media) == 0 {
			t.Fatalf("clean parse without nodes or media")
		}
		for _, n := range c.Nodes {
			if n != strings.ToLower(n) || !validNodeName(n) {
				t.Fatalf("bad node name %q", n)
			}
		}
		for _, m := range c.Media {
			if m.Type != Serial && (m.Port < 1 || m.Port > 65535 || !validIfaceName(m.Iface)) {
				t.Fatalf("bad medium %+v", m)
			}
		}
		names, total := map[string]bool{}, 0
		for _, pn := range c.PingNodes {
			total += len(pn.Addrs)
			if names[pn.Name] || slices.Contains(c.Nodes, pn.Name) || len(pn.Addrs) == 0 || (!pn.Group && (len(pn.Addrs) != 1 || pn.Addrs[0].String() != pn.Name)) {
				t.Fatalf("bad ping node %+v", pn)
			}
			names[pn.Name] = true
			for _, a := range pn.Addrs {
				if !a.IsValid() || a.IsMulticast() || a.IsUnspecified() || a.Is4In6() {
					t.Fatalf("bad ping address in %+v", pn)
				}
			}
		}
		if total > maxPingAddrs {
			t.Fatalf("%d ping addresses", total)
		}
		for _, sd := range c.Stonith {
			if !stonithTypeRE.MatchString(sd.Type) || (sd.Host != "*" && !validNodeName(sd.Host)) || (sd.ConfigFile == "") == (sd.Host == "*" && sd.Params == nil) {
				t.Fatalf("bad stonith device %+v", sd)
			}
		}
	})
}

func FuzzHaresources(f *testing.F) {
	for _, s := range []string{
		"node1 192.0.2.10 httpd\nnode2 IPaddr::192.0.2.11/24/eth0/192.0.2.255 mysql\n",
		"node1 a \\\n  b # c\nnode3 d\\\ne\n",
		"n IPaddr2::2001:db8::1/64/eth0 Filesystem::/dev/sda1::/data::ext4\n",
		"# only \\\n\n\\\n\\",
		// a line with several mistakes, a mistyped IPv6 address
		"no/de IPaddr::x 2001:db8::zz/64 db\nnode1 2001:db8::zz\nnode1 IPaddr::x\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		gs, d := haresOf(text)
		checkLines(t, text, d)
		keys := map[string]bool{}
		for _, g := range gs {
			// A group with a mistake is kept with the resources that
			// parsed; a clean one is named by its first.
			if keys[g.Key] || (!d.HasErrors() && (len(g.Resources) == 0 || g.Key != g.Resources[0].Token)) {
				t.Fatalf("bad group %+v", g)
			}
			keys[g.Key] = true
			for _, r := range g.Resources {
				if r.Script == "" || strings.Contains(r.Script, "/") || (nativeIPScripts[r.Script] != r.Native()) {
					t.Fatalf("bad resource %+v", r)
				}
				if strings.ContainsAny(r.Token, " \t\n") {
					t.Fatalf("resource token with blanks %q", r.Token)
				}
			}
		}
	})
}

func FuzzAuthkeys(f *testing.F) {
	for _, s := range []string{
		"auth 1\n1 sha1 SecretPhrase\n",
		"auth 2\n1 sha1 a\n2 md5 b\n3 crc\n",
		"1 sha256 x y\nauth 1\nauth 0\n0 crc\n",
		"a\n\n#\n 16 md5\n",
		// refused lines whose consequences are not reported again
		"auth 16\n1 sha1\nl sha1 x\n2 shal y\n",
		"auth 1\n1 sha1 ReplaceThisSecretBeforeUse\n2 md5 0123456789abcdef\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		a, d := authOf(text)
		checkLines(t, text, d)
		if d.HasErrors() {
			return
		}
		k, ok := a.Key(a.Active)
		if !ok || k.Index != a.Active {
			t.Fatalf("clean parse without an active key: %+v", a)
		}
		for i, k := range a.Keys {
			if i != k.Index || i < 0 || i > MaxAuthIndex || (k.Method.NeedsSecret() == (k.Secret == "")) {
				t.Fatalf("bad key %d: %+v", i, k)
			}
		}
	})
}

func FuzzSettings(f *testing.F) {
	for _, s := range []string{
		"[resources]\ntimeout = \"5s\"\n[ip]\ngarp_count = 3\n",
		"[paths]\nstate_dir = \"/x\"\n[x]\ny = 1\n",
		"a.b.c = 1\n[[ip]]\n",
		// monitors and hooks: good, bad, and the forms the locator must survive
		"[[monitor]]\ngroup = \"192.0.2.10\"\nkind = \"http\"\ninterval = \"200ms\"\ntimeout = \"100ms\"\nexpect = [200]\n",
		"[[monitor]] # x\ngroup = \"web\"\nkind = \"script\"\ncommand = [\"/bin/true\"]\naddress = \"local\"\n[[monitor]]\ngroup = \"web\"\nkind = \"status\"\non_fail = \"restart\"\n",
		"[[monitor]]\nkind = \"tcp\"\nport = 0\nbogus = 1\n[monitor.sub]\na = 1\n[[monitor]]\n",
		"monitor = [{group = \"web\"}]\nhook = [{}]\n",
		"[[hook]]\nprogram = [\"/bin/true\"]\nevents = [\"node_up\", \"x\"]\ntimeout = 5\n",
		// near misses of keys and tables
		"[ip]\ngarp_cuont = 3\ntimeout = \"1s\"\n[resource]\nx = 1\n",
		"[fence]\ncommand = [\"/usr/local/sbin/fence\", \"x\"]\naction = \"off\"\ntimeout = \"30s\"\nretry_interval = 5\n",
		"[[group]]\nname = \"192.0.2.10\"\nnodes = [\"node1\", \"Node1\", \"a b\"]\nx = 1\n[[group]]\nname = \"web\"\nnodes = []\ngroup = [{}]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var d Diagnostics
		r := reporter{file: "understudy.toml", diags: &d}
		s, sec := parseSettings(text, r)
		mons, hooks := sec.monitors, sec.hooks
		groups := parseHaresources(monitorGroups, reporter{file: "haresources", diags: new(Diagnostics)})
		checkMonitorGroups(text, mons, groups, r)
		checkLines(t, text, d)
		if d.HasErrors() {
			return
		}
		if s.IP.GARPCount < 1 || s.Resources.Timeout <= 0 {
			t.Fatalf("clean parse out of range: %+v", s)
		}
		seen := map[[2]string]bool{}
		for _, m := range mons {
			id := [2]string{m.Group, m.Name}
			if seen[id] || !validMonitorName(m.Name) || m.Timeout < minMonitorTimeout || m.Timeout >= m.Interval ||
				m.Fall < 1 || m.Rise < 1 || (m.Kind.Network() != (m.Port > 0)) || m.Port > 65535 ||
				(m.Kind == KindScript) != (len(m.Command) > 0) || (m.Where == WhereFixed) != m.Address.IsValid() {
				t.Fatalf("clean parse, bad monitor %+v", m)
			}
			seen[id] = true
		}
		for _, g := range sec.groups {
			if g.Group == "" || len(g.Nodes) == 0 || slices.ContainsFunc(g.Nodes, func(n string) bool { return !validNodeName(n) }) {
				t.Fatalf("clean parse, bad group %+v", g)
			}
		}
		if f := s.Fence; (f.Action != FenceReset && f.Action != FenceOff) || f.Timeout < time.Second || f.RetryInterval < time.Second || (f.Command != nil && !strings.HasPrefix(f.Command[0], "/")) {
			t.Fatalf("clean parse, bad fence settings %+v", f)
		}
		for _, h := range hooks {
			if len(h.Program) == 0 || !strings.HasPrefix(h.Program[0], "/") || h.Timeout < minHookTimeout {
				t.Fatalf("clean parse, bad hook %+v", h)
			}
		}
	})
}

func FuzzIPSpec(f *testing.F) {
	for _, s := range []string{"192.0.2.10/24/eth0/192.0.2.255", "2001:db8::1/64/eth0", "10.0.0.1/255.255.0.0", "1//x/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseIPSpec(s)
		if err != nil {
			return
		}
		if !spec.Addr.IsValid() || spec.Bits < 0 || spec.Bits > spec.Addr.BitLen() {
			t.Fatalf("ParseIPSpec(%q) = %+v", s, spec)
		}
		again, err := ParseIPSpec(s)
		if err != nil || again != spec {
			t.Fatalf("not deterministic")
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2", "1.5", "1500ms", "499us", "1.2.3", "10s", ".", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, _, err := parseTime(s)
		if err == nil && d < 0 {
			t.Fatalf("parseTime(%q) = %v", s, d)
		}
	})
}

// FuzzSuggest: the edit distance is a distance, and a suggestion is never
// the name itself nor far from it.
func FuzzSuggest(f *testing.F) {
	for _, s := range [][2]string{{"keepalvie", "keepalive"}, {"", "x"}, {"ab", "ba"}, {"ip.garp_cuont", "ip.timeout"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		d := editDistance(a, b)
		if d != editDistance(b, a) || (d == 0) != (a == b) || d > max(len(a), len(b)) || d < abs(len(a)-len(b)) {
			t.Fatalf("editDistance(%q, %q) = %d", a, b, d)
		}
		for _, name := range []string{a, b} {
			if s, ok := nearest(name, directiveNames); ok && (s == name || editDistance(s, name) > 2) {
				t.Fatalf("nearest(%q) = %q", name, s)
			}
			if s, ok := nearestKey(name, settingsKeys()); ok && s == name {
				t.Fatalf("nearestKey(%q) = %q", name, s)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
