package daemon

import (
	"fmt"
	"os"
	"reflect"
	"strings"
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

func TestLoadavgReadOncePerSecond(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	now, reads := t0, 0
	l := &loadavg{now: func() time.Time { return now }, read: func() ([]byte, error) {
		reads++
		return []byte(fmt.Sprintf("0.%02d 0.00 0.00 1/99 %d\n", reads, reads)), nil
	}}
	for i := range 40 { // heartbeats every 50 ms for 2 s
		now = t0.Add(time.Duration(i) * 50 * time.Millisecond)
		if got := l.get(); !strings.HasPrefix(got, "0.0") || strings.HasSuffix(got, "\n") {
			t.Fatalf("ld = %q", got)
		}
	}
	if reads != 2 {
		t.Errorf("%d reads of /proc/loadavg in 2 s of heartbeats, want 2", reads)
	}
	l.read = func() ([]byte, error) { return nil, os.ErrNotExist }
	now = now.Add(time.Second)
	if got := l.get(); got != "0.00 0.00 0.00 0/0 0" {
		t.Errorf("unreadable /proc/loadavg gives %q, want heartbeat's placeholder", got)
	}
	now = now.Add(-time.Hour) // the clock stepped back: read again
	l.read = func() ([]byte, error) { return []byte("1.00 1.00 1.00 1/1 1"), nil }
	if got := l.get(); got != "1.00 1.00 1.00 1/1 1" {
		t.Errorf("after the clock stepped back: %q", got)
	}
}
