package config

import (
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// GroupNodes is one [[group]] of understudy.toml: the nodes that may
// hold a haresources group, best first. The first is the group's
// preferred node of haresources (heartbeat nodes read only that file,
// so it stays the authority on the first node); a node left out never
// holds the group.
type GroupNodes struct {
	// Line is the line of its [[group]] header.
	Line int `json:"line"`
	// Group is the key of the haresources group.
	Group string `json:"group"`
	// Nodes are node names of ha.cf, lower-cased, best first.
	Nodes []string `json:"nodes"`

	elem int // which [[group]] of the file, for diagnostics
}

type rawGroupNodes struct {
	Name  string   `toml:"name"`
	Nodes []string `toml:"nodes"`
}

// parseGroupNodes validates every [[group]] on its own (Load then checks
// them against ha.cf and haresources) and returns those without errors.
func parseGroupNodes(md toml.MetaData, raws []rawGroupNodes, text string, r reporter) []GroupNodes {
	var out []GroupNodes
	tomlEachElement(md, text, "group", len(raws), r, func(i int, set map[string]bool, e *elemReporter) {
		e.unknownKeys(set, func(k string) bool { return k == "name" || k == "nodes" })
		raw := raws[i]
		g := GroupNodes{Line: tomlArrayLine(text, "group", i, ""), Group: raw.Name, elem: i}
		if raw.Name == "" {
			e.errorf("name", "a [[group]] needs name = \"KEY\": the haresources group, by its first resource as understudy status names it")
		}
		if len(raw.Nodes) == 0 {
			e.errorf("nodes", "a [[group]] needs nodes = [\"node1\", \"node2\", ...]: the nodes that may hold the group, best first")
		}
		for j, n := range raw.Nodes {
			n = strings.ToLower(n)
			switch {
			case !validNodeName(n):
				e.errorf("nodes", "group.nodes: %q is not a node name", raw.Nodes[j])
			case slices.Contains(g.Nodes, n):
				e.errorf("nodes", "group.nodes names %s twice", n)
			default:
				g.Nodes = append(g.Nodes, n)
			}
		}
		if !e.ok {
			return
		}
		if j := slices.IndexFunc(out, func(o GroupNodes) bool { return o.Group == g.Group }); j >= 0 {
			e.errorf("name", "group %s has a [[group]] already (line %d): give each group one", g.Group, out[j].Line)
			return
		}
		out = append(out, g)
	})
	return out
}

// checkGroupNodes checks each [[group]] against ha.cf and haresources:
// the group exists, every node is a node of ha.cf, and the first is the
// group's preferred node. It returns those without errors.
func (c *Config) checkGroupNodes(text string, gns []GroupNodes, r reporter) []GroupNodes {
	var out []GroupNodes
	for _, gn := range gns {
		line := func(key string) int { return tomlArrayLine(text, "group", gn.elem, key) }
		g, ok := c.Group(gn.Group)
		if !ok {
			r.errorf(line("name"), "group.name = %q is not a group of haresources%s", gn.Group, groupHint(gn.Group, c.Groups))
			continue
		}
		ok = true
		for _, n := range gn.Nodes {
			if len(c.Nodes) > 0 && !slices.Contains(c.Nodes, n) {
				r.errorf(line("nodes"), "group %s: %s is not a node of ha.cf (nodes: %s)", g.Key, n, strings.Join(c.Nodes, " "))
				ok = false
			}
		}
		if gn.Nodes[0] != g.Node {
			r.errorf(line("nodes"), "group %s: nodes must start with %s, its preferred node on haresources line %d (heartbeat reads only haresources, so it decides the first node): put %s first, or change haresources", g.Key, g.Node, g.Line, g.Node)
			ok = false
		}
		if ok {
			out = append(out, gn)
		}
	}
	return out
}

// NodeOrder returns the nodes that may hold the group key, best first:
// its [[group]] list when understudy.toml has one, else heartbeat's
// order (the preferred node, then every other node of ha.cf in file
// order). Nil when there is no such group.
func (c *Config) NodeOrder(key string) []string {
	g, ok := c.Group(key)
	if !ok {
		return nil
	}
	for _, gn := range c.GroupNodes {
		if gn.Group == key {
			return slices.Clone(gn.Nodes)
		}
	}
	out := []string{g.Node}
	for _, n := range c.Nodes {
		if n != g.Node {
			out = append(out, n)
		}
	}
	return out
}
