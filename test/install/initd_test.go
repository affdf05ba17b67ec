package install

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// adjustScript is what an administrator does to the shipped samples on
// node1 (README: "Running it", "Migrating from heartbeat" step 1): the
// node names as uname -n prints them, the heartbeat link on this
// machine's interface, the group's floating address on this LAN, a log
// file instead of syslog, a secret of one's own, authkeys mode 600. The
// timings are lowered so that the test does not wait 30 s of initdead.
const adjustScript = `#!/bin/sh
set -eu
ha=$1 iface=$2 vip=$3 log=$4
sed -i -e '/^node[[:space:]]/d' "$ha/ha.cf"
printf 'node\tnode1\nnode\tnode2\n' >>"$ha/ha.cf"
sed -i -e "s/^bcast[[:space:]].*/bcast\t$iface/" "$ha/ha.cf"
sed -i -e 's/^logfacility/#&/' -e "s|^#logfile.*|logfile\t$log|" "$ha/ha.cf"
sed -i -e 's/^keepalive.*/keepalive\t200ms/' -e 's/^warntime.*/warntime\t500ms/' \
	-e 's/^deadtime.*/deadtime\t1/' -e 's/^initdead.*/initdead\t2/' "$ha/ha.cf"
sed -i -e "s|^node1 IPaddr::192.0.2.10/24\$|node1 IPaddr::$vip/24|" "$ha/haresources"
secret=$(head -c 32 /dev/urandom | sha256sum | cut -c1-40)
sed -i -e "s/ReplaceThisSecretBeforeUse/$secret/" "$ha/authkeys"
chmod 600 "$ha/authkeys"
`

const (
	addr1 = "192.0.2.1"  // node1's own address on the veth
	addr2 = "192.0.2.2"  // the other end's
	vip   = "192.0.2.50" // the group of the adjusted haresources
	vip2  = "192.0.2.51" // a group added before a reload
)

// lab is one node's world: network namespace ns1 (with the peer end of
// the veth in ns2), and a process (holder) that keeps a private mount and
// UTS namespace inside ns1 with the installed tree mounted; every command
// runs there through nsenter.
type lab struct {
	t            *testing.T
	tmp, dest    string
	ns1, ns2     string
	if1, if2     string
	holder       *exec.Cmd
	bin, initd   string
	haDir        string // the installed etc/ha.d, mounted over /etc/ha.d
	logfile, out string
	pidfile      string
	stateDir     string
}

func randHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// TestInitScriptStartsInstalledDaemon: the installed init script, with
// the samples adjusted by a script, brings the installed daemon up, and
// status, understudy status, cl_status, reload, restart and stop behave
// as README's "Service control" says; a broken ha.cf makes start exit 6
// with the file and line.
func TestInitScriptStartsInstalledDaemon(t *testing.T) {
	requireRoot(t, "ip", "unshare", "nsenter", "hostname", "mount", "setsid", "sha256sum")
	l := &lab{t: t, tmp: t.TempDir()}
	l.dest = filepath.Join(l.tmp, "dest")
	src := filepath.Join(l.tmp, "src")
	copySource(t, repoRoot(t), src)
	makeTarget(t, src, "install", "DESTDIR="+l.dest)
	l.bin = filepath.Join(l.dest, "usr/local/sbin/understudy")
	l.initd = filepath.Join(l.dest, "etc/init.d/understudy")
	l.haDir = filepath.Join(l.dest, "etc/ha.d")
	l.logfile = filepath.Join(l.tmp, "ha-log")
	l.out = filepath.Join(l.tmp, "understudy.out")
	// /run and /var/lib of the lab (mounted over the machine's in the
	// private mount namespace only).
	l.pidfile = filepath.Join(l.tmp, "run/understudy/understudy.pid")
	l.stateDir = filepath.Join(l.tmp, "var-lib/understudy")

	id := randHex(t, 3)
	l.ns1, l.ns2 = fmt.Sprintf("usinst-%d-%s-1", os.Getpid(), id), fmt.Sprintf("usinst-%d-%s-2", os.Getpid(), id)
	l.if1, l.if2 = "usi"+id+"a", "usi"+id+"b"
	l.adjustSamples()
	l.setUp()

	// start: exits 0 once the daemon answers on its control socket.
	r := l.in(60*time.Second, l.initd, "start")
	if r.code != 0 || !strings.Contains(r.stdout, "Starting High-Availability services: Done.") {
		l.fatalf("init script start: %s", r)
	}
	pid := l.daemonPID()
	cmdline := l.cmdline(pid)
	if !strings.Contains(cmdline, l.bin+" daemon -c /etc/ha.d --no-watch") {
		t.Errorf("daemon [pid %d] runs %q: want the installed binary with DAEMON_ARGS from /etc/default/understudy", pid, cmdline)
	}

	// status: exits 0, on node1, and lists the group once it is held
	// (after initdead, node2 being silent).
	l.waitHolding(vip)
	r = l.in(20*time.Second, l.initd, "status")
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("understudy OK [pid %d] is running on node1...", pid)) ||
		!strings.Contains(r.stdout, "  holding: IPaddr::"+vip+"/24\n") {
		t.Errorf("init script status: %s", r)
	}
	if _, err := exec.LookPath("ping"); err == nil {
		if r := run(t, 10*time.Second, "/", baseEnv(), "ip", "netns", "exec", l.ns2, "ping", "-c", "1", "-W", "3", vip); r.code != 0 {
			t.Errorf("the floating address does not answer from the other end of the veth: %s", r)
		}
	}

	// understudy status, with the socket named and by default.
	for _, args := range [][]string{{"status", "-s", "/run/understudy/understudy.sock"}, {"status"}} {
		r = l.in(20*time.Second, l.bin, args...)
		if r.code != 0 || !strings.Contains(r.stdout, " on node1: active, resources stable") ||
			!regexp.MustCompile(`(?m)^IPaddr::`+regexp.QuoteMeta(vip)+`/24 +node1 +this node +running$`).MatchString(r.stdout) ||
			!regexp.MustCompile(`(?m)^node1 \(this node\) +active +`+l.if1+` up$`).MatchString(r.stdout) {
			t.Errorf("understudy %s: %s", strings.Join(args, " "), r)
		}
	}

	// heartbeat's cl_status, through the link make install made.
	clStatus := filepath.Join(l.dest, "usr/bin/cl_status")
	r = l.in(20*time.Second, clStatus, "hbstatus")
	if r.code != 0 || r.stdout != "Heartbeat is running on this machine.\n" {
		t.Errorf("cl_status hbstatus: %s", r)
	}
	r = l.in(20*time.Second, clStatus, "rscstatus")
	// Only node1's groups exist and node1 holds them all.
	if r.code != 0 || (r.stdout != "local\n" && r.stdout != "all\n") {
		t.Errorf("cl_status rscstatus: %s", r)
	}

	// reload: a group added to haresources is taken on SIGHUP (the daemon
	// runs with --no-watch, so the reload is the init script's doing).
	orig, err := os.ReadFile(filepath.Join(l.haDir, "haresources"))
	if err != nil {
		t.Fatal(err)
	}
	l.write("haresources", string(orig)+"node1 IPaddr::"+vip2+"/24\n")
	r = l.in(30*time.Second, l.initd, "reload")
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("Signalling understudy pid %d to reread config files", pid)) ||
		!strings.Contains(r.stdout, "Reloading High-Availability services: Done.") {
		t.Errorf("init script reload: %s", r)
	}
	l.waitHolding(vip, vip2)
	if log := l.read(l.logfile); !strings.Contains(log, "trigger=SIGHUP") {
		t.Errorf("the log does not show a reload on SIGHUP:\n%s", log)
	}

	// reload of a broken configuration: 6, and the daemon keeps running.
	haCF, err := os.ReadFile(filepath.Join(l.haDir, "ha.cf"))
	if err != nil {
		t.Fatal(err)
	}
	broken, line := breakDeadtime(t, string(haCF))
	l.write("ha.cf", broken)
	r = l.in(30*time.Second, l.initd, "reload")
	if r.code != 6 || !strings.Contains(r.stderr, fmt.Sprintf("/etc/ha.d/ha.cf:%d: error: deadtime", line)) {
		t.Errorf("init script reload of a broken ha.cf: want exit 6 naming ha.cf:%d, got %s", line, r)
	}
	l.write("ha.cf", string(haCF))
	if r := l.in(20*time.Second, l.initd, "status"); r.code != 0 || !strings.Contains(r.stdout, "IPaddr::"+vip+"/24 IPaddr::"+vip2+"/24") {
		t.Errorf("after a refused reload, status: %s", r)
	}

	// restart (UNDERSTUDY_RESTART_WAIT=0): a new daemon takes the groups.
	r = l.in(60*time.Second, l.initd, "restart")
	if r.code != 0 || !strings.Contains(r.stdout, "Stopping High-Availability services: Done.") ||
		!strings.Contains(r.stdout, "Starting High-Availability services: Done.") {
		t.Errorf("init script restart: %s", r)
	}
	if l.alive(pid) {
		t.Errorf("after restart the old daemon [pid %d] still runs", pid)
	}
	pid = l.daemonPID()
	l.waitHolding(vip, vip2)

	// stop: exits 0 only once the daemon released its groups and exited.
	r = l.in(60*time.Second, l.initd, "stop")
	if r.code != 0 || !strings.Contains(r.stdout, "Stopping High-Availability services: Done.") {
		t.Errorf("init script stop: %s", r)
	}
	for _, a := range []string{vip, vip2} {
		if l.hasAddr(a) {
			t.Errorf("after stop, %s is still on %s", a, l.if1)
		}
	}
	if l.alive(pid) {
		t.Errorf("after stop, the daemon [pid %d] still runs", pid)
	}
	if _, err := os.Stat(l.pidfile); err == nil {
		t.Errorf("after stop, the pid file %s is still there", l.pidfile)
	}
	if log := l.read(l.logfile); !strings.Contains(log, "all groups released; shutdown complete") {
		t.Errorf("the log does not show the groups released:\n%s", log)
	}
	r = l.in(20*time.Second, l.initd, "status")
	if r.code != 3 || !strings.Contains(r.stdout, "understudy is stopped") {
		t.Errorf("init script status after stop: want exit 3, got %s", r)
	}
	if r := l.in(20*time.Second, clStatus, "hbstatus"); r.code != 1 || r.stdout != "Heartbeat is stopped on this machine.\n" {
		t.Errorf("cl_status hbstatus after stop: %s", r)
	}
	for _, f := range []string{"hb_generation", "hb_uuid"} {
		if _, err := os.Stat(filepath.Join(l.stateDir, f)); err != nil {
			t.Errorf("the daemon kept no %s in /var/lib/understudy: %v", f, err)
		}
	}

	// start with a broken ha.cf: "understudy check" refuses it, exit 6,
	// the file and line on stderr, nothing left running.
	l.write("ha.cf", broken)
	r = l.in(60*time.Second, l.initd, "start")
	if r.code != 6 || !strings.Contains(r.stderr, fmt.Sprintf("/etc/ha.d/ha.cf:%d: error: deadtime", line)) ||
		!strings.Contains(r.stderr, "Understudy failure [rc=6]") {
		t.Errorf("init script start with a broken ha.cf: want exit 6 naming ha.cf:%d, got %s", line, r)
	}
	l.stopped("start with a broken ha.cf")

	// start with a heartbeat interface this machine does not have: check,
	// run on the node, checks the machine as the daemon would and refuses
	// it: exit 6, the file and line on stderr.
	noIf, ifLine := replaceLine(t, string(haCF), "bcast\t"+l.if1, "bcast\tnosuch0")
	l.write("ha.cf", noIf)
	r = l.in(60*time.Second, l.initd, "start")
	if r.code != 6 || !strings.Contains(r.stderr, fmt.Sprintf("/etc/ha.d/ha.cf:%d: error: bcast names interface nosuch0, which this machine does not have", ifLine)) ||
		!strings.Contains(r.stderr, "Understudy failure [rc=6]") {
		t.Errorf("init script start with a missing interface: want exit 6 naming ha.cf:%d, got %s", ifLine, r)
	}
	l.stopped("start with a missing interface")
	l.write("ha.cf", string(haCF))
}

// adjustSamples runs adjustScript on the installed samples and checks
// that each edit took and that understudy check accepts the result.
func (l *lab) adjustSamples() {
	t := l.t
	script := filepath.Join(l.tmp, "adjust.sh")
	if err := os.WriteFile(script, []byte(adjustScript), 0o755); err != nil {
		t.Fatal(err)
	}
	if r := run(t, 20*time.Second, "/", baseEnv(), "sh", script, l.haDir, l.if1, vip, l.logfile); r.code != 0 {
		t.Fatalf("adjusting the samples: %s", r)
	}
	haCF, haRes := l.read(filepath.Join(l.haDir, "ha.cf")), l.read(filepath.Join(l.haDir, "haresources"))
	for _, want := range []string{"\nbcast\t" + l.if1 + "\n", "\nnode\tnode1\nnode\tnode2\n", "\nlogfile\t" + l.logfile + "\n", "\ninitdead\t2\n"} {
		if !strings.Contains(haCF, want) {
			t.Fatalf("the shipped ha.cf changed shape: adjusting it did not give %q:\n%s", want, haCF)
		}
	}
	if !strings.Contains(haRes, "\nnode1 IPaddr::"+vip+"/24\n") {
		t.Fatalf("the shipped haresources changed shape: adjusting it did not give its group the address %s:\n%s", vip, haRes)
	}
	if fi, err := os.Stat(filepath.Join(l.haDir, "authkeys")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("authkeys after adjusting: %v %v", fi, err)
	}
	if r := run(t, 20*time.Second, "/", baseEnv(), l.bin, "check", "-c", l.haDir, "--node", "node1"); r.code != 0 {
		t.Fatalf("understudy check of the adjusted samples: %s", r)
	}
}

// setUp builds the two network namespaces and the holder, and registers
// their removal (and the end of any daemon of this installation).
func (l *lab) setUp() {
	t := l.t
	ip := func(args ...string) {
		t.Helper()
		if r := run(t, 20*time.Second, "/", baseEnv(), "ip", args...); r.code != 0 {
			t.Fatalf("ip %s: %s", strings.Join(args, " "), r)
		}
	}
	for _, ns := range []string{l.ns1, l.ns2} {
		ip("netns", "add", ns)
		t.Cleanup(func() {
			if r := run(t, 20*time.Second, "/", baseEnv(), "ip", "netns", "del", ns); r.code != 0 {
				t.Errorf("ip netns del %s: %s", ns, r)
			}
		})
		ip("-n", ns, "link", "set", "lo", "up")
	}
	// Created inside the namespaces: the names never exist in the root
	// network namespace.
	ip("link", "add", l.if1, "netns", l.ns1, "type", "veth", "peer", "name", l.if2, "netns", l.ns2)
	ip("-n", l.ns1, "addr", "add", addr1+"/24", "brd", "+", "dev", l.if1)
	ip("-n", l.ns2, "addr", "add", addr2+"/24", "brd", "+", "dev", l.if2)
	ip("-n", l.ns1, "link", "set", l.if1, "up")
	ip("-n", l.ns2, "link", "set", l.if2, "up")

	// The lab's own /etc/default (the init script's settings), /run and
	// /var/lib, mounted over the machine's in the holder's namespace.
	etcDefault := filepath.Join(l.tmp, "etc-default")
	for _, d := range []string{etcDefault, filepath.Join(l.tmp, "run"), filepath.Join(l.tmp, "var-lib")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	defaults := fmt.Sprintf(`# /etc/default/understudy of test/install
UNDERSTUDY_BIN=%s
UNDERSTUDY_OUT=%s
UNDERSTUDY_START_TIMEOUT=30
UNDERSTUDY_STOP_TIMEOUT=30
UNDERSTUDY_RESTART_WAIT=0
DAEMON_ARGS="--no-watch"
`, l.bin, l.out)
	if err := os.WriteFile(filepath.Join(etcDefault, "understudy"), []byte(defaults), 0o644); err != nil {
		t.Fatal(err)
	}
	mounts := []string{
		"mount --bind " + l.haDir + " /etc/ha.d",
		"mount --bind " + etcDefault + " /etc/default",
		// cl_status, hb_standby and hb_takeover link to
		// /usr/local/sbin/understudy: the installed one, here.
		"mount --bind " + filepath.Join(l.dest, "usr/local/sbin") + " /usr/local/sbin",
		"mount --bind " + filepath.Join(l.tmp, "run") + " /run",
		"mount --bind " + filepath.Join(l.tmp, "var-lib") + " /var/lib",
	}
	for _, d := range []string{"/etc/ha.d", "/etc/default", "/usr/local/sbin", "/run", "/var/lib"} {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			t.Skipf("SKIPPING %s: %s is not a directory on this machine, so nothing can be mounted over it without creating it (%v)", t.Name(), d, err)
		}
	}
	script := "set -e\nhostname node1\n" + strings.Join(mounts, "\n") + "\necho ready\nexec sleep 300\n"
	l.holder = exec.Command("ip", "netns", "exec", l.ns1, "unshare", "-m", "--propagation", "private", "-u", "sh", "-c", script)
	l.holder.Env = baseEnv()
	l.holder.Dir = "/"
	stdout, err := l.holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	l.holder.Stderr = &stderr
	if err := l.holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		l.holder.Process.Kill()
		l.holder.Wait()
	})
	// Registered last, so run first: any daemon of this installation
	// (only this test's binary path matches), then the holder, then the
	// namespaces.
	t.Cleanup(l.killDaemons)
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- line == "ready\n"
	}()
	select {
	case ok := <-ready:
		if !ok {
			l.holder.Wait()
			t.Fatalf("setting up the mount and UTS namespaces failed: %s", stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the namespace holder did not get ready in 20s: %s", stderr.String())
	}
	if r := l.in(10*time.Second, "uname", "-n"); r.stdout != "node1\n" {
		t.Fatalf("uname -n in the lab: %s", r)
	}
}

// in runs a command in the lab's namespaces, with a clean environment.
func (l *lab) in(timeout time.Duration, name string, args ...string) result {
	l.t.Helper()
	argv := append([]string{"-t", strconv.Itoa(l.holder.Process.Pid), "-m", "-u", "-n", "--", name}, args...)
	return run(l.t, timeout, "/", baseEnv(), "nsenter", argv...)
}

func (l *lab) read(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		l.t.Errorf("%v", err)
	}
	return string(b)
}

// write replaces a file of the installed /etc/ha.d, keeping its mode.
func (l *lab) write(name, content string) {
	p := filepath.Join(l.haDir, name)
	fi, err := os.Stat(p)
	if err != nil {
		l.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), fi.Mode().Perm()); err != nil {
		l.t.Fatal(err)
	}
}

// fatalf fails the test with the daemon's output and log attached.
func (l *lab) fatalf(format string, a ...any) {
	l.t.Helper()
	out, _ := os.ReadFile(l.out)
	log, _ := os.ReadFile(l.logfile)
	l.t.Fatalf(format+"\n--- %s:\n%s--- %s:\n%s", append(a, l.out, out, l.logfile, log)...)
}

func (l *lab) daemonPID() int {
	l.t.Helper()
	b, err := os.ReadFile(l.pidfile)
	if err != nil {
		l.fatalf("no pid file after start: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		l.fatalf("pid file %s holds %q", l.pidfile, b)
	}
	return pid
}

// cmdline is a process's command line, arguments joined by spaces.
func (l *lab) cmdline(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}

// alive: pid runs this installation's binary (not a zombie).
func (l *lab) alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	if i := strings.LastIndexByte(string(stat), ')'); i > 0 && strings.HasPrefix(string(stat[i:]), ") Z") {
		return false
	}
	return strings.HasPrefix(l.cmdline(pid), l.bin+" ")
}

// ours lists the processes that run this installation's binary.
func (l *lab) ours() []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil && l.alive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// killDaemons ends, by PID, any daemon this test's installation left
// running: SIGTERM (it releases its groups), SIGKILL after 15 s.
func (l *lab) killDaemons() {
	pids := l.ours()
	if len(pids) == 0 {
		return
	}
	l.t.Errorf("daemons of this installation still running at the end: %v", pids)
	for _, pid := range pids {
		syscall.Kill(pid, syscall.SIGTERM)
	}
	if !waitFor(15*time.Second, func() bool { return len(l.ours()) == 0 }) {
		for _, pid := range l.ours() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// stopped checks that nothing of this installation runs and there is no
// pid file, and that the init script says so.
func (l *lab) stopped(after string) {
	l.t.Helper()
	if pids := l.ours(); len(pids) > 0 {
		l.t.Errorf("after %s, daemons still run: %v", after, pids)
	}
	if _, err := os.Stat(l.pidfile); err == nil {
		l.t.Errorf("after %s, the pid file %s is left", after, l.pidfile)
	}
	if r := l.in(20*time.Second, l.initd, "status"); r.code != 3 {
		l.t.Errorf("after %s, init script status: want exit 3, got %s", after, r)
	}
}

func (l *lab) hasAddr(a string) bool {
	r := l.in(10*time.Second, "ip", "-o", "-4", "addr", "show", "dev", l.if1)
	if r.code != 0 {
		l.t.Errorf("ip addr show dev %s: %s", l.if1, r)
	}
	return strings.Contains(r.stdout, " inet "+a+"/24 ")
}

// waitHolding waits (at most 20 s) until the init script's status lists
// exactly the groups of these addresses as held.
func (l *lab) waitHolding(addrs ...string) {
	l.t.Helper()
	var keys []string
	for _, a := range addrs {
		keys = append(keys, "IPaddr::"+a+"/24")
	}
	want := "  holding: " + strings.Join(keys, " ") + "\n"
	var r result
	if !waitFor(20*time.Second, func() bool {
		r = l.in(20*time.Second, l.initd, "status")
		return r.code == 0 && strings.Contains(r.stdout, want)
	}) {
		l.fatalf("init script status did not say %q within 20s; last: %s", want, r)
	}
	// "holding" counts a group still starting (owner set, address not
	// yet added): wait until each address is there too.
	for _, a := range addrs {
		if !waitFor(10*time.Second, func() bool { return l.hasAddr(a) }) {
			l.fatalf("%s listed as held, but not on %s within 10s: %s", a, l.if1, l.in(10*time.Second, "ip", "-o", "addr", "show", "dev", l.if1))
		}
	}
}

// breakDeadtime makes ha.cf's deadtime line invalid; it returns the file
// and the line's number.
func breakDeadtime(t *testing.T, haCF string) (string, int) {
	return replaceLine(t, haCF, "deadtime\t1", "deadtime\tsoon")
}

// replaceLine replaces the line old of s by new; it returns the result
// and the line's number.
func replaceLine(t *testing.T, s, old, new string) (string, int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if line == old {
			lines[i] = new
			return strings.Join(lines, "\n"), i + 1
		}
	}
	t.Fatalf("no line %q in:\n%s", old, s)
	return "", 0
}
