package daemon

import (
	"os"
	"strings"

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

// loadavg is what heartbeat puts in the ld field.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if s := strings.TrimSpace(string(b)); err == nil && s != "" {
		return s
	}
	return "0.00 0.00 0.00 0/0 0"
}
