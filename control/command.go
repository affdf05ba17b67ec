package control

import (
	"errors"
	"fmt"
	"strings"

	"github.com/understudy-ha/understudy/cluster"
)

// Command is an operator's command for the cluster (cluster.Admin
// without its time and id): standby or takeover of Set; move of Group
// to Node ("" for the best other node); clear of Group's failure marks;
// maintenance On or off.
type Command struct {
	Cmd   cluster.AdminCmd
	Set   cluster.Set
	Group string
	Node  string
	On    bool
}

// String names the command for the operator and the log: "standby
// [all]", "move G to N", "move G", "clear G", "maintenance on".
func (c Command) String() string {
	switch c.Cmd {
	case cluster.CmdStandby, cluster.CmdTakeover:
		return fmt.Sprintf("%s [%s]", c.Cmd, c.Set)
	case cluster.CmdMove:
		if c.Node != "" {
			return fmt.Sprintf("move %s to %s", c.Group, c.Node)
		}
		return "move " + c.Group
	case cluster.CmdClear:
		return "clear " + c.Group
	case cluster.CmdMaintenance:
		return "maintenance " + onOff(c.On)
	}
	return c.Cmd.String()
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// logAttrs are the command's attributes in the log.
func (c Command) logAttrs() []any {
	attrs := []any{"cmd", c.Cmd.String()}
	switch c.Cmd {
	case cluster.CmdStandby, cluster.CmdTakeover:
		attrs = append(attrs, "set", c.Set)
	case cluster.CmdMove:
		attrs = append(attrs, "group", c.Group)
		if c.Node != "" {
			attrs = append(attrs, "to", c.Node)
		}
	case cluster.CmdClear:
		attrs = append(attrs, "group", c.Group)
	case cluster.CmdMaintenance:
		attrs = append(attrs, "mode", onOff(c.On))
	}
	return attrs
}

// ParseMode reads maintenance's argument: on or off.
func ParseMode(word string) (bool, error) {
	switch word {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, fmt.Errorf("maintenance %q: want on or off", word)
}

// request is the request line of c, which waits wait_ms.
func (c Command) request(waitMS int64) (Request, error) {
	name := cmdName(c.Cmd)
	if name == "" {
		return Request{}, fmt.Errorf("control: unknown admin command %d", c.Cmd)
	}
	req := Request{Cmd: name, WaitMS: waitMS}
	switch c.Cmd {
	case cluster.CmdStandby, cluster.CmdTakeover:
		req.Set = string(c.Set)
	case cluster.CmdMove:
		req.Group, req.Node = c.Group, c.Node
	case cluster.CmdClear:
		req.Group = c.Group
	case cluster.CmdMaintenance:
		req.Mode = onOff(c.On)
	}
	return req, nil
}

// Command reads an operator's command from a request: standby,
// takeover, move, clear or maintenance, with the arguments that command
// takes and no other (wait_ms aside). Any other request is an error.
func (r Request) Command() (Command, error) {
	if _, ok := adminCmds[r.Cmd]; !ok {
		return Command{}, fmt.Errorf("%q is not an operator's command: want %s, %s, %s, %s or %s", r.Cmd, CmdStandby, CmdTakeover, CmdMove, CmdClear, CmdMaintenance)
	}
	c := Command{Cmd: adminCmds[r.Cmd]}
	var extra []string
	for _, f := range []struct {
		name, val string
		takes     bool
	}{
		{"set", r.Set, r.Cmd == CmdStandby || r.Cmd == CmdTakeover},
		{"group", r.Group, r.Cmd == CmdMove || r.Cmd == CmdClear},
		{"node", r.Node, r.Cmd == CmdMove},
		{"mode", r.Mode, r.Cmd == CmdMaintenance},
	} {
		if f.val != "" && !f.takes {
			extra = append(extra, f.name)
		}
	}
	if len(extra) > 0 {
		return c, fmt.Errorf("it takes no %s", strings.Join(extra, ", "))
	}
	var err error
	switch r.Cmd {
	case CmdStandby, CmdTakeover:
		c.Set, err = ParseSet(r.Set)
	case CmdMove, CmdClear:
		c.Group, c.Node = r.Group, r.Node
		if c.Group == "" {
			err = errors.New("which group? (group is missing)")
		}
	case CmdMaintenance:
		c.On, err = ParseMode(r.Mode)
	}
	return c, err
}
