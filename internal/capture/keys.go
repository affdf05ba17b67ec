package capture

import (
	"fmt"
	"path/filepath"

	"github.com/understudy-ha/understudy/config"
)

// LoadKeys loads DIR/authkeys. The other files of DIR may be missing or
// wrong: only authkeys' own diagnostics count.
func LoadKeys(dir string) (config.AuthKeys, error) {
	cfg, diags := config.Load(dir)
	path := filepath.Join(dir, config.AuthkeysFile)
	var mine config.Diagnostics
	for _, d := range diags {
		if d.File == path {
			mine = append(mine, d)
		}
	}
	if mine.HasErrors() {
		return config.AuthKeys{}, fmt.Errorf("cannot use %s:\n%s", path, mine.Filter(config.Error).String())
	}
	if len(cfg.Auth.Keys) == 0 {
		return config.AuthKeys{}, fmt.Errorf("%s holds no key", path)
	}
	return cfg.Auth, nil
}
