package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/resources"
)

func runStatus(args []string, stdout, stderr io.Writer) int {
	f := newFlags("status", "[--json] [--cluster] [-s SOCKET] [--host HOST[:PORT] [--fingerprint FP]]",
		"Shows the running daemon's view of the cluster: nodes, links, groups and\n"+
			"resources, and its admin port's certificate fingerprint. With --cluster,\n"+
			"every node's own view side by side (the others are asked on their admin\n"+
			"ports, which they announce over the heartbeat links), and where they\n"+
			"disagree. Exit status: 0 the daemon answered (--cluster: every node\n"+
			"answered and they agree); 1 it did not (--cluster: a node did not answer,\n"+
			"or they disagree); 2 bad usage; 4 the login to an admin port failed."+remoteHelp)
	sock := f.socket()
	asJSON := f.Bool("json", false, "print the status as one JSON document")
	all := f.Bool("cluster", false, "show every node's own view side by side, and where they disagree")
	remote := f.remote()
	if code, ok := f.parse(args, stdout, stderr); !ok {
		return code
	}
	viaHost, ok := remote.on("status", stderr)
	if !ok || !f.noArgs(stderr) {
		return exitUsage
	}
	var d *dialer
	var err error
	if viaHost || *all {
		if d, err = newDialer(stderr); err != nil {
			return remoteFailed("status", err, stderr)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), control.DefaultTimeout+2*admin.DefaultClientTimeout)
	defer cancel()
	var st control.Status
	if viaHost {
		var c *admin.Client
		if c, err = remote.login(ctx, d); err == nil {
			defer c.Close()
			st, err = c.Status(ctx)
		}
	} else {
		st, err = control.GetStatus(ctx, *sock)
	}
	if err != nil {
		return remoteFailed("status", err, stderr)
	}
	if *all {
		return showCluster(ctx, d, st, *asJSON, stdout, stderr)
	}
	if *asJSON {
		return writeJSON("status", st, stdout, stderr)
	}
	printStatus(stdout, st, time.Now())
	return exitOK
}

// showCluster gathers and shows every node's view.
func showCluster(ctx context.Context, d *dialer, first control.Status, asJSON bool, stdout, stderr io.Writer) int {
	v := d.gatherCluster(ctx, first)
	code := exitOK
	if len(v.Unreachable) > 0 || len(v.Disagreements) > 0 {
		code = exitFail
	}
	if asJSON {
		if c := writeJSON("status", v, stdout, stderr); c != exitOK {
			return c
		}
		return code
	}
	printCluster(stdout, v)
	return code
}

// writeJSON prints v as one indented JSON document.
func writeJSON(name string, v any, stdout, stderr io.Writer) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "understudy %s: %v\n", name, err)
		return exitFail
	}
	return exitOK
}

// printStatus writes the human view of st; now gives the uptime.
func printStatus(w io.Writer, st control.Status, now time.Time) {
	c := st.Cluster
	line := fmt.Sprintf("understudy %s on %s: %s, resources %s, holding %s", st.Version, st.Node, c.Status, c.State, c.Hold)
	if c.Standby != "" && c.Standby != "none" {
		line += ", standby " + c.Standby
	}
	fmt.Fprintln(w, line)
	var about []string
	if !st.Started.IsZero() {
		about = append(about, fmt.Sprintf("up %s (since %s)", now.Sub(st.Started).Truncate(time.Second),
			st.Started.UTC().Format("2006-01-02 15:04:05 MST")))
	}
	if st.Dir != "" {
		about = append(about, "config "+st.Dir)
	}
	if len(about) > 0 {
		fmt.Fprintf(w, "  %s\n", strings.Join(about, ", "))
	}
	if len(st.BadPackets) > 0 {
		var bad []string
		for _, reason := range slices.Sorted(maps.Keys(st.BadPackets)) {
			bad = append(bad, fmt.Sprintf("%d %s", st.BadPackets[reason], reason))
		}
		fmt.Fprintf(w, "  packets dropped: %s\n", strings.Join(bad, ", "))
	}
	if a := st.Admin; a != nil && len(a.Listen) > 0 {
		fmt.Fprintf(w, "  admin port %s, certificate SHA-256 fingerprint\n    %s\n", strings.Join(a.Listen, " "), a.Fingerprint)
	} else if a != nil {
		fmt.Fprintf(w, "  %s\n", cmp.Or(a.Err, "admin port not running"))
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprint(tw, "\nnode\tstatus\tlinks\n")
	printNodes(tw, st)
	fmt.Fprint(tw, "\ngroup\tpreferred\towner\tstate here\n")
	printGroups(tw, st)
	tw.Flush()
}

// printNodes writes this node with its own links, then each peer with
// its links as this node hears them, in this node's link order.
func printNodes(w io.Writer, st control.Status) {
	var order, links []string
	for _, l := range st.Links {
		order = append(order, l.Name)
		s := l.Name + " " + map[bool]string{true: "up", false: "dead"}[l.Up]
		if l.Err != "" {
			s += " (" + l.Err + ")"
		}
		links = append(links, s)
	}
	fmt.Fprintf(w, "%s (this node)\t%s\t%s\n", st.Node, st.Cluster.Status, strings.Join(links, ", "))
	for _, n := range st.Cluster.Nodes {
		names := make([]string, 0, len(n.Links))
		for name := range n.Links {
			names = append(names, name)
		}
		sort.Slice(names, func(i, j int) bool { return linkLess(order, names[i], names[j]) })
		links = links[:0]
		for _, name := range names {
			links = append(links, name+" "+n.Links[name])
		}
		heard := "never heard"
		if n.Heard {
			heard = "heard " + ago(n.LastHeard) + " ago"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", n.Name, n.Status, strings.Join(append(links, heard), ", "))
	}
}

// linkLess orders link names as order does, unknown ones last by name.
func linkLess(order []string, a, b string) bool {
	ia, ib := slices.Index(order, a), slices.Index(order, b)
	switch {
	case ia >= 0 && ib >= 0:
		return ia < ib
	case ia >= 0 || ib >= 0:
		return ia >= 0
	}
	return a < b
}

// ago rounds d to what a reader wants: milliseconds under 10 s.
func ago(d time.Duration) string {
	if d < 10*time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// printGroups writes each group of the cluster with its resources on
// this node; groups only the resources view knows come last.
func printGroups(w io.Writer, st control.Status) {
	res := map[string]resources.GroupStatus{}
	for _, g := range st.Groups {
		res[g.Key] = g
	}
	for _, g := range st.Cluster.Groups {
		owner := g.Owner
		switch owner {
		case st.Node:
			owner = "this node"
		case "":
			owner = "none"
		}
		state := g.State
		if len(g.Failed) > 0 {
			state += ", failed on " + strings.Join(g.Failed, " ")
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", g.Key, g.Preferred, owner, state)
		printResources(w, res[g.Key])
		delete(res, g.Key)
	}
	for _, g := range st.Groups {
		if _, ok := res[g.Key]; ok {
			fmt.Fprintf(w, "%s\t?\t?\t%s\n", g.Key, strings.ToLower(g.Summary())+" running")
			printResources(w, g)
		}
	}
}

func printResources(w io.Writer, g resources.GroupStatus) {
	for _, r := range g.Resources {
		state := r.State.String()
		if r.Adopted {
			state += " (adopted)"
		}
		if r.Err != "" {
			state += ": " + r.Err
		}
		fmt.Fprintf(w, "  %s\t\t\t%s\n", r.Token, state)
	}
}
