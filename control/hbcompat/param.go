package hbcompat

import (
	"fmt"
	"strconv"
	"time"
)

func (c *compat) hbparameter(g *getopt) int {
	name, have := "", false
	bad := g.options(func(opt byte, arg string) bool {
		if opt == 'p' {
			name, have = arg, true
		}
		return opt == 'p'
	})
	if bad != 0 {
		return c.badOption(bad)
	}
	if !have {
		c.logErr("parameter name required")
		return clParamErr
	}
	v, ok := c.param(name)
	if !ok {
		c.logErr("Cannot get parameter %s's value", name)
		c.logErr("REASON: ")
		return clFail
	}
	if c.human {
		fmt.Fprintf(c.out, "Heartbeat parameter %s's value: %s\n", name, v)
	} else {
		fmt.Fprintln(c.out, v)
	}
	return clOK
}

// neverStored are ha.cf directives heartbeat accepts but does not keep
// as parameters: node lists, media, whole-line directives, and those
// its directive table marks as not recorded.
var neverStored = map[string]bool{
	"node": true, "nice_failback": true, "use_apphbd": true, "env": true,
	"stonith": true, "stonith_host": true, "apiauth": true, "respawn": true, "failfast": true,
	"bcast": true, "udp": true, "mcast": true, "mcast6": true, "ucast": true, "ucast6": true,
	"serial": true, "ping": true, "ping6": true, "ping_group": true,
}

// param is heartbeat's GetParameterValue after start-up: the value as
// written in ha.cf, the directive table's default, or what heartbeat
// derives and records (warntime, initdead, deadping in ms, debug,
// use_logd, log files under syslog).
func (c *compat) param(name string) (string, bool) {
	if name == "hbversion" {
		return c.hbversion(), true
	}
	cfg := c.config()
	if cfg == nil || neverStored[name] {
		return "", false
	}
	if name == "crm" || name == "pacemaker" { // heartbeat: crm is pacemaker's alias
		for _, k := range []string{"pacemaker", "crm"} {
			if v, ok := cfg.Params[k]; ok {
				return v, true
			}
		}
		return "false", true
	}
	if v, ok := cfg.Params[name]; ok {
		return v, true
	}
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + "ms" }
	syslog := cfg.LogFacility != "" && cfg.LogFacility != "none"
	switch name {
	case "warntime":
		return ms(cfg.Warntime), true
	case "initdead":
		return ms(cfg.Initdead), true
	case "deadping":
		return ms(cfg.Deadping), true
	case "debug":
		return strconv.Itoa(cfg.Debug), true
	case "udpport":
		return strconv.Itoa(cfg.UDPPort), true
	case "use_logd":
		if cfg.Logfile == "" && cfg.Debugfile == "" && !syslog {
			return "yes", true
		}
	case "logfile", "debugfile":
		if syslog {
			return "/dev/null", true
		}
	case "record_config_changes", "record_pengine_inputs", "enable_config_writes":
		return "on", true // heartbeat's table defaults, Pacemaker-only
	}
	return "", false
}

// clTest is cl_status's undocumented "test" sub-command.
func (c *compat) clTest(g *getopt) int {
	var dead, keep int64
	if cfg := c.config(); cfg != nil {
		dead, keep = cfg.Deadtime.Milliseconds(), cfg.Keepalive.Milliseconds()
	}
	fmt.Fprintf(c.out, "Dead time: %d\n keeplive time: %d\n mynodeid: %s\n rsc: %s\n", dead, keep, c.st.Node, c.resourceState())
	return clOK
}
