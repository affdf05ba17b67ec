package daemon

import (
	"bytes"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/admin/admintest"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/resources"
	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/session"
)

// metric is the value of one series of the daemon's metrics, scraped
// and parsed as Prometheus would; a missing series fails the test.
func (l *lab) metric(name string, labels ...string) float64 {
	l.t.Helper()
	m := admintest.ParseMetrics(l.t, l.d.metrics.Text())
	v, ok := m.Value(name, labels...)
	if !ok {
		l.t.Fatalf("no series %s%v in\n%s", name, labels, m)
	}
	return v
}

// frameFrom encodes m as node's (a session of its own) and hands the
// frame to the daemon.
func (l *lab) frameFrom(s *session.Session, typ string) {
	l.t.Helper()
	out, err := s.Encode(session.Message{Type: typ, Fields: []session.Field{{Name: "st", Value: "active"}}}, time.Now())
	if err != nil {
		l.t.Fatal(err)
	}
	l.d.frames <- transport.Frame{Link: "lo", Data: out.Packet}
}

// TestLoopMetrics: what the loop saw is counted -- heartbeats sent and
// received on the link, one late, one lost, bad packets by reason -- and
// the takeover of node1's group is timed from acquiring to running.
func TestLoopMetrics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, labHares)
		l.act.mu.Lock()
		l.act.delay = 250 * time.Millisecond
		l.act.mu.Unlock()
		start := time.Now()
		l.live(2*time.Second, "active", l.stableHolding("192.0.2.20"))
		received := 20 // live sends one every 100 ms
		sent := l.metric("understudy_heartbeats_sent_total", "link", "lo")
		if elapsed := time.Since(start); sent < float64(elapsed/(100*time.Millisecond))-1 {
			t.Errorf("heartbeats sent = %v in %v of keepalive 100ms", sent, elapsed)
		}

		time.Sleep(250 * time.Millisecond) // 350 ms after the last: past warntime (300ms), before deadtime
		l.status("active")
		if _, err := l.peer.Encode(session.Message{Type: "status", Fields: []session.Field{{Name: "st", Value: "active"}}}, time.Now()); err != nil {
			t.Fatal(err) // encoded, never sent: lost
		}
		l.status("active")
		received += 2
		l.d.frames <- transport.Frame{Link: "lo", Data: []byte("not a heartbeat frame")}
		stranger := session.New(session.Options{Config: sessionConfig(l.d.cfg), Self: "node3", UUID: bytes.Repeat([]byte{3}, 16), Generation: 1})
		l.frameFrom(stranger, "status")
		cfg := sessionConfig(l.d.cfg)
		cfg.Keys = config.AuthKeys{Active: 1, Keys: map[int]config.AuthKey{1: {Index: 1, Method: config.SHA1, Secret: "another-secret"}}}
		l.frameFrom(session.New(session.Options{Config: cfg, Self: "node2", UUID: bytes.Repeat([]byte{2}, 16), Generation: 9}), "status")
		l.heard()

		for _, c := range []struct {
			name   string
			labels []string
			want   float64
		}{
			{"understudy_heartbeats_received_total", []string{"node", "node2", "link", "lo"}, float64(received)},
			{"understudy_heartbeats_late_total", []string{"node", "node2", "link", "lo"}, 1},
			{"understudy_heartbeats_lost_total", []string{"node", "node2", "link", "lo"}, 1},
			{"understudy_bad_packets_total", []string{"reason", "malformed"}, 1},
			{"understudy_bad_packets_total", []string{"reason", "unknown-node"}, 1},
			{"understudy_bad_packets_total", []string{"reason", "bad-auth"}, 1},
			{"understudy_takeover_duration_seconds", []string{"group", "192.0.2.10", "result", "ok"}, 1},
			{"understudy_node_up", []string{"node", "node2"}, 1},
			{"understudy_group_held", []string{"group", "192.0.2.10"}, 1},
			{"understudy_group_held", []string{"group", "192.0.2.20"}, 0},
		} {
			if got := l.metric(c.name, c.labels...); got != c.want {
				t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
			}
		}
		m := admintest.ParseMetrics(t, l.d.metrics.Text())
		h := m["understudy_takeover_duration_seconds"].Metric[0].Histogram
		if h.GetSampleSum() != 0.25 {
			t.Errorf("the takeover took %vs, want 0.25 (acquiring to running)", h.GetSampleSum())
		}

		r := l.ask(ctlReq{reload: make(chan error, 1)})
		if err := <-r.reload; err != nil {
			t.Fatal(err)
		}
		if got := l.metric("understudy_reloads_total", "result", "ok"); got != 1 {
			t.Errorf("reloads ok = %v, want 1", got)
		}
	})
}

// TestLoopMetricsGuard: a takeover the guard refuses is counted as a
// refusal, not as a takeover; the retry that succeeds is a takeover.
func TestLoopMetricsGuard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "node1 192.0.2.10\n")
		l.act.failWith("192.0.2.10", &resources.ClaimError{Group: "192.0.2.10"})
		time.Sleep(1100 * time.Millisecond)
		l.heard()
		if got := l.metric("understudy_guard_refusals_total", "reason", "address-in-use"); got != 1 {
			t.Errorf("guard refusals = %v, want 1", got)
		}
		if _, ok := admintest.ParseMetrics(t, l.d.metrics.Text()).Value("understudy_takeover_duration_seconds"); ok {
			t.Error("a refused takeover was counted as a takeover")
		}
		l.act.failWith("192.0.2.10", nil)
		time.Sleep(600 * time.Millisecond)
		l.heard()
		if got := l.metric("understudy_takeover_duration_seconds", "group", "192.0.2.10", "result", "ok"); got != 1 {
			t.Errorf("takeovers = %v, want the retry counted once", got)
		}
	})
}

// TestLoopAdminAnnouncements: a node's announcement of its admin port
// shows in status, its wildcard address made concrete with the address
// the announcement came from; a malformed one is ignored with a warning.
func TestLoopAdminAnnouncements(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "node1 192.0.2.10\n")
		fp := strings.Repeat("AB:", 31) + "AB"
		announce := func(listen string, from netip.AddrPort) {
			out, err := l.peer.Encode(session.Message{Type: msgAdmin, Fields: []session.Field{
				{Name: "listen", Value: listen}, {Name: "fp", Value: fp}}}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			l.d.frames <- transport.Frame{Link: "lo", From: from, Data: out.Packet}
			synctest.Wait()
		}
		status := func() control.Status {
			r := l.ask(ctlReq{status: true, reply: make(chan control.Status, 1)})
			return <-r.reply
		}
		l.status("active")
		announce("0.0.0.0:9050 192.0.2.20:9051", netip.MustParseAddrPort("198.51.100.2:694"))
		st := status()
		if len(st.AdminPeers) != 1 {
			t.Fatalf("admin peers = %+v, want node2's", st.AdminPeers)
		}
		p := st.AdminPeers[0]
		if p.Node != "node2" || !slices.Equal(p.Addrs, []string{"192.0.2.20:9051", "198.51.100.2:9050"}) || p.Fingerprint != fp {
			t.Errorf("node2's admin port = %+v", p)
		}
		if st.Admin != nil {
			t.Errorf("status shows an admin port on node1, which has none: %+v", st.Admin)
		}
		announce("node2.example:9050", netip.AddrPort{})
		if !l.logged("admin port announcement ignored", "node2.example") {
			t.Errorf("no warning for a malformed announcement:\n%s", l.log)
		}
		if st := status(); len(st.AdminPeers) != 1 || st.AdminPeers[0].Addrs[0] != "192.0.2.20:9051" {
			t.Errorf("a malformed announcement replaced a good one: %+v", st.AdminPeers)
		}
	})
}

func TestVouches(t *testing.T) {
	sha := config.AuthKey{Index: 1, Method: config.SHA1, Secret: "s"}
	crc := config.AuthKey{Index: 2, Method: config.CRC}
	if !vouches(config.AuthKeys{Active: 1, Keys: map[int]config.AuthKey{1: sha}}) {
		t.Error("sha1 authkeys do not vouch")
	}
	if vouches(config.AuthKeys{Active: 1, Keys: map[int]config.AuthKey{1: sha, 2: crc}}) {
		t.Error("authkeys with a crc key vouch for what anyone can forge")
	}
}

// TestParseAnnouncement: what an announcement may and may not say.
func TestParseAnnouncement(t *testing.T) {
	fp := strings.Repeat("0A:", 31) + "0A"
	msg := func(listen, fp string) session.Message {
		return session.Message{Type: msgAdmin, Src: "node2", Fields: []session.Field{{Name: "listen", Value: listen}, {Name: "fp", Value: fp}}}
	}
	p, err := parseAnnouncement(msg("192.0.2.2:9050 [2001:db8::2]:9051 [::]:9052 0.0.0.0:9053", fp), true)
	if err != nil || !slices.Equal(p.addrs, []string{"192.0.2.2:9050", "[2001:db8::2]:9051"}) || !slices.Equal(p.wild, []string{"9052", "9053"}) || p.fp != fp {
		t.Errorf("good announcement: %+v, %v", p, err)
	}
	if p, err := parseAnnouncement(msg("192.0.2.2:9050", fp), false); err != nil || p.fp != "" {
		t.Errorf("without vouching the fingerprint is kept: %+v, %v", p, err)
	}
	for _, bad := range []session.Message{
		msg("", fp), msg("node2:9050", fp), msg("[fe80::1%eth0]:9050", fp), msg("192.0.2.2", fp), msg("192.0.2.2:0", fp),
		msg(strings.Repeat("192.0.2.2:9050 ", maxPeerAddrs+1), fp), msg("192.0.2.2:9050", "AB:CD"), msg("192.0.2.2:9050", ""),
	} {
		if p, err := parseAnnouncement(bad, true); err == nil {
			t.Errorf("%v accepted: %+v", bad.Fields, p)
		}
	}
}

func FuzzParseAnnouncement(f *testing.F) {
	fp := strings.Repeat("0A:", 31) + "0A"
	for _, s := range []string{"192.0.2.2:9050", "[::]:9050 192.0.2.2:1", "[fe80::1%eth0]:9050", "1.2.3.4:65536"} {
		f.Add(s, fp)
	}
	f.Fuzz(func(t *testing.T, listen, fp string) {
		m := session.Message{Type: msgAdmin, Fields: []session.Field{{Name: "listen", Value: listen}, {Name: "fp", Value: fp}}}
		p, err := parseAnnouncement(m, true)
		if err != nil {
			return
		}
		if n := len(p.addrs) + len(p.wild); n < 1 || n > maxPeerAddrs {
			t.Fatalf("%q: %d addresses kept", listen, n)
		}
		for _, a := range p.addrs {
			if ap, err := netip.ParseAddrPort(a); err != nil || ap.Addr().IsUnspecified() {
				t.Fatalf("%q: kept %q", listen, a)
			}
		}
		if _, err := admin.ParseFingerprint(p.fp); err != nil {
			t.Fatalf("%q: kept fingerprint %q", fp, p.fp)
		}
	})
}
