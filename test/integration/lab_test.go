package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/internal/netnstest"
	"github.com/understudy-ha/understudy/internal/ptytest"
)

// vip is the floating address of the default group.
const vip = "192.0.2.100"

// Timing of the lab's cluster: loose enough that a busy test machine does
// not see false failovers, tight enough that a failover takes about a
// second.
const (
	keepalive = "100ms"
	warntime  = "500ms"
	deadtime  = "1000ms"
	initdead  = "2"
)

// settle is how long a test watches for something that must not happen.
const settle = 3 * time.Second

// labOptions describe the cluster a test wants.
type labOptions struct {
	// autoFailback is "on" (the default) or "off".
	autoFailback string
	// group is the haresources line; the default is the VIP and the web
	// server, preferred node1.
	group string
	// scripts are extra resource scripts, name to content.
	scripts map[string]string
	// timeout is the resource script timeout (default 10s).
	timeout string
	// admin opens each node's admin port on its LAN address, port 9050
	// (the password is the test's to set).
	admin bool
	// toml is added to each node's understudy.toml ([[monitor]]s, say).
	toml string
}

// lab is two nodes, a client and the LAN between them.
type lab struct {
	t      *testing.T
	dir    string
	opts   labOptions
	lan    *netnstest.NS
	client *netnstest.NS
	nodes  map[string]*node
}

// node is one cluster member: its namespace, its files, its daemon.
type node struct {
	name, addr, crossAddr string
	ns                    *netnstest.NS
	dir                   string // configuration directory (ha.d)
	runDir, stateDir      string
	log                   string // the daemon's stderr, appended over restarts
	tty                   string
	daemon                *daemonProc
}

// daemonProc is a running daemon.
type daemonProc struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error // Wait's result, once done is closed
}

// newLab builds the lab and writes both nodes' configurations; no daemon
// runs yet.
func newLab(t *testing.T, o labOptions) *lab {
	t.Helper()
	requireLab(t)
	if o.autoFailback == "" {
		o.autoFailback = "on"
	}
	if o.group == "" {
		o.group = "node1 IPaddr2::" + vip + "/24/eth0 demoweb"
	}
	if o.timeout == "" {
		o.timeout = "10s"
	}
	l := &lab{t: t, dir: t.TempDir(), opts: o, nodes: map[string]*node{}}
	l.lan = netnstest.New(t)
	l.lan.IP(t, "link", "add", "br0", "type", "bridge")
	l.lan.IP(t, "link", "set", "br0", "up")
	l.client = netnstest.New(t)
	l.lanPort("cl", l.client, "192.0.2.10")
	cable := ptytest.OpenNullModem(t)
	for i, tty := range []string{cable.A, cable.B} {
		n := &node{
			name:      fmt.Sprintf("node%d", i+1),
			addr:      fmt.Sprintf("192.0.2.%d", i+1),
			crossAddr: fmt.Sprintf("198.51.100.%d", i+1),
			ns:        netnstest.New(t),
			tty:       tty,
		}
		base := filepath.Join(l.dir, n.name)
		n.dir, n.runDir, n.stateDir = filepath.Join(base, "ha.d"), filepath.Join(base, "run"), filepath.Join(base, "state")
		n.log = filepath.Join(base, "daemon.log")
		l.nodes[n.name] = n
		l.plugLAN(n)
		l.writeConfig(n)
	}
	n1, n2 := l.nodes["node1"], l.nodes["node2"]
	netnstest.Veth(t, n1.ns, "eth1", n2.ns, "eth1")
	for _, n := range []*node{n1, n2} {
		n.ns.IP(t, "addr", "add", n.crossAddr+"/24", "dev", "eth1")
	}
	// Registered after the namespaces, so it runs before they go.
	t.Cleanup(l.teardown)
	return l
}

// lanPort connects ns's eth0 to the bridge and gives it addr/24.
func (l *lab) lanPort(port string, ns *netnstest.NS, addr string) {
	netnstest.Veth(l.t, l.lan, "p-"+port, ns, "eth0")
	l.lan.IP(l.t, "link", "set", "p-"+port, "master", "br0")
	ns.IP(l.t, "addr", "add", addr+"/24", "dev", "eth0")
}

// plugLAN gives node n its LAN interface (at creation and at boot).
func (l *lab) plugLAN(n *node) {
	l.lanPort(n.name, n.ns, n.addr)
	n.ns.Sysctl(l.t, "ipv4/conf/eth0/promote_secondaries", "1")
}

func (l *lab) writeConfig(n *node) {
	t := l.t
	for _, d := range []string{filepath.Join(n.dir, "resource.d"), n.runDir, n.stateDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"ha.cf": fmt.Sprintf(`# integration test lab; logs go to stderr
keepalive %s
warntime %s
deadtime %s
initdead %s
udpport 694
ucast eth1 198.51.100.1
ucast eth1 198.51.100.2
baud 19200
serial %s
auto_failback %s
node node1
node node2
`, keepalive, warntime, deadtime, initdead, n.tty, l.opts.autoFailback),
		"haresources": l.opts.group + "\n",
		"understudy.toml": fmt.Sprintf(`[resources]
timeout = %q
[ip]
garp_count = 3
garp_interval = "100ms"
probe_time = "10ms"
[paths]
state_dir = %q
run_dir = %q
%s%s`, l.opts.timeout, n.stateDir, n.runDir, map[bool]string{true: "[admin]\nlisten = [\"" + n.addr + "\"]\n"}[l.opts.admin], l.opts.toml),
		"demoweb.conf": fmt.Sprintf("DEMOWEB_BIN=%s\nDEMOWEB_RUN_DIR=%s\nDEMOWEB_LISTEN=0.0.0.0:80\n", bins.demoweb, n.runDir),
	}
	for name, text := range files {
		writeFile(t, filepath.Join(n.dir, name), text, 0o644)
	}
	writeFile(t, filepath.Join(n.dir, "authkeys"), "auth 1\n1 sha1 integration-test\n", 0o600)
	script, err := os.ReadFile(bins.script)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(n.dir, "resource.d", "demoweb"), string(script), 0o755)
	for name, text := range l.opts.scripts {
		writeFile(t, filepath.Join(n.dir, "resource.d", name), text, 0o755)
	}
	if out, err := exec.Command(bins.understudy, "check", "-c", n.dir, "--node", n.name).CombinedOutput(); err != nil {
		t.Fatalf("understudy check refused %s's configuration: %v\n%s", n.name, err, out)
	}
}

func writeFile(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// start starts the named nodes' daemons.
func (l *lab) start(names ...string) {
	l.t.Helper()
	for _, name := range names {
		n := l.nodes[name]
		if n.daemon != nil {
			l.t.Fatalf("%s's daemon is already running", name)
		}
		f, err := os.OpenFile(n.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			l.t.Fatal(err)
		}
		fmt.Fprintf(f, "---- test: daemon started %s\n", time.Now().Format("15:04:05.000"))
		cmd := exec.Command("ip", "netns", "exec", n.ns.Name, bins.understudy, "daemon", "-c", n.dir, "--node", n.name)
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			f.Close()
			l.t.Fatalf("start %s: %v", name, err)
		}
		f.Close()
		d := &daemonProc{cmd: cmd, done: make(chan struct{})}
		go func() { d.err = cmd.Wait(); close(d.done) }()
		n.daemon = d
	}
}

// kill sends SIGKILL to name's daemon and waits for it: a crash of the
// daemon alone; the machine and what the daemon started keep running.
func (l *lab) kill(name string) {
	l.t.Helper()
	n := l.nodes[name]
	if n.daemon == nil {
		return
	}
	n.daemon.cmd.Process.Kill()
	<-n.daemon.done
	n.daemon = nil
	l.mark(n, "daemon killed -9")
}

// stop sends SIGTERM to name's daemon and returns its exit error, or
// fails the test if it does not exit within 15 s.
func (l *lab) stop(name string) error {
	l.t.Helper()
	n := l.nodes[name]
	n.daemon.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.daemon.done:
	case <-time.After(15 * time.Second):
		l.t.Fatalf("%s's daemon did not exit within 15s of SIGTERM", name)
	}
	err := n.daemon.err
	n.daemon = nil
	return err
}

// powerOff: the machine loses power. Its daemon and everything else in
// its namespace die; its LAN interface (with every address) vanishes; its
// end of the crossover cable goes dark.
func (l *lab) powerOff(name string) {
	l.t.Helper()
	n := l.nodes[name]
	if n.daemon != nil {
		n.daemon.cmd.Process.Kill()
	}
	n.ns.IP(l.t, "link", "del", "eth0")
	n.ns.IP(l.t, "link", "set", "eth1", "down")
	killNamespace(n.ns)
	if n.daemon != nil {
		<-n.daemon.done
		n.daemon = nil
	}
	l.mark(n, "powered off")
}

// boot powers name back on: interfaces, an empty run directory (a reboot
// clears /run), the daemon.
func (l *lab) boot(name string) {
	l.t.Helper()
	n := l.nodes[name]
	l.plugLAN(n)
	n.ns.IP(l.t, "link", "set", "eth1", "up")
	if err := os.RemoveAll(n.runDir); err != nil {
		l.t.Fatal(err)
	}
	if err := os.MkdirAll(n.runDir, 0o755); err != nil {
		l.t.Fatal(err)
	}
	l.start(name)
}

// killNamespace kills, by PID, every process in ns (all of them ours).
func killNamespace(ns *netnstest.NS) {
	out, _ := exec.Command("ip", "netns", "pids", ns.Name).Output()
	for _, f := range strings.Fields(string(out)) {
		var pid int
		if _, err := fmt.Sscan(f, &pid); err == nil && pid > 1 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// processes returns the command lines of the processes in name's
// namespace.
func (l *lab) processes(name string) []string {
	out, _ := exec.Command("ip", "netns", "pids", l.nodes[name].ns.Name).Output()
	var cmds []string
	for _, pid := range strings.Fields(string(out)) {
		b, err := os.ReadFile("/proc/" + pid + "/cmdline")
		if err == nil && len(b) > 0 {
			cmds = append(cmds, strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " ")))
		}
	}
	return cmds
}

func (l *lab) mark(n *node, what string) {
	f, err := os.OpenFile(n.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err == nil {
		fmt.Fprintf(f, "---- test: %s %s\n", what, time.Now().Format("15:04:05.000"))
		f.Close()
	}
}

// teardown kills every daemon and every process in the lab's namespaces;
// if the test failed (or INTEGRATION_LOGS is set) it prints the daemons'
// logs.
func (l *lab) teardown() {
	for _, n := range l.nodes {
		if n.daemon != nil {
			n.daemon.cmd.Process.Kill()
			<-n.daemon.done
		}
		killNamespace(n.ns)
	}
	killNamespace(l.client)
	if !l.t.Failed() && os.Getenv("INTEGRATION_LOGS") == "" {
		return
	}
	for _, name := range []string{"node1", "node2"} {
		b, _ := os.ReadFile(l.nodes[name].log)
		l.t.Logf("---- %s daemon log (last 80 lines) ----\n%s", name, tail(string(b), 80))
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// holders returns the nodes that have addr on an interface, sorted.
func (l *lab) holders(addr string) []string {
	var who []string
	for _, name := range []string{"node1", "node2"} {
		out, err := exec.Command("ip", "-n", l.nodes[name].ns.Name, "-4", "-o", "addr", "show").Output()
		if err == nil && strings.Contains(string(out), " inet "+addr+"/") {
			who = append(who, name)
		}
	}
	return who
}

// dialClient connects from the client's namespace: an http.Transport's
// DialContext.
func (l *lab) dialClient(ctx context.Context, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := l.client.Do(func() error { // the socket is made in the client's namespace
		var err error
		c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
		return err
	})
	return c, err
}

// get asks http://addr/ from the client and returns the node that
// answered.
func (l *lab) get(addr string) (string, error) {
	tr := &http.Transport{DisableKeepAlives: true, DialContext: l.dialClient}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 500 * time.Millisecond}).Get("http://" + addr + "/")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 512))
	if err != nil {
		return "", err
	}
	name, ok := strings.CutPrefix(strings.TrimSpace(string(body)), "hello from ")
	if !ok {
		return "", fmt.Errorf("unexpected reply %q", body)
	}
	return name, nil
}

// eventually polls cond every 50 ms until it holds or within passes; then
// the test fails with what cond last said.
func (l *lab) eventually(within time.Duration, what string, cond func() (bool, string)) {
	l.t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, said := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("after %v: %s: %s", within, what, said)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// always checks cond every 50 ms for the whole of d; the first time it
// does not hold, the test fails.
func (l *lab) always(d time.Duration, what string, cond func() (bool, string)) {
	l.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ok, said := cond(); !ok {
			l.t.Fatalf("%s: %s", what, said)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// heldBy is a condition: exactly the nodes who hold addr.
func (l *lab) heldBy(addr string, who ...string) func() (bool, string) {
	return func() (bool, string) {
		got := l.holders(addr)
		return slices.Equal(got, who), fmt.Sprintf("%s is held by %v, want %v", addr, got, who)
	}
}

// answeredBy is a condition: addr answers HTTP from node who.
func (l *lab) answeredBy(addr, who string) func() (bool, string) {
	return func() (bool, string) {
		got, err := l.get(addr)
		if err != nil {
			return false, fmt.Sprintf("http://%s/ does not answer: %v", addr, err)
		}
		return got == who, fmt.Sprintf("http://%s/ answered by %s, want %s", addr, got, who)
	}
}

// serving waits until exactly who holds the VIP and answers on it.
func (l *lab) serving(who string) {
	l.t.Helper()
	l.eventually(10*time.Second, "waiting for "+who+" to hold "+vip, l.heldBy(vip, who))
	l.eventually(10*time.Second, "waiting for "+who+" to answer on "+vip, l.answeredBy(vip, who))
}

// logged is a condition: name's log has a line containing every one of
// parts.
func (l *lab) logged(name string, parts ...string) func() (bool, string) {
	return func() (bool, string) {
		b, _ := os.ReadFile(l.nodes[name].log)
		for line := range bytes.Lines(b) {
			if all(string(line), parts) {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%s's log has no line with %q", name, parts)
	}
}

func all(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// quiet is a condition: `understudy status --json` on name says its
// resources are stable, no standby handshake runs and no group is
// starting or stopping -- when an operator command is accepted.
func (l *lab) quiet(name string) func() (bool, string) {
	return func() (bool, string) {
		sock := filepath.Join(l.nodes[name].runDir, "understudy.sock")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, bins.understudy, "status", "--json", "-s", sock).Output()
		if err != nil {
			return false, fmt.Sprintf("understudy status on %s: %v", name, err)
		}
		var st struct {
			Cluster struct {
				State   string `json:"state"`
				Standby string `json:"standby"`
				Groups  []struct {
					Key   string `json:"key"`
					State string `json:"state"`
				} `json:"groups"`
			} `json:"cluster"`
		}
		if err := json.Unmarshal(out, &st); err != nil {
			return false, fmt.Sprintf("understudy status --json on %s: %v", name, err)
		}
		c := st.Cluster
		said := fmt.Sprintf("%s: state %q, standby %q, groups %+v", name, c.State, c.Standby, c.Groups)
		if c.State != "stable" || c.Standby != "none" {
			return false, said
		}
		for _, g := range c.Groups {
			if g.State != "running" && g.State != "stopped" {
				return false, said
			}
		}
		return true, said
	}
}

// cli runs `understudy ARGS -s SOCKET` against name's daemon.
func (l *lab) cli(name string, args ...string) string {
	l.t.Helper()
	sock := filepath.Join(l.nodes[name].runDir, "understudy.sock")
	full := append([]string{args[0], "-s", sock}, args[1:]...)
	// Longer than the 30 s an operator command waits for the cluster's
	// answer by default: the command, not this bound, reports a slow one.
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bins.understudy, full...).CombinedOutput()
	if err != nil {
		l.t.Fatalf("understudy %s on %s: %v\n%s", strings.Join(full, " "), name, err, out)
	}
	return string(out)
}
