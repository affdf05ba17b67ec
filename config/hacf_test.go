package config

import (
	"net/netip"
	"reflect"
	"testing"
	"time"
)

const ms = time.Millisecond

// TestHACFDirectives covers each directive: the lines are appended to
// base (4 lines), so the first added line is line 5.
func TestHACFDirectives(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines string
		check func(t *testing.T, c HACF)
		diags []string
	}{
		{name: "defaults", check: func(t *testing.T, c HACF) {
			want := HACF{Keepalive: time.Second, Deadtime: 30 * time.Second, Warntime: 15 * time.Second,
				Initdead: 30 * time.Second, Deadping: 30 * time.Second, UDPPort: 694, Baud: 19200,
				AutoFailback: FailbackOn, LogFacility: "daemon", SyslogMsgFmt: true, LogBadPack: true,
				MsgFmt: "classic", Hopfudge: 1, MaxRexmitDelay: 250 * ms}
			c.Nodes, c.Media, c.Params = nil, nil, nil
			if !reflect.DeepEqual(c, want) {
				t.Errorf("defaults:\n got %+v\nwant %+v", c, want)
			}
		}},
		{name: "node list split on blanks and commas, lower-cased", lines: "node Alpha,beta\tGAMMA\n", check: func(t *testing.T, c HACF) {
			if want := []string{"node1", "node2", "alpha", "beta", "gamma"}; !reflect.DeepEqual(c.Nodes, want) {
				t.Errorf("nodes = %v, want %v", c.Nodes, want)
			}
		}},
		{name: "duplicate node", lines: "node NODE1\n", diags: []string{"W5 listed twice"}},
		{name: "bad node name", lines: "node a/b\n", diags: []string{"E5 not a host name"}},
		{name: "times", lines: "keepalive 500ms\ndeadtime 2\nwarntime 1500ms\ninitdead 10\n", check: func(t *testing.T, c HACF) {
			if c.Keepalive != 500*ms || c.Deadtime != 2*time.Second || c.Warntime != 1500*ms || c.Initdead != 10*time.Second || c.Deadping != 2*time.Second {
				t.Errorf("times: %v %v %v %v %v", c.Keepalive, c.Deadtime, c.Warntime, c.Initdead, c.Deadping)
			}
		}},
		{name: "option style applies each token: last wins", lines: "keepalive 1 2\ndeadtime 10\n", check: func(t *testing.T, c HACF) {
			if c.Keepalive != 2*time.Second {
				t.Errorf("keepalive = %v, want 2s", c.Keepalive)
			}
		}},
		{name: "keepalive 1500 ms with a blank fails like heartbeat", lines: "keepalive 1500 ms\n", diags: []string{"E5 keepalive: \"ms\" is not a time"}},
		{name: "deadtime 10s refused like heartbeat", lines: "deadtime 10s\n", diags: []string{"E5 unit \"s\""}},
		{name: "keepalive 0", lines: "keepalive 0\n", diags: []string{"E5 greater than 0"}},
		{name: "deadtime not more than twice keepalive", lines: "keepalive 2\ndeadtime 4\n", diags: []string{"E6 too small compared to keepalive"}},
		{name: "deadtime just over twice keepalive", lines: "keepalive 2\ndeadtime 4001ms\n"},
		{name: "warntime default is half deadtime", lines: "deadtime 9\n", check: func(t *testing.T, c HACF) {
			if c.Warntime != 4500*ms {
				t.Errorf("warntime = %v", c.Warntime)
			}
		}},
		{name: "warntime not below deadtime", lines: "deadtime 10\nwarntime 10\n", diags: []string{"W6 never be reported"}},
		{name: "warntime not above keepalive", lines: "keepalive 2\ndeadtime 10\nwarntime 2\n", diags: []string{"W7 every heartbeat will be reported late"}},
		{name: "initdead derived: deadtime over 10s", lines: "deadtime 20\n", check: wantInitdead(20 * time.Second)},
		{name: "initdead derived: deadtime under 6s", lines: "deadtime 200ms\nkeepalive 50ms\n", check: wantInitdead(12 * time.Second)},
		{name: "initdead derived: deadtime 6s to 10s", lines: "deadtime 8\n", check: wantInitdead(16 * time.Second)},
		{name: "initdead derived: deadtime exactly 10s", lines: "deadtime 10\n", check: wantInitdead(20 * time.Second)},
		{name: "initdead below deadtime", lines: "deadtime 10\ninitdead 5\n", diags: []string{"E6 smaller than deadtime"}},
		{name: "initdead under 10s warns", lines: "deadtime 4\ninitdead 8\n", diags: []string{"W6 may be too small"}},
		{name: "deadping explicit too small", lines: "keepalive 1\ndeadping 2\n", diags: []string{"E6 deadping 2s is too small"}},
		{name: "deadping explicit", lines: "deadping 5\n", check: func(t *testing.T, c HACF) {
			if c.Deadping != 5*time.Second {
				t.Errorf("deadping = %v", c.Deadping)
			}
		}},
		{name: "udpport before media", lines: "udpport 700\nbcast eth2\n", check: func(t *testing.T, c HACF) {
			// base's bcast eth1 came first and froze 694.
			if c.Media[0].Port != 694 || c.Media[1].Port != 694 || c.UDPPort != 700 {
				t.Errorf("ports %d %d, udpport %d", c.Media[0].Port, c.Media[1].Port, c.UDPPort)
			}
		}, diags: []string{"W5 comes after a bcast or ucast line"}},
		{name: "udpport out of range", lines: "udpport 70000\n", diags: []string{"E5 out of range"}},
		{name: "baud and serial", lines: "baud 38400\nserial /dev/ttyS0 /dev/ttyS1\n", check: func(t *testing.T, c HACF) {
			if len(c.Media) != 3 || c.Media[1] != (Medium{Type: Serial, Line: 6, Device: "/dev/ttyS0", Baud: 38400}) || c.Media[2].Device != "/dev/ttyS1" {
				t.Errorf("media = %+v", c.Media)
			}
		}},
		{name: "baud twice", lines: "baud 9600\nbaud 19200\n", diags: []string{"E6 given twice (first on line 5)"}},
		{name: "baud invalid", lines: "baud 12345\n", diags: []string{"E5 invalid baud rate"}},
		{name: "baud after serial keeps the serial speed", lines: "serial /dev/ttyS0\nbaud 115200\n", check: func(t *testing.T, c HACF) {
			if c.Media[1].Baud != 19200 {
				t.Errorf("baud = %d", c.Media[1].Baud)
			}
		}, diags: []string{"W6 comes after a serial line"}},
		{name: "serial relative path", lines: "serial ttyS0\n", diags: []string{"E5 not an absolute device path"}},
		{name: "udp is bcast", lines: "udp eth2\n", check: func(t *testing.T, c HACF) {
			if c.Media[1].Type != Bcast || c.Media[1].Iface != "eth2" {
				t.Errorf("media = %+v", c.Media)
			}
		}, diags: []string{"W5 old name for 'bcast'"}},
		{name: "bcast several interfaces", lines: "bcast eth2 eth3\n", check: func(t *testing.T, c HACF) {
			if len(c.Media) != 3 {
				t.Errorf("media = %+v", c.Media)
			}
		}},
		{name: "bcast bad interface", lines: "bcast averyveryverylongname\n", diags: []string{"E5 not an interface name"}},
		{name: "mcast", lines: "mcast eth1 239.192.0.1 694 1 0\n", check: func(t *testing.T, c HACF) {
			want := Medium{Type: Mcast, Line: 5, Iface: "eth1", Group: netip.MustParseAddr("239.192.0.1"), Port: 694, TTL: 1}
			if c.Media[1] != want {
				t.Errorf("mcast = %+v", c.Media[1])
			}
		}},
		{name: "mcast too few values", lines: "mcast eth1 239.192.0.1 694 1\n", diags: []string{"E5 takes five values"}},
		{name: "mcast group not multicast", lines: "mcast eth1 192.0.2.1 694 1 0\n", diags: []string{"E5 not an IPv4 multicast address"}},
		{name: "mcast ttl 5 accepted with a warning (heartbeat refuses)", lines: "mcast eth1 239.192.0.1 694 5 0\n", diags: []string{"W5 refuses a ttl above 4"}},
		{name: "mcast ttl 256", lines: "mcast eth1 239.192.0.1 694 256 0\n", diags: []string{"E5 ttl"}},
		{name: "mcast loop 2", lines: "mcast eth1 239.192.0.1 694 1 2\n", diags: []string{"E5 loop must be 0 or 1"}},
		{name: "mcast port 0", lines: "mcast eth1 239.192.0.1 0 1 0\n", diags: []string{"E5 port"}},
		{name: "mcast6", lines: "mcast6 eth1 ff15::694 694 1 1\n", check: func(t *testing.T, c HACF) {
			if c.Media[1].Type != Mcast6 || !c.Media[1].Loop {
				t.Errorf("mcast6 = %+v", c.Media[1])
			}
		}},
		{name: "mcast6 with an IPv4 group", lines: "mcast6 eth1 239.1.1.1 694 1 1\n", diags: []string{"E5 not an IPv6 multicast"}},
		{name: "ucast", lines: "ucast eth1 192.0.2.2\nucast eth1 node2\n", check: func(t *testing.T, c HACF) {
			if c.Media[1].Peer != "192.0.2.2" || c.Media[2].Peer != "node2" || c.Media[1].Port != 694 {
				t.Errorf("ucast = %+v", c.Media)
			}
		}},
		{name: "ucast two peers on one line", lines: "ucast eth1 192.0.2.2 192.0.2.3\n", diags: []string{"E5 one peer"}},
		{name: "ucast with an IPv6 address", lines: "ucast eth1 2001:db8::2\n", diags: []string{"E5 use \"ucast6 eth1 2001:db8::2\""}},
		{name: "ignored directive with a bad value", lines: "realtime maybe\ncompression lz4\nrtprio 0\n", diags: []string{"E5 realtime: \"maybe\" is not a boolean", "E6 compression: \"lz4\" is not allowed: use zlib or bz2", "E7 rtprio"}},
		{name: "rejected baud does not count", lines: "baud 12345\nbaud 9600\n", diags: []string{"E5 invalid baud rate"}},
		{name: "ucast6", lines: "ucast6 eth1 2001:db8::2\n", check: func(t *testing.T, c HACF) {
			if c.Media[1].Type != Ucast6 {
				t.Errorf("ucast6 = %+v", c.Media[1])
			}
		}},
		{name: "ucast6 with IPv4", lines: "ucast6 eth1 192.0.2.2\n", diags: []string{"E5 not an IPv6 address"}},
		{name: "auto_failback values", lines: "auto_failback off\n", check: wantFailback(FailbackOff)},
		{name: "auto_failback legacy warns", lines: "auto_failback legacy\n", check: wantFailback(FailbackLegacy), diags: []string{"W5 legacy is deprecated"}},
		{name: "auto_failback bad", lines: "auto_failback maybe\n", diags: []string{"E5 use on, off or legacy"}},
		{name: "nice_failback after auto_failback means off", lines: "nice_failback on\n", check: wantFailback(FailbackOff), diags: []string{"W5 \"auto_failback off\""}},
		{name: "crm on is an error", lines: "crm yes\n", diags: []string{"E5 haresources mode only"}},
		{name: "crm respawn is an error", lines: "crm respawn\n", diags: []string{"E5 haresources mode only"}},
		{name: "pacemaker off is fine", lines: "pacemaker off\n"},
		{name: "crm twice", lines: "crm off\npacemaker off\n", diags: []string{"E6 given twice"}},
		{name: "autojoin none", lines: "autojoin none\n"},
		{name: "autojoin any", lines: "autojoin any\n", diags: []string{"E5 conflicts with haresources mode"}},
		{name: "logging", lines: "logfile /var/log/ha-log\ndebugfile /var/log/ha-debug\nlogfacility local0\ndebug 2\nuse_logd no\n", check: func(t *testing.T, c HACF) {
			if c.Logfile != "/var/log/ha-log" || c.Debugfile != "/var/log/ha-debug" || c.LogFacility != "local0" || c.Debug != 2 || c.UseLogd {
				t.Errorf("logging = %+v", c)
			}
		}},
		{name: "logfacility none", lines: "logfacility none\nlogfile /var/log/x\n", check: func(t *testing.T, c HACF) {
			if c.LogFacility != "" {
				t.Errorf("facility = %q", c.LogFacility)
			}
		}},
		{name: "logfacility bad", lines: "logfacility local9\n", diags: []string{"E5 not a syslog facility"}},
		{name: "logfile relative", lines: "logfile ha-log\n", diags: []string{"E5 not an absolute path"}},
		{name: "debug out of range", lines: "debug 256\n", diags: []string{"E5 out of range"}},
		{name: "msgfmt", lines: "msgfmt netstring\n", check: func(t *testing.T, c HACF) {
			if c.MsgFmt != "netstring" {
				t.Errorf("msgfmt = %q", c.MsgFmt)
			}
		}},
		{name: "msgfmt bad", lines: "msgfmt xml\n", diags: []string{"E5 classic or netstring"}},
		{name: "env", lines: "env FOO=bar\n", check: func(t *testing.T, c HACF) {
			if !reflect.DeepEqual(c.Env, []EnvVar{{"HA_FOO", "bar"}}) {
				t.Errorf("env = %v", c.Env)
			}
		}},
		{name: "env bad", lines: "env FOO\n", diags: []string{"E5 not NAME=value"}},
		{name: "hopfudge and max_rexmit_delay", lines: "hopfudge 3\nmax_rexmit_delay 100\n", check: func(t *testing.T, c HACF) {
			if c.Hopfudge != 3 || c.MaxRexmitDelay != 100*ms {
				t.Errorf("hopfudge %d rexmit %v", c.Hopfudge, c.MaxRexmitDelay)
			}
		}},
		{name: "booleans", lines: "syslogmsgfmt off\nlog_badpack n\n", check: func(t *testing.T, c HACF) {
			if c.SyslogMsgFmt || c.LogBadPack {
				t.Errorf("booleans: %+v", c)
			}
		}},
		{name: "boolean bad", lines: "log_badpack sometimes\n", diags: []string{"E5 not a boolean"}},
		{name: "ignored directives warn once per line", lines: "respawn hacluster /usr/sbin/dopd a b\napiauth ipfail gid=haclient\nrealtime off\nwatchdog /dev/watchdog\ncompression bz2\n",
			diags: []string{"W5 respawn is accepted but ignored", "W6 apiauth", "W7 realtime", "W8 watchdog", "W9 compression"}},
		{name: "hbgenmethod time ignored", lines: "hbgenmethod time\n", diags: []string{"W5 hbgenmethod time is ignored"}},
		{name: "uuidfrom bad", lines: "uuidfrom mac\n", diags: []string{"E5 use file or nodename"}},
		{name: "comment anywhere, tabs and commas", lines: "\t keepalive\t2 # two seconds\n\n   # only a comment\ndeadtime ,10\n", check: func(t *testing.T, c HACF) {
			if c.Keepalive != 2*time.Second || c.Deadtime != 10*time.Second {
				t.Errorf("keepalive %v deadtime %v", c.Keepalive, c.Deadtime)
			}
		}},
		{name: "CRLF line ends", lines: "keepalive 2\r\ndeadtime 10\r\n", check: func(t *testing.T, c HACF) {
			if c.Keepalive != 2*time.Second {
				t.Errorf("keepalive %v", c.Keepalive)
			}
		}},
		{name: "names are case-sensitive", lines: "Keepalive 2\n", diags: []string{"E5 case-sensitive; write \"keepalive\""}},
		{name: "unknown directive", lines: "frobnicate yes\n", diags: []string{"E5 unknown directive \"frobnicate\""}},
		{name: "hbaping refused like heartbeat", lines: "hbaping fc0\n", diags: []string{"E5 not built into heartbeat"}},
		{name: "directive without value", lines: "keepalive\n", diags: []string{"E5 keepalive needs a value"}},
		{name: "over-long line", lines: "node " + string(make([]byte, 6000)) + "\n", diags: []string{"E5 6005 bytes long"}},
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

func wantInitdead(d time.Duration) func(*testing.T, HACF) {
	return func(t *testing.T, c HACF) {
		t.Helper()
		if c.Initdead != d {
			t.Errorf("initdead = %v, want %v", c.Initdead, d)
		}
	}
}

func wantFailback(f AutoFailback) func(*testing.T, HACF) {
	return func(t *testing.T, c HACF) {
		t.Helper()
		if c.AutoFailback != f {
			t.Errorf("auto_failback = %v, want %v", c.AutoFailback, f)
		}
	}
}

// TestHACFWhole covers the checks of the whole file, without base.
func TestHACFWhole(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		diags      []string
		check      func(*testing.T, HACF)
	}{
		{name: "empty file", text: "", diags: []string{
			"E0 no heartbeat media", "E0 no nodes defined", "W0 auto_failback is not set"}},
		{name: "nice_failback alone means legacy", text: "node a\nbcast eth0\nlogfacility daemon\nnice_failback on\n",
			diags: []string{"W4 \"auto_failback legacy\""}, check: wantFailback(FailbackLegacy)},
		{name: "nice_failback off alone still means legacy", text: "node a\nbcast eth0\nlogfacility daemon\nnice_failback off\n",
			diags: []string{"W4 \"auto_failback legacy\""}, check: wantFailback(FailbackLegacy)},
		{name: "invalid auto_failback: one error, no deprecation warning on top", text: "node a\nbcast eth0\nlogfacility daemon\nauto_failback maybe\n",
			diags: []string{"E4 use on, off or legacy"}},
		{name: "use_logd off without destination", text: "node a\nbcast eth0\nauto_failback on\nuse_logd off\n",
			diags: []string{"E4 no log destination"}},
		{name: "no log directive means logd", text: "node a\nbcast eth0\nauto_failback on\n", check: func(t *testing.T, c HACF) {
			if !c.UseLogd {
				t.Error("use_logd should be implied")
			}
		}},
		{name: "hbparameter values", text: "node a\nbcast eth0\nauto_failback on\nkeepalive 2\ndeadtime 10\n", check: func(t *testing.T, c HACF) {
			for k, v := range map[string]string{"keepalive": "2", "deadtime": "10", "udpport": "694", "auto_failback": "on", "msgfmt": "classic", "baud": "19200"} {
				if c.Params[k] != v {
					t.Errorf("param %s = %q, want %q", k, c.Params[k], v)
				}
			}
			if _, ok := c.Params["node"]; ok {
				t.Error("node must not be a parameter (cl_status cannot print it)")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, d := hacfOf(tc.text)
			expectDiags(t, d, tc.diags...)
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}
