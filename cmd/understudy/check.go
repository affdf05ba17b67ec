package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/preflight"
)

// checkReport is what `understudy check --json` prints.
type checkReport struct {
	Dir         string             `json:"dir"`
	Node        string             `json:"node"`
	OK          bool               `json:"ok"`
	Errors      int                `json:"errors"`
	Warnings    int                `json:"warnings"`
	Diagnostics config.Diagnostics `json:"diagnostics"`
	// Skipped are the checks of this machine not run because --node
	// names another machine.
	Skipped []preflight.Check `json:"skipped"`
	// Here is this machine's node name, when Skipped is not empty.
	Here   string        `json:"here,omitempty"`
	Config *checkSummary `json:"config,omitempty"`
}

type checkSummary struct {
	*config.Config
	// Timing holds every duration in Go's notation ("1.5s").
	Timing     map[string]string  `json:"timing"`
	AuthActive int                `json:"auth_active"`
	AuthKeys   []string           `json:"auth_keys"`
	Handlers   [][]config.Handler `json:"handlers"`
	// Fencing says whether this node fences a dead peer before taking
	// its groups; Digest and GroupDigests are what the nodes compare.
	Fencing      bool              `json:"fencing"`
	Digest       string            `json:"digest"`
	GroupDigests map[string]string `json:"group_digests"`
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	f := newFlags("check", "[-c DIR] [--node NAME] [--json]", "Validates a configuration directory, and this machine as the daemon does\nbefore it starts (interfaces, serial devices, ucast peers, floating\naddresses) unless --node names another machine. Exit status: 0 usable\n(warnings allowed), 1 errors found, 2 could not run.")
	dir := f.confDir()
	node := f.String("node", "", "judge the files as node `NAME` would; this machine is checked only when it is NAME; without it: nodeinfo, else uname -n")
	asJSON := f.Bool("json", false, "print the verdict and summary as one JSON document")
	if code, ok := f.parse(args, stdout, stderr); !ok {
		return code
	}
	if !f.noArgs(stderr) {
		return exitUsage
	}
	if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		}
		fmt.Fprintf(stderr, "understudy check: cannot read %s: %v\n", *dir, err)
		return exitUsage
	}
	here, hereErr := preflight.ThisNode(*dir, "")
	local := strings.ToLower(*node)
	if local == "" {
		if hereErr != nil {
			fmt.Fprintf(stderr, "understudy check: %v: give it with --node\n", hereErr)
			return exitUsage
		}
		local = here
	}

	// The daemon's own checks of the machine too, unless --node names
	// another.
	j := preflight.Judge(*dir, local, here, preflight.System())
	cfg, diags, handlers := j.Config, j.Diagnostics, j.Handlers

	rep := checkReport{Dir: *dir, Node: local, Diagnostics: diags, Skipped: j.Skipped,
		Errors: len(diags.Filter(config.Error)), Warnings: len(diags.Filter(config.Warning))}
	rep.OK = rep.Errors == 0
	if len(rep.Skipped) > 0 {
		rep.Here = here
	} else {
		rep.Skipped = []preflight.Check{}
	}
	rep.Config = &checkSummary{Config: cfg, AuthActive: cfg.Auth.Active, Handlers: handlers,
		Fencing: cfg.Fencing(local), Digest: cfg.Digest(), GroupDigests: cfg.GroupDigests(),
		Timing: map[string]string{"keepalive": cfg.Keepalive.String(), "warntime": cfg.Warntime.String(),
			"deadtime": cfg.Deadtime.String(), "initdead": cfg.Initdead.String(), "deadping": cfg.Deadping.String(),
			"max_rexmit_delay": cfg.MaxRexmitDelay.String(), "resources.timeout": cfg.Settings.Resources.Timeout.String(),
			"ip.garp_interval": cfg.Settings.IP.GARPInterval.String(), "ip.probe_time": cfg.Settings.IP.ProbeTime.String(),
			"fence.timeout": cfg.Settings.Fence.Timeout.String(), "fence.retry_interval": cfg.Settings.Fence.RetryInterval.String()}}
	for i := 0; i <= config.MaxAuthIndex; i++ {
		if k, ok := cfg.Auth.Key(i); ok {
			rep.Config.AuthKeys = append(rep.Config.AuthKeys, k.String())
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if rep.Diagnostics == nil {
			rep.Diagnostics = config.Diagnostics{}
		}
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "understudy check: %v\n", err)
			return exitUsage
		}
	} else {
		printCheck(stdout, rep)
	}
	if !rep.OK {
		return exitFail
	}
	return exitOK
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func printCheck(w io.Writer, rep checkReport) {
	fmt.Fprint(w, rep.Diagnostics.String())
	verdict := "OK"
	if !rep.OK {
		verdict = "NOT USABLE"
	}
	fmt.Fprintf(w, "%s: %s for node %s (%s, %s)\n", rep.Dir, verdict, rep.Node,
		plural(rep.Errors, "error"), plural(rep.Warnings, "warning"))
	if len(rep.Skipped) > 0 {
		here := "this machine is not " + rep.Node
		if rep.Here != "" {
			here = "this machine is " + rep.Here + ", not " + rep.Node
		}
		fmt.Fprintf(w, "  skipped, since %s (run check on %s itself):\n", here, rep.Node)
		for _, c := range rep.Skipped {
			fmt.Fprintf(w, "    - %s\n", c)
		}
	}
	printSummary(w, rep)
}

func printSummary(w io.Writer, rep checkReport) {
	c := rep.Config
	fmt.Fprintf(w, "\n  nodes     %s\n", strings.Join(c.Nodes, " "))
	for i, m := range c.Media {
		label := ""
		if i == 0 {
			label = "media"
		}
		fmt.Fprintf(w, "  %-9s %s (line %d)\n", label, m, m.Line)
	}
	fmt.Fprintf(w, "  timing    keepalive %s, warntime %s, deadtime %s, initdead %s\n",
		c.Keepalive, c.Warntime, c.Deadtime, c.Initdead)
	fmt.Fprintf(w, "  failback  %s\n", c.AutoFailback)
	printDefences(w, rep)
	switch {
	case len(c.AuthKeys) > 0 && c.AuthActive >= 0:
		fmt.Fprintf(w, "  auth      signing with key %d; keys: %s\n", c.AuthActive, strings.Join(c.AuthKeys, ", "))
	case len(c.AuthKeys) > 0:
		fmt.Fprintf(w, "  auth      no signing key (no auth line); keys: %s\n", strings.Join(c.AuthKeys, ", "))
	}
	fmt.Fprintf(w, "  settings  %s\n", c.Settings)
	for i, g := range c.Groups {
		fmt.Fprintf(w, "  group     %s, preferred node %s (line %d)\n", g.Key, g.Node, g.Line)
		if order := c.NodeOrder(g.Key); len(order) > 1 || len(c.GroupNodes) > 0 {
			from := "heartbeat's order"
			for _, gn := range c.GroupNodes {
				if gn.Group == g.Key {
					from = fmt.Sprintf("%s line %d", config.SettingsFile, gn.Line)
				}
			}
			fmt.Fprintf(w, "    nodes: %s (%s)\n", strings.Join(order, " > "), from)
		}
		for j, res := range g.Resources {
			how := "script not found"
			if i < len(c.Handlers) && j < len(c.Handlers[i]) {
				switch h := c.Handlers[i][j]; {
				case h.Native:
					how = "native: " + res.IP.String()
				case h.Path != "":
					how = h.Path + " " + strings.Join(append(append([]string{}, res.Args...), "start|stop|status"), " ")
				}
			}
			fmt.Fprintf(w, "    %d. %-28s %s\n", j+1, res.Token, how)
		}
		for _, m := range c.Monitors {
			if m.Group == g.Key {
				fmt.Fprintf(w, "    monitor %s (%s line %d)\n", m, config.SettingsFile, m.Line)
			}
		}
	}
	for _, h := range c.Hooks {
		fmt.Fprintf(w, "  hook      %s (%s line %d)\n", h, config.SettingsFile, h.Line)
	}
	if !rep.OK {
		return
	}
	fmt.Fprintf(w, "  digest    %s (what every node must agree on)\n", c.Digest)
}

// printDefences shows the ping nodes and how this node fences.
func printDefences(w io.Writer, rep checkReport) {
	c := rep.Config
	for _, pn := range c.PingNodes {
		what := "ping node " + pn.Name
		if pn.Group {
			as := make([]string, len(pn.Addrs))
			for i, a := range pn.Addrs {
				as[i] = a.String()
			}
			what = fmt.Sprintf("ping group %s: %s", pn.Name, strings.Join(as, " "))
		}
		fmt.Fprintf(w, "  ping      %s, dead after %s (line %d)\n", what, c.Deadping, pn.Line)
	}
	f := c.Settings.Fence
	how := fmt.Sprintf("%s, timeout %s, again every %s until it works", f.Action, f.Timeout, f.RetryInterval)
	switch {
	case !c.Fencing:
		if len(c.PingNodes) > 0 || len(c.Stonith) > 0 {
			fmt.Fprintf(w, "  fencing   none for node %s: it takes a dead peer's groups without fencing it\n", rep.Node)
		}
	case len(f.Command) > 0:
		fmt.Fprintf(w, "  fencing   %s NODE: %s\n", strings.Join(f.Command, " "), how)
	default:
		for _, d := range c.Stonith {
			if d.UsableBy(rep.Node) {
				fmt.Fprintf(w, "  fencing   %s (line %d): %s\n", d, d.Line, how)
			}
		}
	}
}
