package config

import (
	"errors"
	"io/fs"
	"net/netip"
	"path/filepath"
	"strings"
)

// checkDefences judges ping nodes and fencing against this machine, for
// the node local: a ping node may not be a cluster node's address; the
// stonith(8) program, the plugins and parameter files of the devices
// local may use should be there; the fence command must be able to run.
// nodeAddrs maps the nodes' resolved addresses to their names.
func checkDefences(cfg *Config, local string, env Env, nodeAddrs map[netip.Addr]string, hacf, settings reporter) {
	for _, pn := range cfg.PingNodes {
		for _, a := range pn.Addrs {
			if n, ok := nodeAddrs[a.WithZone("")]; ok {
				hacf.errorf(pn.Line, "ping node %s: %s is node %s's address: a ping node must be outside the cluster, such as the router the clients use", pn.Name, a, n)
			}
		}
	}
	if len(cfg.Settings.Fence.Command) > 0 {
		checkProgram(env, settings, 0, "fence command", cfg.Settings.Fence.Command[0])
	}
	var usable []StonithDevice
	for _, d := range cfg.Stonith {
		if d.UsableBy(local) {
			usable = append(usable, d)
		}
	}
	if len(cfg.Stonith) > 0 && len(usable) == 0 {
		hacf.warnf(cfg.Stonith[0].Line, "no stonith or stonith_host line is for this node, %s: it takes over from a dead peer without fencing it", local)
	}
	if len(usable) == 0 {
		return
	}
	if _, err := env.Stat(StonithProgram); err != nil {
		hacf.warnf(usable[0].Line, "%s is not on this machine, so fencing will fail: install cluster-glue", StonithProgram)
		return
	}
	for _, d := range usable {
		plugin := filepath.Join(StonithPluginDir, "stonith2", d.Type+".so")
		if ext, ok := strings.CutPrefix(d.Type, "external/"); ok {
			plugin = filepath.Join(StonithPluginDir, "external", ext)
		}
		if _, err := env.Stat(plugin); err != nil {
			hacf.warnf(d.Line, "stonith device type %s: %s is not on this machine (\"stonith -L\" lists the types there are)", d.Type, plugin)
		}
		if d.ConfigFile == "" {
			continue
		}
		st, err := env.Stat(d.ConfigFile)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			hacf.warnf(d.Line, "stonith parameter file %s does not exist on this machine", d.ConfigFile)
		case err != nil:
			hacf.errorf(d.Line, "stonith parameter file %s: %v", d.ConfigFile, err)
		case st.Mode().Perm()&0o077 != 0:
			hacf.warnf(d.Line, "stonith parameter file %s is mode %04o: it usually holds the device's password; chmod 600 it", d.ConfigFile, st.Mode().Perm())
		}
	}
}
