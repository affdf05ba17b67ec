package config

import (
	"time"
)

// Defaults heartbeat 3.0.6 inserts for directives absent from ha.cf
// (heartbeat-spec §1.4, "table" defaults).
const (
	defaultKeepalive      = time.Second
	defaultDeadtime       = 30 * time.Second
	defaultUDPPort        = 694
	defaultBaud           = 19200
	defaultHopfudge       = 1
	defaultMaxRexmitDelay = 250 * time.Millisecond
	defaultMsgFmt         = "classic"
)

// tableDefaults are what `cl_status hbparameter` prints for absent
// directives.
var tableDefaults = map[string]string{
	"keepalive": "1000ms", "deadtime": "30000ms", "udpport": "694", "baud": "19200",
	"auto_failback": "legacy", "hopfudge": "1", "msgfmt": "classic", "compression": "zlib",
	"compression_threshold": "2", "traditional_compression": "no", "coredumps": "true",
	"hbgenmethod": "file", "uuidfrom": "file", "autojoin": "none", "max_rexmit_delay": "250",
	"cluster": "linux-ha", "conn_logd_time": "60", "syslogmsgfmt": "true", "log_badpack": "true",
	"realtime": "true", "memreserve": "6500", "crm": "false",
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func durOr(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

// finish inserts defaults, derives values and runs heartbeat's cross
// checks in heartbeat's order (heartbeat-spec §1.5).
func (p *hacfParser) finish() {
	c := &p.cfg
	_, deadSet := p.set["~deadtime"]
	durOr(&c.Keepalive, defaultKeepalive)
	if !deadSet {
		c.Deadtime = defaultDeadtime
	}
	c.UDPPort = orDefault(c.UDPPort, defaultUDPPort)
	c.Baud = orDefault(c.Baud, defaultBaud)
	if _, ok := p.set["hopfudge"]; !ok {
		c.Hopfudge = defaultHopfudge
	}
	durOr(&c.MaxRexmitDelay, defaultMaxRexmitDelay)
	if c.MsgFmt == "" {
		c.MsgFmt = defaultMsgFmt
	}
	if c.AutoFailback == "" {
		c.AutoFailback = FailbackLegacy
	}
	if _, ok := p.set["syslogmsgfmt"]; !ok {
		c.SyslogMsgFmt = true
	}
	if _, ok := p.set["log_badpack"]; !ok {
		c.LogBadPack = true
	}
	for k, v := range tableDefaults {
		if _, ok := c.Params[k]; !ok {
			c.Params[k] = v
		}
	}
	p.deriveTimes()
	if !p.timeErr {
		p.checkTimes()
	}
	p.checkWhole()
	p.checkPing()
	p.checkStonith()
}

// deriveTimes fills in warntime, initdead and deadping when absent
// (heartbeat-spec §1.5).
func (p *hacfParser) deriveTimes() {
	c := &p.cfg
	if c.Warntime == 0 {
		c.Warntime = c.Deadtime / 2
	}
	if _, ok := p.set["~initdead"]; !ok {
		switch {
		case c.Deadtime > 10*time.Second:
			c.Initdead = c.Deadtime
		case c.Deadtime < 6*time.Second:
			c.Initdead = 12 * time.Second
		default:
			c.Initdead = 2 * c.Deadtime
		}
	}
	if _, ok := p.set["~deadping"]; !ok {
		c.Deadping = c.Deadtime
	}
}

// checkTimes checks the times against each other as heartbeat does, and
// warns where a combination cannot work as meant.
func (p *hacfParser) checkTimes() {
	c := &p.cfg
	line := func(name string) int { return p.set[name] }
	if c.Deadtime <= 2*c.Keepalive {
		p.r.errorf(line("deadtime"), "deadtime %s is too small compared to keepalive %s: it must be more than twice keepalive, or one lost heartbeat declares a node dead", fmtDur(c.Deadtime), fmtDur(c.Keepalive))
	}
	if _, ok := p.set["~warntime"]; ok {
		switch {
		case c.Warntime >= c.Deadtime:
			p.r.warnf(line("warntime"), "warntime %s is not less than deadtime %s: late heartbeats will never be reported before the node is declared dead", fmtDur(c.Warntime), fmtDur(c.Deadtime))
		case c.Warntime <= c.Keepalive:
			p.r.warnf(line("warntime"), "warntime %s is not more than keepalive %s: every heartbeat will be reported late", fmtDur(c.Warntime), fmtDur(c.Keepalive))
		}
	}
	if _, ok := p.set["~initdead"]; ok {
		switch {
		case c.Initdead < c.Deadtime:
			p.r.errorf(line("initdead"), "initdead %s is smaller than deadtime %s: a node must be given at least deadtime to show up after boot", fmtDur(c.Initdead), fmtDur(c.Deadtime))
		case c.Initdead < 10*time.Second:
			p.r.warnf(line("initdead"), "initdead %s may be too small: switches and network start-up often need more than 10s after boot, and a peer not heard by then is taken over from", fmtDur(c.Initdead))
		}
	}
	if _, ok := p.set["~deadping"]; ok && c.Deadping <= 2*c.Keepalive {
		p.r.errorf(line("deadping"), "deadping %s is too small compared to keepalive %s: it must be more than twice keepalive", fmtDur(c.Deadping), fmtDur(c.Keepalive))
	}
}

// checkWhole runs the checks that need the whole file.
func (p *hacfParser) checkWhole() {
	c := &p.cfg
	triedMedia := false
	for _, m := range []MediumType{Bcast, Mcast, Mcast6, Ucast, Ucast6, Serial} {
		triedMedia = triedMedia || p.tried[string(m)]
	}
	if len(c.Media) == 0 && !triedMedia {
		p.r.errorf(0, "no heartbeat media defined: add at least one bcast, mcast, mcast6, ucast, ucast6 or serial line (two, on different paths, are wiser)")
	}
	if len(c.Nodes) == 0 && !p.tried["node"] {
		p.r.errorf(0, "no nodes defined: add a \"node NAME\" line for every cluster member, each as uname -n prints it")
	}
	if _, ok := p.set["auto_failback"]; !ok && c.AutoFailback == FailbackLegacy {
		if _, nice := p.set["~auto_failback"]; !nice {
			p.r.warnf(0, "auto_failback is not set, so it is legacy (heartbeat's default), which is deprecated: set \"auto_failback on\" or \"auto_failback off\"")
		}
	} else if line, ok := p.set["~legacy"]; ok && c.AutoFailback == FailbackLegacy && p.set["~auto_failback"] == line {
		p.r.warnf(p.set["~auto_failback"], "auto_failback legacy is deprecated: convert to \"auto_failback on\" (groups return to their preferred node) or \"off\"")
	}
	logSet := c.Logfile != "" || c.Debugfile != "" || c.LogFacility != ""
	if !logSet && p.useLogdSet && !c.UseLogd {
		p.r.errorf(p.set["use_logd"], "no log destination: use_logd is off and none of logfile, debugfile or logfacility is set; add \"logfacility daemon\" or a logfile")
	}
	if !logSet && !p.useLogdSet {
		c.UseLogd = true
	}
}
