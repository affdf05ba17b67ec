package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// Env is what Check may look at on the machine. Tests replace each part.
type Env struct {
	// LookupHost resolves a node name to its addresses.
	LookupHost func(host string) ([]string, error)
	// Stat is os.Stat.
	Stat func(path string) (fs.FileInfo, error)
	// InitDir is the second place scripts are looked for: /etc/init.d.
	InitDir string
}

// SystemEnv is the real machine.
func SystemEnv(lookup func(string) ([]string, error)) Env {
	return Env{LookupHost: lookup, Stat: os.Stat, InitDir: "/etc/init.d"}
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
// InitDir/NAME; the first that is an executable regular file wins
// (heartbeat-spec §2.3). The error names both paths tried.
func (e Env) Resolve(dir string, r Resource) (Handler, error) {
	h := Handler{Token: r.Token, Native: r.Native()}
	if h.Native {
		return h, nil
	}
	tried := []string{filepath.Join(dir, ResourceDir, r.Script), filepath.Join(e.InitDir, r.Script)}
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

// Check judges a loaded configuration as a whole, against this machine,
// for the node named local: the local node must be a configured node,
// every resource must resolve to a handler, no floating address or ping
// node may equal a node's own address, the programs of script monitors,
// hooks and fencing must be able to run, and the stonith devices this
// node uses should be installed. It returns the handler of every resource,
// by group, in group order.
func Check(cfg *Config, local string, env Env) ([][]Handler, Diagnostics) {
	var diags Diagnostics
	hacf := reporter{file: filepath.Join(cfg.Dir, HACFFile), diags: &diags}
	hares := reporter{file: filepath.Join(cfg.Dir, HaresourcesFile), diags: &diags}

	found := false
	for _, n := range cfg.Nodes {
		found = found || n == local
	}
	if !found && len(cfg.Nodes) > 0 {
		hacf.errorf(0, "this node, %q, is not a node of ha.cf (nodes: %s): add \"node %s\", or give the right name with --node", local, strings.Join(cfg.Nodes, " "), local)
	}

	nodeAddrs := map[netip.Addr]string{}
	if env.LookupHost != nil {
		for _, n := range cfg.Nodes {
			addrs, err := env.LookupHost(n)
			if err != nil {
				continue
			}
			for _, a := range addrs {
				if ip, err := netip.ParseAddr(a); err == nil {
					nodeAddrs[ip.Unmap()] = n
				}
			}
		}
	}

	handlers := make([][]Handler, len(cfg.Groups))
	for i, g := range cfg.Groups {
		for _, res := range g.Resources {
			h, err := env.Resolve(cfg.Dir, res)
			if err != nil {
				hares.errorf(g.Line, "group %s: %v", g.Key, err)
			}
			if res.IP != nil {
				if n, ok := nodeAddrs[res.IP.Addr]; ok {
					hares.errorf(g.Line, "group %s: floating address %s is node %s's own address: a floating address must be one no node has", g.Key, res.IP.Addr, n)
				}
			}
			handlers[i] = append(handlers[i], h)
		}
	}
	checkMediaHere(cfg, env, hacf)
	settings := reporter{file: filepath.Join(cfg.Dir, SettingsFile), diags: &diags}
	checkPrograms(cfg, env, settings)
	checkDefences(cfg, local, env, nodeAddrs, hacf, settings)
	return handlers, diags
}

// checkMediaHere warns about serial devices missing on this machine; it
// warns rather than fails because check may run on another machine.
func checkMediaHere(cfg *Config, env Env, r reporter) {
	for _, m := range cfg.Media {
		if m.Type != Serial {
			continue
		}
		st, err := env.Stat(m.Device)
		switch {
		case err != nil:
			r.warnf(m.Line, "serial device %s does not exist on this machine", m.Device)
		case st.Mode()&fs.ModeCharDevice == 0:
			r.errorf(m.Line, "serial device %s is not a character device", m.Device)
		}
	}
}
