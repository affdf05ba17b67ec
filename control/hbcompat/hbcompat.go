package hbcompat

import (
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
)

// cl_status exit codes (heartbeat's tools/cl_status.c).
const (
	clOK        = 0
	clFail      = 1  // a "normal" failure: node or link down, cannot sign on
	clParamErr  = 11 // bad sub-command, option or operand
	clTimeout   = 12 // no answer within 5 s
	clUnknownEr = 13 // an error of unknown cause
)

// compat is what the heartbeat commands take from the outside world;
// tests replace the clock, pid and host name to get fixed log lines.
type compat struct {
	socket  string
	haDir   string // "" = the directory the daemon reports, else /etc/ha.d
	timeout time.Duration
	wait    time.Duration // how long hb_standby follows its command
	now     func() time.Time
	pid     int
	host    string
	out     io.Writer
	errw    io.Writer

	// Per cl_status run.
	human bool // -m: sentences instead of bare words
	st    control.Status
	cfg   *config.Config
	cfgOK bool // cfg was loaded (it may still carry errors)
}

// Env is what the commands take from their caller.
type Env struct {
	// Socket is the daemon's control socket.
	Socket string
	// Dir is the configuration directory cl_status reads ha.cf from;
	// "" means the directory the daemon reports, else /etc/ha.d.
	Dir            string
	Stdout, Stderr io.Writer
}

// Run runs the heartbeat command that args[0] (the program's path, as
// in os.Args) names: cl_status, hb_standby or hb_takeover, and returns
// its exit status. ok is false, and nothing is run, for any other name.
func Run(args []string, env Env) (code int, ok bool) {
	if len(args) == 0 {
		return 0, false
	}
	c := &compat{socket: env.Socket, haDir: env.Dir, timeout: control.DefaultTimeout,
		wait: control.DefaultWait, now: time.Now, pid: os.Getpid(), out: env.Stdout, errw: env.Stderr}
	c.host, _ = os.Hostname()
	switch filepath.Base(args[0]) {
	case "cl_status":
		return c.clStatus(args), true
	case "hb_standby":
		return c.hbAdmin(cluster.CmdStandby, args), true
	case "hb_takeover":
		return c.hbAdmin(cluster.CmdTakeover, args), true
	}
	return 0, false
}
