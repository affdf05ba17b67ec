package hbcompat

import (
	"context"
	"fmt"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
)

// hbAdmin validates its argument as the hb_standby and hb_takeover shell
// scripts do (usage on stdout, exit 1) and runs the command through
// control.Admin, the path understudy standby and takeover take, with
// heartbeat's words: hb_standby says "Going standby [X]." on stderr once
// the cluster accepted the command, as the script's ha_log does on a
// terminal (hb_takeover says nothing); a refusal or a failure goes to
// stderr with exit 1, as hb_standby(1) promises; a command still running
// when the wait runs out is noted on stderr and exits 0, since
// heartbeat's scripts never waited.
func (c *compat) hbAdmin(cmd cluster.AdminCmd, args []string) int {
	prog := map[cluster.AdminCmd]string{cluster.CmdStandby: "hb_standby", cluster.CmdTakeover: "hb_takeover"}[cmd]
	if len(args) > 0 {
		prog, args = args[0], args[1:]
	}
	usage := func() int {
		fmt.Fprintf(c.out, "usage:\n%s [all|foreign|local|failback]\n", prog)
		return 1
	}
	if len(args) > 1 {
		fmt.Fprintf(c.out, "%s: too many arguments\n", prog)
		return usage()
	}
	word := ""
	if len(args) == 1 {
		word = args[0]
	}
	set, err := control.ParseSet(word)
	if err != nil {
		fmt.Fprintf(c.out, "%s: wrong resources(%s).\n", prog, word)
		return usage()
	}
	res, msg := control.Admin(context.Background(), c.socket, cmd, set, c.wait, func() {
		if cmd == cluster.CmdStandby {
			fmt.Fprintf(c.errw, "Going standby [%s].\n", set)
		}
	})
	// heartbeat's scripts write to a FIFO and never learn whether the
	// daemon acted; Understudy knows, and says so.
	if res == control.ResultPending || res == control.ResultFailed {
		fmt.Fprintf(c.errw, "%s: %s\n", prog, msg)
	}
	if res == control.ResultFailed {
		return 1
	}
	return 0
}
