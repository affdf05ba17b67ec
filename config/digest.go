package config

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// DigestLen is the length of a digest in hex digits: the first 64 bits of
// a SHA-256. A digest is compared for equality between the nodes of one
// cluster, to catch files that differ by mistake, not by an adversary
// (anyone who can sign a heartbeat can announce any digest); 64 bits make
// a chance match between two different configurations a 1 in 2^64 event,
// and cost 16 bytes in each heartbeat, which matters on a 19200-baud
// serial link where every byte takes half a millisecond.
const DigestLen = 16

// Digest returns the fingerprint of what every node of the cluster must
// agree on, for the nodes to announce in their heartbeats and compare:
//
//   - the set of nodes of ha.cf, and auto_failback;
//   - the ping nodes (name, ping_group or not, the set of addresses): the
//     nodes compare how many of them each reaches;
//   - every haresources group (GroupDigests): its resources as parsed,
//     the nodes that may hold it in order (NodeOrder: the [[group]] list
//     or heartbeat's order), and its [[monitor]] sections.
//
// It is computed from the parsed configuration, not from the bytes of
// the files: comments, blanks, continuation lines, the order of the
// haresources lines, of the ping lines and of the monitors, the order of
// the node lines of a two-node cluster, and everything else in the files
// (media, timings, logging, keys, paths, hooks, admin, fencing, which
// legitimately differ between nodes) leave it unchanged. Valid only for
// a Config without errors.
func (c *Config) Digest() string { return digest(c.digestText()) }

// GroupDigests returns the digest of each group, by key: what Digest
// covers of it, so that two nodes whose Digests differ can tell which
// groups they disagree on.
func (c *Config) GroupDigests() map[string]string {
	out := make(map[string]string, len(c.Groups))
	for _, g := range c.Groups {
		out[g.Key] = digest(c.groupText(g))
	}
	return out
}

func digest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])[:DigestLen]
}

// digestText is the canonical text Digest hashes: one record a line,
// each field quoted, in an order that does not depend on the files'.
func (c *Config) digestText() string {
	var b strings.Builder
	rec(&b, "understudy-digest", 1)
	rec(&b, "nodes", sorted(c.Nodes))
	rec(&b, "auto_failback", string(c.AutoFailback))
	pings := slices.SortedFunc(slices.Values(c.PingNodes), func(a, b PingNode) int { return strings.Compare(a.Name, b.Name) })
	for _, pn := range pings {
		as := make([]string, len(pn.Addrs))
		for i, a := range pn.Addrs {
			as[i] = a.String()
		}
		rec(&b, "ping", pn.Name, pn.Group, sorted(as))
	}
	groups := slices.SortedFunc(slices.Values(c.Groups), func(a, b Group) int { return strings.Compare(a.Key, b.Key) })
	for _, g := range groups {
		b.WriteString(c.groupText(g))
	}
	return b.String()
}

// groupText is the canonical text of one group.
func (c *Config) groupText(g Group) string {
	var b strings.Builder
	tokens := make([]string, len(g.Resources))
	for i, r := range g.Resources {
		tokens[i] = r.Token
	}
	rec(&b, "group", g.Key, tokens)
	rec(&b, "nodes", c.NodeOrder(g.Key))
	var mons []Monitor
	for _, m := range c.Monitors {
		if m.Group == g.Key {
			mons = append(mons, m)
		}
	}
	slices.SortFunc(mons, func(a, b Monitor) int { return cmp.Compare(a.Name, b.Name) })
	for _, m := range mons {
		addr := ""
		if m.Address.IsValid() {
			addr = m.Address.String()
		}
		rec(&b, "monitor", m.Name, string(m.Kind), string(m.Where), addr, m.Port, m.Interval.String(), m.Timeout.String(),
			m.Fall, m.Rise, string(m.OnFail), m.Restarts, m.Path, m.Host, fmt.Sprint(m.Expect), m.Command)
	}
	return b.String()
}

// rec writes one record: its kind, then each field, strings and string
// lists quoted so that no value can pass for a separator.
func rec(b *strings.Builder, kind string, fields ...any) {
	b.WriteString(kind)
	for _, f := range fields {
		b.WriteByte(' ')
		switch v := f.(type) {
		case string:
			b.WriteString(strconv.Quote(v))
		case []string:
			b.WriteByte('[')
			for i, s := range v {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(strconv.Quote(s))
			}
			b.WriteByte(']')
		case int, bool:
			fmt.Fprint(b, v)
		default:
			panic(fmt.Sprintf("config: digest field of type %T", f))
		}
	}
	b.WriteByte('\n')
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }
