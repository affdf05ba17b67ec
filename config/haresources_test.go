package config

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func haresOf(text string) ([]Group, Diagnostics) {
	var d Diagnostics
	g := parseHaresources(text, reporter{file: "haresources", diags: &d})
	return g, d
}

// lineWords renders groups as "line: node tok tok" for compact comparison.
func lineWords(gs []Group) []string {
	var out []string
	for _, g := range gs {
		s := g.Node
		for _, r := range g.Resources {
			s += " " + r.Token
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// TestHaresourcesJoin replays heartbeat-spec §2.1's lab pipeline check,
// with the two places where Understudy deliberately differs.
func TestHaresourcesJoin(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
		lines      []int
		diags      []string
	}{
		{name: "continuation", text: "node1 a \\\n   b\n", want: []string{"node1 a b"}, lines: []int{1}},
		{name: "comment on continuation line is a comment (heartbeat: resources)",
			text: "node1 a \\\n   b # trailing comment\n", want: []string{"node1 a b"}, lines: []int{1},
			diags: []string{"W2 comment on a continuation line"}},
		{name: "trailing comment", text: "node2 c # comment\n", want: []string{"node2 c"}},
		{name: "backslash after # is no continuation", text: "# full comment \\\nnode3 x\n", want: []string{"node3 x"}, lines: []int{2}},
		{name: "glued continuation is two words (heartbeat: de)", text: "node3 d\\\ne \\\n\n", want: []string{"node3 d e"},
			diags: []string{"W1 no blank before the continuation backslash"}},
		{name: "case and blanks", text: "NODE4   f\tg\n", want: []string{"node4 f g"}},
		{name: "blank and comment lines", text: "\n   \n# x\n\t# y\nnode1 a\n", want: []string{"node1 a"}, lines: []int{5}},
		{name: "CRLF", text: "node1 a \\\r\n b\r\nnode2 c\r\n", want: []string{"node1 a b", "node2 c"}, lines: []int{1, 3}},
		{name: "blanks after backslash still continue", text: "node1 a \\  \n b\n", want: []string{"node1 a b"},
			diags: []string{"W1 blanks after the continuation backslash"}},
		{name: "file ends in a continuation", text: "node1 a \\", want: []string{"node1 a"},
			diags: []string{"W1 ends inside a continued line"}},
		{name: "no newline at end", text: "node1 a", want: []string{"node1 a"}},
		{name: "backslash then comment", text: "node1 a \\ # more\n b\n", want: []string{"node1 a b"},
			diags: []string{"W1 a backslash followed by a comment"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gs, d := haresOf(tc.text)
			expectDiags(t, d, tc.diags...)
			if got := lineWords(gs); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("groups = %q, want %q", got, tc.want)
			}
			for i, l := range tc.lines {
				if gs[i].Line != l {
					t.Errorf("group %d on line %d, want %d", i, gs[i].Line, l)
				}
			}
		})
	}
}

func TestParseResource(t *testing.T) {
	spec := func(s string) *IPSpec {
		v, err := ParseIPSpec(s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	for _, tc := range []struct {
		tok     string
		want    Resource
		wantErr string
	}{
		{tok: "httpd", want: Resource{Token: "httpd", Script: "httpd"}},
		{tok: "Filesystem::/dev/sda1::/data1::ext2", want: Resource{Token: "Filesystem::/dev/sda1::/data1::ext2", Script: "Filesystem", Args: []string{"/dev/sda1", "/data1", "ext2"}}},
		{tok: "hbtest::alpha::beta", want: Resource{Token: "hbtest::alpha::beta", Script: "hbtest", Args: []string{"alpha", "beta"}}},
		{tok: "s::a:b::::c", want: Resource{Token: "s::a:b::::c", Script: "s", Args: []string{"a:b", "c"}}}, // single ':' kept, empty args vanish
		{tok: "s::", want: Resource{Token: "s::", Script: "s"}},
		{tok: "10.0.0.5", want: Resource{Token: "10.0.0.5", Script: "IPaddr", Args: []string{"10.0.0.5"}, IP: spec("10.0.0.5")}},
		{tok: "10.0.0.5/24/eth0/10.0.0.255", want: Resource{Token: "10.0.0.5/24/eth0/10.0.0.255", Script: "IPaddr", Args: []string{"10.0.0.5/24/eth0/10.0.0.255"}, IP: spec("10.0.0.5/24/eth0/10.0.0.255")}},
		{tok: "IPaddr::10.0.0.5/24/eth0", want: Resource{Token: "IPaddr::10.0.0.5/24/eth0", Script: "IPaddr", Args: []string{"10.0.0.5/24/eth0"}, IP: spec("10.0.0.5/24/eth0")}},
		{tok: "IPaddr2::2001:db8::10/64/eth0", want: Resource{Token: "IPaddr2::2001:db8::10/64/eth0", Script: "IPaddr2", Args: []string{"2001:db8::10/64/eth0"}, IP: spec("2001:db8::10/64/eth0")}},
		{tok: "2001:db8::10/64", want: Resource{Token: "2001:db8::10/64", Script: "IPaddr", Args: []string{"2001:db8::10/64"}, IP: spec("2001:db8::10/64")}},
		{tok: "1.2.3", want: Resource{Token: "1.2.3", Script: "1.2.3"}}, // two dots: not an IP, a script name as in heartbeat
		{tok: "IPaddr", wantErr: "needs an address"},
		{tok: "IPaddr::banana", wantErr: "not an IP address"},
		{tok: "10.0.0.300", wantErr: "not an IP address"},
		{tok: "::x", wantErr: "no script name"},
		{tok: "../../bin/sh", wantErr: "may not contain a path"},
		{tok: "IPaddr::127.0.0.1", wantErr: "cannot be a floating address"},
	} {
		t.Run(tc.tok, func(t *testing.T) {
			got, err := parseResource(tc.tok)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseResource(%q) err = %v, want %q", tc.tok, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseResource(%q): %v", tc.tok, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseResource(%q) =\n %+v\nwant\n %+v", tc.tok, got, tc.want)
			}
		})
	}
}

func TestParseIPSpec(t *testing.T) {
	a := netip.MustParseAddr
	for _, tc := range []struct {
		in      string
		want    IPSpec
		wantErr string
	}{
		{in: "192.0.2.10", want: IPSpec{Addr: a("192.0.2.10")}},
		{in: "192.0.2.10/24", want: IPSpec{Addr: a("192.0.2.10"), Bits: 24}},
		{in: "192.0.2.10/255.255.255.0", want: IPSpec{Addr: a("192.0.2.10"), Bits: 24}},
		{in: "192.0.2.10/24/eth0", want: IPSpec{Addr: a("192.0.2.10"), Bits: 24, Iface: "eth0"}},
		{in: "192.0.2.10/24/eth0/192.0.2.255", want: IPSpec{Addr: a("192.0.2.10"), Bits: 24, Iface: "eth0", Broadcast: a("192.0.2.255")}},
		{in: "192.0.2.10/24/192.0.2.255", want: IPSpec{Addr: a("192.0.2.10"), Bits: 24, Broadcast: a("192.0.2.255")}},
		{in: "192.0.2.10//eth0", want: IPSpec{Addr: a("192.0.2.10"), Iface: "eth0"}},
		{in: "2001:db8::10/64/eth0", want: IPSpec{Addr: a("2001:db8::10"), Bits: 64, Iface: "eth0"}},
		{in: "192.0.2.10/33", wantErr: "1 to 32"},
		{in: "192.0.2.10/0", wantErr: "1 to 32"},
		{in: "192.0.2.10/255.0.255.0", wantErr: "contiguous"},
		{in: "192.0.2.10/24/eth0/x", wantErr: "broadcast"},
		{in: "2001:db8::10/64/eth0/2001:db8::ff", wantErr: "IPv6 has no broadcast"},
		{in: "192.0.2.10/24/eth:0", wantErr: "not an interface name"},
		{in: "192.0.2.10/24/eth0/192.0.2.255/x", wantErr: "5 parts"},
		{in: "fe80::1/64", wantErr: "cannot be a floating address"},
		{in: "224.0.0.1", wantErr: "cannot be a floating address"},
		{in: "fe80::1%eth0", wantErr: "not an IP address"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseIPSpec(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseIPSpec(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestHaresourcesGroups(t *testing.T) {
	gs, d := haresOf("node1 192.0.2.10 httpd\nnode2 IPaddr::192.0.2.11/24/eth0 mysql\n")
	expectDiags(t, d)
	if len(gs) != 2 || gs[0].Key != "192.0.2.10" || gs[1].Key != "IPaddr::192.0.2.11/24/eth0" || gs[1].Node != "node2" {
		t.Fatalf("groups = %+v", gs)
	}
	for _, tc := range []struct{ name, text, diag string }{
		{"duplicate key", "node1 a b\nnode2 a c\n", "E2 group a is defined twice (first on line 1)"},
		{"node without resources", "node1\n", "E1 has no resources"},
		{"bad node", "no/de a\n", "E1 is not a node name"},
		{"bad resource", "node1 IPaddr::x\n", "E1 resource \"IPaddr::x\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, d := haresOf(tc.text)
			expectDiags(t, d, tc.diag)
		})
	}
}
