package config

import (
	"strings"
	"time"
)

func (p *hacfParser) autoFailback(n int, v string) {
	switch strings.ToLower(v) {
	case "legacy":
		p.cfg.AutoFailback = FailbackLegacy
		p.set["~legacy"] = n
	default:
		b, err := parseBool(v)
		if err != nil {
			p.r.errorf(n, "auto_failback: %q is not allowed: use on, off or legacy", v)
			p.set["~auto_failback"] = n // reported; no "not set" warning on top
			return
		}
		p.cfg.AutoFailback = map[bool]AutoFailback{true: FailbackOn, false: FailbackOff}[b]
	}
	p.set["~auto_failback"] = n
	p.remember("auto_failback", v)
}

// niceFailback reproduces heartbeat's mapping of the obsolete directive
// (heartbeat-spec §1.4): before any auto_failback line it means legacy,
// whatever its value; after one it means off.
func (p *hacfParser) niceFailback(n int, v string) {
	if _, err := parseBool(v); err != nil {
		p.r.errorf(n, "nice_failback: %v", err)
		return
	}
	if _, after := p.set["~auto_failback"]; after {
		p.cfg.AutoFailback = FailbackOff
		p.r.warnf(n, "nice_failback is obsolete: after an auto_failback line heartbeat reads it as \"auto_failback off\", and so does Understudy; replace it with auto_failback")
	} else {
		p.cfg.AutoFailback = FailbackLegacy
		p.r.warnf(n, "nice_failback is obsolete: heartbeat reads \"nice_failback %s\" as \"auto_failback legacy\", and so does Understudy; replace it with \"auto_failback on\" or \"off\"", v)
	}
	p.set["~auto_failback"] = n
}

var facilities = map[string]bool{
	"auth": true, "authpriv": true, "cron": true, "daemon": true, "ftp": true, "kern": true,
	"lpr": true, "mail": true, "news": true, "syslog": true, "user": true, "uucp": true,
	"local0": true, "local1": true, "local2": true, "local3": true, "local4": true,
	"local5": true, "local6": true, "local7": true, "security": true, "none": true,
}

func (p *hacfParser) logfacility(n int, v string) {
	if !facilities[v] {
		p.r.errorf(n, "logfacility: %q is not a syslog facility: use daemon, local0 to local7, auth, authpriv, cron, ftp, kern, lpr, mail, news, syslog, user, uucp, security, or none", v)
		return
	}
	p.cfg.LogFacility = v
	if v == "none" {
		p.cfg.LogFacility = ""
	}
	p.remember("logfacility", v)
}

func (p *hacfParser) msgfmt(n int, v string) {
	if v != "classic" && v != "netstring" {
		p.r.errorf(n, "msgfmt: %q is not allowed: use classic or netstring", v)
		return
	}
	p.cfg.MsgFmt = v
	p.remember("msgfmt", v)
}

func (p *hacfParser) maxRexmitDelay(n int, v string) {
	ms, err := parseInt(v, 1, 1<<30)
	if err != nil {
		p.r.errorf(n, "max_rexmit_delay: %v (milliseconds)", err)
		return
	}
	p.cfg.MaxRexmitDelay = time.Duration(ms) * time.Millisecond
	p.remember("max_rexmit_delay", v)
}

func (p *hacfParser) connLogdTime(n int, v string) {
	d, _, err := parseTime(v)
	if err != nil || d <= 0 {
		p.r.errorf(n, "conn_logd_time: %q must be a time greater than 0", v)
		return
	}
	p.remember("conn_logd_time", v)
	p.ignored(n, "conn_logd_time", "Understudy does not use a logging daemon")
}

func (p *hacfParser) env(n int, v string) {
	name, val, ok := strings.Cut(v, "=")
	if !ok || name == "" || val == "" || strings.ContainsAny(name, "$ '\"") {
		p.r.errorf(n, "env: %q is not NAME=value (scripts get it as HA_NAME)", v)
		return
	}
	p.cfg.Env = append(p.cfg.Env, EnvVar{Name: "HA_" + name, Value: val})
}

func (p *hacfParser) autojoin(n int, v string) {
	switch v {
	case "none":
		p.remember("autojoin", v)
	case "other", "any":
		p.r.errorf(n, "autojoin %s conflicts with haresources mode (heartbeat refuses it too): list every node with node lines and set autojoin none", v)
	default:
		p.r.errorf(n, "autojoin: %q is not allowed: use none (other and any conflict with haresources mode)", v)
	}
}

func (p *hacfParser) pacemaker(n int, v string) {
	if prev, ok := p.set["~pacemaker"]; ok {
		p.r.errorf(n, "pacemaker/crm is given twice (first on line %d)", prev)
		return
	}
	p.set["~pacemaker"] = n
	if b, err := parseBool(v); err == nil && !b {
		p.remember("crm", v)
		return
	}
	switch strings.ToLower(v) {
	case "respawn", "manual", "minimal", "ccm-only", "valgrind", "true", "on", "yes", "y", "1":
		p.r.errorf(n, "crm/pacemaker %q: Understudy runs haresources mode only and does not start Pacemaker; remove the line (or write \"crm off\") and describe groups in haresources", v)
	default:
		p.r.errorf(n, "crm/pacemaker: %q is not allowed (and Understudy only runs haresources mode): remove the line or write \"crm off\"", v)
	}
}

func (p *hacfParser) hbgenmethod(n int, v string) {
	switch v {
	case "file":
		p.remember("hbgenmethod", v)
	case "time":
		p.remember("hbgenmethod", v)
		p.r.warnf(n, "hbgenmethod time is ignored: Understudy always keeps its generation number in its state directory (a clock that goes back would make a time-based node unable to rejoin)")
	default:
		p.r.errorf(n, "hbgenmethod: %q is not allowed: use file or time", v)
	}
}

func (p *hacfParser) uuidfrom(n int, v string) {
	switch v {
	case "file":
		p.remember("uuidfrom", v)
	case "nodename":
		p.remember("uuidfrom", v)
		p.r.warnf(n, "uuidfrom nodename is ignored: Understudy keeps a random node UUID in its state directory")
	default:
		p.r.errorf(n, "uuidfrom: %q is not allowed: use file or nodename", v)
	}
}
