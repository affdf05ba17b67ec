package resources

import (
	"strconv"
	"strings"

	"github.com/understudy-ha/understudy/config"
)

// ScriptEnv is the environment heartbeat gives resource scripts
// (heartbeat-spec §6.7). Build it once from the configuration.
type ScriptEnv struct {
	// Base is the inherited environment, usually os.Environ(); the
	// variables below override entries of the same name.
	Base []string
	// CurHost is the local node name (HA_CURHOST).
	CurHost string
	// Dir is the configuration directory, /etc/ha.d (HA_DIR, HA_FUNCS).
	Dir string
	// LogFile and DebugLog are the log paths (HA_LOGFILE, HA_DEBUGLOG);
	// "" means /dev/null, as heartbeat does when it logs only to syslog.
	LogFile, DebugLog string
	// LogFacility is the syslog facility (HA_LOGFACILITY), if any.
	LogFacility string
	// Debug is the debug level (HA_debug, set when above 0).
	Debug int
	// UseLogd sets HA_LOGD=yes, else no.
	UseLogd bool
	// NiceFailback sets HA_NICEFAILBACK=yes (auto_failback on or off,
	// not legacy).
	NiceFailback bool
	// Vars are the ha.cf env directives, exported as HA_NAME=value.
	Vars []config.EnvVar
}

// scriptEnv is the environment scripts get on node self under cfg, on
// top of base.
func scriptEnv(cfg *config.Config, self string, base []string) ScriptEnv {
	return ScriptEnv{Base: base, CurHost: self, Dir: cfg.Dir, LogFile: cfg.Logfile,
		DebugLog: cfg.Debugfile, LogFacility: cfg.LogFacility, Debug: cfg.Debug, UseLogd: cfg.UseLogd,
		NiceFailback: cfg.AutoFailback != config.FailbackLegacy, Vars: cfg.Env}
}

// Environ returns the environment as "NAME=value" strings.
func (e ScriptEnv) Environ() []string {
	dir := strings.TrimRight(e.Dir, "/") + "/"
	set := [][2]string{
		{"HA_CURHOST", e.CurHost},
		{"HA_DIR", dir},
		{"HA_FUNCS", dir + "/shellfuncs"}, // heartbeat's double slash, kept
		{"HA_DATEFMT", "%Y/%m/%d_%T\t"},
		{"OCF_ROOT", "/usr/lib/ocf"},
		{"HA_LOGFILE", orDevNull(e.LogFile)},
		{"HA_DEBUGLOG", orDevNull(e.DebugLog)},
		{"HA_LOGD", yesNo(e.UseLogd)},
	}
	if e.LogFacility != "" {
		set = append(set, [2]string{"HA_LOGFACILITY", e.LogFacility})
	}
	if e.Debug > 0 {
		set = append(set, [2]string{"HA_debug", strconv.Itoa(e.Debug)})
	}
	if e.NiceFailback {
		set = append(set, [2]string{"HA_NICEFAILBACK", "yes"})
	}
	for _, v := range e.Vars {
		set = append(set, [2]string{"HA_" + v.Name, v.Value})
	}
	override := map[string]bool{}
	for _, kv := range set {
		override[kv[0]] = true
	}
	var out []string
	for _, kv := range e.Base {
		name, _, _ := strings.Cut(kv, "=")
		if !override[name] {
			out = append(out, kv)
		}
	}
	for _, kv := range set {
		out = append(out, kv[0]+"="+kv[1])
	}
	return out
}

func orDevNull(p string) string {
	if p == "" {
		return "/dev/null"
	}
	return p
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
