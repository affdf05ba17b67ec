package daemon

import (
	"os"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/transport/session"
)

// sessionConfig is what the heartbeat session takes from a configuration.
func sessionConfig(c *config.Config) session.Config {
	sc := session.Config{Keys: c.Auth, Nodes: c.Nodes, TTL: len(c.Nodes) + c.Hopfudge}
	for _, m := range c.Media {
		sc.Classic = sc.Classic || m.Type == config.Serial
	}
	return sc
}

// toCluster and toSession map messages between the session and the
// cluster state machine: the same fields under other names.
func toCluster(m session.Message) cluster.Msg {
	cm := cluster.Msg{Type: m.Type, Src: m.Src, Dest: m.Dest, Gen: m.Gen}
	for _, f := range m.Fields {
		cm.Fields = append(cm.Fields, cluster.KV{K: f.Name, V: f.Value})
	}
	return cm
}

func toSession(m cluster.Msg) session.Message {
	sm := session.Message{Type: m.Type, Src: m.Src, Dest: m.Dest, Gen: m.Gen}
	for _, f := range m.Fields {
		sm.Fields = append(sm.Fields, session.Field{Name: f.K, Value: f.V})
	}
	return sm
}

// loadavg is what heartbeat puts in the ld field: /proc/loadavg, read at
// most once a second (the kernel updates it every 5 s). Every sequenced
// message carries it, and reading the file costs eight system calls, a
// good part of an idle node's work at keepalive 50 ms.
type loadavg struct {
	read  func() ([]byte, error)
	now   func() time.Time
	at    time.Time
	value string
}

func newLoadavg() *loadavg {
	return &loadavg{read: func() ([]byte, error) { return os.ReadFile("/proc/loadavg") }, now: time.Now}
}

func (l *loadavg) get() string {
	now := l.now()
	if l.value != "" && now.Sub(l.at) < time.Second && now.After(l.at) {
		return l.value
	}
	l.at, l.value = now, "0.00 0.00 0.00 0/0 0"
	if b, err := l.read(); err == nil {
		if s := strings.TrimSpace(string(b)); s != "" {
			l.value = s
		}
	}
	return l.value
}
