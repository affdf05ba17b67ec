package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/netnstest"
	"github.com/understudy-ha/understudy/internal/ptytest"
	"github.com/understudy-ha/understudy/transport/codec"
)

// A mixed cluster: node1 is the real heartbeat 3.0.6, node2 is Understudy.
// Each runs in a network namespace of its own whose hb0 is plugged into a
// bridge in a third ("lan") namespace, so that powering a node off (its
// processes killed, its hb0 deleted) leaves the other node's interface
// alone. Heartbeat also gets private mount and UTS namespaces with its
// own /etc/ha.d, /var/lib/heartbeat and /run (spec 8.2); Understudy reads
// a copy of the same files from a directory of its own.

// Cluster timing: heartbeat needs deadtime > 2×keepalive and warns (only)
// about initdead < 10 s.
const (
	mxKeepalive = "500ms"
	mxWarntime  = "1"
	mxDeadtime  = "2"
	mxInitdead  = "4"
)

// within bounds every wait for the cluster to do something.
const within = 40 * time.Second

const mcastGroup = "239.192.0.42"

// groups: one per node, a floating address then the test script.
var mxGroups = []mxGroup{
	{pref: hbNode, vip: "192.0.2.101", tag: "alpha"},
	{pref: usNode, vip: "192.0.2.102", tag: "beta"},
}

type mxGroup struct{ pref, vip, tag string }

func (g mxGroup) key() string  { return "IPaddr2::" + g.vip + "/24/hb0" }
func (g mxGroup) line() string { return g.pref + " " + g.key() + " hbtest::" + g.tag }

// hbtestScript records its calls (node, operation, arguments) in a log
// shared by both nodes and keeps its running state in a per-node
// directory, as the lab's script (spec 8.2) does in /run.
const hbtestScript = `#!/bin/sh
# hbtest NAME... {start|stop|status}: test resource, records its calls.
eval op=\${$#}
key=$(echo "$*" | sed 's/ [a-z]*$//' | tr ' /' '__')
st=%[1]s/hbtest.$key
echo "$(date +%%s.%%N) %[2]s $op $key" >> %[3]s
case $op in
  start)  touch $st; exit 0;;
  stop)   rm -f $st; exit 0;;
  status) if [ -f $st ]; then echo running; else echo stopped; fi; exit 0;;
  *) exit 1;;
esac
`

// mxNode is one member of the mixed cluster.
type mxNode struct {
	name   string
	addr   string
	real   bool // the real heartbeat; else Understudy
	ns     *netnstest.NS
	base   string
	haDir  string // its /etc/ha.d
	runDir string // heartbeat: bind-mounted over /run; Understudy: paths.run_dir
	rscDir string // hbtest's state: what runs here
	log    string // heartbeat's ha-log; Understudy's stderr
	tty    string // serial device, for the serial medium
	proc   *mxProc
	off    bool
	trace  <-chan []string
}

type mxProc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// mixed is the cluster of one medium and one signing method.
type mixed struct {
	t         *testing.T
	medium    string
	authIndex int
	dir       string
	calls     string
	lan       *netnstest.NS
	hb, us    *mxNode
}

func newMixed(t *testing.T, medium string, authIndex int) *mixed {
	t.Helper()
	requireHeartbeat(t)
	requireUnderstudy(t)
	if _, err := exec.LookPath("nsenter"); err != nil {
		t.Skipf("SKIPPING %s: nsenter is not installed", t.Name())
	}
	c := &mixed{t: t, medium: medium, authIndex: authIndex, dir: t.TempDir()}
	if err := os.Chmod(c.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c.calls = filepath.Join(c.dir, "calls.log")
	writeMode(t, c.calls, "", 0o666)
	c.lan = netnstest.New(t)
	c.lan.IP(t, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
	c.lan.IP(t, "link", "set", "br0", "up")
	c.hb = &mxNode{name: hbNode, addr: hbAddr, real: true}
	c.us = &mxNode{name: usNode, addr: usAddr}
	var cable *ptytest.NullModem
	if medium == "serial" {
		cable = ptytest.OpenNullModem(t)
		c.hb.tty, c.us.tty = cable.A, cable.B
	}
	for _, n := range []*mxNode{c.hb, c.us} {
		n.ns = netnstest.New(t)
		n.base = filepath.Join(c.dir, n.name)
		n.haDir = filepath.Join(n.base, "ha.d")
		n.runDir = filepath.Join(n.base, "run")
		n.rscDir = filepath.Join(n.base, "rsc")
		c.plug(n)
	}
	c.writeHeartbeat(c.hb)
	c.writeUnderstudy(c.us)
	// registered after the namespaces: runs before they are deleted
	t.Cleanup(c.teardown)
	return c
}

// plug connects n's hb0 to the LAN (at creation and at each boot).
func (c *mixed) plug(n *mxNode) {
	t := c.t
	port := "p-" + n.name
	netnstest.Veth(t, c.lan, port, n.ns, "hb0")
	c.lan.IP(t, "link", "set", port, "master", "br0")
	n.ns.IP(t, "addr", "add", n.addr+"/24", "brd", "+", "dev", "hb0")
}

// haCF is ha.cf for node n; only the log lines and the serial device
// differ between the nodes.
func (c *mixed) haCF(n *mxNode, logLines ...string) string {
	lines := append([]string{"# mixed cluster: " + c.medium}, logLines...)
	lines = append(lines, "keepalive "+mxKeepalive, "warntime "+mxWarntime, "deadtime "+mxDeadtime,
		"initdead "+mxInitdead, "udpport 694")
	switch c.medium {
	case "bcast":
		lines = append(lines, "bcast hb0")
	case "ucast":
		lines = append(lines, "ucast hb0 "+hbAddr, "ucast hb0 "+usAddr)
	case "mcast":
		lines = append(lines, "mcast hb0 "+mcastGroup+" 694 1 0")
	case "serial":
		lines = append(lines, "baud 38400", "serial "+n.tty)
	default:
		c.t.Fatalf("unknown medium %q", c.medium)
	}
	lines = append(lines, "auto_failback on", "realtime off", "node "+hbNode, "node "+usNode, "")
	return strings.Join(lines, "\n")
}

func (c *mixed) haresources() string {
	var b strings.Builder
	for _, g := range mxGroups {
		b.WriteString(g.line() + "\n")
	}
	return b.String()
}

func (c *mixed) authkeys() string { return fmt.Sprintf("auth %d\n%s", c.authIndex, labKeys) }

func (c *mixed) writeHeartbeat(n *mxNode) {
	t := c.t
	for _, d := range []string{n.base, n.runDir, n.rscDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, cp := range [][]string{{"cp", "-a", "/etc/ha.d", n.haDir},
		{"cp", "-a", "/var/lib/heartbeat", filepath.Join(n.base, "varlib")}} {
		if out, err := exec.Command(cp[0], cp[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", cp, err, out)
		}
	}
	logLines := []string{"logfile /run/hblog/ha-log", "debugfile /run/hblog/ha-debug", "use_logd no"}
	// debug 1: heartbeat's debugfile then shows the protocol steps
	// (reqnodes, resource states) a failure report needs
	logLines = append(logLines, "debug 1")
	writeMode(t, filepath.Join(n.haDir, "ha.cf"), c.haCF(n, logLines...), 0o644)
	writeMode(t, filepath.Join(n.haDir, "haresources"), c.haresources(), 0o644)
	writeMode(t, filepath.Join(n.haDir, "authkeys"), c.authkeys(), 0o600)
	writeMode(t, filepath.Join(n.haDir, "resource.d", "hbtest"), fmt.Sprintf(hbtestScript, n.rscDir, n.name, c.calls), 0o755)
	n.log = filepath.Join(n.runDir, "hblog", "ha-log")
}

func (c *mixed) writeUnderstudy(n *mxNode) {
	t := c.t
	state := filepath.Join(n.base, "state")
	for _, d := range []string{filepath.Join(n.haDir, "resource.d"), n.runDir, n.rscDir, state} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// the same files as heartbeat's, logs in a file of our own (and on
	// stderr, which the test keeps)
	writeMode(t, filepath.Join(n.haDir, "ha.cf"), c.haCF(n, "logfile "+filepath.Join(n.base, "ha-log"), "use_logd no"), 0o644)
	writeMode(t, filepath.Join(n.haDir, "haresources"), c.haresources(), 0o644)
	writeMode(t, filepath.Join(n.haDir, "authkeys"), c.authkeys(), 0o600)
	writeMode(t, filepath.Join(n.haDir, "understudy.toml"), fmt.Sprintf(`[resources]
timeout = "20s"
[ip]
garp_count = 2
garp_interval = "100ms"
[paths]
state_dir = %q
run_dir = %q
`, state, n.runDir), 0o644)
	writeMode(t, filepath.Join(n.haDir, "resource.d", "hbtest"), fmt.Sprintf(hbtestScript, n.rscDir, n.name, c.calls), 0o755)
	n.log = filepath.Join(n.base, "daemon.log")
	if out, err := exec.Command(usBin, "check", "-c", n.haDir, "--node", n.name).CombinedOutput(); err != nil {
		t.Fatalf("understudy check refused the heartbeat configuration: %v\n%s", err, out)
	}
}

func writeMode(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// start boots n's daemon.
func (c *mixed) start(n *mxNode) {
	t := c.t
	if n.proc != nil {
		t.Fatalf("%s is already running", n.name)
	}
	var cmd *exec.Cmd
	var out *os.File
	var err error
	if n.real {
		script := fmt.Sprintf(`set -e
hostname %[1]s
mount --bind %[2]s/ha.d /etc/ha.d
mount --bind %[2]s/varlib /var/lib/heartbeat
mount --bind %[2]s/run /run
mkdir -p /run/heartbeat/ccm /run/heartbeat/crm /run/heartbeat/dopd /run/resource-agents /run/lock/subsys /run/crm /run/hblog
chown hacluster:haclient /run/heartbeat /run/heartbeat/ccm /run/heartbeat/crm /run/heartbeat/dopd
chmod 750 /run/heartbeat
exec %[3]s -f
`, n.name, n.base, heartbeatBin)
		out, err = os.OpenFile(filepath.Join(n.base, "heartbeat.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		cmd = exec.Command("ip", "netns", "exec", n.ns.Name, "unshare", "-u", "-m", "--propagation", "private", "/bin/sh", "-c", script)
	} else {
		out, err = os.OpenFile(n.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		cmd = exec.Command("ip", "netns", "exec", n.ns.Name, usBin, "daemon", "-c", n.haDir, "--node", n.name, "--no-watch")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", n.name, err)
	}
	p := &mxProc{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	n.proc, n.off = p, false
	c.mark(n, fmt.Sprintf("started pid %d", cmd.Process.Pid))
}

// powerOff: n loses power. Every process in its namespace dies at once
// (kill -9, by PID), its hb0 and the addresses on it vanish.
func (c *mixed) powerOff(n *mxNode) {
	t := c.t
	c.mark(n, "power off")
	killNS(n.ns)
	if n.proc != nil {
		n.proc.cmd.Process.Kill()
		select {
		case <-n.proc.done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s's pid %d not reaped within 10s of SIGKILL", n.name, n.proc.cmd.Process.Pid)
		}
		n.proc = nil
	}
	n.ns.IP(t, "link", "del", "hb0")
	n.off = true
}

// boot powers n back on: LAN port, an empty /run (and resource state,
// which lives there on a real machine), the daemon. Heartbeat's logs
// survive in run/hblog.
func (c *mixed) boot(n *mxNode) {
	t := c.t
	c.plug(n)
	entries, _ := os.ReadDir(n.runDir)
	for _, e := range entries {
		if e.Name() != "hblog" {
			os.RemoveAll(filepath.Join(n.runDir, e.Name()))
		}
	}
	if err := os.RemoveAll(n.rscDir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(n.rscDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if n.real && c.medium != "serial" {
		n.trace = c.traceFrom(n, usNode, 4*time.Second)
	}
	c.start(n)
}

func (n *mxNode) debugLog() string { return filepath.Join(n.runDir, "hblog", "ha-debug") }

// bootTrace logs what Understudy sent in the first seconds after n booted.
func (c *mixed) bootTrace(n *mxNode) []string {
	if n.trace == nil {
		return nil
	}
	seen := <-n.trace
	n.trace = nil
	if len(seen) > 12 {
		seen = seen[:12]
	}
	return seen
}

// killNS sends SIGKILL, by PID, to every process in ns (all ours), until
// none is left or 5 s pass.
func killNS(ns *netnstest.NS) {
	for range 50 {
		out, err := exec.Command("ip", "netns", "pids", ns.Name).Output()
		pids := strings.Fields(string(out))
		if err != nil || len(pids) == 0 {
			return
		}
		for _, p := range pids {
			if n, err := strconv.Atoi(p); err == nil && n > 1 {
				unix.Kill(n, unix.SIGKILL)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *mixed) teardown() {
	t := c.t
	if t.Failed() || os.Getenv("INTEROP_LOGS") != "" {
		ps, _ := exec.Command("ip", "netns", "pids", c.hb.ns.Name).Output()
		var procs []string
		for _, p := range strings.Fields(string(ps)) {
			cmdline, _ := os.ReadFile("/proc/" + p + "/cmdline")
			procs = append(procs, p+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
		t.Logf("---- processes in heartbeat's namespace ----\n%s", strings.Join(procs, "\n"))
		t.Logf("---- heartbeat ha-debug, last lines ----\n%s", lastLines(readFile(c.hb.debugLog()), 60))
	}
	for _, n := range []*mxNode{c.us, c.hb} {
		if n.proc != nil {
			n.proc.cmd.Process.Kill()
		}
		killNS(n.ns)
		if n.proc != nil {
			select {
			case <-n.proc.done:
			case <-time.After(5 * time.Second):
				t.Errorf("cleanup: %s pid %d not reaped", n.name, n.proc.cmd.Process.Pid)
			}
			n.proc = nil
		}
	}
	if c.us.tty != "" {
		// a lock Understudy left in the shared /var/lock when killed
		lock := "/var/lock/LCK.." + filepath.Base(c.us.tty)
		if b, err := os.ReadFile(lock); err == nil && !pidAlive(string(b)) {
			os.Remove(lock)
		}
	}
	if keep := os.Getenv("INTEROP_KEEP"); keep != "" {
		// for diagnosis: keep both nodes' files (logs, configuration)
		dest := filepath.Join(keep, strings.ReplaceAll(t.Name(), "/", "_"))
		os.RemoveAll(dest)
		if out, err := exec.Command("cp", "-a", c.dir, dest).CombinedOutput(); err != nil {
			t.Logf("keep files: %v: %s", err, out)
		} else {
			t.Logf("files kept in %s", dest)
		}
	}
	if !t.Failed() && os.Getenv("INTEROP_LOGS") == "" {
		return
	}
	t.Logf("---- heartbeat (%s) ha-log, last lines ----\n%s", c.hb.name, lastLines(readFile(c.hb.log), 70))
	t.Logf("---- heartbeat stdout/stderr ----\n%s", lastLines(readFile(filepath.Join(c.hb.base, "heartbeat.out")), 10))
	t.Logf("---- understudy (%s) stderr, last lines ----\n%s", c.us.name, lastLines(readFile(c.us.log), 70))
	t.Logf("---- resource calls ----\n%s", lastLines(readFile(c.calls), 40))
}

func pidAlive(s string) bool {
	pid, err := strconv.Atoi(strings.TrimSpace(s))
	return err == nil && pid > 0 && syscall.Kill(pid, 0) == nil
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// mark writes a test event into both nodes' logs' neighbourhood: the
// calls log (interleaved with the script calls) and Understudy's stderr.
func (c *mixed) mark(n *mxNode, what string) {
	line := fmt.Sprintf("---- test %s: %s %s\n", time.Now().Format("15:04:05.000"), n.name, what)
	for _, p := range []string{c.calls, c.us.log} {
		if f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
			f.WriteString(line)
			f.Close()
		}
	}
	c.t.Logf("%s: %s", n.name, what)
}

// inNS runs a command in heartbeat's namespaces (net, mount, UTS).
func (c *mixed) inHB(args ...string) (string, error) {
	n := c.hb
	if n.proc == nil {
		return "", fmt.Errorf("%s is not running", n.name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	full := append([]string{"-t", strconv.Itoa(n.proc.cmd.Process.Pid), "-n", "-m", "-u"}, args...)
	out, err := exec.CommandContext(ctx, "nsenter", full...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// cli runs `understudy VERB -s SOCK ARGS...` against node2's daemon.
func (c *mixed) cli(verb string, args ...string) (string, error) {
	// standby and takeover wait for the cluster's answer: toward
	// heartbeat, whose resource scripts are slow, that can take a while.
	ctx, cancel := context.WithTimeout(context.Background(), 75*time.Second)
	defer cancel()
	full := append([]string{verb, "-s", filepath.Join(c.us.runDir, "understudy.sock")}, args...)
	if verb == "standby" || verb == "takeover" {
		full = append([]string{verb, "-s", filepath.Join(c.us.runDir, "understudy.sock"), "--wait", "60s"}, args...)
	}
	out, err := exec.CommandContext(ctx, usBin, full...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// usStatus is the part of `understudy status --json` the tests read.
type usStatus struct {
	Cluster struct {
		Status  string `json:"status"`
		State   string `json:"state"`
		Standby string `json:"standby"`
		Nodes   []struct {
			Name   string            `json:"name"`
			Status string            `json:"status"`
			Links  map[string]string `json:"links"`
			Holds  []string          `json:"holds"`
		} `json:"nodes"`
		Groups []struct {
			Key   string `json:"key"`
			State string `json:"state"`
			Owner string `json:"owner"`
		} `json:"groups"`
		Hold json.RawMessage `json:"rsc_hold"`
	} `json:"cluster"`
}

func (c *mixed) status() (usStatus, string, error) {
	var st usStatus
	out, err := c.cli("status", "--json")
	if err != nil {
		return st, out, fmt.Errorf("understudy status: %v: %s", err, out)
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		return st, out, fmt.Errorf("understudy status --json: %v", err)
	}
	return st, out, nil
}

func (st usStatus) peer(name string) string {
	for _, n := range st.Cluster.Nodes {
		if n.Name == name {
			return n.Status
		}
	}
	return "(absent)"
}

// runs reports whether g is fully up on n: its address on hb0 and its
// script's state file; half-up is reported in why.
func (c *mixed) runs(n *mxNode, g mxGroup) (bool, string) {
	if n.off {
		return false, ""
	}
	out, _ := exec.Command("ip", "-n", n.ns.Name, "-4", "-o", "addr", "show").Output()
	ip := strings.Contains(string(out), " inet "+g.vip+"/")
	_, err := os.Stat(filepath.Join(n.rscDir, "hbtest."+g.tag))
	script := err == nil
	switch {
	case ip && script:
		return true, ""
	case ip:
		return false, fmt.Sprintf("%s has %s but hbtest::%s is stopped", n.name, g.vip, g.tag)
	case script:
		return false, fmt.Sprintf("%s runs hbtest::%s but lacks %s", n.name, g.tag, g.vip)
	}
	return false, ""
}

// placement is a condition: group alpha runs exactly on alpha, beta
// exactly on beta (node names; "" = nowhere).
func (c *mixed) placement(alpha, beta string) func() (bool, string) {
	return func() (bool, string) {
		ok := true
		var said []string
		for i, want := range []string{alpha, beta} {
			g := mxGroups[i]
			var on []string
			for _, n := range []*mxNode{c.hb, c.us} {
				r, why := c.runs(n, g)
				if r {
					on = append(on, n.name)
				}
				if why != "" {
					said = append(said, why)
					ok = false
				}
			}
			var wantOn []string
			if want != "" {
				wantOn = []string{want}
			}
			if !slices.Equal(on, wantOn) {
				ok = false
			}
			said = append(said, fmt.Sprintf("%s on %v (want %v)", g.tag, on, wantOn))
		}
		return ok, strings.Join(said, "; ")
	}
}

// quiet is a condition: both sides stable with no standby running, so an
// operator command will be accepted.
func (c *mixed) quiet() func() (bool, string) {
	return func() (bool, string) {
		st, _, err := c.status()
		if err != nil {
			return false, err.Error()
		}
		cs := st.Cluster
		us := fmt.Sprintf("understudy: state %q standby %q", cs.State, cs.Standby)
		if cs.State != "stable" || cs.Standby != "none" {
			return false, us
		}
		for _, g := range cs.Groups {
			if g.State != "running" && g.State != "stopped" {
				return false, fmt.Sprintf("%s, group %s %s", us, g.Key, g.State)
			}
		}
		rsc, err := c.inHB("cl_status", "rscstatus")
		if err != nil || rsc == "transition" {
			return false, fmt.Sprintf("%s; heartbeat cl_status rscstatus: %q %v", us, rsc, err)
		}
		return true, ""
	}
}

// logged is a condition: a line of the file at path contains every part.
func logged(path string, parts ...string) func() (bool, string) {
	return func() (bool, string) {
		for line := range strings.Lines(readFile(path)) {
			if allIn(line, parts) {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%s has no line with %q", filepath.Base(path), parts)
	}
}

func allIn(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// eventually polls cond every 200 ms until it holds; after d the test
// fails with what cond last said.
func (c *mixed) eventually(d time.Duration, what string, cond func() (bool, string)) time.Duration {
	c.t.Helper()
	begun := time.Now()
	for {
		ok, said := cond()
		if ok {
			return time.Since(begun).Round(100 * time.Millisecond)
		}
		if time.Since(begun) > d {
			c.t.Fatalf("after %v: %s: %s", d, what, said)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// always checks cond every 200 ms for d.
func (c *mixed) always(d time.Duration, what string, cond func() (bool, string)) {
	c.t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if ok, said := cond(); !ok {
			c.t.Fatalf("%s: %s", what, said)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// since returns the part of the file at path after offset.
func since(path string, offset int) string {
	s := readFile(path)
	if offset > len(s) {
		return s
	}
	return s[offset:]
}

// grepLines returns the lines of s matching re, trimmed, at most max.
func grepLines(s string, re *regexp.Regexp, max int) []string {
	var out []string
	for line := range strings.Lines(s) {
		if re.MatchString(line) {
			out = append(out, strings.TrimSpace(line))
		}
	}
	if len(out) > max {
		out = out[len(out)-max:]
	}
	return out
}

// hbBad matches heartbeat log lines that must not appear while talking
// to Understudy: authentication and parse failures (authFailure), and
// the consistency audit of spec 5.12.
var hbBad = regexp.MustCompile(authFailure.String() + `|Both machines own|No one owns|ERROR: Received 'starting'|returning after partition`)

// checkHeartbeatLog fails on bad lines in heartbeat's log after offset.
func (c *mixed) checkHeartbeatLog(offset int) {
	c.t.Helper()
	for _, line := range grepLines(since(c.hb.log, offset), hbBad, 20) {
		c.t.Errorf("heartbeat logged: %s", line)
	}
}

// usBad matches Understudy log lines worth failing on.
var usBad = regexp.MustCompile(`(?i)level=error|ERROR|auth(entication)? fail|bad (packet|message)|Both machines own|No one owns|partition|standby cancelled|ignored standby message`)

func (c *mixed) checkUnderstudyLog(offset int) {
	c.t.Helper()
	for _, line := range grepLines(since(c.us.log, offset), usBad, 20) {
		c.t.Errorf("understudy logged: %s", line)
	}
}

// TestMixedCluster runs a two-node cluster of the real heartbeat 3.0.6
// (node1) and Understudy (node2) over each medium with each signing
// method: (1) each sees the other active, (2) each runs its own group.
func TestMixedCluster(t *testing.T) {
	requireHeartbeat(t)
	requireUnderstudy(t)
	for _, medium := range []string{"bcast", "ucast", "mcast", "serial"} {
		for _, m := range methods {
			t.Run(medium+"/"+m.name, func(t *testing.T) {
				t.Parallel()
				c := newMixed(t, medium, m.index)
				c.startUp()
			})
		}
	}
}

// storyLinks are the media and signing methods the stories run on:
// every medium once, every method at least once (sha1 on two, since it
// is what heartbeat clusters use).
var storyLinks = []struct {
	medium string
	method int // authkeys index, as in methods
}{{"bcast", 3}, {"ucast", 1}, {"mcast", 2}, {"serial", 1}}

// TestMixedStory goes on from a started mixed cluster, on each of
// storyLinks, each story on a fresh cluster of its own so that one
// failure does not hide the others' verdicts:
//
//	heartbeat-power-off: (3) heartbeat's machine loses power, Understudy
//	  takes its group; (4) it boots, the group fails back;
//	standby: (5) hb_standby there and understudy standby here move the
//	  groups, and understudy takeover local brings ours back;
//	understudy-power-off: (6) Understudy's machine loses power, heartbeat
//	  takes its group; it boots, the group fails back.
//
// INTEROP_STORY_MEDIUM=serial (say) runs the stories on that medium only.
func TestMixedStory(t *testing.T) {
	requireHeartbeat(t)
	requireUnderstudy(t)
	only := os.Getenv("INTEROP_STORY_MEDIUM")
	for _, story := range []struct {
		name string
		run  func(*mixed)
	}{
		{"heartbeat-power-off", (*mixed).heartbeatPowerOff},
		{"standby", (*mixed).standby},
		{"understudy-power-off", (*mixed).understudyPowerOff},
	} {
		for _, l := range storyLinks {
			if only != "" && l.medium != only {
				continue
			}
			name := fmt.Sprintf("%s/%s-%s", story.name, l.medium, methodName(l.method))
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				c := newMixed(t, l.medium, l.method)
				c.startUp()
				story.run(c)
			})
		}
	}
}

// methodName is the signing method of authkeys index i in methods.
func methodName(i int) string {
	for _, m := range methods {
		if m.index == i {
			return m.name
		}
	}
	return fmt.Sprint(i)
}

// startUp starts both nodes together and checks scenarios 1 and 2.
func (c *mixed) startUp() {
	t := c.t
	c.start(c.hb)
	c.start(c.us)

	// (1) each sees the other active
	took := c.eventually(within, "(1) heartbeat sees node2 active", logged(c.hb.log, "Status update for node "+usNode+": status active"))
	t.Logf("(1) heartbeat: Status update for node %s: status active (after %v)", usNode, took)
	c.eventually(10*time.Second, "(1) cl_status nodestatus node2 on heartbeat", func() (bool, string) {
		out, err := c.inHB("cl_status", "nodestatus", usNode)
		return err == nil && out == "active", fmt.Sprintf("cl_status nodestatus %s: %q %v", usNode, out, err)
	})
	c.eventually(within, "(1) understudy sees node1 active", func() (bool, string) {
		st, _, err := c.status()
		if err != nil {
			return false, err.Error()
		}
		return st.peer(hbNode) == "active" && st.Cluster.Status == "active",
			fmt.Sprintf("understudy is %q and sees %s %q", st.Cluster.Status, hbNode, st.peer(hbNode))
	})
	hbst, _ := c.inHB("cl_status", "hbstatus")
	t.Logf("(1) understudy status: node1 active; heartbeat cl_status nodestatus node2: active; hbstatus: %s", hbst)

	// (2) each runs its own group
	took = c.eventually(within, "(2) start-up placement", c.placement(hbNode, usNode))
	t.Logf("(2) alpha on node1, beta on node2 (after %v more)", took)
	c.eventually(within, "(2) both sides settle", c.quiet())
	c.always(2*time.Second, "(2) placement holds", c.placement(hbNode, usNode))
	st, _, err := c.status()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range st.Cluster.Groups {
		want := map[string]string{mxGroups[0].key(): hbNode, mxGroups[1].key(): usNode}[g.Key]
		if g.Owner != want {
			t.Errorf("(2) understudy status: group %s owner %q, want %q", g.Key, g.Owner, want)
		}
	}
	rsc, _ := c.inHB("cl_status", "rscstatus")
	if rsc != "local" {
		t.Errorf("(2) heartbeat cl_status rscstatus = %q, want local", rsc)
	}
	c.checkHeartbeatLog(0)
	c.checkUnderstudyLog(0)
	c.checkCalls()
}

// checkCalls: no node ever started a group while the other ran it.
func (c *mixed) checkCalls() {
	c.t.Helper()
	running := map[string]string{} // tag → node
	for line := range strings.Lines(readFile(c.calls)) {
		f := strings.Fields(line)
		if len(f) < 4 || f[0] == "----" {
			if len(f) >= 5 && f[0] == "----" && f[4] == "power" {
				for tag, node := range running {
					if node == f[3] {
						delete(running, tag)
					}
				}
			}
			continue
		}
		node, op, tag := f[1], f[2], f[3]
		switch op {
		case "start":
			if other, ok := running[tag]; ok && other != node {
				c.t.Errorf("calls log: %s started %s while %s ran it: %s", node, tag, other, strings.TrimSpace(line))
			}
			running[tag] = node
		case "stop":
			if running[tag] == node {
				delete(running, tag)
			}
		}
	}
}

// heartbeatPowerOff: scenarios 3 and 4.
func (c *mixed) heartbeatPowerOff() {
	t := c.t
	usOff := len(readFile(c.us.log))

	// (3) heartbeat's machine loses power
	c.powerOff(c.hb)
	took := c.eventually(within, "(3) understudy takes node1's group", c.placement(usNode, usNode))
	t.Logf("(3) node1 powered off: understudy runs alpha and beta after %v", took)
	c.eventually(10*time.Second, "(3) understudy declares node1 dead", func() (bool, string) {
		st, _, err := c.status()
		if err != nil {
			return false, err.Error()
		}
		return st.peer(hbNode) == "dead", fmt.Sprintf("understudy sees %s %q", hbNode, st.peer(hbNode))
	})
	t.Logf("(3) understudy log: %q", grepLines(since(c.us.log, usOff), regexp.MustCompile(`dead|resources being acquired|all resources started`), 6))
	c.checkCalls()

	// (4) it boots again: auto failback
	hbOff := len(readFile(c.hb.log))
	dbgOff := len(readFile(c.hb.debugLog()))
	c.boot(c.hb)
	t.Logf("(4) what node2 sent to the booting heartbeat, first 4 s:\n%s", strings.Join(c.bootTrace(c.hb), "\n"))
	c.eventually(within, "(4) alpha fails back to node1", func() (bool, string) {
		ok, said := c.placement(hbNode, usNode)()
		if ok {
			return true, ""
		}
		// name the known way of getting stuck (spec 4.7): heartbeat
		// entered the node-list exchange and waits for a repnodes
		dbg := since(c.hb.debugLog(), dbgOff)
		if n := strings.Count(dbg, "sending reqnodes msg to node "+usNode); n > 0 && !strings.Contains(since(c.hb.log, hbOff), "Comm_now_up") {
			said += fmt.Sprintf("; heartbeat never went active: it sent t=reqnodes to %s %d times and got no t=repnodes (spec 4.7)", usNode, n)
		}
		return false, said
	})
	took = c.eventually(within, "(4) both sides settle", c.quiet())
	c.always(2*time.Second, "(4) placement holds", c.placement(hbNode, usNode))
	t.Logf("(4) node1 booted: alpha back on node1; heartbeat log: %q",
		grepLines(since(c.hb.log, hbOff), regexp.MustCompile(`Status update|transition completed|acquisition|Initial resource|standby|failback`), 10))
	c.checkHeartbeatLog(0)
	c.checkUnderstudyLog(0)
	c.checkCalls()
}

// standby: scenario 5.
func (c *mixed) standby() {
	t := c.t
	// (5a) hb_standby on heartbeat: its group goes to Understudy
	hbOff := len(readFile(c.hb.log))
	out, err := c.inHB("/usr/share/heartbeat/hb_standby")
	if err != nil {
		t.Fatalf("(5) hb_standby on node1: %v\n%s", err, out)
	}
	t.Logf("(5) hb_standby on node1: %s", out)
	took := c.eventually(within, "(5) hb_standby moves alpha to understudy", c.placement(usNode, usNode))
	c.eventually(within, "(5) both sides settle after hb_standby", c.quiet())
	c.always(2*time.Second, "(5) placement after hb_standby holds", c.placement(usNode, usNode))
	t.Logf("(5) after hb_standby, understudy runs alpha and beta (after %v); heartbeat: %q", took,
		grepLines(since(c.hb.log, hbOff), regexp.MustCompile(`standby|Standby`), 8))

	// (5b) understudy standby: all groups go to heartbeat
	hbOff = len(readFile(c.hb.log))
	if out, err = c.cli("standby"); err != nil {
		t.Fatalf("(5) understudy standby: %v\n%s", err, out)
	}
	t.Logf("(5) understudy standby: %s", out)
	took = c.eventually(within, "(5) understudy standby moves all groups to heartbeat", c.placement(hbNode, hbNode))
	c.eventually(within, "(5) both sides settle after understudy standby", c.quiet())
	c.always(2*time.Second, "(5) placement after understudy standby holds", c.placement(hbNode, hbNode))
	t.Logf("(5) after understudy standby, heartbeat runs alpha and beta (after %v); heartbeat: %q", took,
		grepLines(since(c.hb.log, hbOff), regexp.MustCompile(`standby|Standby`), 8))

	// (5c) understudy takeover local: beta comes back
	hbOff = len(readFile(c.hb.log))
	if out, err = c.cli("takeover", "local"); err != nil {
		t.Fatalf("(5) understudy takeover local: %v\n%s", err, out)
	}
	took = c.eventually(within, "(5) understudy takeover local brings beta back", c.placement(hbNode, usNode))
	c.eventually(within, "(5) both sides settle after takeover", c.quiet())
	c.always(2*time.Second, "(5) placement after takeover holds", c.placement(hbNode, usNode))
	t.Logf("(5) understudy takeover local: beta back on node2 after %v; heartbeat: %q", took,
		grepLines(since(c.hb.log, hbOff), regexp.MustCompile(`standby|Standby|hb_takeover`), 8))
	c.checkHeartbeatLog(0)
	c.checkUnderstudyLog(0)
	c.checkCalls()
}

// understudyPowerOff: scenario 6.
func (c *mixed) understudyPowerOff() {
	t := c.t
	hbOff := len(readFile(c.hb.log))
	c.powerOff(c.us)
	took := c.eventually(within, "(6) heartbeat takes node2's group", c.placement(hbNode, hbNode))
	t.Logf("(6) node2 powered off: heartbeat runs alpha and beta after %v; heartbeat: %q", took,
		grepLines(since(c.hb.log, hbOff), regexp.MustCompile(`is dead|Taking over|mach_down|Resources being acquired`), 6))
	c.checkCalls()
	usOff := len(readFile(c.us.log))
	hbOff = len(readFile(c.hb.log))
	c.boot(c.us)
	took = c.eventually(within, "(6) beta fails back to understudy", c.placement(hbNode, usNode))
	c.eventually(within, "(6) both sides settle", c.quiet())
	c.always(2*time.Second, "(6) placement holds", c.placement(hbNode, usNode))
	t.Logf("(6) node2 booted: beta back on node2 after %v; heartbeat: %q", took,
		grepLines(since(c.hb.log, hbOff), regexp.MustCompile(`Status update|standby|failback|Heartbeat restart|Late heartbeat`), 8))
	c.checkHeartbeatLog(0)
	c.checkUnderstudyLog(usOff)
	c.checkCalls()
}

// traceFrom records, for d, every heartbeat message node src sends to n
// as n's hb0 receives it (type, status, seq, generation), decoded and
// verified with Understudy's codec; the summary goes to the test log. It
// shows what a rebooting heartbeat hears first.
func (c *mixed) traceFrom(n *mxNode, src string, d time.Duration) <-chan []string {
	t := c.t
	cfg, _ := config.Load(c.us.haDir)
	keys := cfg.Auth
	capt := netnstest.Listen(t, n.ns, "hb0", unix.ETH_P_IP)
	res := make(chan []string, 1)
	go func() {
		var seen []string
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			f, ok := capt.Next(time.Until(end))
			if !ok {
				continue // read timeout or a transient error: keep on until end
			}
			b := f.Data
			if len(b) < 28 || b[9] != unix.IPPROTO_UDP {
				continue
			}
			ihl := int(b[0]&0x0f) * 4
			if len(b) < ihl+8 || int(b[ihl+2])<<8|int(b[ihl+3]) != hbPort {
				continue
			}
			m, err := codec.Decode(b[ihl+8:], keys)
			if err != nil {
				seen = append(seen, fmt.Sprintf("%s undecodable: %v", f.At.Format("15:04:05.000"), err))
				continue
			}
			if s, _ := m.Get("src"); s != src {
				continue
			}
			var parts []string
			for _, k := range []string{"t", "st", "seq", "hg", "rsc_hold", "info", "isstable", "protocol", "dest"} {
				if v, ok := m.Get(k); ok {
					parts = append(parts, k+"="+v)
				}
			}
			seen = append(seen, f.At.Format("15:04:05.000")+" "+strings.Join(parts, " "))
		}
		res <- seen
	}()
	return res
}
