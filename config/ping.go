package config

import (
	"net/netip"
	"slices"
	"strings"
	"unicode"
)

// PingNode is one ping node of ha.cf: a "ping" or "ping6" address, or a
// "ping_group" (heartbeat-spec §1.4). Each is a pseudo-node that is up
// while it answers ICMP echo requests, and dead after Deadping of silence;
// a group is up while any of its addresses answers.
type PingNode struct {
	// Name is the pseudo-node's name, as cl_status lists it: the address
	// in its canonical form (with its %zone, if any) for ping and ping6,
	// the group's name, lower-cased, for ping_group.
	Name string `json:"name"`
	// Addrs are the addresses probed: one for ping and ping6, one or
	// more for ping_group, which may mix IPv4 and IPv6.
	Addrs []netip.Addr `json:"addrs"`
	// Group is true for a ping_group.
	Group bool `json:"group,omitempty"`
	// Line is where it is written in ha.cf.
	Line int `json:"line"`
}

// maxPingAddrs bounds the addresses of all ping nodes together:
// heartbeat counts ping nodes among its 100 nodes.
const maxPingAddrs = 100

// pingAddr parses one ping, ping6 or ping_group address. fam is "ping"
// (IPv4 only), "ping6" (IPv6 only) or "ping_group" (either). It reports
// the problem and returns false when the address cannot be a ping node.
func (p *hacfParser) pingAddr(n int, fam, s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	switch {
	case err != nil && validNodeName(strings.ToLower(s)) && strings.ContainsFunc(s, unicode.IsLetter):
		p.r.errorf(n, "%s: %q is a host name: write the ping node's IP address (Understudy does not look names up for ping nodes: the name server may sit behind the very uplink the ping node watches)", fam, s)
	case err != nil:
		p.r.errorf(n, "%s: %q is not an IP address", fam, s)
	case fam == "ping" && a.Is6():
		p.r.errorf(n, "ping: %q is an IPv6 address: use \"ping6 %s\"", s, s)
	case fam == "ping6" && a.Is4():
		p.r.errorf(n, "ping6: %q is an IPv4 address: use \"ping %s\"", s, s)
	case a.Is4In6():
		p.r.errorf(n, "%s: %q is an IPv4-mapped IPv6 address: write the IPv4 address with ping", fam, s)
	case a.Is4() && a.Zone() != "":
		p.r.errorf(n, "%s: %q: only IPv6 addresses take a %%zone", fam, s)
	case a.Zone() != "" && !validIfaceName(a.Zone()):
		p.r.errorf(n, "%s: %q: the zone %q is not an interface name", fam, s, a.Zone())
	case a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		p.r.errorf(n, "%s: %s is not a unicast address: a ping node is one host, such as the router clients use", fam, s)
	default:
		if a.IsLoopback() {
			p.r.warnf(n, "%s: %s is a loopback address: it always answers, so it tells nothing about the network", fam, s)
		}
		return a, true
	}
	return netip.Addr{}, false
}

// pingSetter handles one address of a ping or ping6 line (option style:
// one token at a time).
func pingSetter(fam string) func(*hacfParser, int, string) {
	return func(p *hacfParser, n int, v string) {
		a, ok := p.pingAddr(n, fam, v)
		if !ok {
			return
		}
		if i := p.pingIndex(a.String()); i >= 0 {
			p.r.warnf(n, "%s: ping node %s is listed twice (first on line %d)", fam, a, p.cfg.PingNodes[i].Line)
			return
		}
		p.addPing(n, PingNode{Name: a.String(), Addrs: []netip.Addr{a}, Line: n})
	}
}

// pingGroup handles "ping_group NAME ADDR [ADDR...]".
func (p *hacfParser) pingGroup(n int, v string) {
	f := strings.FieldsFunc(v, isDelim)
	if len(f) < 2 {
		p.r.errorf(n, "ping_group takes a name and at least one address: \"ping_group NAME ADDR [ADDR...]\"")
		return
	}
	name := strings.ToLower(f[0])
	if !validNodeName(name) {
		p.r.errorf(n, "ping_group: %q is not a name: use letters, digits, '-', '.' and '_'", f[0])
		return
	}
	if i := p.pingIndex(name); i >= 0 {
		p.r.errorf(n, "ping_group: the name %s is already a ping node (line %d): give each ping node and group a name of its own", name, p.cfg.PingNodes[i].Line)
		return
	}
	g := PingNode{Name: name, Group: true, Line: n}
	for _, s := range f[1:] {
		a, ok := p.pingAddr(n, "ping_group", s)
		if !ok {
			return
		}
		if slices.Contains(g.Addrs, a) {
			p.r.warnf(n, "ping_group %s: %s is listed twice", name, a)
			continue
		}
		g.Addrs = append(g.Addrs, a)
	}
	p.addPing(n, g)
}

func (p *hacfParser) pingIndex(name string) int {
	return slices.IndexFunc(p.cfg.PingNodes, func(pn PingNode) bool { return pn.Name == name })
}

func (p *hacfParser) addPing(n int, pn PingNode) {
	total := len(pn.Addrs)
	for _, have := range p.cfg.PingNodes {
		total += len(have.Addrs)
	}
	if total > maxPingAddrs {
		p.r.errorf(n, "too many ping addresses: at most %d in all", maxPingAddrs)
		return
	}
	p.cfg.PingNodes = append(p.cfg.PingNodes, pn)
}

// checkPing runs the ping checks that need the whole file: a ping node
// may not share its name with a cluster node, and ipfail has nothing to
// compare without ping nodes.
func (p *hacfParser) checkPing() {
	for _, pn := range p.cfg.PingNodes {
		if slices.Contains(p.cfg.Nodes, pn.Name) {
			p.r.errorf(pn.Line, "ping node %s has the name of a cluster node: ping nodes are outside the cluster; rename the ping_group", pn.Name)
		}
	}
	if line, ok := p.set["~ipfail"]; ok && len(p.cfg.PingNodes) == 0 {
		p.r.warnf(line, "respawn ipfail: there is no ping, ping6 or ping_group line, so there is nothing to compare: add the router your clients use as a ping node")
	}
}
