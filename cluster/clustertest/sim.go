// Package clustertest simulates a cluster of state machines on a virtual
// clock and network, for scenario tests: nodes start, crash and shut down,
// links are cut and healed, resource operations take time and fail on
// demand, operators issue commands and wait for their answers. After
// every step it checks the safety invariants, and that every command
// issued with an ID is answered in its step and, once accepted, gets
// exactly one final answer.
package clustertest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/cluster"
)

// Epoch is the simulated time zero.
var Epoch = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// Sim is a simulated cluster.
type Sim struct {
	Base    cluster.Config // Self is set per node
	Links   []string
	OpDelay time.Duration
	Now     time.Time

	nodes map[string]*simNode
	gens  map[string]uint64
	cut   map[string]bool // "a|b|link", both directions stored
	ops   []pendingOp
	// FailStart and InUse make the next acquires of "node|group" fail.
	FailStart map[string]bool
	InUse     map[string]bool
	// NoRexmit: a link cut loses what it carries, however short (see
	// rexmit.go).
	NoRexmit bool
	// MonInterval is how often the simulated monitors probe; Heartbeat
	// names the nodes that play heartbeat 3.0.6 peers: they run no
	// monitors and neither send nor understand Understudy's own
	// messages and fields (an Understudy state machine without them).
	MonInterval time.Duration
	Heartbeat   map[string]bool
	serviceDown map[string]bool
	crashed     map[string]bool
	nextProbe   time.Time
	// lastRan: where each group last started; moves: how many times it
	// moved since the last command of the simulation (checkMoves).
	lastRan map[string]string
	moves   map[string]int

	out        []string
	Violations []string
	// queue holds messages on their way; delivering guards the loop.
	queue      []delivery
	delivering bool
	// conflictSince tracks groups held by two nodes that hear each other.
	conflictSince map[string]time.Time
	// heldBack: messages sent while every link between their sender and
	// receiver was cut, in the order sent; cutSince: when each pair
	// ("a|b", both orders) stopped hearing each other.
	heldBack []heldMsg
	cutSince map[string]time.Time
}

type simNode struct {
	name string
	n    *cluster.Node
	next time.Time
	held map[string]bool // physically holds (from acquire start to release end)
	// heldBelief: the peers the node believed alive when it acquired.
	heldBelief map[string]map[string]bool
	// requests: the operators' commands issued with an ID, by ID.
	requests map[uint64]*request
	// monitors: the monitors its state machine says run there.
	monitors []cluster.MonitorRef
}

type pendingOp struct {
	at    time.Time
	node  string
	group string
	op    cluster.Op
	err   error
}

// New returns an empty simulation.
func New(base cluster.Config, links []string, opDelay time.Duration) *Sim {
	return &Sim{Base: base, Links: links, OpDelay: opDelay, Now: Epoch, nodes: map[string]*simNode{},
		gens: map[string]uint64{}, cut: map[string]bool{}, FailStart: map[string]bool{}, InUse: map[string]bool{},
		conflictSince: map[string]time.Time{}, cutSince: map[string]time.Time{},
		MonInterval: 100 * time.Millisecond, Heartbeat: map[string]bool{}, serviceDown: map[string]bool{}, crashed: map[string]bool{},
		lastRan: map[string]string{}, moves: map[string]int{}}
}

// Output returns and clears what happened since the last call.
func (s *Sim) Output() string {
	o := strings.Join(s.out, "\n")
	s.out = nil
	return o
}

func (s *Sim) logf(format string, args ...any) {
	s.out = append(s.out, fmt.Sprintf("%7.3fs ", s.Now.Sub(Epoch).Seconds())+fmt.Sprintf(format, args...))
}

// Start boots a node (again).
func (s *Sim) Start(name string) error {
	if _, ok := s.nodes[name]; ok {
		return fmt.Errorf("%s is already running", name)
	}
	cfg := s.Base
	cfg.Self = name
	if s.Heartbeat[name] {
		cfg.Groups = slices.Clone(cfg.Groups)
		for i := range cfg.Groups {
			cfg.Groups[i].Monitors = nil
		}
	}
	s.input()
	s.gens[name]++
	sn := &simNode{name: name, n: cluster.New(cfg, s.Now), held: map[string]bool{}, heldBelief: map[string]map[string]bool{},
		requests: map[uint64]*request{}}
	s.nodes[name] = sn
	s.apply(sn, sn.n.Step(cluster.Tick{Now: s.Now}))
	return nil
}

// Crash powers a node off: it stops and its addresses vanish with it.
func (s *Sim) Crash(name string) error {
	if _, ok := s.nodes[name]; !ok {
		return fmt.Errorf("%s is not running", name)
	}
	s.input()
	delete(s.nodes, name)
	s.ops = slices.DeleteFunc(s.ops, func(o pendingOp) bool { return o.node == name })
	s.forgetHeldBack(name)
	s.logf("%s: powered off", name)
	return nil
}

// Cut and Heal change connectivity between a and b on one link, or all.
// What a cut shorter than the dead time held back is delivered when it
// heals (see reach).
func (s *Sim) Cut(a, b, link string, cut bool) {
	s.input()
	before := s.reach(a, b)
	for _, l := range s.Links {
		if link == "" || link == l {
			s.cut[a+"|"+b+"|"+l] = cut
			s.cut[b+"|"+a+"|"+l] = cut
		}
	}
	s.pairChanged(a, b, before)
}

// Event feeds an event to a running node. An Admin with an ID must be
// answered in that step (a violation otherwise); an ID is used once.
func (s *Sim) Event(name string, ev cluster.Event) error {
	sn, ok := s.nodes[name]
	if !ok {
		return fmt.Errorf("%s is not running", name)
	}
	s.input()
	if a, ok := ev.(cluster.Admin); ok && a.ID != 0 {
		return s.admin(sn, a)
	}
	s.apply(sn, sn.n.Step(ev))
	return nil
}

// Snapshot of a running node.
func (s *Sim) Snapshot(name string) (cluster.Snapshot, bool) {
	sn, ok := s.nodes[name]
	if !ok {
		return cluster.Snapshot{}, false
	}
	return sn.n.Snapshot(), true
}

// Node returns a running node's state machine (for debugging tests).
func (s *Sim) Node(name string) *cluster.Node {
	if sn, ok := s.nodes[name]; ok {
		return sn.n
	}
	return nil
}

// Names lists the running nodes in configuration order.
func (s *Sim) Names() []string {
	var out []string
	for _, n := range s.Base.Nodes {
		if _, ok := s.nodes[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

// Held reports whether name physically holds group.
func (s *Sim) Held(name, group string) bool {
	sn, ok := s.nodes[name]
	return ok && sn.held[group]
}

// Run advances the clock by d, delivering everything due.
func (s *Sim) Run(d time.Duration) {
	end := s.Now.Add(d)
	for range 1_000_000 {
		next := end
		for _, name := range s.Names() {
			if t := s.nodes[name].next; t.Before(next) {
				next = t
			}
		}
		for _, o := range s.ops {
			if o.at.Before(next) {
				next = o.at
			}
		}
		if !s.nextProbe.IsZero() && s.nextProbe.Before(next) {
			next = s.nextProbe
		}
		if next.After(end) || next.Equal(end) && !s.due(end) {
			s.Now = end
			return
		}
		s.Now = next
		s.fire()
		s.checkConflicts()
	}
	s.Violations = append(s.Violations, "simulation did not settle: more than a million steps")
}

func (s *Sim) due(t time.Time) bool {
	for _, name := range s.Names() {
		if !s.nodes[name].next.After(t) {
			return true
		}
	}
	for _, o := range s.ops {
		if !o.at.After(t) {
			return true
		}
	}
	return !s.nextProbe.IsZero() && !s.nextProbe.After(t)
}

// fire runs the operations and ticks due now.
func (s *Sim) fire() {
	var keep []pendingOp
	var due []pendingOp
	for _, o := range s.ops {
		if o.at.After(s.Now) {
			keep = append(keep, o)
		} else {
			due = append(due, o)
		}
	}
	s.ops = keep
	for _, o := range due {
		sn, ok := s.nodes[o.node]
		if !ok {
			continue
		}
		if o.op == cluster.Release || o.op == cluster.Acquire && o.err != nil {
			sn.held[o.group] = false
		}
		if o.op != cluster.Release && o.err == nil {
			s.started(o.node, o.group, o.op)
		}
		s.apply(sn, sn.n.Step(cluster.OpDone{Now: s.Now, Group: o.group, Op: o.op, Err: o.err}))
	}
	if !s.nextProbe.IsZero() && !s.nextProbe.After(s.Now) {
		s.probe()
	}
	for _, name := range s.Names() {
		if sn, ok := s.nodes[name]; ok && !sn.next.After(s.Now) {
			s.apply(sn, sn.n.Step(cluster.Tick{Now: s.Now}))
		}
	}
}
