package config

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// directives is every ha.cf directive of heartbeat 3.0.6 (heartbeat-spec
// §1.4). The ones that matter in haresources mode take effect; the rest are
// accepted with a warning saying why they are ignored. ping, ping6,
// ping_group and stonith, stonith_host are in ping.go and stonith.go.
var directives map[string]directive

// directiveNames are the keys of directives, sorted, for suggestions.
var directiveNames []string

func init() {
	defer func() { directiveNames = slices.Sorted(maps.Keys(directives)) }()
	directives = map[string]directive{
		"node":             {apply: (*hacfParser).node},
		"keepalive":        {apply: timeSetter("keepalive", func(c *HACF) *time.Duration { return &c.Keepalive })},
		"deadtime":         {apply: timeSetter("deadtime", func(c *HACF) *time.Duration { return &c.Deadtime })},
		"warntime":         {apply: timeSetter("warntime", func(c *HACF) *time.Duration { return &c.Warntime })},
		"initdead":         {apply: timeSetter("initdead", func(c *HACF) *time.Duration { return &c.Initdead })},
		"deadping":         {apply: timeSetter("deadping", func(c *HACF) *time.Duration { return &c.Deadping })},
		"udpport":          {apply: (*hacfParser).udpport},
		"baud":             {apply: (*hacfParser).baud},
		"serial":           {apply: (*hacfParser).serial},
		"bcast":            {apply: (*hacfParser).bcast},
		"mcast":            {wholeLine: true, apply: func(p *hacfParser, n int, v string) { p.mcast(Mcast, n, v) }},
		"mcast6":           {wholeLine: true, apply: func(p *hacfParser, n int, v string) { p.mcast(Mcast6, n, v) }},
		"ucast":            {wholeLine: true, apply: func(p *hacfParser, n int, v string) { p.ucast(Ucast, n, v) }},
		"ucast6":           {wholeLine: true, apply: func(p *hacfParser, n int, v string) { p.ucast(Ucast6, n, v) }},
		"auto_failback":    {apply: (*hacfParser).autoFailback},
		"nice_failback":    {apply: (*hacfParser).niceFailback},
		"logfile":          {apply: pathSetter("logfile", func(c *HACF) *string { return &c.Logfile })},
		"debugfile":        {apply: pathSetter("debugfile", func(c *HACF) *string { return &c.Debugfile })},
		"logfacility":      {apply: (*hacfParser).logfacility},
		"use_logd":         {apply: boolSetter("use_logd", func(c *HACF) *bool { return &c.UseLogd })},
		"syslogmsgfmt":     {apply: boolSetter("syslogmsgfmt", func(c *HACF) *bool { return &c.SyslogMsgFmt })},
		"log_badpack":      {apply: boolSetter("log_badpack", func(c *HACF) *bool { return &c.LogBadPack })},
		"debug":            {apply: intSetter("debug", 0, 255, func(c *HACF) *int { return &c.Debug })},
		"hopfudge":         {apply: intSetter("hopfudge", 0, 255, func(c *HACF) *int { return &c.Hopfudge })},
		"msgfmt":           {apply: (*hacfParser).msgfmt},
		"max_rexmit_delay": {apply: (*hacfParser).maxRexmitDelay},
		"env":              {apply: (*hacfParser).env},
		"autojoin":         {apply: (*hacfParser).autojoin},
		"pacemaker":        {apply: (*hacfParser).pacemaker},
		"crm":              {apply: (*hacfParser).pacemaker},
		"cluster":          {apply: func(p *hacfParser, n int, v string) { p.remember("cluster", v) }},
		"conn_logd_time":   {apply: (*hacfParser).connLogdTime},

		"ping":         {apply: pingSetter("ping")},
		"ping6":        {apply: pingSetter("ping6")},
		"ping_group":   {wholeLine: true, apply: (*hacfParser).pingGroup},
		"stonith":      {wholeLine: true, apply: (*hacfParser).stonith},
		"stonith_host": {wholeLine: true, apply: (*hacfParser).stonithHost},
		"respawn":      {wholeLine: true, apply: (*hacfParser).respawn},

		// Accepted and ignored, each with its reason.
		"watchdog":                {apply: ignoreWith("watchdog", "use systemd's WatchdogSec= in the unit instead")},
		"failfast":                {wholeLine: true, apply: ignoreWith("failfast", "Understudy does not supervise other programs or reboot the machine")},
		"apiauth":                 {wholeLine: true, apply: ignoreWith("apiauth", "Understudy has no heartbeat client API; its control socket is root-only")},
		"realtime":                {apply: ignoreWith("realtime", "Understudy does not lock memory or use realtime scheduling", isBool)},
		"rtprio":                  {apply: ignoreWith("rtprio", "Understudy does not use realtime scheduling", isInt(1, 99))},
		"memreserve":              {apply: ignoreWith("memreserve", "Understudy does not pre-fault memory", isInt(1, 1<<30))},
		"compression":             {apply: ignoreWith("compression", "Understudy's messages are small and never compressed", oneOf("zlib", "bz2"))},
		"compression_threshold":   {apply: ignoreWith("compression_threshold", "Understudy's messages are small and never compressed", isInt(1, 1<<30))},
		"traditional_compression": {apply: ignoreWith("traditional_compression", "Understudy's messages are small and never compressed", isBool)},
		"coredumps":               {apply: ignoreWith("coredumps", "core dumps are the system's business (ulimit, systemd)", isBool)},
		"coreroot":                {apply: ignoreWith("coreroot", "core dumps are the system's business (ulimit, systemd)")},
		"hbgenmethod":             {apply: (*hacfParser).hbgenmethod},
		"uuidfrom":                {apply: (*hacfParser).uuidfrom},
		"use_apphbd":              {apply: ignoreWith("use_apphbd", "Understudy does not register with apphbd", isBool)},
		"crm_daemon_dir":          {apply: ignoreWith("crm_daemon_dir", "it is a Pacemaker setting")},
		"crmd_spawns_pengine":     {apply: ignoreWith("crmd_spawns_pengine", "it is a Pacemaker setting")},
		"record_config_changes":   {apply: ignoreWith("record_config_changes", "it is a Pacemaker setting")},
		"record_pengine_inputs":   {apply: ignoreWith("record_pengine_inputs", "it is a Pacemaker setting")},
		"enable_config_writes":    {apply: ignoreWith("enable_config_writes", "it is a Pacemaker setting")},
		"quorum_server":           {apply: ignoreWith("quorum_server", "it is a Pacemaker setting")},
	}
}

// ignoreWith accepts a directive Understudy does not act on, with one
// warning per line. check, if not nil, validates the value as heartbeat
// would, so that a file Understudy accepts still starts heartbeat.
func ignoreWith(name, why string, check ...func(string) error) func(*hacfParser, int, string) {
	return func(p *hacfParser, n int, v string) {
		for _, c := range check {
			if err := c(v); err != nil {
				p.r.errorf(n, "%s: %v", name, err)
				return
			}
		}
		// One warning per line, even when the line holds several tokens.
		if p.set["~warned "+name] == n {
			return
		}
		p.set["~warned "+name] = n
		p.remember(name, v)
		p.ignored(n, name, why)
	}
}

func isBool(v string) error { _, err := parseBool(v); return err }

func isInt(lo, hi int) func(string) error {
	return func(v string) error { _, err := parseInt(v, lo, hi); return err }
}

func oneOf(allowed ...string) func(string) error {
	return func(v string) error {
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return fmt.Errorf("%q is not allowed: use %s", v, strings.Join(allowed, " or "))
	}
}

func timeSetter(name string, field func(*HACF) *time.Duration) func(*hacfParser, int, string) {
	return func(p *hacfParser, n int, v string) {
		d, note, err := parseTime(v)
		switch {
		case err != nil:
			p.r.errorf(n, "%s: %v", name, err)
			p.timeErr = true
			return
		case note != "":
			p.r.warnf(n, "%s: %s", name, note)
		}
		if d <= 0 && name != "deadtime" {
			p.r.errorf(n, "%s must be greater than 0, not %q", name, v)
			p.timeErr = true
			return
		}
		*field(&p.cfg) = d
		p.set["~"+name] = n
		p.remember(name, v)
	}
}

func boolSetter(name string, field func(*HACF) *bool) func(*hacfParser, int, string) {
	return func(p *hacfParser, n int, v string) {
		b, err := parseBool(v)
		if err != nil {
			p.r.errorf(n, "%s: %v", name, err)
			return
		}
		*field(&p.cfg) = b
		if name == "use_logd" {
			p.useLogdSet = true
		}
		p.remember(name, v)
	}
}

func intSetter(name string, lo, hi int, field func(*HACF) *int) func(*hacfParser, int, string) {
	return func(p *hacfParser, n int, v string) {
		i, err := parseInt(v, lo, hi)
		if err != nil {
			p.r.errorf(n, "%s: %v", name, err)
			return
		}
		*field(&p.cfg) = i
		p.remember(name, v)
	}
}

func pathSetter(name string, field func(*HACF) *string) func(*hacfParser, int, string) {
	return func(p *hacfParser, n int, v string) {
		if !strings.HasPrefix(v, "/") {
			p.r.errorf(n, "%s: %q is not an absolute path", name, v)
			return
		}
		*field(&p.cfg) = v
		p.remember(name, v)
	}
}

const maxNodes = 100

func (p *hacfParser) node(n int, v string) {
	name := strings.ToLower(v)
	if !validNodeName(name) {
		p.r.errorf(n, "node name %q is not a host name: use letters, digits, '-', '.' and '_' (the name uname -n prints)", v)
		p.cfg.badNodes = true
		return
	}
	for _, have := range p.cfg.Nodes {
		if have == name {
			p.r.warnf(n, "node %s is listed twice", name)
			return
		}
	}
	if len(p.cfg.Nodes) == maxNodes {
		p.r.errorf(n, "too many nodes: at most %d are allowed", maxNodes)
		p.cfg.badNodes = true
		return
	}
	p.cfg.Nodes = append(p.cfg.Nodes, name)
}

func (p *hacfParser) udpport(n int, v string) {
	port, err := parseInt(v, 1, 65535)
	if err != nil {
		p.r.errorf(n, "udpport: %v", err)
		return
	}
	if p.udpFrozen != 0 && port != p.udpFrozen {
		p.r.warnf(n, "udpport %d comes after a bcast or ucast line, which keep port %d (as in heartbeat, udpport must precede the media lines); move it above them", port, p.udpFrozen)
	}
	p.cfg.UDPPort = port
	p.remember("udpport", v)
}

var baudRates = []int{9600, 19200, 38400, 57600, 115200, 230400, 460800}

func (p *hacfParser) baud(n int, v string) {
	if prev, ok := p.set["~baud"]; ok {
		p.r.errorf(n, "baud is given twice (first on line %d); give it once", prev)
		return
	}
	b, err := parseInt(v, 1, 1<<30)
	ok := err == nil
	if ok {
		ok = false
		for _, r := range baudRates {
			ok = ok || r == b
		}
	}
	if !ok {
		p.r.errorf(n, "invalid baud rate %q: allowed are 9600, 19200, 38400, 57600, 115200, 230400 and 460800", v)
		return
	}
	p.set["~baud"] = n
	if p.baudFrozen != 0 {
		p.r.warnf(n, "baud %d comes after a serial line, which keeps %d baud (as in heartbeat, baud must precede serial); move it above", b, p.baudFrozen)
	}
	p.cfg.Baud = b
	p.remember("baud", v)
}

func (p *hacfParser) serial(n int, v string) {
	if !strings.HasPrefix(v, "/dev/") && !strings.HasPrefix(v, "/") {
		p.r.errorf(n, "serial: %q is not an absolute device path such as /dev/ttyS0", v)
		return
	}
	if p.baudFrozen == 0 {
		p.baudFrozen = orDefault(p.cfg.Baud, defaultBaud)
	}
	p.cfg.Media = append(p.cfg.Media, Medium{Type: Serial, Line: n, Device: v, Baud: p.baudFrozen})
}

func (p *hacfParser) freezeUDP() int {
	if p.udpFrozen == 0 {
		p.udpFrozen = orDefault(p.cfg.UDPPort, defaultUDPPort)
	}
	return p.udpFrozen
}

func (p *hacfParser) bcast(n int, v string) {
	if !validIfaceName(v) {
		p.r.errorf(n, "bcast: %q is not an interface name", v)
		return
	}
	p.cfg.Media = append(p.cfg.Media, Medium{Type: Bcast, Line: n, Iface: v, Port: p.freezeUDP()})
}

func (p *hacfParser) ucast(typ MediumType, n int, v string) {
	f := strings.FieldsFunc(v, isDelim)
	if len(f) != 2 {
		p.r.errorf(n, "%s takes an interface and one peer: \"%s IFACE PEER\" (one line per peer)", typ, typ)
		return
	}
	if !validIfaceName(f[0]) {
		p.r.errorf(n, "%s: %q is not an interface name", typ, f[0])
		return
	}
	peer := f[1]
	if typ == Ucast6 {
		host, _, _ := strings.Cut(peer, "%")
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() || a.Is4In6() {
			p.r.errorf(n, "ucast6: %q is not an IPv6 address", peer)
			return
		}
	} else if a, err := netip.ParseAddr(peer); err == nil && a.Is6() {
		p.r.errorf(n, "ucast: %q is an IPv6 address: use \"ucast6 %s %s\"", peer, f[0], peer)
		return
	} else if err != nil && !validNodeName(strings.ToLower(peer)) {
		p.r.errorf(n, "ucast: %q is neither an IPv4 address nor a host name", peer)
		return
	}
	p.cfg.Media = append(p.cfg.Media, Medium{Type: typ, Line: n, Iface: f[0], Peer: peer, Port: p.freezeUDP()})
}

func (p *hacfParser) mcast(typ MediumType, n int, v string) {
	f := strings.FieldsFunc(v, isDelim)
	if len(f) != 5 {
		p.r.errorf(n, "%s takes five values: \"%s IFACE GROUP PORT TTL LOOP\", e.g. \"%s eth0 %s 694 1 0\"", typ, typ, typ, map[MediumType]string{Mcast: "239.192.0.1", Mcast6: "ff15::694"}[typ])
		return
	}
	m := Medium{Type: typ, Line: n, Iface: f[0]}
	if !validIfaceName(f[0]) {
		p.r.errorf(n, "%s: %q is not an interface name", typ, f[0])
		return
	}
	g, err := netip.ParseAddr(f[1])
	switch {
	case err != nil || !g.IsMulticast() || (typ == Mcast) != g.Is4():
		fam := map[MediumType]string{Mcast: "an IPv4 multicast address (224.0.0.0/4)", Mcast6: "an IPv6 multicast address (ff00::/8)"}[typ]
		p.r.errorf(n, "%s: group %q is not %s", typ, f[1], fam)
		return
	}
	m.Group = g
	if m.Port, err = parseInt(f[2], 1, 65535); err != nil {
		p.r.errorf(n, "%s: port: %v", typ, err)
		return
	}
	if m.TTL, err = parseInt(f[3], 0, 255); err != nil {
		p.r.errorf(n, "%s: ttl: %v", typ, err)
		return
	}
	if m.TTL > 4 {
		p.r.warnf(n, "%s: ttl %d is accepted, but heartbeat 3.0.6 refuses a ttl above 4: a heartbeat node cannot read this file", typ, m.TTL)
	}
	loop, err := parseInt(f[4], 0, 1)
	if err != nil {
		p.r.errorf(n, "%s: loop must be 0 or 1, not %q", typ, f[4])
		return
	}
	m.Loop = loop == 1
	p.cfg.Media = append(p.cfg.Media, m)
}
