package session

import (
	"time"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/transport/codec"
)

// Config is what a reload may change.
type Config struct {
	// Keys verify received frames; the active one signs sent frames.
	Keys config.AuthKeys
	// Nodes are ha.cf's nodes: a frame from any other sender is refused
	// with ErrNotNode.
	Nodes []string
	// TTL is the ttl field of sent messages: the number of nodes plus
	// hopfudge, as heartbeat computes it.
	TTL int
	// Classic: some link is a serial line, which carries the classic
	// encoding; Encode then fills Outbound.Text as well as Packet.
	Classic bool
}

// Options configure a Session. Only the Config part can change later.
type Options struct {
	Config
	// Self is this node's name: the src of every sent message. A
	// received message from Self is its own broadcast looped back, and
	// is ignored.
	Self string
	// UUID is this node's 16-byte UUID (srcuuid).
	UUID []byte
	// Generation is this start's generation (hg): the caller bumps it
	// durably before the first message goes out.
	Generation uint64
	// RexmitDelay is ha.cf's max_rexmit_delay: a sent message is re-sent
	// at most once per RexmitDelay minus 10 ms, as heartbeat does.
	RexmitDelay time.Duration
	// Load returns the ld field (the contents of /proc/loadavg). Nil
	// sends "0.00 0.00 0.00 0/0 0".
	Load func() string
	// Passive makes a session that judges frames as a node would but
	// takes no part: it accepts every sender (Nodes and Self are not
	// used), answers nothing and does not act on NS_ messages. For
	// reading captures of every node's traffic.
	Passive bool
}

// Session is one node's heartbeat session. The zero value is not usable;
// call New.
type Session struct {
	o     Options
	nodes map[string]bool
	seq   uint64 // last seq sent
	hist  *codec.History
	peers map[string]*codec.SeqState
	uuids map[string][]byte // learnt from srcuuid, sent as destuuid
}

// New returns a session that has sent and received nothing yet.
func New(o Options) *Session {
	if o.Load == nil {
		o.Load = func() string { return "0.00 0.00 0.00 0/0 0" }
	}
	s := &Session{o: o, hist: codec.NewHistory(codec.HistorySize, o.RexmitDelay-10*time.Millisecond),
		peers: map[string]*codec.SeqState{}, uuids: map[string][]byte{}}
	s.Reconfigure(o.Config)
	return s
}

// Reconfigure applies a reload. Sequence numbers, history and what is
// known of the peers carry over.
func (s *Session) Reconfigure(c Config) {
	s.o.Config = c
	s.nodes = make(map[string]bool, len(c.Nodes))
	for _, n := range c.Nodes {
		s.nodes[n] = true
	}
}

// Generation returns the generation this session sends.
func (s *Session) Generation() uint64 { return s.o.Generation }
