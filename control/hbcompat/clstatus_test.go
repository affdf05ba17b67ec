package hbcompat

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
)

// compatHACF is the ha.cf of the compatibility tests: the lab's values
// (heartbeat-spec §6.3) with a log file, so use_logd is not derived.
const compatHACF = `# cl_status test cluster
logfile /var/log/ha-log
keepalive 1
deadtime 10
initdead 15
udpport 694
bcast eth1
auto_failback on
node node1 node2
`

// compatDir writes a configuration directory with the given ha.cf.
func compatDir(t *testing.T, hacf string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"ha.cf":       hacf,
		"haresources": "node1 IPaddr::192.0.2.10/24\nnode2 192.0.2.20\n",
		"authkeys":    "auth 1\n1 sha1 compat-test-secret\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// logPrefix starts every cl_log line of testCompat.
const logPrefix = "Mar 01 09:30:00 node1 cl_status: [4242]: ERROR: "

// testCompat returns a compat talking to sock and reading dir, with a
// fixed clock, pid and host name.
func testCompat(sock, dir string) (*compat, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &compat{
		socket: sock, haDir: dir, timeout: control.DefaultTimeout, wait: control.DefaultWait,
		now: func() time.Time { return time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC) },
		pid: 4242, host: "node1", out: &out, errw: &errb,
	}, &out, &errb
}

// serveStatus serves st on a fresh socket.
func serveStatus(t *testing.T, st control.Status) (string, *controltest.Backend) {
	b := &controltest.Backend{St: st}
	return controltest.Serve(t, &control.Server{Backend: b}), b
}

type compatCase struct {
	args []string
	code int
	out  string
	err  string
}

func runCompatCases(t *testing.T, sock, dir string, tests []compatCase) {
	t.Helper()
	for _, tt := range tests {
		c, out, errb := testCompat(sock, dir)
		code := c.clStatus(append([]string{"cl_status"}, tt.args...))
		if code != tt.code || out.String() != tt.out || errb.String() != tt.err {
			t.Errorf("cl_status %s:\nexit %d, want %d\nstdout %q\nwant   %q\nstderr %q\nwant   %q",
				strings.Join(tt.args, " "), code, tt.code, out.String(), tt.out, errb.String(), tt.err)
		}
	}
}

// The sample: node1 (here) and node2 both active; node1's links eth1 up
// and /dev/ttyS0 dead, node2 heard on eth1 only. Heartbeat's client
// library lists nodes and links in reverse order.
const (
	node2Verbose = "\nnode2\tactive\t(nodetype: normal)\n\t/dev/ttyS0\tdead\n\teth1\tup\n"
	node1Verbose = "\nnode1\tactive\t(nodetype: normal)\n\t/dev/ttyS0\tdead\n\teth1\tup\n"
	linksHeader  = "\tthis node has the following heartbeat links:\n"
)

func TestClStatus(t *testing.T) {
	sock, _ := serveStatus(t, controltest.Sample())
	dir := compatDir(t, compatHACF)
	invalid := func(sub, c string) string { return sub + ": invalid option -- '" + c + "'\n" }
	runCompatCases(t, sock, dir, []compatCase{
		// Help and sub-command names.
		{nil, 0, clHelp, ""},
		{[]string{"-h"}, 0, clHelp, ""},
		{[]string{"-h", "x"}, 11, "", logPrefix + "-h: invalid sub-command.\n"},
		{[]string{"parameter", "-p", "keepalive"}, 11, "", logPrefix + "parameter: invalid sub-command.\n"},
		{[]string{"hbstatu"}, 11, "", logPrefix + "hbstatu: invalid sub-command.\n"},

		// hbstatus
		{[]string{"hbstatus"}, 0, "Heartbeat is running on this machine.\n", ""},
		{[]string{"hbstatus", "-m"}, 0, "Heartbeat is running on this machine.\n", ""},
		{[]string{"hbstatus", "-x", "-y"}, 0, "Heartbeat is running on this machine.\n", invalid("hbstatus", "x") + invalid("hbstatus", "y")},
		{[]string{"hbstatus", "-v"}, 0, "version:\t1.0.0 (node: understudy)\nmanaged by:\t\"haresources\"\n" + node2Verbose + node1Verbose, ""},
		{[]string{"hbstatus", "-vm"}, 0, "Heartbeat version 1.0.0 (node: understudy)\nResources controlled by \"haresources\"\nThe nodes are as follow:\n" +
			"\nnode2\tactive\t(nodetype: normal)\n" + linksHeader + "\t/dev/ttyS0\tdead\n\teth1\tup\n" +
			"\nnode1\tactive\t(nodetype: normal)\n" + linksHeader + "\t/dev/ttyS0\tdead\n\teth1\tup\n", ""},

		// listnodes
		{[]string{"listnodes"}, 0, "node2\nnode1\n", ""},
		{[]string{"listnodes", "-n"}, 0, "node2\nnode1\n", ""},
		{[]string{"listnodes", "-p"}, 0, "", ""},
		{[]string{"listnodes", "-p", "-m"}, 0, "The nodes are as follow:\n", ""},
		{[]string{"listnodes", "-np"}, 0, "node2\nnode1\n", ""}, // both: heartbeat lists all
		{[]string{"listnodes", "-m"}, 0, "The nodes are as follow:\nnode2\nnode1\n", ""},
		{[]string{"listnodes", "-v"}, 0, node2Verbose + node1Verbose, ""},
		{[]string{"listnodes", "-x"}, 11, "", invalid("listnodes", "x") + logPrefix + "Error: getopt returnedcharacter code ?.\n"},

		// nodestatus
		{[]string{"nodestatus", "node2"}, 0, "active\n", ""},
		{[]string{"nodestatus", "node1"}, 0, "active\n", ""},
		{[]string{"nodestatus", "-m", "node2"}, 0, "The cluster node node2 is active\n", ""},
		{[]string{"nodestatus", "NODE2", "-m"}, 0, "The cluster node NODE2 is active\n", ""}, // options after operands; any case
		{[]string{"nodestatus", "--", "node2"}, 0, "active\n", ""},
		{[]string{"nodestatus"}, 11, "", "Not enough parameters.\n"},
		{[]string{"nodestatus", "node9"}, 11, "", "Error. May be due to incorrect node name\n"},
		{[]string{"nodestatus", "-v", "node1"}, 11, "", invalid("nodestatus", "v") + logPrefix + "Error: getopt returnedcharacter ?.\n"},

		// nodeweight, nodesite, nodetype
		{[]string{"nodeweight", "node2"}, 0, "100\n", ""},
		{[]string{"nodeweight", "-m", "node2"}, 0, "The weight of the cluster node node2 is 100\n", ""},
		{[]string{"nodeweight"}, 11, "", "Not enough parameters.\n"},
		{[]string{"nodeweight", "node9"}, 11, "", "Error. Maybe due to incorrect node name.\n"},
		{[]string{"nodesite", "node1"}, 0, "\n", ""},
		{[]string{"nodesite", "-m", "node1"}, 0, "The site of the cluster node node1 is \n", ""},
		{[]string{"nodesite"}, 11, "", "Not enough parameters.\n"},
		{[]string{"nodesite", "node9"}, 11, "", "Error. May be due to incorrect node name\n"},
		{[]string{"nodetype", "node1"}, 0, "normal\n", ""},
		{[]string{"nodetype", "-m", "node1"}, 0, "The node node1's type: normal\n", ""},
		{[]string{"nodetype"}, 11, "", "No enough parameter.\n"},
		{[]string{"nodetype", "normal"}, 11, "", "Error. May be due to incorrect node name\n"}, // the man page's form (lab)
		{[]string{"nodetype", "-p", "node1"}, 11, "", invalid("nodetype", "p") + logPrefix + "Error: getopt returnedcharacter ?.\n"},

		// listhblinks, hblinkstatus
		{[]string{"listhblinks", "node1"}, 0, "\t/dev/ttyS0\n\teth1\n", ""},
		{[]string{"listhblinks", "-v", "node2"}, 0, "\t/dev/ttyS0\tdead\n\teth1\tup\n", ""},
		{[]string{"listhblinks", "-m", "node2"}, 0, linksHeader + "\t/dev/ttyS0\n\teth1\n", ""},
		{[]string{"listhblinks"}, 11, "", "No enough parameter.\n"},
		{[]string{"listhblinks", "-x", "node1"}, 11, "", invalid("listhblinks", "x") + logPrefix + "Error: getopt returnedcharacter code ?.\n"},
		{[]string{"listhblinks", "node9"}, 13, "", logPrefix + "Cannot start heartbeat link interface walk.\n" + logPrefix + "REASON: EINVAL\n"},
		{[]string{"hblinkstatus", "node2", "eth1"}, 0, "up\n", ""},
		{[]string{"hblinkstatus", "node2", "/dev/ttyS0"}, 1, "dead\n", ""},
		{[]string{"hblinkstatus", "node1", "/dev/ttyS0", "-m"}, 1, "The node node1's heartbeat link /dev/ttyS0 is dead\n", ""},
		{[]string{"hblinkstatus", "-m", "node1", "eth1"}, 0, "The node node1's heartbeat link eth1 is up\n", ""},
		{[]string{"hblinkstatus", "node1"}, 11, "", "No enough parameter.\n"},
		{[]string{"hblinkstatus", "node1", "eth9"}, 13, "", logPrefix + "Cannot get heartbeat link status\n" + logPrefix + "REASON: \n"},
		{[]string{"hblinkstatus", "node9", "eth1"}, 13, "", logPrefix + "Cannot get heartbeat link status\n" + logPrefix + "REASON: \n"},

		// clientstatus: no client API, every client is offline.
		{[]string{"clientstatus", "node2", "ipfail"}, 1, "offline\n", ""},
		{[]string{"clientstatus", "node1", "ipfail", "100"}, 1, "offline\n", ""},
		{[]string{"clientstatus", "-m", "node1", "ipfail"}, 1, "offline\n", ""},
		{[]string{"clientstatus", "node1"}, 11, "", "No enough parameter.\n"},
		{[]string{"clientstatus", "node9", "ipfail"}, 13, "", logPrefix + "Cannot get heartbeat client ipfail's status\n" + logPrefix + "REASON: No timely response.\n"},

		// rscstatus
		{[]string{"rscstatus"}, 0, "local\n", ""},
		{[]string{"rscstatus", "-m"}, 0, "This node is holding local resources.\n", ""},
		{[]string{"rscstatus", "-v"}, 11, "", invalid("rscstatus", "v") + logPrefix + "Error: getopt returnedcharacter ?.\n"},

		// hbparameter: the lab's values (heartbeat-spec §6.3).
		{[]string{"hbparameter", "-p", "keepalive"}, 0, "1\n", ""},
		{[]string{"hbparameter", "-pdeadtime"}, 0, "10\n", ""},
		{[]string{"hbparameter", "-p", "deadping"}, 0, "10000ms\n", ""},
		{[]string{"hbparameter", "-p", "warntime"}, 0, "5000ms\n", ""},
		{[]string{"hbparameter", "-p", "initdead"}, 0, "15\n", ""},
		{[]string{"hbparameter", "-p", "udpport"}, 0, "694\n", ""},
		{[]string{"hbparameter", "-p", "baud"}, 0, "19200\n", ""},
		{[]string{"hbparameter", "-p", "auto_failback"}, 0, "on\n", ""},
		{[]string{"hbparameter", "-p", "hopfudge"}, 0, "1\n", ""},
		{[]string{"hbparameter", "-p", "msgfmt"}, 0, "classic\n", ""},
		{[]string{"hbparameter", "-p", "compression"}, 0, "zlib\n", ""},
		{[]string{"hbparameter", "-p", "logfile"}, 0, "/var/log/ha-log\n", ""},
		{[]string{"hbparameter", "-p", "debug"}, 0, "0\n", ""},
		{[]string{"hbparameter", "-p", "crm"}, 0, "false\n", ""},
		{[]string{"hbparameter", "-p", "pacemaker"}, 0, "false\n", ""},
		{[]string{"hbparameter", "-p", "hbversion"}, 0, "1.0.0 (node: understudy)\n", ""},
		{[]string{"hbparameter", "-m", "-p", "keepalive"}, 0, "Heartbeat parameter keepalive's value: 1\n", ""},
		{[]string{"hbparameter", "-p", "x", "-p", "keepalive"}, 0, "1\n", ""}, // the last -p wins
		{[]string{"hbparameter", "-p", "node"}, 1, "", logPrefix + "Cannot get parameter node's value\n" + logPrefix + "REASON: \n"},
		{[]string{"hbparameter", "-p", "apiauth"}, 1, "", logPrefix + "Cannot get parameter apiauth's value\n" + logPrefix + "REASON: \n"},
		{[]string{"hbparameter", "-p", "bcast"}, 1, "", logPrefix + "Cannot get parameter bcast's value\n" + logPrefix + "REASON: \n"},
		{[]string{"hbparameter", "-p", "logfacility"}, 1, "", logPrefix + "Cannot get parameter logfacility's value\n" + logPrefix + "REASON: \n"},
		{[]string{"hbparameter", "-p", "use_logd"}, 1, "", logPrefix + "Cannot get parameter use_logd's value\n" + logPrefix + "REASON: \n"},
		{[]string{"hbparameter", "-p", "watchdog"}, 1, "", logPrefix + "Cannot get parameter watchdog's value\n" + logPrefix + "REASON: \n"},
		{[]string{"hbparameter"}, 11, "", logPrefix + "parameter name required\n"},
		{[]string{"hbparameter", "keepalive"}, 11, "", logPrefix + "parameter name required\n"},
		{[]string{"hbparameter", "-p"}, 11, "", "hbparameter: option requires an argument -- 'p'\n" + logPrefix + "Error: getopt returnedcharacter code ?.\n"},
		{[]string{"hbparameter", "-v", "-p", "keepalive"}, 11, "", invalid("hbparameter", "v") + logPrefix + "Error: getopt returnedcharacter code ?.\n"},

		// test
		{[]string{"test"}, 0, "Dead time: 10000\n keeplive time: 1000\n mynodeid: node1\n rsc: local\n", ""},
	})
}

func TestClStatusNodeAndLinkStates(t *testing.T) {
	st := controltest.Sample()
	st.Cluster.Status = "up"
	st.Cluster.Nodes = append(st.Cluster.Nodes,
		cluster.NodeStatus{Name: "node3", Status: "dead", Links: map[string]string{"eth1": "dead"}},
		cluster.NodeStatus{Name: "node4", Status: "unknown", Links: map[string]string{}},
		cluster.NodeStatus{Name: "node5", Status: "init", Links: map[string]string{"eth1": "up", "eth7": "up"}},
	)
	sock, _ := serveStatus(t, st)
	// node1 comes second in ha.cf: heartbeat lists in reverse.
	dir := compatDir(t, strings.Replace(compatHACF, "node node1 node2", "node node2 node1 node3 node4 node5", 1))
	runCompatCases(t, sock, dir, []compatCase{
		{[]string{"listnodes"}, 0, "node5\nnode4\nnode3\nnode1\nnode2\n", ""},
		{[]string{"nodestatus", "node1"}, 0, "up\n", ""},
		{[]string{"nodestatus", "node3"}, 1, "dead\n", ""},
		{[]string{"nodestatus", "node4"}, 1, "init\n", ""}, // never heard
		{[]string{"nodestatus", "node5"}, 1, "init\n", ""},
		// A link heard only from a peer comes after this node's links.
		{[]string{"listhblinks", "-v", "node5"}, 0, "\teth7\tup\n\t/dev/ttyS0\tdead\n\teth1\tup\n", ""},
		// A peer not heard on a link yet has it dead, as in heartbeat.
		{[]string{"listhblinks", "-v", "node4"}, 0, "\t/dev/ttyS0\tdead\n\teth1\tdead\n", ""},
		{[]string{"hblinkstatus", "node4", "eth1"}, 1, "dead\n", ""},
	})

	// Without a readable configuration the local node is listed first in
	// ha.cf terms, that is last.
	runCompatCases(t, sock, filepath.Join(t.TempDir(), "missing"), []compatCase{
		{[]string{"listnodes"}, 0, "node5\nnode4\nnode3\nnode2\nnode1\n", ""},
		{[]string{"hbparameter", "-p", "keepalive"}, 1, "", logPrefix + "Cannot get parameter keepalive's value\n" + logPrefix + "REASON: \n"},
		{[]string{"hbparameter", "-p", "hbversion"}, 0, "1.0.0 (node: understudy)\n", ""},
	})
}

func TestClStatusRscstatus(t *testing.T) {
	nice := compatDir(t, compatHACF)
	legacy := compatDir(t, strings.Replace(compatHACF, "auto_failback on\n", "", 1))
	tests := []struct {
		name   string
		change func(*control.Status)
		dir    string
		want   string
	}{
		{"local", func(*control.Status) {}, nice, "local"},
		{"all", func(st *control.Status) { st.Cluster.Hold = cluster.SetAll }, nice, "all"},
		{"foreign", func(st *control.Status) { st.Cluster.Hold = cluster.SetForeign }, nice, "foreign"},
		{"empty hold", func(st *control.Status) { st.Cluster.Hold = "" }, nice, "none"},
		{"init counts as settled", func(st *control.Status) { st.Cluster.State, st.Cluster.Hold = "init", cluster.SetNone }, nice, "none"},
		{"shutdown counts as settled", func(st *control.Status) { st.Cluster.State = "shutdown" }, nice, "local"},
		{"start-up negotiation", func(st *control.Status) { st.Cluster.State = "rscrcvd" }, nice, "transition"},
		{"standby handshake", func(st *control.Status) { st.Cluster.Standby = "me" }, nice, "transition"},
		{"group starting", func(st *control.Status) { st.Cluster.Groups[1].State = "starting" }, nice, "transition"},
		{"group stopping", func(st *control.Status) { st.Cluster.Groups[0].State = "stopping" }, nice, "transition"},
		{"legacy keeps no bookkeeping", func(*control.Status) {}, legacy, "none"},
		{"legacy while a group moves", func(st *control.Status) { st.Cluster.Groups[0].State = "stopping" }, legacy, "transition"},
	}
	for _, tt := range tests {
		st := controltest.Sample()
		tt.change(&st)
		sock, _ := serveStatus(t, st)
		c, out, errb := testCompat(sock, tt.dir)
		if code := c.clStatus([]string{"cl_status", "rscstatus"}); code != 0 || out.String() != tt.want+"\n" || errb.Len() > 0 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 0 and %q", tt.name, code, out, errb, tt.want)
		}
	}
}

func TestClStatusParameterDerived(t *testing.T) {
	sock, _ := serveStatus(t, controltest.Sample())
	// No log directive: heartbeat records use_logd yes. Times absent:
	// the table defaults as heartbeat writes them, derived ones in ms.
	bare := compatDir(t, "bcast eth1\nnode node1 node2\ndeadtime 20\nwatchdog /dev/watchdog\n")
	runCompatCases(t, sock, bare, []compatCase{
		{[]string{"hbparameter", "-p", "use_logd"}, 0, "yes\n", ""},
		{[]string{"hbparameter", "-p", "keepalive"}, 0, "1000ms\n", ""},
		{[]string{"hbparameter", "-p", "warntime"}, 0, "10000ms\n", ""},
		{[]string{"hbparameter", "-p", "initdead"}, 0, "20000ms\n", ""},
		{[]string{"hbparameter", "-p", "auto_failback"}, 0, "legacy\n", ""},
		{[]string{"hbparameter", "-p", "watchdog"}, 0, "/dev/watchdog\n", ""},
		{[]string{"hbparameter", "-p", "logfile"}, 1, "", logPrefix + "Cannot get parameter logfile's value\n" + logPrefix + "REASON: \n"},
	})
	// Syslog only: heartbeat points both files at /dev/null.
	syslog := compatDir(t, "logfacility local0\nbcast eth1\nnode node1 node2\n")
	runCompatCases(t, sock, syslog, []compatCase{
		{[]string{"hbparameter", "-p", "logfacility"}, 0, "local0\n", ""},
		{[]string{"hbparameter", "-p", "logfile"}, 0, "/dev/null\n", ""},
		{[]string{"hbparameter", "-p", "debugfile"}, 0, "/dev/null\n", ""},
		{[]string{"hbparameter", "-p", "use_logd"}, 1, "", logPrefix + "Cannot get parameter use_logd's value\n" + logPrefix + "REASON: \n"},
	})
}

func TestClStatusNotRunning(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	signon := logPrefix + "Cannot signon with heartbeat\n" + logPrefix + "REASON: " + reasonNotRunning + "\n"
	dir := compatDir(t, compatHACF)
	runCompatCases(t, sock, dir, []compatCase{
		{[]string{"hbstatus"}, 1, "Heartbeat is stopped on this machine.\n", ""},
		{[]string{"hbstatus", "-m"}, 1, "Heartbeat is stopped on this machine.\n", ""},
		{[]string{"hbstatus", "-v"}, 1, "Heartbeat is stopped on this machine.\n(" + reasonNotRunning + ")\n", ""},
		{[]string{"listnodes"}, 1, "", signon},
		{[]string{"nodestatus", "node1"}, 1, "", signon},
		{[]string{"nodestatus"}, 1, "", signon}, // signing on comes before the operands
		{[]string{"rscstatus"}, 1, "", signon},
		{[]string{"hbparameter", "-p", "keepalive"}, 1, "", signon},
		{[]string{"parameter"}, 11, "", logPrefix + "parameter: invalid sub-command.\n"},
	})
}

func TestClStatusRefused(t *testing.T) {
	b := &controltest.Backend{StatusErr: errors.New("shutting down")}
	sock := controltest.Serve(t, &control.Server{Backend: b})
	runCompatCases(t, sock, "", []compatCase{
		{[]string{"hbstatus"}, 0, "Heartbeat is apparently running on this machine, but refuses my connection\n", ""},
		{[]string{"hbstatus", "-v"}, 0, "Heartbeat is apparently running on this machine, but refuses my connection\n(status: shutting down)\n", ""},
		{[]string{"nodestatus", "node1"}, 1, "", logPrefix + "Cannot signon with heartbeat\n" + logPrefix + "REASON: status: shutting down\n"},
	})
}

// A daemon that accepts and never answers: cl_status gives up silently
// with exit 12, like heartbeat's 5 s alarm.
func TestClStatusTimeout(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "hang.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	for _, args := range [][]string{{"hbstatus"}, {"nodestatus", "node1"}, {"hbparameter", "-p", "keepalive"}} {
		c, out, errb := testCompat(sock, "")
		c.timeout = 50 * time.Millisecond
		if code := c.clStatus(append([]string{"cl_status"}, args...)); code != 12 || out.Len()+errb.Len() > 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 12 and nothing", args, code, out, errb)
		}
	}
}

func TestGetopt(t *testing.T) {
	var errb bytes.Buffer
	c := &compat{errw: &errb}
	g := &getopt{c: c, name: "sub", spec: "mp:v", args: []string{"a", "-mv", "-pX", "b", "-p", "-q", "-", "--", "-m", "c"}}
	type got struct {
		opt byte
		arg string
	}
	var opts []got
	for {
		o, a, ok := g.next()
		if !ok {
			break
		}
		opts = append(opts, got{o, a})
	}
	want := []got{{'m', ""}, {'v', ""}, {'p', "X"}, {'p', "-q"}}
	if !slices.Equal(opts, want) {
		t.Errorf("options %v, want %v", opts, want)
	}
	if ops := g.operands; !slices.Equal(ops, []string{"a", "b", "-", "-m", "c"}) {
		t.Errorf("operands %q", ops)
	}
	if errb.Len() > 0 {
		t.Errorf("stderr %q", errb.String())
	}
}
