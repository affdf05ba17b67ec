package logging

import (
	"slices"
	"time"
)

// Merge interleaves the logs of several nodes into one, newest first,
// each record marked with its node (the key of logs). Each node's list
// must be newest first, as Ring.Query and ReadFiles return it; records of
// one node keep their order. Records of different nodes with the same
// time come in the order of the node names. n > 0 keeps the n newest.
func Merge(n int, logs map[string][]Record) []Record {
	nodes := make([]string, 0, len(logs))
	total := 0
	for node, recs := range logs {
		nodes = append(nodes, node)
		total += len(recs)
	}
	slices.Sort(nodes)
	if n <= 0 || n > total {
		n = total
	}
	out := make([]Record, 0, n)
	pos := make([]int, len(nodes))
	for len(out) < n {
		best := -1
		var bestTime time.Time
		for i, node := range nodes {
			if pos[i] == len(logs[node]) {
				continue
			}
			if t := logs[node][pos[i]].Time; best < 0 || t.After(bestTime) {
				best, bestTime = i, t
			}
		}
		if best < 0 {
			break
		}
		rec := logs[nodes[best]][pos[best]]
		rec.Node = nodes[best]
		out = append(out, rec)
		pos[best]++
	}
	return out
}
