package cluster_test

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/cluster/clustertest"
	"github.com/understudy-ha/understudy/config"
)

// The scenario language for monitors and the operators' move, clear
// and maintenance:
//
//	config ... monitors=GROUP:NAME[:fall=N][:rise=N][:everywhere][:restart=N],...
//	           (defaults: fall 2, rise 2, where the group runs, failover;
//	           restart=N: on_fail restart, N restarts)
//	           moninterval=100ms heartbeat=NODE,... (nodes that play heartbeat)
//	service NODE GROUP down|crash|up   the service fails its monitors there
//	move NODE GROUP [TARGET] [id=N]    an operator's move, on NODE
//	clear NODE GROUP [id=N]
//	maintenance NODE on|off [id=N]
//	monitors                           each node's monitors, health and marks

// parseMonitors sets the monitors of groups from a monitors= value.
func parseMonitors(groups []cluster.GroupSpec, v string) error {
	for i := range groups {
		groups[i].Monitors = nil
	}
	for _, item := range strings.Split(v, ",") {
		if item == "" {
			continue
		}
		f := strings.Split(item, ":")
		i := slices.IndexFunc(groups, func(g cluster.GroupSpec) bool { return g.Key == f[0] })
		if len(f) < 2 || i < 0 {
			return fmt.Errorf("monitor %q: GROUP:NAME of a configured group", item)
		}
		m := cluster.MonitorSpec{Name: f[1], Fall: 2, Rise: 2, OnFail: config.OnFailFailover}
		for _, o := range f[2:] {
			k, val, _ := strings.Cut(o, "=")
			n, err := strconv.Atoi(val)
			switch {
			case k == "everywhere":
				m.Everywhere = true
			case err != nil:
				return fmt.Errorf("monitor %q: bad option %q", item, o)
			case k == "fall":
				m.Fall = n
			case k == "rise":
				m.Rise = n
			case k == "restart":
				m.OnFail, m.Restarts = config.OnFailRestart, n
			default:
				return fmt.Errorf("monitor %q: unknown option %q", item, o)
			}
		}
		groups[i].Monitors = append(groups[i].Monitors, m)
	}
	return nil
}

// monitorsOf keeps the monitors of groups by key.
func monitorsOf(groups []cluster.GroupSpec) map[string][]cluster.MonitorSpec {
	out := map[string][]cluster.MonitorSpec{}
	for _, g := range groups {
		out[g.Key] = g.Monitors
	}
	return out
}

// monitorsArg renders the monitors back as a monitors= value.
func monitorsArg(groups []cluster.GroupSpec) string {
	var items []string
	for _, g := range groups {
		for _, m := range g.Monitors {
			s := fmt.Sprintf("%s:%s:fall=%d:rise=%d", g.Key, m.Name, m.Fall, m.Rise)
			if m.Everywhere {
				s += ":everywhere"
			}
			if m.OnFail == config.OnFailRestart {
				s += fmt.Sprintf(":restart=%d", m.Restarts)
			}
			items = append(items, s)
		}
	}
	return strings.Join(items, ",")
}

// monCommand runs the commands above; "" and no error for a command
// that prints only what happened.
func monCommand(s *clustertest.Sim, cmd string, args []string) (string, error) {
	id, args, err := requestID(args)
	if err != nil {
		return "", err
	}
	switch {
	case cmd == "service" && len(args) == 3:
		switch args[2] {
		case "down", "up":
			s.Fault(clustertest.ServiceDown, args[0], args[1], args[2] == "down")
		case "crash":
			s.Fault(clustertest.ServiceCrash, args[0], args[1], true)
		default:
			return "", fmt.Errorf("service NODE GROUP down|crash|up")
		}
	case cmd == "move" && (len(args) == 2 || len(args) == 3):
		a := cluster.Admin{Now: s.Now, Cmd: cluster.CmdMove, Group: args[1], ID: id}
		if len(args) == 3 {
			a.Node = args[2]
		}
		err = s.Event(args[0], a)
	case cmd == "clear" && len(args) == 2:
		err = s.Event(args[0], cluster.Admin{Now: s.Now, Cmd: cluster.CmdClear, Group: args[1], ID: id})
	case cmd == "maintenance" && len(args) == 2:
		err = s.Event(args[0], cluster.Admin{Now: s.Now, Cmd: cluster.CmdMaintenance, On: args[1] == "on", ID: id})
	case cmd == "monitors":
		return monitorsState(s), nil
	default:
		return "", fmt.Errorf("unknown command %q or wrong arguments", cmd)
	}
	return s.Output(), err
}

// requestID takes a trailing id=N off args.
func requestID(args []string) (uint64, []string, error) {
	if len(args) == 0 || !strings.HasPrefix(args[len(args)-1], "id=") {
		return 0, args, nil
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(args[len(args)-1], "id="), 10, 64)
	if err != nil {
		return 0, nil, fmt.Errorf("bad request id %q", args[len(args)-1])
	}
	return id, args[:len(args)-1], nil
}

// monitorsState prints, per running node, maintenance, each group with
// monitors (its state, health here, marks, note, monitors) and the
// health its peers announced.
func monitorsState(s *clustertest.Sim) string {
	var lines []string
	for _, name := range s.Names() {
		snap, _ := s.Snapshot(name)
		head := name + ":"
		if snap.Maintenance {
			head += " MAINTENANCE (by " + snap.MaintenanceBy + ")"
		}
		var peers []string
		for _, p := range snap.Nodes {
			if len(p.Health) > 0 {
				var hs []string
				for _, k := range slices.Sorted(maps.Keys(p.Health)) {
					hs = append(hs, k+"="+p.Health[k])
				}
				peers = append(peers, p.Name+"("+strings.Join(hs, " ")+")")
			}
		}
		if len(peers) > 0 {
			head += " peers[" + strings.Join(peers, " ") + "]"
		}
		lines = append(lines, head)
		for _, g := range snap.Groups {
			if len(g.Monitors) == 0 && len(g.Failed) == 0 {
				continue
			}
			l := fmt.Sprintf("  %s %s health=%s", g.Key, g.State, g.Health)
			if len(g.Failed) > 0 {
				l += fmt.Sprintf(" start-failed%v", g.Failed)
			}
			if len(g.MonitorFailed) > 0 {
				l += fmt.Sprintf(" monitor-failed%v", g.MonitorFailed)
			}
			for _, m := range g.Monitors {
				run := "idle"
				if m.Runs {
					run = "runs"
				}
				l += fmt.Sprintf(" [%s %s %s %s fails=%d oks=%d restarts=%d/%d]", m.Name, m.Where, run, m.State, m.Failures, m.Successes, m.Restarts, m.MaxRestarts)
			}
			if g.Note != "" {
				l += " note: " + g.Note
			}
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
