package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/control"
)

// `status --cluster` and `log --cluster` ask one node (the local socket,
// or --host) for its status, then every other node of the cluster on its
// admin port, at the addresses and with the certificate fingerprint that
// node announced over the heartbeat links (signed with authkeys). The
// admin password is asked once for all.

// dialer logs in to admin ports with one password.
type dialer struct {
	pw, ca string
	ask    func(addr, fp string) (bool, error)
}

func newDialer(stderr io.Writer) (*dialer, error) {
	pw, err := admin.ClientPassword(os.Getenv(admin.EnvPassword), os.Stdin, stderr)
	if err != nil {
		return nil, err
	}
	return &dialer{pw: pw, ca: localSettings().CA, ask: admin.TerminalAsk(os.Stdin, stderr)}, nil
}

// dial logs in to addr; fp, if set, is the fingerprint its certificate
// must have.
func (d *dialer) dial(ctx context.Context, addr, fp string) (*admin.Client, error) {
	return admin.Dial(ctx, admin.ClientOptions{Addr: addr, Password: d.pw,
		Trust: admin.Trust{Fingerprint: fp, CAFile: d.ca, Ask: d.ask}})
}

// dialPeer logs in to another node at the first of its announced
// addresses that answers. A refused login is not tried elsewhere.
func (d *dialer) dialPeer(ctx context.Context, p control.AdminPeer) (*admin.Client, error) {
	var errs []error
	for _, addr := range p.Addrs {
		c, err := d.dial(ctx, addr, p.Fingerprint)
		if err == nil || loginError(err) {
			return c, err
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, errors.New("it announced no address")
	}
	return nil, errors.Join(errs...)
}

// peers are the other nodes of the cluster st's node knows, in ha.cf
// order, each with its announced admin port if it announced one.
func peers(st control.Status) (nodes []string, ports map[string]control.AdminPeer) {
	ports = map[string]control.AdminPeer{}
	for _, p := range st.AdminPeers {
		ports[p.Node] = p
	}
	for _, n := range st.Cluster.Nodes {
		nodes = append(nodes, n.Name)
	}
	return nodes, ports
}

// errNotAnnounced: a node whose admin port nobody heard of.
var errNotAnnounced = errors.New("no admin port announced by it (is [admin] listen set there, and the daemon up?)")

// dialPeers logs in, in parallel, to each other node of the cluster
// first knows; it returns the clients (to be closed) and why each node
// that could not be reached was not.
func (d *dialer) dialPeers(ctx context.Context, first control.Status) (map[string]*admin.Client, map[string]error) {
	nodes, ports := peers(first)
	var mu sync.Mutex
	var wg sync.WaitGroup
	clients, failed := map[string]*admin.Client{}, map[string]error{}
	for _, n := range nodes {
		wg.Go(func() {
			p, ok := ports[n]
			c, err := (*admin.Client)(nil), errNotAnnounced
			if ok {
				c, err = d.dialPeer(ctx, p)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed[n] = err
				return
			}
			clients[n] = c
		})
	}
	wg.Wait()
	return clients, failed
}

func closeAll(clients map[string]*admin.Client) {
	for _, c := range clients {
		c.Close()
	}
}

// clusterView is `status --cluster`: every node's own status.
type clusterView struct {
	// Order lists the nodes as the first node's ha.cf does.
	Order []string `json:"order"`
	// Nodes are the statuses of the nodes that answered.
	Nodes map[string]control.Status `json:"nodes"`
	// Unreachable says why each other node did not.
	Unreachable map[string]string `json:"unreachable,omitempty"`
	// Disagreements are where the answers contradict each other.
	Disagreements []string `json:"disagreements"`
}

// gatherCluster asks every node for its status, starting from first's.
func (d *dialer) gatherCluster(ctx context.Context, first control.Status) clusterView {
	nodes, _ := peers(first)
	v := clusterView{Order: append([]string{first.Node}, nodes...), Nodes: map[string]control.Status{first.Node: first},
		Unreachable: map[string]string{}}
	clients, failed := d.dialPeers(ctx, first)
	defer closeAll(clients)
	for n, c := range clients {
		st, err := c.Status(ctx)
		if err == nil && st.Node != n {
			err = fmt.Errorf("the admin port it announced answers as %s", st.Node)
		}
		if err != nil {
			failed[n] = err
			continue
		}
		v.Nodes[n] = st
	}
	for n, err := range failed {
		v.Unreachable[n] = err.Error()
	}
	v.Disagreements = disagreements(v.Order, v.Nodes)
	return v
}

// viewOf is what node v says of node x's status: its own status when
// x is v, "" when v does not know x.
func viewOf(v control.Status, x string) string {
	if v.Node == x {
		return v.Cluster.Status
	}
	for _, n := range v.Cluster.Nodes {
		if n.Name == x {
			return n.Status
		}
	}
	return ""
}

// disagreements finds where the nodes' own views contradict each other:
// a group that two nodes each say they hold, a node that is up for one
// and dead for another.
func disagreements(order []string, views map[string]control.Status) []string {
	out := []string{}
	asked := slices.DeleteFunc(slices.Clone(order), func(n string) bool { _, ok := views[n]; return !ok })
	var groups []string
	holders := map[string][]string{}
	for _, v := range asked {
		for _, g := range views[v].Cluster.Groups {
			if !slices.Contains(groups, g.Key) {
				groups = append(groups, g.Key)
			}
			if g.Owner == v {
				holders[g.Key] = append(holders[g.Key], v)
			}
		}
	}
	for _, g := range groups {
		if h := holders[g]; len(h) > 1 {
			out = append(out, fmt.Sprintf("group %s: held by %s (each says it holds it)", g, strings.Join(h, " and ")))
		}
	}
	for _, x := range order {
		var up, dead []string
		for _, v := range asked {
			switch s := viewOf(views[v], x); s {
			case "", "unknown":
			case "dead":
				dead = append(dead, v)
			default:
				up = append(up, v)
			}
		}
		if len(up) > 0 && len(dead) > 0 {
			out = append(out, fmt.Sprintf("node %s: up for %s, dead for %s", x, strings.Join(up, ", "), strings.Join(dead, ", ")))
		}
	}
	return out
}

// printCluster writes the nodes' views side by side, one column per
// node that answered.
func printCluster(w io.Writer, v clusterView) {
	var cols []string
	for _, n := range v.Order {
		if _, ok := v.Nodes[n]; ok {
			cols = append(cols, n)
		}
	}
	fmt.Fprintf(w, "cluster as each node sees it (%d of %d nodes answered)\n\n", len(cols), len(v.Order))
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	row := func(label string, cell func(st control.Status) string) {
		fmt.Fprint(tw, label)
		for _, c := range cols {
			s := cell(v.Nodes[c])
			if s == "" {
				s = "-"
			}
			fmt.Fprint(tw, "\t"+s)
		}
		fmt.Fprintln(tw)
	}
	row("", func(st control.Status) string { return st.Node + " says" })
	for _, x := range v.Order {
		row("node "+x, func(st control.Status) string {
			s := viewOf(st, x)
			if st.Node == x {
				s += " (itself)"
			}
			return s
		})
	}
	for _, x := range v.Order {
		for _, l := range linkNames(v, x) {
			row("link "+x+":"+l, func(st control.Status) string { return linkView(st, x, l) })
		}
	}
	for _, g := range groupKeys(v, cols) {
		row("group "+g, func(st control.Status) string {
			for _, cg := range st.Cluster.Groups {
				if cg.Key == g {
					return cmp.Or(cg.Owner, "none") + " (" + cg.State + " here)"
				}
			}
			return ""
		})
	}
	tw.Flush()
	var down []string
	for n := range v.Unreachable {
		down = append(down, n)
	}
	sort.Strings(down)
	for _, n := range down {
		fmt.Fprintf(w, "\n%s did not answer: %s", n, v.Unreachable[n])
	}
	if len(down) > 0 {
		fmt.Fprintln(w)
	}
	if len(v.Disagreements) == 0 {
		fmt.Fprintln(w, "\nThe nodes that answered agree.")
		return
	}
	fmt.Fprintln(w, "\nDISAGREEMENTS:")
	for _, d := range v.Disagreements {
		fmt.Fprintln(w, "  "+d)
	}
}

// linkNames are node x's links as any node names them.
func linkNames(v clusterView, x string) []string {
	var names []string
	add := func(n string) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, st := range v.Nodes {
		if st.Node == x {
			for _, l := range st.Links {
				add(l.Name)
			}
			continue
		}
		for _, n := range st.Cluster.Nodes {
			if n.Name == x {
				for l := range n.Links {
					add(l)
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// linkView is what st says of x's link l.
func linkView(st control.Status, x, l string) string {
	if st.Node == x {
		for _, ls := range st.Links {
			if ls.Name == l {
				return map[bool]string{true: "up", false: "dead"}[ls.Up]
			}
		}
		return ""
	}
	for _, n := range st.Cluster.Nodes {
		if n.Name == x {
			return n.Links[l]
		}
	}
	return ""
}

// groupKeys are the groups any node lists, in the first one's order.
func groupKeys(v clusterView, cols []string) []string {
	var keys []string
	for _, c := range cols {
		for _, g := range v.Nodes[c].Cluster.Groups {
			if !slices.Contains(keys, g.Key) {
				keys = append(keys, g.Key)
			}
		}
	}
	return keys
}
