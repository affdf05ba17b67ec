package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Settings is understudy.toml: what heartbeat's files cannot express. Every
// field has a working default (DefaultSettings); the file is optional.
type Settings struct {
	Resources ResourceSettings `toml:"resources" json:"resources"`
	IP        IPSettings       `toml:"ip" json:"ip"`
	Paths     PathSettings     `toml:"paths" json:"paths"`
	Admin     AdminSettings    `toml:"admin" json:"admin"`
	Fence     FenceSettings    `toml:"fence" json:"fence"`
}

// ResourceSettings control how resource scripts are run.
type ResourceSettings struct {
	// Timeout bounds each start, stop or status call of a resource script;
	// when it passes the script's process group is killed and the call
	// fails. Default 60s; 1s to 1h.
	Timeout time.Duration `toml:"timeout" json:"-"`
}

// IPSettings control floating addresses.
type IPSettings struct {
	// GARPCount is how many gratuitous ARP pairs (IPv4) or unsolicited
	// neighbour advertisements (IPv6) announce an address taken over. The
	// first goes out at once. Default 5; 1 to 100.
	GARPCount int `toml:"garp_count" json:"garp_count"`
	// GARPInterval is the pause between announcements. Default 200ms;
	// 10ms to 10s.
	GARPInterval time.Duration `toml:"garp_interval" json:"-"`
	// ProbeTime is how long the split-brain guard listens for an answer to
	// its ARP probe before taking an address from a peer believed dead. It
	// adds to every takeover. Default 10ms (a live host on the LAN answers an
	// ARP probe in well under a millisecond); 5ms to 2s.
	ProbeTime time.Duration `toml:"probe_time" json:"-"`
}

// PathSettings are where the daemon keeps its files.
type PathSettings struct {
	// StateDir keeps state across restarts (generation number, node UUID).
	// Default /var/lib/understudy.
	StateDir string `toml:"state_dir" json:"state_dir"`
	// RunDir holds the control socket; the commands find it through this
	// setting too. Default /run/understudy.
	RunDir string `toml:"run_dir" json:"run_dir"`
}

// DefaultSettings returns the settings used when understudy.toml is
// absent, and for every key it leaves out.
func DefaultSettings() Settings {
	return Settings{
		Resources: ResourceSettings{Timeout: 60 * time.Second},
		IP:        IPSettings{GARPCount: 5, GARPInterval: 200 * time.Millisecond, ProbeTime: 10 * time.Millisecond},
		Paths:     PathSettings{StateDir: "/var/lib/understudy", RunDir: "/run/understudy"},
		Admin:     DefaultAdminSettings(),
		Fence:     DefaultFenceSettings(),
	}
}

// LoadSettings reads only DIR/understudy.toml (the defaults when it is
// absent). Commands that talk to a running daemon use it to find the
// control socket without judging the rest of the directory.
func LoadSettings(dir string) (Settings, Diagnostics) {
	var diags Diagnostics
	r := reporter{file: filepath.Join(dir, SettingsFile), diags: &diags}
	text, ok := readFile(dir, SettingsFile, false, r)
	if !ok {
		return DefaultSettings(), diags
	}
	s, _ := parseSettings(text, r)
	return s, diags
}

// settingsFile is what understudy.toml holds: the settings, and the
// arrays of tables that parseMonitors, parseHooks and parseGroupNodes
// judge element by element.
type settingsFile struct {
	Settings
	Monitor []rawMonitor    `toml:"monitor"`
	Hook    []rawHook       `toml:"hook"`
	Group   []rawGroupNodes `toml:"group"`
}

// sections are understudy.toml's arrays of tables, each element without
// errors of its own.
type sections struct {
	monitors []Monitor
	hooks    []Hook
	groups   []GroupNodes
}

// parseSettings decodes understudy.toml strictly: a key Understudy does
// not know is an error naming its line. The monitors, hooks and groups
// returned are those without errors; Load checks them against ha.cf and
// haresources.
func parseSettings(text string, r reporter) (Settings, sections) {
	f := settingsFile{Settings: DefaultSettings()}
	md, err := toml.Decode(text, &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			msg := pe.Message
			if pe.LastKey != "" && !strings.Contains(msg, pe.LastKey) {
				msg = pe.LastKey + ": " + msg
			}
			r.errorf(pe.Position.Line, "%s", msg)
		} else if m := tomlLineRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			r.errorf(line, "%s", m[2])
		} else {
			r.errorf(0, "%v", err)
		}
		return DefaultSettings(), sections{}
	}
	s := f.Settings
	for _, k := range []toml.Key{{"resources", "timeout"}, {"ip", "garp_interval"}, {"ip", "probe_time"}, {"fence", fenceDurations[0]}, {"fence", fenceDurations[1]}} {
		if t := md.Type(k...); t != "" && t != "String" {
			r.errorf(tomlKeyLine(text, k), "%s must be a duration in quotes, such as \"60s\" or \"200ms\" (a bare number would be nanoseconds)", k.String())
			return DefaultSettings(), sections{}
		}
	}
	if !checkAdminTypes(md, text, r) {
		return DefaultSettings(), sections{}
	}
	var reported []string
	for _, k := range md.Undecoded() {
		name := k.String()
		if k[0] == "monitor" || k[0] == "hook" || k[0] == "group" {
			continue // reported by parseMonitors, parseHooks and parseGroupNodes, element by element
		}
		if slices.ContainsFunc(reported, func(p string) bool { return strings.HasPrefix(name, p+".") }) {
			continue // inside an unknown table already reported
		}
		reported = append(reported, name)
		what := "key"
		if md.Type(k...) == "Hash" {
			what = "table"
		}
		if meant, ok := nearestKey(name, settingsKeys()); ok {
			r.errorf(tomlKeyLine(text, k), "unknown %s %q: did you mean %q? (see understudy.toml(5))", what, name, meant)
			continue
		}
		r.errorf(tomlKeyLine(text, k), "unknown %s %q: see understudy.toml(5) for what Understudy reads", what, name)
	}
	s.validate(r, text)
	return s, sections{monitors: parseMonitors(md, f.Monitor, text, r), hooks: parseHooks(md, f.Hook, text, r),
		groups: parseGroupNodes(md, f.Group, text, r)}
}

func (s Settings) validate(r reporter, text string) {
	line := func(k ...string) int { return tomlKeyLine(text, toml.Key(k)) }
	checkDur := func(d time.Duration, lo, hi time.Duration, k ...string) {
		if d < lo || d > hi {
			r.errorf(line(k...), "%s = %s is out of range: allowed are %s to %s", strings.Join(k, "."), d, lo, hi)
		}
	}
	checkDur(s.Resources.Timeout, time.Second, time.Hour, "resources", "timeout")
	checkDur(s.IP.GARPInterval, 10*time.Millisecond, 10*time.Second, "ip", "garp_interval")
	checkDur(s.IP.ProbeTime, 5*time.Millisecond, 2*time.Second, "ip", "probe_time")
	if s.IP.GARPCount < 1 || s.IP.GARPCount > 100 {
		r.errorf(line("ip", "garp_count"), "ip.garp_count = %d is out of range: allowed are 1 to 100", s.IP.GARPCount)
	}
	for k, p := range map[string]string{"state_dir": s.Paths.StateDir, "run_dir": s.Paths.RunDir} {
		if !filepath.IsAbs(p) {
			r.errorf(line("paths", k), "paths.%s = %q is not an absolute path", k, p)
		}
	}
	s.Admin.validate(r, text)
	s.Fence.validate(r, text)
}

// tomlLineRE picks the line out of BurntSushi/toml's decoding errors,
// which are not ParseErrors: "toml: line 2 (last key "ip.x"): message".
var tomlLineRE = regexp.MustCompile(`^toml: line (\d+)(?: \(last key "[^"]*"\))?: (.*)$`)

// tomlKeyLine finds the line that sets key (BurntSushi/toml does not
// report positions of undecoded keys). It understands [table] headers and
// dotted keys well enough for diagnostics; 0 if not found.
func tomlKeyLine(text string, key toml.Key) int {
	if len(key) == 0 {
		return 0
	}
	table := ""
	want := strings.Join(key, ".")
	for n, l := range splitLines(text) {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "[") {
			table = strings.Trim(l, "[] \t")
			if table == want {
				return n + 1
			}
			continue
		}
		name, _, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		full := strings.Trim(strings.TrimSpace(name), `"'`)
		if table != "" {
			full = table + "." + full
		}
		if full == want {
			return n + 1
		}
	}
	return 0
}

func (s Settings) String() string {
	return fmt.Sprintf("resource timeout %s, %d announcements every %s, probe %s, state %s, run %s",
		s.Resources.Timeout, s.IP.GARPCount, s.IP.GARPInterval, s.IP.ProbeTime, s.Paths.StateDir, s.Paths.RunDir)
}
