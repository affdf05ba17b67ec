package config

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Where cluster-glue (the Debian package cluster-glue) keeps stonith(8)
// and its plugins.
const (
	StonithProgram   = "/usr/sbin/stonith"
	StonithPluginDir = "/usr/lib/stonith/plugins"
)

// StonithDevice is one fencing device of ha.cf: a "stonith TYPE FILE" or
// "stonith_host HOST TYPE PARAMS..." line, used through cluster-glue's
// stonith(8).
type StonithDevice struct {
	Line int `json:"line"`
	// Host is the node that may use the device: "*" for every node (a
	// stonith line is always "*"), else one node's name. heartbeat
	// ignores a stonith_host line on every other node, and so does
	// Understudy.
	Host string `json:"host"`
	// Type is the cluster-glue plugin: "external/ipmi", "meatware", ...
	Type string `json:"type"`
	// ConfigFile is the parameter file of a stonith line (stonith -F).
	ConfigFile string `json:"config_file,omitempty"`
	// Params are the parameters of a stonith_host line, in order, as
	// stonith -p takes them (package fence hands them over in a file,
	// for -F). They are left out of JSON: they often hold the device's
	// password.
	Params []string `json:"-"`
}

// UsableBy reports whether node may use the device.
func (d StonithDevice) UsableBy(node string) bool { return d.Host == "*" || d.Host == node }

// String describes the device without its parameters (which may hold a
// password).
func (d StonithDevice) String() string {
	who := "every node"
	if d.Host != "*" {
		who = "node " + d.Host
	}
	if d.ConfigFile != "" {
		return fmt.Sprintf("stonith %s with %s, used by %s", d.Type, d.ConfigFile, who)
	}
	return fmt.Sprintf("stonith %s with %d parameter(s), used by %s", d.Type, len(d.Params), who)
}

// stonithTypeRE is a plugin type: a name, or "external/" and a name.
var stonithTypeRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.+-]*(/[A-Za-z0-9_][A-Za-z0-9_.+-]*)?$`)

func (p *hacfParser) stonithType(n int, dir, typ string) bool {
	if !stonithTypeRE.MatchString(typ) || strings.Contains(typ, "..") {
		p.r.errorf(n, "%s: %q is not a stonith device type: see \"stonith -L\" for the types cluster-glue has (such as external/ipmi or meatware)", dir, typ)
		return false
	}
	return true
}

// stonith handles "stonith TYPE CONFIGFILE".
func (p *hacfParser) stonith(n int, v string) {
	f := strings.Fields(v)
	if len(f) != 2 {
		p.r.errorf(n, "stonith takes a device type and its parameter file: \"stonith TYPE /path/to/file\" (or use stonith_host)")
		return
	}
	if !p.stonithType(n, "stonith", f[0]) {
		return
	}
	if !filepath.IsAbs(f[1]) {
		p.r.errorf(n, "stonith: %q is not an absolute path", f[1])
		return
	}
	p.cfg.Stonith = append(p.cfg.Stonith, StonithDevice{Line: n, Host: "*", Type: f[0], ConfigFile: f[1]})
}

// stonithHost handles "stonith_host HOST TYPE PARAMS...". The parameters
// are split at blanks only: a comma belongs to a parameter (a host list
// such as "node1,node2").
func (p *hacfParser) stonithHost(n int, v string) {
	f := strings.Fields(v)
	if len(f) < 2 {
		p.r.errorf(n, "stonith_host takes the node that uses the device (or *), the device type and its parameters: \"stonith_host * external/ipmi node2 192.0.2.52 admin secret lan\"")
		return
	}
	host := strings.ToLower(f[0])
	if host != "*" && !validNodeName(host) {
		p.r.errorf(n, "stonith_host: %q is neither * nor a node name", f[0])
		return
	}
	if !p.stonithType(n, "stonith_host", f[1]) {
		return
	}
	p.cfg.Stonith = append(p.cfg.Stonith, StonithDevice{Line: n, Host: host, Type: f[1], Params: f[2:]})
}

// ipfailPaths are where Debian's heartbeat installs ipfail.
var ipfailPaths = []string{"/usr/lib/heartbeat/ipfail", "/usr/libexec/heartbeat/ipfail", "/usr/lib64/heartbeat/ipfail"}

// respawn accepts "respawn USER /path/ipfail" silently, as ipfail's rule
// is built into Understudy; other programs are ignored with a warning.
func (p *hacfParser) respawn(n int, v string) {
	f := strings.Fields(v)
	if len(f) >= 2 && slices.Contains(ipfailPaths, f[1]) {
		p.set["~ipfail"] = n
		if len(f) > 2 {
			p.r.warnf(n, "respawn ipfail: Understudy has ipfail's rule built in, and ignores the arguments %s", strings.Join(f[2:], " "))
		}
		return
	}
	p.remember("respawn", v)
	p.ignored(n, "respawn", "Understudy does not supervise other programs; run them as systemd services (ipfail needs no line: its rule is built in)")
}

// checkStonith runs the checks that need the whole file: a stonith_host
// line for a host that is not a node is used by nobody.
func (p *hacfParser) checkStonith() {
	for _, d := range p.cfg.Stonith {
		if d.Host != "*" && len(p.cfg.Nodes) > 0 && !slices.Contains(p.cfg.Nodes, d.Host) {
			p.r.warnf(d.Line, "stonith_host %s: %s is not a node of ha.cf (nodes: %s), so no node uses this device", d.Host, d.Host, strings.Join(p.cfg.Nodes, " "))
		}
	}
}
