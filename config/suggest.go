package config

import (
	"fmt"
	"reflect"
	"strings"
)

// didYouMean returns `: did you mean "X"?` when exactly one candidate is
// a near miss of name (see nearMiss), else "". It is appended to the
// message about an unknown name.
func didYouMean(name string, candidates []string) string {
	if s, ok := nearest(name, candidates); ok {
		return fmt.Sprintf(": did you mean %q?", s)
	}
	return ""
}

// nearest returns the one candidate closest to name, if it is a near
// miss and no other candidate is as close.
func nearest(name string, candidates []string) (string, bool) {
	best, bestD, tie := "", -1, false
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := editDistance(name, c)
		switch {
		case bestD < 0 || d < bestD:
			best, bestD, tie = c, d, false
		case d == bestD && c != best:
			tie = true
		}
	}
	if bestD < 0 || tie || !nearMiss(name, best, bestD) {
		return "", false
	}
	return best, true
}

// nearMiss decides whether a distance makes a typo rather than another
// word: one edit for names of up to four characters (where two edits
// turn "node" into "mode" or "port"), two for longer ones.
func nearMiss(name, candidate string, d int) bool {
	n := min(len(name), len(candidate))
	switch {
	case n <= 2:
		return false
	case n <= 4:
		return d <= 1
	default:
		return d <= 2
	}
}

// editDistance is the optimal string alignment distance between a and b
// (bytes): insertions, deletions, substitutions and transpositions of two
// neighbours each cost one, so "keepalvie" is one edit from "keepalive".
func editDistance(a, b string) int {
	if a == b {
		return 0
	}
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b)) // names are short; a long word is no typo
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// nearestKey suggests a known dotted key for an unknown one: a near miss
// of the whole name ("ip.garp_cuont"), else the one known key with the
// same last part in another table ("ip.timeout": "resources.timeout").
func nearestKey(name string, known []string) (string, bool) {
	if s, ok := nearest(name, known); ok {
		return s, true
	}
	leaf := name[strings.LastIndexByte(name, '.')+1:]
	var same []string
	for _, k := range known {
		if strings.Contains(k, ".") && k[strings.LastIndexByte(k, '.')+1:] == leaf {
			same = append(same, k)
		}
	}
	if len(same) == 1 {
		return same[0], true
	}
	return "", false
}

// settingsKeys lists the tables and keys of understudy.toml, dotted
// ("ip", "ip.garp_count"), as the toml tags of settingsFile name them.
func settingsKeys() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			if f.Anonymous {
				walk(f.Type, prefix)
				continue
			}
			if tag == "" || tag == "-" {
				continue
			}
			out = append(out, prefix+tag)
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, prefix+tag+".")
			}
		}
	}
	walk(reflect.TypeFor[settingsFile](), "")
	return out
}
