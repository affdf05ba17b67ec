package control

import (
	"errors"
	"fmt"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/logging"
)

// DefaultSocket is where the daemon listens unless told otherwise.
const DefaultSocket = "/run/understudy/understudy.sock"

// DefaultTimeout bounds one exchange on either side, as cl_status gives
// up after 5 s (heartbeat-spec §6.3). An admin request that waits for
// its outcome gets its wait on top.
const DefaultTimeout = 5 * time.Second

// DefaultWait is how long the commands follow a standby or takeover for
// its outcome unless told otherwise; MaxWait is the most a request may
// ask for. The cluster answers within about twice deadtime.
const (
	DefaultWait = 30 * time.Second
	MaxWait     = 10 * time.Minute
)

// MaxRequest is the largest request line the server reads, in bytes.
const MaxRequest = 4096

// maxResponse bounds what the client reads: a status of a large cluster
// is tens of kilobytes, a log answer may hold logging.MaxFileRecords
// lines.
const maxResponse = 64 << 20

// Request commands. Append-only: old CLIs talk to new daemons.
const (
	CmdStatus   = "status"
	CmdStandby  = "standby"
	CmdTakeover = "takeover"
	CmdReload   = "reload"
	// CmdMove, CmdClear and CmdMaintenance are answered as standby and
	// takeover are (Verdict, Reason, wait_ms); a daemon older than them
	// refuses them as unknown.
	CmdMove        = "move"
	CmdClear       = "clear"
	CmdMaintenance = "maintenance"
)

// Request is one line from the client. Fields are append-only: old CLIs
// talk to new daemons.
type Request struct {
	Cmd string `json:"cmd"`
	// Set is the set for standby and takeover (see ParseSet).
	Set string `json:"set,omitempty"`
	// WaitMS is how long, in milliseconds, the server follows an
	// accepted standby or takeover for its outcome: 0 (or absent, as
	// from clients older than the field) answers with the cluster's
	// immediate answer only. At most MaxWait.
	WaitMS int64 `json:"wait_ms,omitempty"`
	// Log is the query of a log request.
	Log *LogQuery `json:"log,omitempty"`
	// Group is the group of move and clear (its key, as status names
	// it); Node is where move sends it ("" or absent: the best other
	// node).
	Group string `json:"group,omitempty"`
	Node  string `json:"node,omitempty"`
	// Mode is maintenance's "on" or "off".
	Mode string `json:"mode,omitempty"`
}

// Response is one line from the server. Fields are append-only.
type Response struct {
	OK     bool    `json:"ok"`
	Error  string  `json:"error,omitempty"`
	Status *Status `json:"status,omitempty"`
	// Verdict and Reason are the cluster's answer to a standby or
	// takeover (see Answer). OK is false for refused and failed, and
	// Error then says the same in one sentence, for clients older than
	// these fields.
	Verdict string `json:"verdict,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Records answer a log request, newest first.
	Records []logging.Record `json:"records,omitempty"`
	// Cleared is how many records a clear-log request cleared.
	Cleared int `json:"cleared,omitempty"`
}

// ErrBadSet is returned by ParseSet for a word it does not know.
var ErrBadSet = errors.New("wrong resources")

// ParseSet reads the argument of standby and takeover as hb_standby does:
// all, local, foreign or failback (= foreign); "" means all. Unlike
// cluster.ParseSet it refuses "none", which names no groups.
func ParseSet(word string) (cluster.Set, error) {
	switch word {
	case "":
		return cluster.SetAll, nil
	case "all", "local", "foreign", "failback":
		set, _ := cluster.ParseSet(word)
		return set, nil
	}
	return "", fmt.Errorf("%w(%s): want all, local, foreign or failback", ErrBadSet, word)
}

// adminCmds maps wire names to cluster commands.
var adminCmds = map[string]cluster.AdminCmd{
	CmdStandby:     cluster.CmdStandby,
	CmdTakeover:    cluster.CmdTakeover,
	CmdMove:        cluster.CmdMove,
	CmdClear:       cluster.CmdClear,
	CmdMaintenance: cluster.CmdMaintenance,
}

// cmdName is the wire name of an admin command ("" if it has none).
func cmdName(cmd cluster.AdminCmd) string {
	for name, c := range adminCmds {
		if c == cmd {
			return name
		}
	}
	return ""
}

// SocketName is the control socket's file name in the run directory
// (understudy.toml [paths] run_dir).
const SocketName = "understudy.sock"
