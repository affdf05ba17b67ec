package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// File names inside the configuration directory.
const (
	HACFFile        = "ha.cf"
	HaresourcesFile = "haresources"
	AuthkeysFile    = "authkeys"
	SettingsFile    = "understudy.toml"
	NodeinfoFile    = "nodeinfo"
	ResourceDir     = "resource.d"
)

// DefaultDir is where heartbeat and Understudy keep their configuration.
const DefaultDir = "/etc/ha.d"

// maxFileSize bounds what is read from any config file: real files are a
// few KiB, and a huge or endless file (a device, a FIFO) must not hang or
// exhaust the daemon.
const maxFileSize = 4 << 20

// Config is one complete, validated configuration directory. It is a
// value: loading never changes a Config that already exists, so a reload
// builds a new one and swaps it in only when it has no errors.
type Config struct {
	// Dir is the directory the files were read from.
	Dir string `json:"dir"`
	HACF
	// Groups are the haresources lines, in file order.
	Groups []Group `json:"groups"`
	// Auth is the authkeys file.
	Auth AuthKeys `json:"-"`
	// Settings is understudy.toml, or the defaults when it is absent.
	Settings Settings `json:"settings"`
	// Monitors are understudy.toml's [[monitor]] sections, in file order.
	Monitors []Monitor `json:"monitors"`
	// Hooks are understudy.toml's [[hook]] sections, in file order.
	Hooks []Hook `json:"hooks"`
	// GroupNodes are understudy.toml's [[group]] sections, in file
	// order: the groups whose nodes are not heartbeat's order (NodeOrder).
	GroupNodes []GroupNodes `json:"group_nodes,omitempty"`
}

// Load reads and validates the configuration directory dir: ha.cf,
// haresources, authkeys and the optional understudy.toml. It reports every
// problem of every file, not only the first. The Config is usable only
// when the diagnostics hold no Error.
//
// Load reads files and nothing else; Check looks at the machine.
func Load(dir string) (*Config, Diagnostics) {
	var diags Diagnostics
	cfg := &Config{Dir: dir, Settings: DefaultSettings()}
	rep := func(name string) reporter { return reporter{file: filepath.Join(dir, name), diags: &diags} }

	if text, ok := readFile(dir, HACFFile, true, rep(HACFFile)); ok {
		cfg.HACF = parseHACF(text, rep(HACFFile))
	}
	if text, ok := readFile(dir, HaresourcesFile, true, rep(HaresourcesFile)); ok {
		cfg.Groups = parseHaresources(text, rep(HaresourcesFile))
	}
	if text, ok := readFile(dir, AuthkeysFile, true, rep(AuthkeysFile)); ok {
		checkAuthkeysFile(filepath.Join(dir, AuthkeysFile), rep(AuthkeysFile))
		cfg.Auth = parseAuthkeys(text, rep(AuthkeysFile))
	}
	settings, hasSettings := readFile(dir, SettingsFile, false, rep(SettingsFile))
	var sec sections
	if hasSettings {
		cfg.Settings, sec = parseSettings(settings, rep(SettingsFile))
		cfg.Monitors, cfg.Hooks = sec.monitors, sec.hooks
	}
	cfg.crossCheck(rep(HaresourcesFile))
	checkMonitorGroups(settings, cfg.Monitors, cfg.Groups, rep(SettingsFile))
	cfg.GroupNodes = cfg.checkGroupNodes(settings, sec.groups, rep(SettingsFile))
	cfg.checkFencing(settings, rep(SettingsFile))
	return cfg, diags
}

// readFile reads one config file. A missing optional file is not a
// problem; everything else that prevents reading is an Error. The text
// comes back without a byte order mark, and both a mark and CRLF line
// endings are warned about (see checkText).
func readFile(dir, name string, required bool, r reporter) (string, bool) {
	path := filepath.Join(dir, name)
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		if target, ok := danglingLink(path); ok {
			r.errorf(0, "is a dangling symbolic link: it points to %s, which does not exist", target)
			return "", false
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist) && !required:
		return "", false
	case errors.Is(err, fs.ErrNotExist):
		r.errorf(0, "missing: Understudy needs %s in %s (see %s(5))", name, dir, name)
		return "", false
	case err != nil:
		r.errorf(0, "cannot read: %v", err)
		return "", false
	case !st.Mode().IsRegular():
		r.errorf(0, "is %s (%s), not a regular file", kindOf(st.Mode()), LsMode(st.Mode()))
		return "", false
	case st.Size() > maxFileSize:
		r.errorf(0, "file is %d bytes: config files are limited to %d", st.Size(), maxFileSize)
		return "", false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		r.errorf(0, "cannot read: %v", err)
		return "", false
	}
	return checkText(string(b), r), true
}

// danglingLink reports whether path is a symbolic link whose target does
// not exist, and the target as the link holds it.
func danglingLink(path string) (string, bool) {
	st, err := os.Lstat(path)
	if err != nil || st.Mode()&fs.ModeSymlink == 0 {
		return "", false
	}
	target, err := os.Readlink(path)
	if err != nil {
		return "", false
	}
	return target, true
}

// utf8BOM is the byte order mark some Windows editors put at the start
// of a UTF-8 file.
const utf8BOM = "\ufeff"

// checkText warns about what editors on other systems leave in a file,
// and returns the text without a byte order mark. heartbeat would read
// the mark as part of the first word, and its shell scripts read the
// carriage return of a CRLF line as part of the last one (an address
// "192.0.2.10/24\r"); Understudy's parsers skip both.
func checkText(text string, r reporter) string {
	if strings.HasPrefix(text, utf8BOM) {
		r.warnf(1, "the file starts with a UTF-8 byte order mark (BOM), which heartbeat reads as part of the first word; Understudy skips it; save the file without it (sed -i '1s/^\\xEF\\xBB\\xBF//' FILE)")
		text = strings.TrimPrefix(text, utf8BOM)
	}
	if i := strings.Index(text, "\r\n"); i >= 0 {
		line := strings.Count(text[:i], "\n") + 1
		r.warnf(line, "Windows (CRLF) line endings, from this line on: heartbeat's scripts read the carriage return as part of the last word of a line; Understudy ignores it; convert the file with dos2unix or sed -i 's/\\r$//' FILE")
	}
	return text
}
func checkAuthkeysFile(path string, r reporter) {
	st, err := os.Stat(path)
	if err != nil {
		return
	}
	owner := FileOwner{Mode: st.Mode()}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		owner.UID = sys.Uid
	}
	checkAuthkeysPerm(path, owner, uint32(os.Getuid()), r)
}

// crossCheck runs the checks that need more than one file.
func (c *Config) crossCheck(r reporter) {
	nodes := map[string]bool{}
	for _, n := range c.Nodes {
		nodes[n] = true
	}
	vips := map[string]string{}
	for _, g := range c.Groups {
		if len(c.Nodes) > 0 && !nodes[g.Node] && !g.badNode && !c.badNodes {
			r.errorf(g.Line, "group %s names node %q, which is not a node of ha.cf (nodes: %s)", g.Key, g.Node, strings.Join(c.Nodes, " "))
		}
		for _, res := range g.Resources {
			if res.IP == nil {
				continue
			}
			a := res.IP.Addr.String()
			if other, dup := vips[a]; dup {
				r.errorf(g.Line, "address %s is already a resource of %s: a floating address belongs to one group", a, other)
				continue
			}
			vips[a] = fmt.Sprintf("group %s (line %d)", g.Key, g.Line)
		}
	}
}

// Group returns the group with the given key.
func (c *Config) Group(key string) (Group, bool) {
	for _, g := range c.Groups {
		if g.Key == key {
			return g, true
		}
	}
	return Group{}, false
}
