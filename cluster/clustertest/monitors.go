package clustertest

import (
	"slices"
	"strings"

	"github.com/understudy-ha/understudy/cluster"
)

// Service monitors, simulated: every MonInterval each running node gets
// one result for each monitor its state machine says must run there
// (Output.RunMonitors), OK unless the service is down on that node: down
// for good (Fault ServiceDown, until turned off) or crashed (Fault
// ServiceCrash, until a restart in place or a new acquire of the group
// on that node starts it again).

// Fault is something the simulation makes go wrong on a node, for a
// group.
type Fault int

const (
	// FailStart: the group's acquires and restarts fail.
	FailStart Fault = iota
	// InUse: the split-brain guard finds the group's address in use.
	InUse
	// ServiceDown: the group's service fails its monitors there.
	ServiceDown
	// ServiceCrash: likewise, until the group is started again there.
	ServiceCrash
)

// Fault turns a fault on or off for group on node. Like every command
// of the simulation but the passing of time, it counts as a new cause
// for groups to move (see checkMoves).
func (s *Sim) Fault(f Fault, node, group string, on bool) {
	m := map[Fault]map[string]bool{FailStart: s.FailStart, InUse: s.InUse, ServiceDown: s.serviceDown, ServiceCrash: s.crashed}[f]
	m[node+"|"+group] = on
	s.input()
}

// ServiceIsDown reports whether the group's service fails its monitors
// on node.
func (s *Sim) ServiceIsDown(node, group string) bool {
	return s.serviceDown[node+"|"+group] || s.crashed[node+"|"+group]
}

// setMonitors records which monitors run on a node.
func (s *Sim) setMonitors(sn *simNode, out cluster.Output) {
	if !out.MonitorsChanged {
		return
	}
	sn.monitors = out.RunMonitors
	if len(sn.monitors) > 0 && s.nextProbe.IsZero() {
		s.nextProbe = s.Now.Add(s.MonInterval)
	}
}

// probe delivers one result of each monitor running on each node.
func (s *Sim) probe() {
	s.nextProbe = s.Now.Add(s.MonInterval)
	for _, name := range s.Names() {
		sn, ok := s.nodes[name]
		if !ok {
			continue
		}
		for _, r := range slices.Clone(sn.monitors) {
			if _, ok := s.nodes[name]; !ok {
				break
			}
			res := cluster.MonitorResult{Now: s.Now, Group: r.Group, Monitor: r.Monitor, OK: !s.ServiceIsDown(name, r.Group)}
			if !res.OK {
				res.Reason = "service down"
			}
			s.apply(sn, sn.n.Step(res))
		}
	}
}

// startRestarts begins the restarts in place of one Output.
func (s *Sim) startRestarts(sn *simNode, out cluster.Output) {
	for _, k := range out.Restart {
		if slices.Contains(out.Acquire, k) || slices.Contains(out.Release, k) {
			s.violation("%s: group %s restarted and acquired or released in one step", sn.name, k)
		}
		if !sn.held[k] {
			s.violation("%s restarts %s, which it does not hold", sn.name, k)
		}
		s.logf("%s: restart %s", sn.name, k)
		var err error
		if s.FailStart[sn.name+"|"+k] {
			err = errStart
		}
		s.ops = append(s.ops, pendingOp{at: s.Now.Add(s.OpDelay), node: sn.name, group: k, op: cluster.Restart, err: err})
	}
}

// started: group k started on node (acquired or restarted): a crashed
// service runs again; a group that last started elsewhere, and that no
// other node holds now, moved. (Two nodes that hold it at once, across
// a partition, are checkConflicts' business.)
func (s *Sim) started(node, k string, op cluster.Op) {
	delete(s.crashed, node+"|"+k)
	if op != cluster.Acquire {
		return
	}
	alone := true
	for name, sn := range s.nodes {
		alone = alone && (name == node || !sn.held[k])
	}
	if last, ok := s.lastRan[k]; ok && last != node && alone {
		s.moves[k]++
		s.checkMoves(k)
	}
	s.lastRan[k] = node
}

// checkMoves: no ping-pong. Between two commands of the simulation
// (starts, crashes, cuts, faults, operators' commands...), with only
// time passing, a group moves to another node at most as many times as
// there are nodes: each move needs a new cause.
func (s *Sim) checkMoves(k string) {
	if s.moves[k] > len(s.Base.Nodes) {
		s.violation("ping-pong: %s moved %d times with nothing new happening", k, s.moves[k])
		s.moves[k] = 0
	}
}

// input: a command of the simulation; every group may move again.
func (s *Sim) input() { clear(s.moves) }

// heartbeatFilter makes a message what a heartbeat 3.0.6 node would
// send or understand: none of Understudy's own types or fields.
func heartbeatFilter(m cluster.Msg) (cluster.Msg, bool) {
	if strings.HasPrefix(m.Type, "understudy-") {
		return m, false
	}
	m.Fields = slices.DeleteFunc(slices.Clone(m.Fields), func(f cluster.KV) bool { return strings.HasPrefix(f.K, "us_") })
	return m, true
}
