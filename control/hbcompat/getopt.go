package hbcompat

import (
	"fmt"
	"strings"
)

// getopt parses a sub-command's options as glibc getopt(3) does when
// cl_status calls it with the sub-command as argv[0]: options may come
// after operands (GNU permutation), "--" ends them, and an unknown option
// or a missing argument is reported on stderr and returned as '?'.
type getopt struct {
	c         *compat
	name      string
	spec      string
	args      []string
	i, j      int // next argument; position inside a cluster (0 = none)
	operands  []string
	signonErr error
}

func (g *getopt) next() (opt byte, arg string, ok bool) {
	for g.j == 0 {
		if g.i >= len(g.args) {
			return 0, "", false
		}
		a := g.args[g.i]
		g.i++
		switch {
		case a == "--":
			g.operands = append(g.operands, g.args[g.i:]...)
			g.i = len(g.args)
		case len(a) > 1 && a[0] == '-':
			g.j = 1
			g.i-- // the cluster is args[i]
		default:
			g.operands = append(g.operands, a)
		}
	}
	a := g.args[g.i]
	opt = a[g.j]
	g.j++
	done := g.j >= len(a)
	if done {
		g.i, g.j = g.i+1, 0
	}
	k := strings.IndexByte(g.spec, opt)
	if k < 0 || opt == ':' {
		fmt.Fprintf(g.c.errw, "%s: invalid option -- '%c'\n", g.name, opt)
		return '?', "", true
	}
	if k+1 < len(g.spec) && g.spec[k+1] == ':' {
		switch {
		case !done:
			arg = a[g.j:]
			g.i, g.j = g.i+1, 0
		case g.i < len(g.args):
			arg = g.args[g.i]
			g.i++
		default:
			fmt.Fprintf(g.c.errw, "%s: option requires an argument -- '%c'\n", g.name, opt)
			return '?', "", true
		}
	}
	return opt, arg, true
}

// options runs take on each option but -m, which every sub-command that
// accepts it takes the same way (sentences instead of bare words), until
// the options end. It stops at the first option take refuses and returns
// it; 0 when none was refused.
func (g *getopt) options(take func(opt byte, arg string) bool) byte {
	for {
		opt, arg, ok := g.next()
		switch {
		case !ok:
			return 0
		case opt == 'm':
			g.c.human = true
		case !take(opt, arg):
			return opt
		}
	}
}
