package config

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func wantPing(want ...PingNode) func(*testing.T, HACF) {
	return func(t *testing.T, c HACF) {
		t.Helper()
		if !reflect.DeepEqual(c.PingNodes, want) {
			t.Errorf("ping nodes:\n got %+v\nwant %+v", c.PingNodes, want)
		}
	}
}

// TestPingDirectives covers ping, ping6, ping_group, deadping and
// respawn ipfail; lines are appended to base, so the first is line 5.
func TestPingDirectives(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines string
		check func(*testing.T, HACF)
		diags []string
	}{
		{name: "ping: each token is a ping node", lines: "ping 192.0.2.254 192.0.2.253,198.51.100.1\n", check: wantPing(
			PingNode{Name: "192.0.2.254", Addrs: addrs("192.0.2.254"), Line: 5},
			PingNode{Name: "192.0.2.253", Addrs: addrs("192.0.2.253"), Line: 5},
			PingNode{Name: "198.51.100.1", Addrs: addrs("198.51.100.1"), Line: 5})},
		{name: "ping6, canonical name, zone kept", lines: "ping6 2001:DB8::FE\nping6 fe80::1%eth1\n", check: wantPing(
			PingNode{Name: "2001:db8::fe", Addrs: addrs("2001:db8::fe"), Line: 5},
			PingNode{Name: "fe80::1%eth1", Addrs: addrs("fe80::1%eth1"), Line: 6})},
		{name: "ping_group mixes families, name lower-cased", lines: "ping_group Uplink 192.0.2.254, 2001:db8::fe\n", check: wantPing(
			PingNode{Name: "uplink", Addrs: addrs("192.0.2.254", "2001:db8::fe"), Group: true, Line: 5})},
		{name: "ping_group address twice", lines: "ping_group up 192.0.2.254 192.0.2.254\n", diags: []string{"W5 192.0.2.254 is listed twice"},
			check: wantPing(PingNode{Name: "up", Addrs: addrs("192.0.2.254"), Group: true, Line: 5})},
		{name: "ping twice", lines: "ping 192.0.2.254\nping 192.0.2.254\n", diags: []string{"W6 listed twice (first on line 5)"},
			check: wantPing(PingNode{Name: "192.0.2.254", Addrs: addrs("192.0.2.254"), Line: 5})},
		{name: "ping_group name taken", lines: "ping_group up 192.0.2.1\nping_group UP 192.0.2.2\n", diags: []string{"E6 already a ping node (line 5)"}},
		{name: "ping_group named like a node", lines: "ping_group node2 192.0.2.1\n", diags: []string{"E5 name of a cluster node"}},
		{name: "ping_group without address", lines: "ping_group up\n", diags: []string{"E5 at least one address"}},
		{name: "ping_group bad name", lines: "ping_group a/b 192.0.2.1\n", diags: []string{"E5 \"a/b\" is not a name"}},
		{name: "ping host name refused", lines: "ping gw.example.org\n", diags: []string{"E5 is a host name: write the ping node's IP address"}},
		{name: "ping garbage", lines: "ping 192.0.2.300\n", diags: []string{"E5 ping: \"192.0.2.300\" is not an IP address"}},
		{name: "ping IPv6", lines: "ping 2001:db8::1\n", diags: []string{"E5 use \"ping6 2001:db8::1\""}},
		{name: "ping6 IPv4", lines: "ping6 192.0.2.1\n", diags: []string{"E5 use \"ping 192.0.2.1\""}},
		{name: "ping6 mapped", lines: "ping6 ::ffff:192.0.2.1\n", diags: []string{"E5 IPv4-mapped"}},
		{name: "ping6 bad zone", lines: "ping6 fe80::1%a/b\n", diags: []string{"E5 not an interface name"}},
		{name: "ping multicast", lines: "ping 224.0.0.1\n", diags: []string{"E5 not a unicast address"}},
		{name: "ping broadcast", lines: "ping 255.255.255.255\n", diags: []string{"E5 not a unicast address"}},
		{name: "ping unspecified", lines: "ping6 ::\n", diags: []string{"E5 not a unicast address"}},
		{name: "ping loopback warns", lines: "ping 127.0.0.1\n", diags: []string{"W5 always answers"}},
		{name: "too many ping addresses", lines: "ping" + manyPings(101) + "\n",
			diags: []string{"E5 too many ping addresses"}},
		{name: "respawn ipfail is built in", lines: "ping 192.0.2.254\nrespawn hacluster /usr/lib/heartbeat/ipfail\nrespawn hacluster /usr/libexec/heartbeat/ipfail\n"},
		{name: "respawn ipfail arguments ignored", lines: "ping 192.0.2.254\nrespawn hacluster /usr/lib/heartbeat/ipfail -x\n", diags: []string{"W6 ignores the arguments -x"}},
		{name: "respawn ipfail without ping nodes", lines: "respawn hacluster /usr/lib/heartbeat/ipfail\n", diags: []string{"W5 nothing to compare"}},
		{name: "other respawn still ignored", lines: "respawn root /usr/sbin/dopd\n", diags: []string{"W5 respawn is accepted but ignored"}},
		{name: "deadping default is deadtime", lines: "deadtime 12\nping 192.0.2.254\n", check: func(t *testing.T, c HACF) {
			if c.Deadping != 12*time.Second {
				t.Errorf("deadping = %v", c.Deadping)
			}
		}},
		{name: "deadping set", lines: "ping 192.0.2.254\ndeadping 4500ms\n", check: func(t *testing.T, c HACF) {
			if c.Deadping != 4500*ms {
				t.Errorf("deadping = %v", c.Deadping)
			}
		}},
		{name: "deadping bad unit", lines: "deadping 10s\n", diags: []string{"E5 deadping: \"10s\" has unit \"s\""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, d := hacfOf(base + tc.lines)
			expectDiags(t, d, tc.diags...)
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

// manyPings returns n distinct addresses, each after a blank.
func manyPings(n int) string {
	var b strings.Builder
	a := netip.MustParseAddr("198.51.100.0")
	for range n {
		a = a.Next()
		b.WriteString(" " + a.String())
	}
	return b.String()
}

// TestStonithDirectives covers stonith and stonith_host.
func TestStonithDirectives(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines string
		want  []StonithDevice
		diags []string
	}{
		{name: "stonith", lines: "stonith baytech /etc/ha.d/conf/stonith.baytech\n",
			want: []StonithDevice{{Line: 5, Host: "*", Type: "baytech", ConfigFile: "/etc/ha.d/conf/stonith.baytech"}}},
		{name: "stonith_host: blanks split, commas kept", lines: "stonith_host Node1  external/ipmi node2 192.0.2.52 admin pw,x lanplus\nstonith_host * meatware node1,node2\n",
			want: []StonithDevice{
				{Line: 5, Host: "node1", Type: "external/ipmi", Params: []string{"node2", "192.0.2.52", "admin", "pw,x", "lanplus"}},
				{Line: 6, Host: "*", Type: "meatware", Params: []string{"node1,node2"}}}},
		{name: "stonith_host without parameters", lines: "stonith_host * suicide\n",
			want: []StonithDevice{{Line: 5, Host: "*", Type: "suicide", Params: []string{}}}},
		{name: "a # ends the parameters, as in heartbeat", lines: "stonith_host * null node1 #node2\n",
			want: []StonithDevice{{Line: 5, Host: "*", Type: "null", Params: []string{"node1"}}}},
		{name: "stonith_host for a host that is not a node", lines: "stonith_host kathy rps10 /dev/ttyS1 ken3 0\n",
			want:  []StonithDevice{{Line: 5, Host: "kathy", Type: "rps10", Params: []string{"/dev/ttyS1", "ken3", "0"}}},
			diags: []string{"W5 kathy is not a node of ha.cf"}},
		{name: "stonith one field", lines: "stonith baytech\n", diags: []string{"E5 stonith takes a device type and its parameter file"}},
		{name: "stonith three fields", lines: "stonith baytech /a /b\n", diags: []string{"E5 stonith takes"}},
		{name: "stonith relative file", lines: "stonith baytech conf/x\n", diags: []string{"E5 \"conf/x\" is not an absolute path"}},
		{name: "stonith bad type", lines: "stonith ../../bin/sh /x\n", diags: []string{"E5 not a stonith device type"}},
		{name: "stonith_host bad type", lines: "stonith_host * external/../x a\n", diags: []string{"E5 not a stonith device type"}},
		{name: "stonith_host bad type, two slashes", lines: "stonith_host * a/b/c a\n", diags: []string{"E5 not a stonith device type"}},
		{name: "stonith_host host only", lines: "stonith_host *\n", diags: []string{"E5 stonith_host takes the node"}},
		{name: "stonith_host bad host", lines: "stonith_host a/b null x\n", diags: []string{"E5 neither * nor a node name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, d := hacfOf(base + tc.lines)
			expectDiags(t, d, tc.diags...)
			if !reflect.DeepEqual(c.Stonith, tc.want) {
				t.Errorf("stonith:\n got %+v\nwant %+v", c.Stonith, tc.want)
			}
		})
	}
}

func TestStonithDeviceUsableBy(t *testing.T) {
	any, one := StonithDevice{Host: "*"}, StonithDevice{Host: "node1"}
	if !any.UsableBy("node2") || !one.UsableBy("node1") || one.UsableBy("node2") {
		t.Errorf("UsableBy: * by node2 %v, node1 by node1 %v, node1 by node2 %v", any.UsableBy("node2"), one.UsableBy("node1"), one.UsableBy("node2"))
	}
	if s := (StonithDevice{Host: "node1", Type: "external/ipmi", Params: []string{"secret"}}).String(); strings.Contains(s, "secret") {
		t.Errorf("String() shows a parameter: %s", s)
	}
}
