package admin

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
)

// Commands for the cluster besides standby and takeover, answered the
// same way (the cluster's verdict, within the wait argument).
const (
	CmdMove        = "move"        // args: group, node ("" or absent: the best other node)
	CmdClear       = "clear"       // args: group
	CmdMaintenance = "maintenance" // args: mode (on, off)
)

// Move, Clear and Maintenance are the commands for move of group to node
// ("" for the best other node), clear of group's failure marks, and
// maintenance on or off.
func Move(group, node string) Command {
	c := Command{Name: CmdMove, Args: map[string]string{"group": group}}
	if node != "" {
		c.Args["node"] = node
	}
	return c
}
func Clear(group string) Command {
	return Command{Name: CmdClear, Args: map[string]string{"group": group}}
}
func Maintenance(on bool) Command {
	mode := "off"
	if on {
		mode = "on"
	}
	return Command{Name: CmdMaintenance, Args: map[string]string{"mode": mode}}
}

// CommandOf is the admin port's command for an operator's command of
// the control socket: what ClusterCommand reads back.
func CommandOf(c control.Command) Command {
	switch c.Cmd {
	case cluster.CmdStandby:
		return Standby(c.Set)
	case cluster.CmdTakeover:
		return Takeover(c.Set)
	case cluster.CmdMove:
		return Move(c.Group, c.Node)
	case cluster.CmdClear:
		return Clear(c.Group)
	case cluster.CmdMaintenance:
		return Maintenance(c.On)
	}
	return Command{Name: c.Cmd.String()}
}

// ClusterCommand reads c as an operator's command for the cluster —
// standby, takeover, move, clear or maintenance — as the control socket
// takes it, and the wait its "wait" argument asks (a duration, "0" for
// none, control.MaxWait when absent). ok is false for any other command
// (reload, clear-log, one unknown); err says why a cluster command is
// malformed: an argument it does not take, a bad value.
func ClusterCommand(c Command) (cmd control.Command, wait time.Duration, ok bool, err error) {
	switch c.Name {
	case CmdStandby, CmdTakeover, CmdMove, CmdClear, CmdMaintenance:
	default:
		return cmd, 0, false, nil
	}
	req := control.Request{Cmd: c.Name}
	for _, k := range slices.Sorted(maps.Keys(c.Args)) {
		v := c.Args[k]
		switch k {
		case "set":
			req.Set = v
		case "group":
			req.Group = v
		case "node":
			req.Node = v
		case "mode":
			req.Mode = v
		case "wait":
		default:
			return cmd, 0, true, fmt.Errorf("%s takes no argument %q", c.Name, k)
		}
	}
	if cmd, err = req.Command(); err != nil {
		return cmd, 0, true, fmt.Errorf("%s: %w", c.Name, err)
	}
	wait = control.MaxWait
	if w, given := c.Args["wait"]; given {
		if wait, err = time.ParseDuration(w); err == nil && (wait < 0 || wait > control.MaxWait) {
			err = fmt.Errorf("want 0 to %v", control.MaxWait)
		}
		if err != nil {
			return cmd, 0, true, fmt.Errorf("%s: wait %s: %v", c.Name, w, strings.TrimPrefix(err.Error(), "time: "))
		}
	}
	return cmd, wait, true, nil
}
