package cluster_test

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/cluster/clustertest"
	"github.com/understudy-ha/understudy/config"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of the scenario files")

// TestScenarios replays testdata/*.txt. Each file is a list of commands,
// each followed by "----" and the expected output up to a blank line.
// Run with -rewrite to regenerate the expectations, then review the diff.
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no scenario files")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runScenario(t, f) })
	}
}

type block struct {
	pre  []string // comments and blank lines before the command
	cmd  string
	want string
	line int
}

func parseScenario(t *testing.T, path string) []block {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	var blocks []block
	var cur block
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			cur.pre = append(cur.pre, l)
			continue
		}
		cur.cmd, cur.line = l, i+1
		if i+1 >= len(lines) || lines[i+1] != "----" {
			t.Fatalf("%s:%d: command without ----", path, i+1)
		}
		i += 2
		var want []string
		for ; i < len(lines) && lines[i] != ""; i++ {
			want = append(want, lines[i])
		}
		cur.want = strings.Join(want, "\n")
		blocks = append(blocks, cur)
		cur = block{}
	}
	return blocks
}

func runScenario(t *testing.T, path string) {
	blocks := parseScenario(t, path)
	var sim *clustertest.Sim
	var out strings.Builder
	for _, b := range blocks {
		got, err := command(&sim, b.cmd)
		if err != nil {
			t.Fatalf("%s:%d: %s: %v", path, b.line, b.cmd, err)
		}
		for _, p := range b.pre {
			out.WriteString(p + "\n")
		}
		out.WriteString(b.cmd + "\n----\n")
		if got != "" && len(sim.Violations) == 0 {
			out.WriteString(got + "\n")
		}
		if !*rewrite && got != b.want {
			t.Errorf("%s:%d: %s\n--- got:\n%s\n--- want:\n%s", path, b.line, b.cmd, got, b.want)
		}
		if sim != nil && len(sim.Violations) > 0 {
			if *rewrite {
				os.WriteFile(path, []byte(out.String()+got+"\n"), 0o644)
			}
			t.Fatalf("%s:%d: %s: invariant violated:\n%s", path, b.line, b.cmd, strings.Join(sim.Violations, "\n"))
		}
		out.WriteString("\n")
	}
	if *rewrite {
		if err := os.WriteFile(path, []byte(strings.TrimRight(out.String(), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func command(simp **clustertest.Sim, line string) (string, error) {
	f := strings.Fields(line)
	cmd, args := f[0], f[1:]
	if cmd == "config" {
		s, err := newSim(args)
		*simp = s
		return "", err
	}
	s := *simp
	if s == nil {
		return "", fmt.Errorf("config first")
	}
	now := func() time.Time { return s.Now }
	var err error
	switch cmd {
	case "start":
		for _, n := range args {
			if err = s.Start(n); err != nil {
				break
			}
		}
	case "crash":
		err = s.Crash(args[0])
	case "stop":
		err = s.Event(args[0], cluster.Shutdown{Now: now()})
	case "run":
		var d time.Duration
		if d, err = time.ParseDuration(args[0]); err == nil {
			s.Run(d)
		}
	case "cut", "heal":
		link := ""
		if len(args) > 2 {
			link = args[2]
		}
		s.Cut(args[0], args[1], link, cmd == "cut")
	case "fail", "inuse":
		f := map[string]clustertest.Fault{"fail": clustertest.FailStart, "inuse": clustertest.InUse}[cmd]
		s.Fault(f, args[0], args[1], len(args) < 3 || args[2] != "off")
	case "standby", "takeover":
		// standby NODE SET [id=N]: with an id, the node's answers are
		// printed ("answer N accepted (...)") and checked by the
		// simulator.
		set, ok := cluster.ParseSet(args[1])
		if !ok {
			return "", fmt.Errorf("bad set %q", args[1])
		}
		var id uint64
		if len(args) > 2 {
			v, found := strings.CutPrefix(args[2], "id=")
			if id, err = strconv.ParseUint(v, 10, 64); !found || err != nil {
				return "", fmt.Errorf("bad request id %q", args[2])
			}
		}
		c := map[string]cluster.AdminCmd{"standby": cluster.CmdStandby, "takeover": cluster.CmdTakeover}[cmd]
		err = s.Event(args[0], cluster.Admin{Now: now(), Cmd: c, Set: set, ID: id})
	case "reload":
		// reload key=value...: a new configuration for every running
		// node (the keys of config; groups may carry :digest).
		next, err := newSim(append(configArgs(s.Base), args...))
		if err != nil {
			return "", err
		}
		s.Base = next.Base
		for _, n := range s.Names() {
			c := s.Base
			c.Self = n
			if err := s.Event(n, cluster.Reconfigure{Now: now(), Config: c}); err != nil {
				return "", err
			}
		}
	case "state":
		return state(s), nil
	default:
		var out string
		if out, err = monCommand(s, cmd, args); err != nil || out != "" {
			return out, err
		}
	}
	return s.Output(), err
}

func newSim(args []string) (*clustertest.Sim, error) {
	cfg := cluster.Config{Keepalive: 100 * time.Millisecond, Warntime: 300 * time.Millisecond,
		Deadtime: 500 * time.Millisecond, Initdead: 2 * time.Second, AutoFailback: config.FailbackOn}
	links := []string{"eth1"}
	opDelay := 50 * time.Millisecond
	rexmit := true
	monInterval := 100 * time.Millisecond
	var hbNodes []string
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		var err error
		switch k {
		case "nodes":
			cfg.Nodes = strings.Split(v, ",")
		case "groups":
			mons := monitorsOf(cfg.Groups)
			cfg.Groups = nil
			for _, g := range strings.Split(v, ",") {
				node, rest, _ := strings.Cut(g, ":")
				key, digest, _ := strings.Cut(rest, ":")
				cfg.Groups = append(cfg.Groups, cluster.GroupSpec{Key: key, Node: node, Digest: digest, Monitors: mons[key]})
			}
		case "monitors":
			err = parseMonitors(cfg.Groups, v)
		case "moninterval":
			monInterval, err = time.ParseDuration(v)
		case "heartbeat":
			hbNodes = strings.Split(v, ",")
		case "links":
			links = strings.Split(v, ",")
		case "failback":
			cfg.AutoFailback = config.AutoFailback(v)
		case "keepalive":
			cfg.Keepalive, err = time.ParseDuration(v)
		case "warntime":
			cfg.Warntime, err = time.ParseDuration(v)
		case "deadtime":
			cfg.Deadtime, err = time.ParseDuration(v)
		case "initdead":
			cfg.Initdead, err = time.ParseDuration(v)
		case "opdelay":
			opDelay, err = time.ParseDuration(v)
		case "rexmit":
			// rexmit=off: a cut loses what it carries (the simulator
			// otherwise delivers, when it heals, what a cut shorter
			// than the dead time held back).
			rexmit = v != "off"
		default:
			err = fmt.Errorf("unknown config key %q", k)
		}
		if err != nil {
			return nil, err
		}
	}
	s := clustertest.New(cfg, links, opDelay)
	s.NoRexmit = !rexmit
	s.MonInterval = monInterval
	for _, n := range hbNodes {
		s.Heartbeat[n] = true
	}
	return s, nil
}

// configArgs renders a configuration back into config arguments.
func configArgs(c cluster.Config) []string {
	var gs []string
	for _, g := range c.Groups {
		gs = append(gs, g.Node+":"+g.Key+":"+g.Digest)
	}
	args := []string{"nodes=" + strings.Join(c.Nodes, ","), "groups=" + strings.Join(gs, ","),
		"keepalive=" + c.Keepalive.String(), "warntime=" + c.Warntime.String(), "deadtime=" + c.Deadtime.String(),
		"initdead=" + c.Initdead.String(), "failback=" + string(c.AutoFailback)}
	if m := monitorsArg(c.Groups); m != "" {
		args = append(args, "monitors="+m)
	}
	return args
}

// state prints every running node's view, one line per node.
func state(s *clustertest.Sim) string {
	var lines []string
	for _, name := range s.Names() {
		snap, _ := s.Snapshot(name)
		var gs, ps []string
		for _, g := range snap.Groups {
			gs = append(gs, g.Key+"="+g.State)
		}
		for _, n := range snap.Nodes {
			var ls []string
			for _, l := range slices.Sorted(maps.Keys(n.Links)) {
				ls = append(ls, l+" "+n.Links[l])
			}
			ps = append(ps, fmt.Sprintf("%s=%s(%s)", n.Name, n.Status, strings.Join(ls, ", ")))
		}
		lines = append(lines, fmt.Sprintf("%s: %s %s hold=%s standby=%s groups[%s] peers[%s]",
			name, snap.Status, snap.State, snap.Hold, snap.Standby, strings.Join(gs, " "), strings.Join(ps, " ")))
	}
	return strings.Join(lines, "\n")
}
