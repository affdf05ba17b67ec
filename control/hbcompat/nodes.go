package hbcompat

import (
	"slices"
	"sort"
	"strings"

	"github.com/understudy-ha/understudy/config"
)

// The cluster as heartbeat's client API shows it.

type hbNode struct {
	name, status string
	links        []hbLink // in the order heartbeat's client library lists them
}

type hbLink struct{ name, status string }

// hbNodes returns every node, the local one included, in the order
// heartbeat's node walk gives them: its client library prepends each
// node it receives, so the list is ha.cf's order reversed.
func (c *compat) hbNodes() []hbNode {
	st := c.st
	var own []string
	ownStatus := map[string]string{}
	for _, l := range st.Links {
		if _, dup := ownStatus[l.Name]; dup {
			continue
		}
		own = append(own, l.Name)
		ownStatus[l.Name] = map[bool]string{true: "up", false: "dead"}[l.Up]
	}
	byName := map[string]hbNode{}
	self := hbNode{name: st.Node, status: nodeWord(st.Cluster.Status)}
	for _, name := range own {
		self.links = append(self.links, hbLink{name, ownStatus[name]})
	}
	byName[st.Node] = self
	order := []string{st.Node}
	for _, n := range st.Cluster.Nodes {
		if _, dup := byName[n.Name]; dup {
			continue
		}
		// heartbeat gives every node a link per medium, dead until a
		// packet arrives on it.
		hn := hbNode{name: n.Name, status: nodeWord(n.Status)}
		for _, name := range own {
			s := n.Links[name]
			if s == "" {
				s = "dead"
			}
			hn.links = append(hn.links, hbLink{name, s})
		}
		var extra []string
		for name := range n.Links {
			if _, ok := ownStatus[name]; !ok {
				extra = append(extra, name)
			}
		}
		sort.Strings(extra)
		for _, name := range extra {
			hn.links = append(hn.links, hbLink{name, n.Links[name]})
		}
		byName[n.Name] = hn
		order = append(order, n.Name)
	}
	if cfg := c.config(); cfg != nil && slices.Contains(cfg.Nodes, st.Node) {
		// The local node's place in ha.cf, which the snapshot lacks.
		var inCfg []string
		for _, name := range cfg.Nodes {
			if _, ok := byName[name]; ok && !slices.Contains(inCfg, name) {
				inCfg = append(inCfg, name)
			}
		}
		for _, name := range order {
			if !slices.Contains(inCfg, name) {
				inCfg = append(inCfg, name)
			}
		}
		order = inCfg
	}
	nodes := make([]hbNode, 0, len(order))
	for _, name := range slices.Backward(order) {
		n := byName[name]
		slices.Reverse(n.links) // prepended one by one, like the nodes
		nodes = append(nodes, n)
	}
	return nodes
}

// nodeWord maps Understudy's view of a node to heartbeat's status words:
// init, up, active, dead. A node never heard from is init, as in
// heartbeat until initdead declares it dead.
func nodeWord(s string) string {
	switch s {
	case "", "unknown":
		return "init"
	}
	return s
}

// findNode looks a node up as heartbeat does, ignoring case.
func (c *compat) findNode(name string) (hbNode, bool) {
	for _, n := range c.hbNodes() {
		if strings.EqualFold(n.name, name) {
			return n, true
		}
	}
	return hbNode{}, false
}

// config loads ha.d once: UNDERSTUDY_HA_DIR, else the directory the
// daemon runs from, else /etc/ha.d. It returns nil if nothing could be
// read.
func (c *compat) config() *config.Config {
	if !c.cfgOK {
		c.cfgOK = true
		dir := c.haDir
		if dir == "" {
			dir = c.st.Dir
		}
		if dir == "" {
			dir = config.DefaultDir
		}
		c.cfg, _ = config.Load(dir)
		if c.cfg != nil && c.cfg.Params == nil {
			c.cfg = nil
		}
	}
	return c.cfg
}
