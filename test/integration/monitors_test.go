package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The service monitors with real daemons: the monitor (an http
// monitor of the floating address, interval 200ms, timeout 100ms,
// defaults otherwise: down after 3 failures, on_fail failover) on a
// group named as the issue names it, by its bare address.

// webGroup is the group of the monitor tests: the VIP and the web server.
const webGroup = "node1 " + vip + " demoweb"

// webMonitor is the monitor.
var webMonitor = monitorOf("http", `port = 80`)

// monitorOf is a [[monitor]] of the VIP's group of kind, probing every
// 200ms with a timeout of 100ms, with more keys.
func monitorOf(kind string, more ...string) string {
	return fmt.Sprintf("[[monitor]]\ngroup = %q\nkind = %q\ninterval = \"200ms\"\ntimeout = \"100ms\"\n%s", vip, kind, strings.Join(more, "\n")+"\n")
}

// TestMonitorKilledService: kill -9 of the web server on the owner; the
// backup serves within a generous bound, and at no moment do both nodes
// hold the address. node1 does not take the group back by failback
// while its failure mark holds; understudy clear lifts it, and
// understudy move, asked on node1, brings the group back.
func TestMonitorKilledService(t *testing.T) {
	l, overlap := webLab(t)
	l.signalService("node1", syscall.SIGKILL)
	killed := time.Now()
	l.serving("node2")
	t.Logf("kill -9 of the web server on node1: node2 serves %v later", time.Since(killed).Round(10*time.Millisecond))
	l.eventually(5*time.Second, "node1 must log its monitor down", l.logged("node1", "kind=monitor", "subject="+vip+"[http:80]", "to=down", "connection refused"))
	l.always(settle, "with node1 marked failed, auto_failback must not bring the group back", l.heldBy(vip, "node2"))
	if st := l.monStatus("node1"); !slices.Equal(st.group(vip).MonitorFailed, []string{"node1"}) {
		t.Errorf("node1's status: monitor_failed_on = %v, want node1", st.group(vip).MonitorFailed)
	}

	if out := l.cli("node1", "clear", vip); !strings.Contains(out, "Cleared the failure marks of "+vip) {
		t.Errorf("understudy clear: %q", out)
	}
	l.eventually(10*time.Second, "node1's mark must be gone", func() (bool, string) {
		mf := l.monStatus("node1").group(vip).MonitorFailed
		return len(mf) == 0, fmt.Sprintf("monitor_failed_on %v", mf)
	})
	l.eventually(10*time.Second, "node1 must settle", l.quiet("node1"))
	l.eventually(10*time.Second, "node2 must settle", l.quiet("node2"))
	if out := l.cli("node1", "move", vip, "node1"); !strings.Contains(out, "Move of "+vip+" done: node1 runs "+vip) {
		t.Errorf("understudy move on node1: %q", out)
	}
	l.serving("node1")
	if n, bad := overlap(); bad != "" || n < 100 {
		t.Errorf("%d samples of who holds %s: %s", n, vip, bad)
	}
}

// TestMonitorHungService: SIGSTOP of the web server on the owner; its
// socket still accepts (the kernel's backlog), the HTTP probe's timeout
// catches it, and node2 serves.
func TestMonitorHungService(t *testing.T) {
	l, overlap := webLab(t)
	l.signalService("node1", syscall.SIGSTOP)
	l.eventually(10*time.Second, "node1's monitor must time out", l.logged("node1", "kind=monitor", "to=down", "no answer within 100ms"))
	// The stopped server is killed by the stop script's SIGKILL after
	// its 3 s of SIGTERM.
	l.serving("node2")
	if n, bad := overlap(); bad != "" || n < 20 {
		t.Errorf("%d samples of who holds %s: %s", n, vip, bad)
	}
}

// TestMonitorBanners: ftp and smtp monitors of the floating address,
// against banner servers of the test's own on each node. node1's FTP
// server stops: the group goes to node2. Then node2's SMTP server greets
// with 421: the group failed on both nodes, and stays on node2 (better
// than nowhere) with one ERROR line and a note in status, not a loop.
func TestMonitorBanners(t *testing.T) {
	l := newLab(t, labOptions{group: "node1 " + vip, toml: monitorOf("ftp") + monitorOf("smtp")})
	servers := map[string][2]*bannerServer{}
	for _, name := range []string{"node1", "node2"} {
		servers[name] = [2]*bannerServer{l.banner(name, 21, "220 "+name+" FTP ready"), l.banner(name, 25, "220 "+name+" ESMTP ready")}
	}
	l.start("node1", "node2")
	l.eventually(15*time.Second, "node1 must hold "+vip, l.heldBy(vip, "node1"))
	l.eventually(10*time.Second, "node1's ftp monitor must be up", l.monitorIs("node1", vip, "ftp:21", "up"))
	l.eventually(10*time.Second, "node1's smtp monitor must be up", l.monitorIs("node1", vip, "smtp:25", "up"))
	overlap := l.exclusive(vip)

	servers["node1"][0].close()
	l.eventually(10*time.Second, "the group must go to node2", l.heldBy(vip, "node2"))
	l.eventually(10*time.Second, "node2's smtp monitor must be up", l.monitorIs("node2", vip, "smtp:25", "up"))
	if !servers["node2"][0].greeted() || !servers["node2"][1].greeted() {
		t.Error("node2's banner servers were never asked")
	}

	servers["node2"][1].set("421 node2 busy, try later")
	l.eventually(10*time.Second, "node2 must say it cannot hand the group over", l.logged("node2", "ERROR:", "no other node can take it"))
	l.always(settle, "failed on both nodes, the group stays on node2", l.heldBy(vip, "node2"))
	g := l.monStatus("node2").group(vip)
	if !strings.Contains(g.Note, "no other node can take it") || g.Health != "down" {
		t.Errorf("node2's status of the group: health %q, note %q; want down and why it stays", g.Health, g.Note)
	}
	if b, _ := os.ReadFile(l.nodes["node2"].log); strings.Count(string(b), "no other node can take it") != 1 {
		t.Errorf("node2 logged %d lines saying no node can take it, want one", strings.Count(string(b), "no other node can take it"))
	}
	if n, bad := overlap(); bad != "" || n < 20 {
		t.Errorf("%d samples of who holds %s: %s", n, vip, bad)
	}
}

// TestMonitorBothSides: an address-only group (keepalived style) whose
// service runs on every node, watched on each at its own address
// (address = "local"). The backup's copy goes down, then the owner's:
// the address stays on the owner, whose status says why; the backup's
// copy comes back, and the group goes there.
func TestMonitorBothSides(t *testing.T) {
	l := newLab(t, labOptions{group: "node1 " + vip, toml: monitorOf("http", "port = 8080", `address = "local"`)})
	web := map[string]*webServer{"node1": l.web("node1", 8080), "node2": l.web("node2", 8080)}
	l.start("node1", "node2")
	l.eventually(15*time.Second, "node1 must hold "+vip, l.heldBy(vip, "node1"))
	l.eventually(10*time.Second, "node1 must hear node2's service up", l.peerHealth("node1", "node2", vip, "up"))
	overlap := l.exclusive(vip)

	web["node2"].close()
	l.eventually(10*time.Second, "node1 must hear node2's service down", l.peerHealth("node1", "node2", vip, "down"))
	web["node1"].close()
	l.eventually(10*time.Second, "node1's own monitor must go down", l.monitorIs("node1", vip, "http:8080", "down"))
	l.always(settle, "with node2's copy down too, node1 keeps the address", l.heldBy(vip, "node1"))
	if g := l.monStatus("node1").group(vip); !strings.Contains(g.Note, "node2: its service is down there") {
		t.Errorf("node1's status says %q of why the group stays, want node2's service named", g.Note)
	}

	web["node2"] = l.web("node2", 8080)
	l.eventually(10*time.Second, "node2's copy is back: the group goes there", l.heldBy(vip, "node2"))
	l.always(time.Second, "after the move", l.heldBy(vip, "node2"))
	if n, bad := overlap(); bad != "" || n < 20 {
		t.Errorf("%d samples of who holds %s: %s", n, vip, bad)
	}
}

// webLab is the lab of the web server watched by the monitor,
// node1 serving and its monitor up, and a watch that no moment sees the
// VIP on both nodes (exclusive).
func webLab(t *testing.T) (*lab, func() (int, string)) {
	l := newLab(t, labOptions{group: webGroup, toml: webMonitor})
	l.start("node1", "node2")
	l.serving("node1")
	l.eventually(10*time.Second, "node1's monitor must see the service up", l.monitorIs("node1", vip, "http:80", "up"))
	return l, l.exclusive(vip)
}

// signalService sends sig to the web server (demoweb) of node name, by
// the PID its resource script keeps.
func (l *lab) signalService(name string, sig syscall.Signal) {
	l.t.Helper()
	n := l.nodes[name]
	b, err := os.ReadFile(filepath.Join(n.runDir, "demoweb.pid"))
	pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || perr != nil || pid <= 1 {
		l.t.Fatalf("no PID of %s's web server: %v %v", name, err, perr)
	}
	if err := syscall.Kill(pid, sig); err != nil {
		l.t.Fatalf("kill -%d %d on %s: %v", sig, pid, name, err)
	}
	l.mark(n, fmt.Sprintf("web server pid %d sent %v", pid, sig))
}

// exclusive watches who holds addr, every 10 ms (at most 10 minutes),
// until the returned function is called; that returns the samples taken
// and the first overlap seen, "" if none. Each sample reads one node,
// the other, then the first again (the order alternating), in-process
// through netlink: a node seen holding it both before and after the
// other was seen holding it held it at the same moment as the other.
// A hand-over between two reads is not taken for an overlap.
func (l *lab) exclusive(addr string) func() (int, string) {
	want := netip.MustParseAddr(addr)
	stop, done := make(chan struct{}), make(chan struct{})
	var samples int
	var bad string
	go func() {
		defer close(done)
		order := []string{"node1", "node2"}
		end := time.Now().Add(10 * time.Minute)
		for time.Now().Before(end) && bad == "" {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			a, b := order[samples%2], order[1-samples%2]
			before := l.hasAddr(a, want)
			other := l.hasAddr(b, want)
			after := l.hasAddr(a, want)
			samples++
			if before && other && after {
				bad = fmt.Sprintf("%s and %s both held %s at %s", a, b, addr, time.Now().Format("15:04:05.000"))
			}
		}
	}()
	var once sync.Once
	return func() (int, string) {
		once.Do(func() { close(stop) })
		<-done
		return samples, bad
	}
}

// hasAddr reports whether node name has addr on an interface.
func (l *lab) hasAddr(name string, addr netip.Addr) bool {
	held := false
	l.nodes[name].ns.Do(func() error {
		addrs, err := net.InterfaceAddrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				ip, _ := netip.AddrFromSlice(n.IP)
				held = held || ip.Unmap() == addr
			}
		}
		return err
	})
	return held
}

// listen opens a TCP listener on port of every address in node name's
// namespace, closed when the test ends.
func (l *lab) listen(name string, port int) net.Listener {
	l.t.Helper()
	var ln net.Listener
	err := l.nodes[name].ns.Do(func() error {
		var err error
		ln, err = net.Listen("tcp", fmt.Sprintf("0.0.0.0:%d", port))
		return err
	})
	if err != nil {
		l.t.Fatalf("listen on %s:%d: %v", name, port, err)
	}
	l.t.Cleanup(func() { ln.Close() })
	return ln
}

// bannerServer greets every connection with its line, as an FTP or SMTP
// server does, then waits (at most 2 s) for QUIT.
type bannerServer struct {
	ln    net.Listener
	line  atomic.Value
	asked atomic.Int64
	wg    sync.WaitGroup
}

func (l *lab) banner(name string, port int, line string) *bannerServer {
	s := &bannerServer{ln: l.listen(name, port)}
	s.line.Store(line)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			s.asked.Add(1)
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(2 * time.Second))
				fmt.Fprintf(c, "%s\r\n", s.line.Load())
				bufio.NewReader(c).ReadString('\n')
			}()
		}
	}()
	l.t.Cleanup(s.close)
	return s
}

func (s *bannerServer) set(line string) { s.line.Store(line) }
func (s *bannerServer) greeted() bool   { return s.asked.Load() > 0 }

// close stops listening: connections are refused from now on.
func (s *bannerServer) close() {
	s.ln.Close()
	s.wg.Wait()
}

// webServer is an HTTP server of the test's own on a node, answering
// 200 to everything.
type webServer struct{ srv *http.Server }

func (l *lab) web(name string, port int) *webServer {
	ln := l.listen(name, port)
	s := &webServer{srv: &http.Server{ReadHeaderTimeout: time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello from", name) })}}
	go s.srv.Serve(ln)
	l.t.Cleanup(s.close)
	return s
}

func (s *webServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.srv.Shutdown(ctx)
}

// monStatus is the part of `understudy status --json` the monitor tests
// read.
type monStatus struct {
	Cluster struct {
		Nodes []struct {
			Name   string            `json:"name"`
			Health map[string]string `json:"health"`
		} `json:"nodes"`
		Groups []monGroup `json:"groups"`
	} `json:"cluster"`
}

type monGroup struct {
	Key           string   `json:"key"`
	Owner         string   `json:"owner"`
	MonitorFailed []string `json:"monitor_failed_on"`
	Health        string   `json:"health"`
	Note          string   `json:"note"`
	Monitors      []struct {
		Name       string `json:"name"`
		Runs       bool   `json:"runs"`
		State      string `json:"state"`
		LastReason string `json:"last_reason"`
	} `json:"monitors"`
}

func (st monStatus) group(key string) monGroup {
	for _, g := range st.Cluster.Groups {
		if g.Key == key {
			return g
		}
	}
	return monGroup{}
}

// monStatus asks node name's daemon for its status (a zero one when it
// does not answer: the conditions then say what they miss).
func (l *lab) monStatus(name string) monStatus {
	var st monStatus
	sock := filepath.Join(l.nodes[name].runDir, "understudy.sock")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bins.understudy, "status", "--json", "-s", sock).Output()
	if err == nil {
		json.Unmarshal(out, &st)
	}
	return st
}

// monitorIs is a condition: node name's monitor of group is in state.
func (l *lab) monitorIs(name, group, monitor, state string) func() (bool, string) {
	return func() (bool, string) {
		for _, m := range l.monStatus(name).group(group).Monitors {
			if m.Name == monitor {
				return m.State == state, fmt.Sprintf("%s's monitor %s of %s is %s (runs %v, last failure %q), want %s", name, monitor, group, m.State, m.Runs, m.LastReason, state)
			}
		}
		return false, fmt.Sprintf("%s's status has no monitor %s of %s", name, monitor, group)
	}
}

// peerHealth is a condition: node name heard from peer that its copy of
// group's service is health.
func (l *lab) peerHealth(name, peer, group, health string) func() (bool, string) {
	return func() (bool, string) {
		for _, n := range l.monStatus(name).Cluster.Nodes {
			if n.Name == peer {
				return n.Health[group] == health, fmt.Sprintf("%s hears %s's %s health %q, want %q", name, peer, group, n.Health[group], health)
			}
		}
		return false, fmt.Sprintf("%s's status has no node %s", name, peer)
	}
}
