package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Env is what Check may look at on the machine. Tests replace each part.
type Env struct {
	// Stat is os.Stat.
	Stat func(path string) (fs.FileInfo, error)
	// InitDir is the second place scripts are looked for: /etc/init.d.
	InitDir string
	// LibDir, if set, is the last place: the scripts that come with
	// Understudy under one of heartbeat's names (MailTo) where the
	// heartbeat package may hold that name in resource.d (the Debian
	// package installs them here). A script of the same name in the first
	// two places, heartbeat's own say, wins.
	LibDir string
}

// LibScriptDir is Env.LibDir on a real machine.
const LibScriptDir = "/usr/lib/understudy/resource.d"

// SystemEnv is the real machine.
func SystemEnv() Env {
	return Env{Stat: os.Stat, InitDir: "/etc/init.d", LibDir: LibScriptDir}
}

// Handler says who carries out a resource: "native" (IP addresses,
// handled by Understudy), or the path of the script that will run.
type Handler struct {
	Token string `json:"token"`
	// Native is true for addresses Understudy adds itself.
	Native bool `json:"native"`
	// Path is the script, when not native and found.
	Path string `json:"path,omitempty"`
}

// Resolve finds the script of a resource: DIR/resource.d/NAME, then
// InitDir/NAME (heartbeat-spec §2.3), then LibDir/NAME; the first that is
// an executable regular file wins. The error names every path tried.
func (e Env) Resolve(dir string, r Resource) (Handler, error) {
	h := Handler{Token: r.Token, Native: r.Native()}
	if h.Native {
		return h, nil
	}
	tried := []string{filepath.Join(dir, ResourceDir, r.Script), filepath.Join(e.InitDir, r.Script)}
	if e.LibDir != "" {
		tried = append(tried, filepath.Join(e.LibDir, r.Script))
	}
	var why []string
	for _, p := range tried {
		st, err := e.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			why = append(why, p+" does not exist")
		case err != nil:
			why = append(why, err.Error())
		case !st.Mode().IsRegular():
			why = append(why, p+" is not a regular file")
		case st.Mode().Perm()&0o111 == 0:
			why = append(why, p+" is not executable")
		default:
			h.Path = p
			return h, nil
		}
	}
	return h, fmt.Errorf("cannot locate resource script %s: %s", r.Script, strings.Join(why, "; "))
}

// LocalNode returns the local node name as heartbeat determines it
// (heartbeat-spec §1.8): the first line of DIR/nodeinfo if that file
// exists and the line ends in a newline, else uname -n; lower-cased.
func LocalNode(dir, uname string) string {
	if b, err := os.ReadFile(filepath.Join(dir, NodeinfoFile)); err == nil {
		if line, _, ok := strings.Cut(string(b), "\n"); ok && strings.TrimSpace(line) != "" {
			return strings.ToLower(strings.TrimSpace(line))
		}
	}
	return strings.ToLower(uname)
}

// Check judges a loaded configuration against the files of this machine:
// every resource must resolve to a handler, and the programs of script
// monitors, hooks and the fence command must be able to run. It returns
// the handler of every resource, by group, in group order. (What the
// daemon checks of the machine before it starts is package preflight's;
// what concerns one node's fencing is CheckFencing's.)
func Check(cfg *Config, env Env) ([][]Handler, Diagnostics) {
	var diags Diagnostics
	hares := reporter{file: filepath.Join(cfg.Dir, HaresourcesFile), diags: &diags}
	handlers := make([][]Handler, len(cfg.Groups))
	for i, g := range cfg.Groups {
		for _, res := range g.Resources {
			h, err := env.Resolve(cfg.Dir, res)
			if err != nil {
				hares.errorf(g.Line, "group %s: %v", g.Key, err)
			}
			handlers[i] = append(handlers[i], h)
		}
	}
	checkPrograms(cfg, env, reporter{file: filepath.Join(cfg.Dir, SettingsFile), diags: &diags})
	if len(cfg.Settings.Fence.Command) > 0 {
		checkProgram(env, reporter{file: filepath.Join(cfg.Dir, SettingsFile), diags: &diags}, 0, "fence command", cfg.Settings.Fence.Command[0])
	}
	return handlers, diags
}
