package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// Resource is one resource of a group, as haresources names it.
type Resource struct {
	// Token is the resource as written, e.g. "IPaddr::192.0.2.10/24/eth0".
	Token string `json:"token"`
	// Script is the resource script's name: "IPaddr", "httpd", ...
	Script string `json:"script"`
	// Args are the arguments passed before start|stop|status.
	Args []string `json:"args,omitempty"`
	// IP is set for the address resources Understudy handles natively
	// (IPaddr, IPaddr2 and the bare-IP shorthand).
	IP *IPSpec `json:"ip,omitempty"`
}

// Native reports whether Understudy handles the resource itself instead
// of running a script.
func (r Resource) Native() bool { return r.IP != nil }

// Group is one haresources line: a preferred node and resources started
// left to right, stopped right to left.
type Group struct {
	Line int `json:"line"`
	// Node is the preferred node, lower-cased.
	Node string `json:"node"`
	// Key is the group's name everywhere (logs, messages): its first
	// resource token as written.
	Key       string     `json:"key"`
	Resources []Resource `json:"resources"`
	// badNode: the node name was refused (reported once, not again as
	// "not a node of ha.cf").
	badNode bool
}

// nativeIPScripts are the resource scripts Understudy replaces with netlink.
var nativeIPScripts = map[string]bool{"IPaddr": true, "IPaddr2": true}

// logicalLine is one group line after joining continuations.
type logicalLine struct {
	line int
	text string
}

// joinHaresources applies the comment and continuation rules. It differs
// from heartbeat's shell pipeline (heartbeat-spec §2.1) in two places,
// both reported as warnings and documented in haresources(5):
//   - a '#' on a continuation line starts a comment (heartbeat keeps it and
//     its words become resource names);
//   - "a\" followed by "b" is two resources (heartbeat glues them to "ab").
func joinHaresources(text string, r reporter) []logicalLine {
	var out []logicalLine
	var cur *logicalLine
	for n, raw := range splitLines(text) {
		n++
		body, comment, hasComment := strings.Cut(raw, "#")
		if cur != nil && hasComment && strings.TrimSpace(comment) != "" {
			r.warnf(n, "comment on a continuation line: Understudy ignores it, but heartbeat would read its words as resources; move it to a line of its own")
		}
		trimmed := strings.TrimRight(body, " \t")
		cont := strings.HasSuffix(trimmed, "\\")
		if cont && hasComment && cur == nil && trimmed != body {
			r.warnf(n, "a backslash followed by a comment: Understudy continues the line, heartbeat would not (it strips the comment and sees a blank after the backslash)")
		}
		if cont {
			if trimmed != strings.TrimRight(body, "\r") && !hasComment {
				r.warnf(n, "blanks after the continuation backslash: Understudy continues the line, heartbeat would not")
			}
			trimmed = strings.TrimSuffix(trimmed, "\\")
			if trimmed != "" && !strings.HasSuffix(trimmed, " ") && !strings.HasSuffix(trimmed, "\t") {
				r.warnf(n, "no blank before the continuation backslash: heartbeat glues the last word to the next line's first word; Understudy keeps them apart; add a blank before '\\'")
			}
		}
		switch {
		case cur == nil && strings.TrimSpace(trimmed) == "" && !cont:
			continue
		case cur == nil:
			cur = &logicalLine{line: n, text: trimmed}
		default:
			cur.text += " " + trimmed
		}
		if !cont {
			out = append(out, *cur)
			cur = nil
		}
	}
	if cur != nil {
		r.warnf(cur.line, "the file ends inside a continued line (the last line ends with '\\')")
		out = append(out, *cur)
	}
	return out
}

// parseHaresources parses haresources(5) text into groups. A line with a
// mistake is still judged whole: each of its resources is parsed and the
// group is kept with the resources that parsed, so that the checks of
// other files and of the machine see its other mistakes too (the
// configuration is unusable anyway once an error is reported).
func parseHaresources(text string, r reporter) []Group {
	var groups []Group
	keys := map[string]int{}
	lines := joinHaresources(text, r)
	if len(lines) == 0 {
		r.warnf(0, "no resource groups: the cluster will manage nothing; add a line \"NODE RESOURCE...\" such as \"node1 192.0.2.10/24 httpd\" (see haresources(5))")
	}
	for _, ll := range lines {
		f := strings.Fields(ll.text)
		if len(f) == 0 {
			continue
		}
		g := Group{Line: ll.line, Node: strings.ToLower(f[0])}
		if !validNodeName(g.Node) {
			r.errorf(ll.line, "%q is not a node name: each line starts with the group's preferred node", f[0])
			g.badNode = true
		}
		if len(f) == 1 {
			r.errorf(ll.line, "node %s has no resources: a line is \"NODE RESOURCE [RESOURCE...]\"", g.Node)
			continue
		}
		for _, tok := range f[1:] {
			res, err := parseResource(tok)
			if err != nil {
				r.errorf(ll.line, "resource %q: %v", tok, err)
				continue
			}
			g.Resources = append(g.Resources, res)
		}
		g.Key = f[1]
		if prev, dup := keys[g.Key]; dup {
			r.errorf(ll.line, "group %s is defined twice (first on line %d): the first resource of each line names its group and must be unique", g.Key, prev)
			continue
		}
		keys[g.Key] = ll.line
		groups = append(groups, g)
	}
	return groups
}

// isIPToken reports whether tok is heartbeat's bare-IP shorthand: a token
// that starts with a digit and has at least three dots (the shell glob
// [0-9]*.[0-9]*.[0-9]*.[0-9]*). Understudy also takes a bare IPv6 address,
// with an optional /BITS[/IFACE].
func isIPToken(tok string) bool {
	if tok != "" && tok[0] >= '0' && tok[0] <= '9' && strings.Count(tok, ".") >= 3 && !strings.Contains(tok, "::") {
		return true
	}
	addr, _, _ := strings.Cut(tok, "/")
	a, err := netip.ParseAddr(addr)
	return err == nil && a.Is6()
}

// looksLikeIPv6 reports whether a script name is the front of a mistyped
// IPv6 address ("2001:db8" of "2001:db8::zz/64"): script names have no
// colons, and one that starts with a digit or is all hex digits is an
// address.
func looksLikeIPv6(script string) bool {
	if !strings.Contains(script, ":") {
		return false
	}
	if script[0] >= '0' && script[0] <= '9' {
		return true
	}
	return strings.Trim(script, "0123456789abcdefABCDEF:.") == ""
}

// ParseResource parses one haresources token as Load does: for code that
// meets tokens elsewhere, such as the web console reading a status.
func ParseResource(tok string) (Resource, error) { return parseResource(tok) }

// parseResource parses one haresources token (heartbeat-spec §2.2).
func parseResource(tok string) (Resource, error) {
	res := Resource{Token: tok}
	var rest string
	if isIPToken(tok) {
		res.Script, rest = "IPaddr", tok
	} else {
		var hasArgs bool
		res.Script, rest, hasArgs = strings.Cut(tok, "::")
		if hasArgs && !nativeIPScripts[res.Script] {
			for _, a := range strings.Split(rest, "::") {
				if a != "" {
					res.Args = append(res.Args, a)
				}
			}
		}
	}
	if looksLikeIPv6(res.Script) {
		addr, _, _ := strings.Cut(tok, "/")
		return res, fmt.Errorf("%q is not a valid IPv6 address", addr)
	}
	if res.Script == "" {
		return res, fmt.Errorf("no script name before \"::\"")
	}
	if strings.ContainsAny(res.Script, "/\\") || res.Script == "." || res.Script == ".." {
		return res, fmt.Errorf("script name %q may not contain a path: scripts are found in resource.d/ and /etc/init.d/", res.Script)
	}
	if !nativeIPScripts[res.Script] {
		return res, nil
	}
	if rest == "" {
		return res, fmt.Errorf("%s needs an address: %s::IP[/BITS[/IFACE[/BROADCAST]]]", res.Script, res.Script)
	}
	// The whole rest is one argument, so IPv6 addresses keep their "::".
	spec, err := ParseIPSpec(rest)
	if err != nil {
		return res, err
	}
	res.Args = []string{rest}
	res.IP = &spec
	return res, nil
}
