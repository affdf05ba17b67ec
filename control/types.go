package control

import (
	"context"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/resources"
)

// Status is everything `understudy status` shows.
type Status struct {
	Node    string           `json:"node"`
	Version string           `json:"version"`
	Dir     string           `json:"config_dir"`
	Started time.Time        `json:"started"`
	Cluster cluster.Snapshot `json:"cluster"`
	// Groups holds each group's resources on this node, in haresources
	// order; Key matches cluster.GroupStatus.Key.
	Groups []resources.GroupStatus `json:"resources"`
	// Links are this node's heartbeat media.
	Links []LinkStatus `json:"links"`
	// BadPackets counts the frames dropped since the daemon started, by
	// reason ("bad digest", "replay", ...).
	BadPackets map[string]uint64 `json:"bad_packets,omitempty"`
	// Admin is this node's admin port; nil when [admin] listen is empty.
	Admin *AdminStatus `json:"admin,omitempty"`
	// AdminPeers are the other nodes' admin ports, as each announced
	// its own over the heartbeat links (signed with authkeys).
	AdminPeers []AdminPeer `json:"admin_peers,omitempty"`
}

// AdminStatus is this node's admin port (understudy-admin(7)).
type AdminStatus struct {
	// Listen are the addresses it listens on; empty when it is not
	// running, and Err says why.
	Listen []string `json:"listen"`
	// Fingerprint is the SHA-256 fingerprint of its certificate.
	Fingerprint string `json:"fingerprint,omitempty"`
	Err         string `json:"err,omitempty"`
}

// AdminPeer is another node's admin port as it announced it.
type AdminPeer struct {
	Node string `json:"node"`
	// Addrs are where to reach it, "host:port"; an announced wildcard
	// address is replaced by the address its announcement came from.
	Addrs []string `json:"addrs"`
	// Fingerprint is its certificate's; "" when the announcement was not
	// authenticated (authkeys method crc) and cannot vouch for it.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Heard is when its last announcement came.
	Heard time.Time `json:"heard"`
}

// LinkStatus is one of this node's heartbeat links.
type LinkStatus struct {
	// Name is the link as ha.cf names it (an interface, a serial device).
	Name string `json:"name"`
	// Medium is the ha.cf directive: bcast, mcast, ucast or serial.
	Medium string `json:"medium"`
	Up     bool   `json:"up"`
	// Err says why the link is down, if it is.
	Err string `json:"err,omitempty"`
}

// Backend is what the daemon implements for the server. Its methods are
// called from the server's connection goroutines, concurrently, with a
// context bounded by Server.Timeout.
type Backend interface {
	// Status returns a consistent view of the daemon.
	Status(ctx context.Context) (Status, error)
	// Admin hands an operator's command to the cluster and returns the
	// channel its answers come on: first the
	// immediate one (refused, done or accepted), then, after accepted,
	// exactly one final one (done or failed). The backend never blocks
	// sending on it (a buffer of 2 is enough) and may close it after the
	// last answer; closing it after accepted says that no outcome will
	// be reported. The server reads the first answer within
	// Server.Timeout and the final one within the request's wait, then
	// stops reading. An error means the command did not reach the
	// cluster (the daemon is busy or stopping); it is shown to the
	// operator as is.
	Admin(ctx context.Context, c Command) (<-chan Answer, error)
	// Reload re-reads the configuration directory. It returns nil when
	// the new configuration was valid and applied; otherwise an error
	// listing every problem, one per line, and the old configuration
	// stays in force.
	Reload(ctx context.Context) error
}
