package daemon

import (
	"reflect"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
)

func TestMessageMapping(t *testing.T) {
	for _, m := range []cluster.Msg{
		{Type: "status", Src: "node1", Gen: 7, Fields: []cluster.KV{{K: "st", V: "up"}, {K: "dt", V: "1f4"}}},
		{Type: "ip-request", Src: "node2", Dest: "node1", Fields: []cluster.KV{{K: "rsc_hold", V: "192.0.2.10 apache"}}},
		{Type: "starting"},
	} {
		if got := toCluster(toSession(m)); !reflect.DeepEqual(got, m) {
			t.Errorf("round trip\n got %+v\nwant %+v", got, m)
		}
	}
}

func TestSessionConfig(t *testing.T) {
	c := &config.Config{HACF: config.HACF{Nodes: []string{"node1", "node2"}, Hopfudge: 1, MaxRexmitDelay: 250 * time.Millisecond,
		Media: []config.Medium{{Type: config.Ucast}}}}
	if sc := sessionConfig(c); sc.TTL != 3 || sc.Classic || len(sc.Nodes) != 2 {
		t.Errorf("udp only: %+v", sc)
	}
	c.Media = append(c.Media, config.Medium{Type: config.Serial})
	if sc := sessionConfig(c); !sc.Classic {
		t.Errorf("with a serial link: %+v", sc)
	}
}
