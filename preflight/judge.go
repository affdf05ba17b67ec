package preflight

import "github.com/understudy-ha/understudy/config"

// Judgement is what `understudy check` finds in a configuration
// directory for one node: the configuration, every diagnostic of the
// files and of this machine, the handler of each resource, and the
// checks of the machine that were skipped.
type Judgement struct {
	Config      *config.Config
	Diagnostics config.Diagnostics
	Handlers    [][]config.Handler
	Skipped     []Check
}

// Judge reads dir and judges it as node would run it: the files
// (config.Load), the machine as the daemon does before it starts (Run,
// skipped when node is not here, the name of this machine), the
// resources' handlers and the programs to run (config.Check), node's
// fencing and the admin port's files. It is what `understudy check` and
// the web console's configuration page show.
func Judge(dir, node, here string, m Machine) Judgement {
	cfg, diags := config.Load(dir)
	pre := Run(cfg, Options{Node: node, Machine: m, Elsewhere: node != here})
	diags = append(diags, pre.Diagnostics...)
	env := config.SystemEnv()
	handlers, more := config.Check(cfg, env)
	diags = append(diags, more...)
	diags = append(diags, config.CheckFencing(cfg, node, env)...)
	diags = append(diags, env.CheckAdmin(dir, cfg.Settings.Admin)...)
	return Judgement{Config: cfg, Diagnostics: diags, Handlers: handlers, Skipped: pre.Skipped}
}
