package config

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
)

// CheckFencing judges the fencing of the node local against this
// machine: the stonith(8) program, and the plugins and parameter files
// of the devices local may use, should be there. (A ping node that is a
// node's address is package preflight's to find: it resolves names.)
func CheckFencing(cfg *Config, local string, env Env) Diagnostics {
	var diags Diagnostics
	hacf := reporter{file: filepath.Join(cfg.Dir, HACFFile), diags: &diags}
	checkFencing(cfg, local, env, hacf)
	return diags
}

func checkFencing(cfg *Config, local string, env Env, hacf reporter) {
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
