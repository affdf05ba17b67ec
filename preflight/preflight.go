package preflight

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/understudy-ha/understudy/config"
)

// Check names one of the checks, as `understudy check` reports the ones
// it skipped.
type Check string

// The checks, in the order they run.
const (
	NodeName       Check = "node name in ha.cf"
	Media          Check = "heartbeat interfaces and serial devices"
	Peers          Check = "ucast peers resolve"
	NodeAddresses  Check = "floating addresses are no node's address"
	LocalAddresses Check = "floating addresses are not this machine's own, and have an interface"
)

// OnThisMachine are the checks that judge the machine they run on: those
// Options.Elsewhere skips.
var OnThisMachine = []Check{Media, Peers, LocalAddresses}

// DefaultLookupTimeout bounds the name lookups of one Run, all together.
const DefaultLookupTimeout = 3 * time.Second

// Options say for which node, and on which machine, the checks run.
type Options struct {
	// Node is this node's name (ThisNode gives it).
	Node string
	// Machine is the machine judged. Required.
	Machine Machine
	// Elsewhere says the checks run for Node on another machine (`check
	// --node` naming another node): the checks of OnThisMachine are
	// skipped and reported in Result.Skipped.
	Elsewhere bool
	// Running is the configuration in force, at a reload: its floating
	// addresses may be up on this machine already (see the package doc).
	Running *config.Config
	// LookupTimeout bounds all name lookups together; 0 means
	// DefaultLookupTimeout. A reload runs the checks in the daemon's
	// loop, so the bound keeps heartbeats flowing.
	LookupTimeout time.Duration
}

// Result is what Run found.
type Result struct {
	// Diagnostics are the problems, each with its file and line.
	Diagnostics config.Diagnostics
	// Skipped are the checks that did not run.
	Skipped []Check
}

// Err is nil when no check failed, else one line: the first error, how
// many more there are, and where to see them all.
func (r Result) Err() error {
	errs := r.Diagnostics.Filter(config.Error)
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errors.New(errs[0].String())
	}
	return fmt.Errorf("%s (and %d more: understudy check lists them)", errs[0], len(errs)-1)
}

// ThisNode returns this node's name: override if not empty, else as
// heartbeat determines it (the first line of DIR/nodeinfo, else the host
// name); lower-cased.
func ThisNode(dir, override string) (string, error) {
	if override != "" {
		return strings.ToLower(override), nil
	}
	h, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("cannot tell this node's name: %w", err)
	}
	return config.LocalNode(dir, h), nil
}

// Run runs the checks of cfg for o.Node on o.Machine. cfg may hold what
// a configuration with errors could be read of (check runs it anyway).
func Run(cfg *config.Config, o Options) Result {
	r := &run{cfg: cfg, o: o}
	if r.o.LookupTimeout <= 0 {
		r.o.LookupTimeout = DefaultLookupTimeout
	}
	r.checkNode()
	if o.Elsewhere {
		r.res.Skipped = slices.Clone(OnThisMachine)
	} else {
		r.checkMedia()
	}
	r.resolveAll()
	if !o.Elsewhere {
		r.checkPeers()
	}
	r.checkNodeAddresses()
	if !o.Elsewhere {
		r.checkLocalAddresses()
	}
	return r.res
}

// run is one Run's state.
type run struct {
	cfg *config.Config
	o   Options
	res Result
	// resolved holds the answer of each name looked up.
	resolved map[string]lookup
	// reported are the floating addresses found to be a node's: they are
	// not reported again as this machine's.
	reported map[netip.Addr]bool
}

type lookup struct {
	addrs []netip.Addr
	err   error
}

func (r *run) errorf(file string, line int, format string, args ...any) {
	r.res.Diagnostics = append(r.res.Diagnostics, config.Diagnostic{File: filepath.Join(r.cfg.Dir, file), Line: line,
		Severity: config.Error, Msg: fmt.Sprintf(format, args...)})
}

func (r *run) checkNode() {
	if len(r.cfg.Nodes) == 0 || slices.Contains(r.cfg.Nodes, r.o.Node) {
		return // no nodes is reported by config.Load
	}
	r.errorf(config.HACFFile, 0, "this node, %q, is not a node of ha.cf (nodes: %s): add \"node %s\", or give this node's name with --node",
		r.o.Node, strings.Join(r.cfg.Nodes, " "), r.o.Node)
}

func (r *run) checkMedia() {
	ifaces, err := r.o.Machine.Interfaces()
	if err != nil {
		r.errorf(config.HACFFile, 0, "cannot list this machine's interfaces to check the media: %v", err)
		return
	}
	var names []string
	for _, i := range ifaces {
		names = append(names, i.Name)
	}
	for _, m := range r.cfg.Media {
		if m.Type != config.Serial {
			if !slices.Contains(names, m.Iface) {
				r.errorf(config.HACFFile, m.Line, "%s names interface %s, which this machine does not have (it has %s)", m.Type, m.Iface, strings.Join(names, ", "))
			}
			continue
		}
		st, err := r.o.Machine.Stat(m.Device)
		switch {
		case err != nil && errors.Is(err, os.ErrNotExist):
			r.errorf(config.HACFFile, m.Line, "serial device %s does not exist on this machine", m.Device)
		case err != nil:
			r.errorf(config.HACFFile, m.Line, "serial device %s: %v", m.Device, err)
		case st.Mode()&os.ModeCharDevice == 0:
			r.errorf(config.HACFFile, m.Line, "serial device %s is not a character device: it is %s", m.Device, config.LsMode(st.Mode()))
		}
	}
}

// isName reports whether a ucast peer is written as a name.
func isName(peer string) bool {
	host, _, _ := strings.Cut(peer, "%")
	_, err := netip.ParseAddr(host)
	return err != nil
}

// resolveAll looks up, in parallel and within LookupTimeout, every node
// name and every ucast peer written as a name.
func (r *run) resolveAll() {
	names := slices.Clone(r.cfg.Nodes)
	for _, m := range r.cfg.Media {
		if (m.Type == config.Ucast || m.Type == config.Ucast6) && isName(m.Peer) && !slices.Contains(names, m.Peer) {
			names = append(names, m.Peer)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.o.LookupTimeout)
	defer cancel()
	r.resolved = make(map[string]lookup, len(names))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Go(func() {
			addrs, err := r.o.Machine.LookupHost(ctx, n)
			mu.Lock()
			r.resolved[n] = lookup{addrs, err}
			mu.Unlock()
		})
	}
	wg.Wait()
}

func (r *run) checkPeers() {
	for _, m := range r.cfg.Media {
		if (m.Type != config.Ucast && m.Type != config.Ucast6) || !isName(m.Peer) {
			continue
		}
		l := r.resolved[m.Peer]
		if l.err != nil {
			r.errorf(config.HACFFile, m.Line, "%s peer %s does not resolve on this machine: %v", m.Type, m.Peer, l.err)
			continue
		}
		want6 := m.Type == config.Ucast6
		if !slices.ContainsFunc(l.addrs, func(a netip.Addr) bool { return a.Unmap().Is6() == want6 }) {
			r.errorf(config.HACFFile, m.Line, "%s peer %s resolves to no IPv%s address (only %v)", m.Type, m.Peer, map[bool]string{false: "4", true: "6"}[want6], l.addrs)
		}
	}
}

// floating calls f for every floating address of cfg's groups.
func floating(cfg *config.Config, f func(g config.Group, spec config.IPSpec)) {
	for _, g := range cfg.Groups {
		for _, res := range g.Resources {
			if res.IP != nil {
				f(g, *res.IP)
			}
		}
	}
}

func (r *run) checkNodeAddresses() {
	owner := map[netip.Addr]string{}
	for _, n := range r.cfg.Nodes {
		for _, a := range r.resolved[n].addrs {
			owner[a.Unmap()] = fmt.Sprintf("node %s's address (%s resolves to it)", n, n)
		}
	}
	for _, m := range r.cfg.Media {
		if m.Type != config.Ucast && m.Type != config.Ucast6 {
			continue
		}
		addrs := r.resolved[m.Peer].addrs
		if host, _, _ := strings.Cut(m.Peer, "%"); !isName(host) {
			addrs = []netip.Addr{netip.MustParseAddr(host)}
		}
		for _, a := range addrs {
			if _, named := owner[a.Unmap()]; !named {
				owner[a.Unmap()] = fmt.Sprintf("the address of the ucast peer of ha.cf line %d, a node's own address", m.Line)
			}
		}
	}
	for _, pn := range r.cfg.PingNodes {
		for _, a := range pn.Addrs {
			if what, ok := owner[a.WithZone("").Unmap()]; ok {
				r.errorf(config.HACFFile, pn.Line, "ping node %s: %s is %s: a ping node must be outside the cluster, such as the router the clients use", pn.Name, a, what)
			}
		}
	}
	r.reported = map[netip.Addr]bool{}
	floating(r.cfg, func(g config.Group, spec config.IPSpec) {
		if what, ok := owner[spec.Addr]; ok {
			r.reported[spec.Addr] = true
			r.errorf(config.HaresourcesFile, g.Line, "group %s: floating address %s is %s: a floating address must be one no node has", g.Key, spec.Addr, what)
		}
	})
}

func (r *run) checkLocalAddresses() {
	ifaces, err := r.o.Machine.Interfaces()
	if err != nil {
		return // reported by checkMedia
	}
	routes, err := r.o.Machine.Routes()
	if err != nil {
		r.errorf(config.HaresourcesFile, 0, "cannot list this machine's routes to check the floating addresses: %v", err)
		return
	}
	held := map[netip.Addr]bool{}
	if r.o.Running != nil {
		floating(r.o.Running, func(_ config.Group, spec config.IPSpec) { held[spec.Addr] = true })
	}
	floating(r.cfg, func(g config.Group, spec config.IPSpec) {
		if r.reported[spec.Addr] {
			return
		}
		if on, ok := ownAddress(ifaces, spec, held); ok {
			r.errorf(config.HaresourcesFile, g.Line, "group %s: floating address %s is an address of this machine (on %s): a floating address must be one no node has, or releasing it cuts this node off", g.Key, spec.Addr, on)
			return
		}
		if why := noInterface(ifaces, routes, spec); why != "" {
			r.errorf(config.HaresourcesFile, g.Line, "group %s: floating address %s %s", g.Key, spec.Addr, why)
		}
	})
}

// ownAddress finds spec's address among the machine's addresses and says
// whether it is the machine's own rather than a floating address held
// already (see the package doc), and on which interface.
func ownAddress(ifaces []Interface, spec config.IPSpec, held map[netip.Addr]bool) (string, bool) {
	if held[spec.Addr] {
		return "", false
	}
	for _, i := range ifaces {
		for _, a := range i.Addrs {
			switch {
			case a.Prefix.Addr() != spec.Addr:
			case a.Prefix.Addr().Is6() && a.NoDAD:
			case a.Prefix.Addr().Is4() && (a.Secondary || i.Name == spec.Iface):
			default:
				return i.Name, true
			}
		}
	}
	return "", false
}

// noInterface says why spec's address has no interface to go on, or ""
// when it has one: the interface it names must exist, and without a
// prefix length a connected route (not a host route) must cover the
// address, on that interface if one is named.
func noInterface(ifaces []Interface, routes []Route, spec config.IPSpec) string {
	if spec.Iface != "" && !slices.ContainsFunc(ifaces, func(i Interface) bool { return i.Name == spec.Iface }) {
		return fmt.Sprintf("names interface %s, which this machine does not have", spec.Iface)
	}
	if spec.Iface != "" && spec.Bits > 0 {
		return ""
	}
	for _, rt := range routes {
		if rt.Dst.Bits() > 0 && rt.Dst.Bits() < rt.Dst.Addr().BitLen() && rt.Dst.Contains(spec.Addr) && (spec.Iface == "" || rt.Iface == spec.Iface) {
			return ""
		}
	}
	if spec.Iface != "" {
		return fmt.Sprintf("has no prefix length, and no connected route of %s covers it: write %s/BITS/%s", spec.Iface, spec.Addr, spec.Iface)
	}
	return fmt.Sprintf("has no interface to go on: no connected route of this machine covers it; write %s/BITS/IFACE, or give an interface an address of its subnet", spec.Addr)
}
