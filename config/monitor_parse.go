package config

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// rawMonitor is one [[monitor]] as decoded; which keys were written
// comes from the metadata (tomlElements), not from zero values.
type rawMonitor struct {
	Name     string   `toml:"name"`
	Group    string   `toml:"group"`
	Kind     string   `toml:"kind"`
	Port     int      `toml:"port"`
	Address  string   `toml:"address"`
	Interval duration `toml:"interval"`
	Timeout  duration `toml:"timeout"`
	Fall     int      `toml:"fall"`
	Rise     int      `toml:"rise"`
	OnFail   string   `toml:"on_fail"`
	Restarts int      `toml:"restarts"`
	Path     string   `toml:"path"`
	Host     string   `toml:"host"`
	Expect   []int    `toml:"expect"`
	Command  []string `toml:"command"`
}

// monitorCommonKeys are the keys every kind takes.
var monitorCommonKeys = []string{"name", "group", "kind", "interval", "timeout", "fall", "rise", "on_fail", "restarts"}

// monitorKindKeys are the keys only some kinds take.
var monitorKindKeys = map[string][]MonitorKind{
	"port":    {KindHTTP, KindHTTPS, KindFTP, KindSMTP, KindTCP},
	"address": {KindHTTP, KindHTTPS, KindFTP, KindSMTP, KindTCP, KindScript},
	"path":    {KindHTTP, KindHTTPS},
	"host":    {KindHTTP, KindHTTPS},
	"expect":  {KindHTTP, KindHTTPS},
	"command": {KindScript},
}

// elemReporter reports problems of one element of an array of tables at
// the line of the key concerned.
type elemReporter struct {
	r     reporter
	text  string
	table string
	n     int
	ok    bool
}

func (e *elemReporter) errorf(key, format string, args ...any) {
	e.r.errorf(tomlArrayLine(e.text, e.table, e.n, key), format, args...)
	e.ok = false
}

// unknownKeys reports the keys of element set that are not in known, in
// the order they are written.
func (e *elemReporter) unknownKeys(set map[string]bool, known func(string) bool) {
	var bad []string
	for k := range set {
		top, _, _ := strings.Cut(k, ".")
		if !known(top) && !slices.Contains(bad, top) {
			bad = append(bad, top)
		}
	}
	slices.SortFunc(bad, func(a, b string) int {
		return tomlArrayLine(e.text, e.table, e.n, a) - tomlArrayLine(e.text, e.table, e.n, b)
	})
	for _, k := range bad {
		e.errorf(k, "unknown key %q in [[%s]]: see understudy.toml(5) for what Understudy reads", e.table+"."+k, e.table)
	}
}

// parseMonitors validates every [[monitor]] on its own (Load then checks
// them against haresources) and returns those without errors, defaults
// applied.
func parseMonitors(md toml.MetaData, raws []rawMonitor, text string, r reporter) []Monitor {
	var out []Monitor
	tomlEachElement(md, text, "monitor", len(raws), r, func(i int, set map[string]bool, e *elemReporter) {
		m := parseMonitor(raws[i], set, e)
		m.Line, m.elem = tomlArrayLine(text, "monitor", i, ""), i
		if !e.ok {
			return
		}
		if j := slices.IndexFunc(out, func(o Monitor) bool { return o.Group == m.Group && o.Name == m.Name }); j >= 0 {
			e.errorf("name", "monitor %q of group %s is defined twice (first on line %d): give each a name of its own (name = \"...\")", m.Name, m.Group, out[j].Line)
			return
		}
		out = append(out, m)
	})
	return out
}

func parseMonitor(raw rawMonitor, set map[string]bool, e *elemReporter) Monitor {
	e.unknownKeys(set, func(k string) bool {
		_, kindKey := monitorKindKeys[k]
		return kindKey || slices.Contains(monitorCommonKeys, k)
	})
	m := Monitor{Group: raw.Group, Kind: MonitorKind(raw.Kind), Where: WhereFloating,
		Interval: DefaultMonitorInterval, Fall: DefaultMonitorFall, Rise: DefaultMonitorRise, OnFail: OnFailFailover}
	if !set["group"] || raw.Group == "" {
		e.errorf("group", "a monitor needs group = \"KEY\": the haresources group it watches, by its first resource as understudy status names it")
	}
	if !slices.Contains(MonitorKinds, m.Kind) {
		if !set["kind"] {
			e.errorf("kind", "a monitor needs kind = %s", kindList())
		} else {
			e.errorf("kind", "monitor.kind = %q is not a kind of monitor: allowed are %s", raw.Kind, kindList())
		}
		return m
	}
	for k, kinds := range monitorKindKeys {
		if set[k] && !slices.Contains(kinds, m.Kind) {
			e.errorf(k, "monitor.%s does not apply to kind %q: it is for %s", k, m.Kind, kindNames(kinds))
		}
	}
	monitorTarget(&m, raw, set, e)
	monitorTiming(&m, raw, set, e)
	switch m.Kind {
	case KindHTTP, KindHTTPS:
		monitorHTTP(&m, raw, set, e)
	case KindScript:
		monitorScript(&m, raw, e)
	}
	m.Name = raw.Name
	if !set["name"] {
		m.Name = defaultMonitorName(m)
	} else if !validMonitorName(m.Name) {
		e.errorf("name", "monitor.name = %q: a name is 1 to 64 letters, digits and . _ - : @", m.Name)
	}
	return m
}

// monitorTarget sets the port and the address probed.
func monitorTarget(m *Monitor, raw rawMonitor, set map[string]bool, e *elemReporter) {
	if m.Kind.Network() {
		m.Port = defaultPorts[m.Kind]
		switch {
		case set["port"] && (raw.Port < 1 || raw.Port > 65535):
			e.errorf("port", "monitor.port = %d is out of range: allowed are 1 to 65535", raw.Port)
		case set["port"]:
			m.Port = raw.Port
		case m.Port == 0:
			e.errorf("", "a %s monitor needs a port (port = 1 to 65535)", m.Kind)
		}
	}
	if !set["address"] {
		return
	}
	switch raw.Address {
	case string(WhereFloating), string(WhereLocal):
		m.Where = Where(raw.Address)
	default:
		a, err := netip.ParseAddr(raw.Address)
		if err != nil || a.Zone() != "" || a.IsUnspecified() || a.IsMulticast() {
			e.errorf("address", "monitor.address = %q: allowed are \"floating\" (the group's floating address, where the group runs), \"local\" (each node's own address) or one unicast IP address", raw.Address)
			return
		}
		m.Where, m.Address = WhereFixed, a.Unmap()
	}
}

// Ranges of the monitor settings.
const (
	minMonitorInterval = 50 * time.Millisecond
	maxMonitorInterval = time.Hour
	minMonitorTimeout  = 10 * time.Millisecond
	maxFallRise        = 100
	maxRestarts        = 10
)

func monitorTiming(m *Monitor, raw rawMonitor, set map[string]bool, e *elemReporter) {
	if set["interval"] {
		m.Interval = time.Duration(raw.Interval)
		if m.Interval < minMonitorInterval || m.Interval > maxMonitorInterval {
			e.errorf("interval", "monitor.interval = %s is out of range: allowed are %s to %s", m.Interval, minMonitorInterval, maxMonitorInterval)
		}
	}
	m.Timeout = m.Interval / 2
	if set["timeout"] {
		m.Timeout = time.Duration(raw.Timeout)
		switch {
		case m.Timeout < minMonitorTimeout:
			e.errorf("timeout", "monitor.timeout = %s is too short: the least is %s", m.Timeout, minMonitorTimeout)
		case m.Timeout >= m.Interval:
			e.errorf("timeout", "monitor.timeout = %s must be shorter than the interval (%s), so that one probe ends before the next", m.Timeout, m.Interval)
		}
	}
	for _, c := range []struct {
		key string
		v   int
		dst *int
	}{{"fall", raw.Fall, &m.Fall}, {"rise", raw.Rise, &m.Rise}} {
		if !set[c.key] {
			continue
		}
		*c.dst = c.v
		if c.v < 1 || c.v > maxFallRise {
			e.errorf(c.key, "monitor.%s = %d is out of range: allowed are 1 to %d", c.key, c.v, maxFallRise)
		}
	}
	switch {
	case !set["on_fail"]:
	case raw.OnFail == string(OnFailFailover) || raw.OnFail == string(OnFailRestart):
		m.OnFail = OnFail(raw.OnFail)
	default:
		e.errorf("on_fail", "monitor.on_fail = %q: allowed are \"failover\" (the default) and \"restart\" (restart in place first)", raw.OnFail)
	}
	switch {
	case set["restarts"] && m.OnFail != OnFailRestart:
		e.errorf("restarts", "monitor.restarts applies only with on_fail = \"restart\"")
	case set["restarts"] && (raw.Restarts < 1 || raw.Restarts > maxRestarts):
		e.errorf("restarts", "monitor.restarts = %d is out of range: allowed are 1 to %d", raw.Restarts, maxRestarts)
	case set["restarts"]:
		m.Restarts = raw.Restarts
	case m.OnFail == OnFailRestart:
		m.Restarts = DefaultMonitorRestarts
	}
}

func monitorHTTP(m *Monitor, raw rawMonitor, set map[string]bool, e *elemReporter) {
	m.Path = "/"
	if set["path"] {
		m.Path = raw.Path
		if !strings.HasPrefix(m.Path, "/") || !printable(m.Path) {
			e.errorf("path", "monitor.path = %q: a path starts with / and has no blanks or control characters", raw.Path)
		}
	}
	if set["host"] {
		m.Host = raw.Host
		if m.Host == "" || !printable(m.Host) || strings.ContainsAny(m.Host, "/?#@") {
			e.errorf("host", "monitor.host = %q: a Host header is a name or address, with an optional :port, and no blanks", raw.Host)
		}
	}
	if set["expect"] {
		m.Expect = raw.Expect
		if len(m.Expect) == 0 {
			e.errorf("expect", "monitor.expect is empty: list the HTTP statuses that mean up, or leave it out for 200 to 399")
		}
		for _, c := range m.Expect {
			if c < 100 || c > 599 {
				e.errorf("expect", "monitor.expect: %d is not an HTTP status (100 to 599)", c)
				break
			}
		}
	}
}

func monitorScript(m *Monitor, raw rawMonitor, e *elemReporter) {
	m.Command = raw.Command
	e.argv("command", "a script monitor", m.Command)
}

// argv checks a program and its arguments, the value of key: present,
// an absolute path, no NUL (which exec cannot pass).
func (e *elemReporter) argv(key, who string, argv []string) {
	switch {
	case len(argv) == 0:
		e.errorf(key, "%s needs %s = [\"/path/to/program\", \"arg\", ...]", who, key)
	case !filepath.IsAbs(argv[0]):
		e.errorf(key, "%s.%s: %q is not an absolute path: name the program in full", e.table, key, argv[0])
	case slices.ContainsFunc(argv, func(a string) bool { return strings.ContainsRune(a, 0) }):
		e.errorf(key, "%s.%s: an argument holds a NUL character", e.table, key)
	}
}

func defaultMonitorName(m Monitor) string {
	switch {
	case m.Kind.Network():
		return fmt.Sprintf("%s:%d", m.Kind, m.Port)
	case m.Kind == KindScript && len(m.Command) > 0:
		// The program's name, made a valid name: "script:check_db".
		name := []rune("script:" + filepath.Base(m.Command[0]))
		for i, c := range name {
			if !validMonitorName(string(c)) {
				name[i] = '_'
			}
		}
		return string(name[:min(len(name), 64)])
	}
	return string(m.Kind)
}

func validMonitorName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.ContainsRune("._-:@", c):
		default:
			return false
		}
	}
	return true
}

// printable reports whether s is printable ASCII without blanks.
func printable(s string) bool {
	for _, c := range s {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

func kindList() string { return kindNames(MonitorKinds) }

func kindNames(kinds []MonitorKind) string {
	q := make([]string, len(kinds))
	for i, k := range kinds {
		q[i] = strconv.Quote(string(k))
	}
	return strings.Join(q, ", ")
}
