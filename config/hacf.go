package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// AutoFailback is the auto_failback policy (heartbeat-spec §5.3, §5.4).
type AutoFailback string

const (
	// FailbackLegacy is heartbeat's old protocol, and its default.
	FailbackLegacy AutoFailback = "legacy"
	// FailbackOn moves groups back to their preferred node when it returns.
	FailbackOn AutoFailback = "on"
	// FailbackOff leaves groups where they are when the preferred node returns.
	FailbackOff AutoFailback = "off"
)

// MediumType names a heartbeat medium.
type MediumType string

// The media of ha.cf.
const (
	Bcast  MediumType = "bcast"
	Mcast  MediumType = "mcast"
	Ucast  MediumType = "ucast"
	Mcast6 MediumType = "mcast6"
	Ucast6 MediumType = "ucast6"
	Serial MediumType = "serial"
)

// Medium is one heartbeat link as configured by one ha.cf token or line.
type Medium struct {
	Type MediumType `json:"type"`
	Line int        `json:"line"`
	// Iface is the network interface (bcast, mcast, ucast and their v6 forms).
	Iface string `json:"iface,omitempty"`
	// Peer is the ucast destination as written (a name or an address).
	Peer string `json:"peer,omitempty"`
	// Group, TTL and Loop are the mcast settings.
	Group netip.Addr `json:"group,omitzero"`
	TTL   int        `json:"ttl,omitempty"`
	Loop  bool       `json:"loop,omitempty"`
	// Port is the UDP port: udpport as it stood when the first bcast/ucast
	// line was read (heartbeat-spec §1.6), or the mcast line's own port.
	Port int `json:"port,omitempty"`
	// Device and Baud are the serial settings.
	Device string `json:"device,omitempty"`
	Baud   int    `json:"baud,omitempty"`
}

func (m Medium) String() string {
	switch m.Type {
	case Serial:
		return fmt.Sprintf("serial %s at %d baud", m.Device, m.Baud)
	case Bcast:
		return fmt.Sprintf("bcast on %s, port %d", m.Iface, m.Port)
	case Ucast, Ucast6:
		return fmt.Sprintf("%s on %s to %s, port %d", m.Type, m.Iface, m.Peer, m.Port)
	default:
		return fmt.Sprintf("%s on %s to %s port %d, ttl %d, loop %t", m.Type, m.Iface, m.Group, m.Port, m.TTL, m.Loop)
	}
}

// EnvVar is one "env NAME=value" directive, exported to scripts as HA_NAME.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HACF is the content of ha.cf after parsing, defaults and derivation.
// Every duration is exact to the millisecond.
type HACF struct {
	// Nodes lists the cluster's nodes, lower-cased, in file order.
	Nodes []string `json:"nodes"`
	// Keepalive is the interval between heartbeats. Default 1s.
	Keepalive time.Duration `json:"-"`
	// Deadtime is how long a silent node is alive. Default 30s; must
	// exceed 2 × Keepalive.
	Deadtime time.Duration `json:"-"`
	// Warntime is when a late heartbeat is logged. Default Deadtime/2.
	Warntime time.Duration `json:"-"`
	// Initdead replaces Deadtime until a node has first been heard.
	// Default: Deadtime if over 10s; 12s if Deadtime is under 6s; else
	// 2 × Deadtime. Must be ≥ Deadtime.
	Initdead time.Duration `json:"-"`
	// Deadping is the dead time of ping nodes. Default Deadtime.
	Deadping time.Duration `json:"-"`
	// UDPPort is the last udpport value (default 694). The media carry
	// the port they actually use.
	UDPPort int `json:"udpport"`
	// Baud is the serial speed (default 19200).
	Baud int `json:"baud"`
	// Media are the heartbeat links in file order.
	Media []Medium `json:"media"`
	// AutoFailback is the failback policy (default legacy).
	AutoFailback AutoFailback `json:"auto_failback"`
	// Logging.
	Logfile     string `json:"logfile,omitempty"`
	Debugfile   string `json:"debugfile,omitempty"`
	LogFacility string `json:"logfacility,omitempty"`
	UseLogd     bool   `json:"use_logd"`
	Debug       int    `json:"debug"`
	// SyslogMsgFmt selects the log line format (default true).
	SyslogMsgFmt bool `json:"syslogmsgfmt"`
	// LogBadPack logs malformed or badly signed packets (default true).
	LogBadPack bool `json:"log_badpack"`
	// MsgFmt is classic or netstring (default classic; both send netstring
	// on UDP, netstring omits the inner auth field).
	MsgFmt string `json:"msgfmt"`
	// Hopfudge is added to the node count for the ttl field (default 1).
	Hopfudge int `json:"hopfudge"`
	// MaxRexmitDelay bounds the retransmission-request delay (default 250ms).
	MaxRexmitDelay time.Duration `json:"-"`
	// Env holds the env directives, exported to scripts as HA_NAME=value.
	Env []EnvVar `json:"env,omitempty"`
	// badNodes: a node line was refused, so a node missing from Nodes
	// is not reported again where haresources names it.
	badNodes bool
	// PingNodes are the ping, ping6 and ping_group lines, in file order.
	PingNodes []PingNode `json:"ping_nodes,omitempty"`
	// Stonith are the fencing devices of the stonith and stonith_host
	// lines, in file order.
	Stonith []StonithDevice `json:"stonith,omitempty"`
	// Params maps each directive heartbeat remembers to its value as
	// written, or its default: what `cl_status hbparameter -p NAME` prints.
	Params map[string]string `json:"-"`
}

// directive describes how one ha.cf directive is parsed.
type directive struct {
	// wholeLine: the handler gets the rest of the line, not one token.
	wholeLine bool
	apply     func(p *hacfParser, line int, arg string)
}

// hacfParser holds the state of one ha.cf parse: heartbeat applies
// directives in file order and some depend on what came before.
type hacfParser struct {
	r   reporter
	cfg HACF
	// set records which directives appeared, and where.
	set map[string]int
	// udpFrozen/baudFrozen are the values captured when the first UDP or
	// serial medium was read (heartbeat loads the plugin then).
	udpFrozen  int
	baudFrozen int
	useLogdSet bool
	// tried records each directive named on some line, valid or not, and
	// the directive an unknown name is a near miss of: "no nodes" and "no
	// media" are not reported on top of a refused node or medium line.
	tried map[string]bool
	// timeErr: a time directive was invalid, so the cross checks between
	// times would judge defaults the admin did not choose; they are skipped.
	timeErr bool
}

// parseHACF parses ha.cf text (heartbeat-spec §1) into an HACF with
// defaults and derived values filled in. Problems go to r.
func parseHACF(text string, r reporter) HACF {
	p := &hacfParser{r: r, set: map[string]int{}, tried: map[string]bool{}}
	p.cfg.Params = map[string]string{}
	for n, raw := range splitLines(text) {
		p.line(n+1, raw)
	}
	p.finish()
	return p.cfg
}

// maxHACFLine is heartbeat's line buffer; longer lines are split there.
const maxHACFLine = 5119

func (p *hacfParser) line(n int, raw string) {
	if len(raw) > maxHACFLine {
		p.r.errorf(n, "line is %d bytes long: heartbeat reads at most %d and would parse the rest as a new line; shorten it", len(raw), maxHACFLine)
		return
	}
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		raw = raw[:i]
	}
	raw = strings.TrimLeft(raw, " \t\f\v")
	if strings.TrimSpace(raw) == "" {
		return
	}
	name, rest, _ := strings.Cut(strings.Map(tabToSpace, raw), " ")
	rest = strings.Trim(rest, " ,\f\v\r")
	if name == "udp" {
		p.r.warnf(n, "directive 'udp' is an old name for 'bcast'; it is read as bcast")
		name = "bcast"
	}
	d, ok := directives[name]
	if !ok {
		meant := p.unknown(n, name)
		p.tried[meant] = true
		p.cfg.badNodes = p.cfg.badNodes || meant == "node"
		return
	}
	p.tried[name] = true
	if rest == "" {
		p.r.errorf(n, "%s needs a value", name)
		p.cfg.badNodes = p.cfg.badNodes || name == "node"
		return
	}
	p.set[name] = n
	if d.wholeLine {
		d.apply(p, n, rest)
		return
	}
	// Option style: each token is applied as if the directive were repeated.
	for _, tok := range strings.FieldsFunc(rest, isDelim) {
		d.apply(p, n, tok)
	}
}

func tabToSpace(r rune) rune {
	if r == '\t' {
		return ' '
	}
	return r
}

func isDelim(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '\f' || r == '\r' }

// unknown reports a name that is not a directive, and returns the
// directive it is a near miss of ("" if none).
func (p *hacfParser) unknown(n int, name string) string {
	if _, ok := directives[strings.ToLower(name)]; ok {
		p.r.errorf(n, "unknown directive %q: directive names are case-sensitive; write %q", name, strings.ToLower(name))
		return strings.ToLower(name)
	}
	if why, ok := unsupportedDirectives[name]; ok {
		p.r.errorf(n, "directive %q is not supported: %s", name, why)
		return ""
	}
	if s, ok := nearest(strings.ToLower(name), directiveNames); ok {
		p.r.errorf(n, "unknown directive %q: did you mean %q? (see ha.cf(5))", name, s)
		return s
	}
	p.r.errorf(n, "unknown directive %q: see ha.cf(5) for the directives Understudy reads", name)
	return ""
}

// unsupportedDirectives are names heartbeat 3.0.6 on Debian refuses too.
var unsupportedDirectives = map[string]string{
	"hbaping":    "the hbaping medium is not built into heartbeat 3.0.6 either",
	"tipc":       "the tipc medium is not built into heartbeat 3.0.6 either",
	"rds":        "the rds medium is not built into heartbeat 3.0.6 either",
	"normalpoll": "it is documented but was never compiled into heartbeat 3.0.6",
}

// remember records a value for `cl_status hbparameter`.
func (p *hacfParser) remember(name, val string) { p.cfg.Params[name] = val }

func (p *hacfParser) ignored(n int, name, why string) {
	p.r.warnf(n, "%s is accepted but ignored: %s", name, why)
}
