package interop

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/internal/netnstest"
	"github.com/understudy-ha/understudy/internal/pcap"
	"github.com/understudy-ha/understudy/internal/ptytest"
	"github.com/understudy-ha/understudy/transport/codec"
)

const heartbeatBin = "/usr/libexec/heartbeat/heartbeat"

// Addresses (TEST-NET-1 only) and names of the two-node lab.
const (
	hbAddr    = "192.0.2.1" // the real heartbeat, node1
	usAddr    = "192.0.2.2" // this test, node2
	bcastAddr = "192.0.2.255"
	hbPort    = 694
	hbNode    = "node1"
	usNode    = "node2"
)

// The lab's key table (spec 8.2); each case selects one index with "auth N"
// on both sides.
const labKeys = "1 sha1 labsecret\n2 md5 labsecret\n3 crc\n"

var methods = []struct {
	name  string
	index int
}{{"crc", 3}, {"md5", 2}, {"sha1", 1}}

// authFailure matches every log line heartbeat writes when a message
// fails authentication (spec 3.4).
// Also: a message it could not parse or did not accept from node2.
var authFailure = regexp.MustCompile(`failed authentication|authtoken does not match|authentication failed|Bad/invalid|Invalid authentication|bad node|string2msg|Bad packet|netstring`)

var installOnce sync.Once

// requireHeartbeat skips the test unless root and heartbeat 3.0.6 is
// installed; it installs the Debian package if the binary is missing.
func requireHeartbeat(t *testing.T) {
	t.Helper()
	netnstest.RequireRoot(t)
	for _, tool := range []string{"unshare", "hostname", "mount"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPING %s: %s is not installed", t.Name(), tool)
		}
	}
	installOnce.Do(func() {
		if _, err := os.Stat(heartbeatBin); err == nil {
			return
		}
		t.Logf("%s is missing: apt-get install -y heartbeat", heartbeatBin)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "apt-get", "install", "-y", "--no-install-recommends", "heartbeat")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("apt-get install heartbeat: %v\n%s", err, lastLines(string(out), 15))
		}
	})
	if _, err := os.Stat(heartbeatBin); err != nil {
		t.Skipf("SKIPPING %s: real heartbeat 3.0.6 unavailable (%v) and apt-get install -y heartbeat failed", t.Name(), err)
	}
}

// lab is one real heartbeat node (node1) in namespace hb, and this test's
// end (node2) in namespace us, joined by a veth pair hb0.
type lab struct {
	t       *testing.T
	hb, us  *netnstest.NS
	dir     string // node1's private /etc/ha.d, /var/lib/heartbeat, /run
	serial  *ptytest.Pair
	cmd     *exec.Cmd
	exited  chan struct{}
	keys    config.AuthKeys
	key     config.AuthKey
	conn    *net.UDPConn
	pc      *ipv4.PacketConn
	logPath string
}

func newLab(t *testing.T, authIndex int) *lab {
	l := &lab{t: t, exited: make(chan struct{})}
	l.hb, l.us = netnstest.New(t), netnstest.New(t)
	netnstest.Veth(t, l.hb, "hb0", l.us, "hb0")
	l.hb.IP(t, "addr", "add", hbAddr+"/24", "brd", "+", "dev", "hb0")
	l.us.IP(t, "addr", "add", usAddr+"/24", "brd", "+", "dev", "hb0")
	l.serial = ptytest.Open(t)

	authkeys := fmt.Sprintf("auth %d\n%s", authIndex, labKeys)
	l.dir = t.TempDir()
	if err := os.Chmod(l.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{{"cp", "-a", "/etc/ha.d", filepath.Join(l.dir, "ha.d")},
		{"cp", "-a", "/var/lib/heartbeat", filepath.Join(l.dir, "varlib")}} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", c, err, out)
		}
	}
	if err := os.MkdirAll(filepath.Join(l.dir, "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	hacf := strings.Join([]string{
		"logfile /run/hblog/ha-log",
		"debugfile /run/hblog/ha-debug",
		"use_logd no",
		"keepalive 1",
		"deadtime 10",
		"warntime 5",
		"initdead 15",
		"udpport 694",
		"baud 38400",
		"serial " + l.serial.Slave,
		"bcast hb0",
		"ucast hb0 " + usAddr,
		"auto_failback on",
		"realtime off",
		"node " + hbNode,
		"node " + usNode, ""}, "\n")
	for name, text := range map[string]string{"ha.cf": hacf, "authkeys": authkeys,
		"haresources": "# no resources: the test is about the wire\n"} {
		if err := os.WriteFile(filepath.Join(l.dir, "ha.d", name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// the same keys through Understudy's own parser
	kdir := t.TempDir()
	if err := os.WriteFile(filepath.Join(kdir, "authkeys"), []byte(authkeys), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(kdir)
	for _, d := range diags {
		if d.File == filepath.Join(kdir, "authkeys") && d.Severity == config.Error {
			t.Fatalf("authkeys: %s", d)
		}
	}
	l.keys, l.key = cfg.Auth, cfg.Auth.ActiveKey()
	l.logPath = filepath.Join(l.dir, "run", "hblog", "ha-log")
	return l
}

// listen opens this node's UDP socket on 0.0.0.0:694 inside namespace us,
// able to send broadcasts and to tell broadcast from unicast on receipt.
func (l *lab) listen() {
	t := l.t
	err := l.us.Do(func() error {
		lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST, 1)
			})
			return errors.Join(err, serr)
		}}
		c, err := lc.ListenPacket(context.Background(), "udp4", fmt.Sprintf("0.0.0.0:%d", hbPort))
		if err != nil {
			return err
		}
		l.conn = c.(*net.UDPConn)
		return nil
	})
	if err != nil {
		t.Fatalf("UDP socket in %s: %v", l.us.Name, err)
	}
	t.Cleanup(func() { l.conn.Close() })
	l.pc = ipv4.NewPacketConn(l.conn)
	if err := l.pc.SetControlMessage(ipv4.FlagDst, true); err != nil {
		t.Fatal(err)
	}
}

// start runs heartbeat -f as node1 in namespace hb with a private mount
// and UTS namespace (spec 8.2 startnode.sh). It is stopped in t.Cleanup:
// SIGTERM to its PID, then SIGKILL to every process left in namespace hb
// (all of them descendants of this one).
func (l *lab) start() {
	t := l.t
	d := l.dir
	script := fmt.Sprintf(`set -e
hostname %s
mount --bind %s/ha.d /etc/ha.d
mount --bind %s/varlib /var/lib/heartbeat
mount --bind %s/run /run
mkdir -p /run/heartbeat/ccm /run/heartbeat/crm /run/heartbeat/dopd /run/resource-agents /run/lock/subsys /run/crm /run/hblog
chown hacluster:haclient /run/heartbeat /run/heartbeat/ccm /run/heartbeat/crm /run/heartbeat/dopd
chmod 750 /run/heartbeat
exec %s -f
`, hbNode, d, d, d, heartbeatBin)
	out, err := os.Create(filepath.Join(d, "heartbeat.out"))
	if err != nil {
		t.Fatal(err)
	}
	l.cmd = exec.Command("ip", "netns", "exec", l.hb.Name, "unshare", "-u", "-m", "--propagation", "private", "/bin/sh", "-c", script)
	l.cmd.Stdout, l.cmd.Stderr = out, out
	if err := l.cmd.Start(); err != nil {
		out.Close()
		t.Fatalf("start heartbeat: %v", err)
	}
	pid := l.cmd.Process.Pid
	t.Logf("heartbeat 3.0.6 (%s) started as pid %d in netns %s", hbNode, pid, l.hb.Name)
	go func() { l.cmd.Wait(); out.Close(); close(l.exited) }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("heartbeat log (last lines):\n%s", lastLines(l.readLog(), 40))
			b, _ := os.ReadFile(filepath.Join(d, "heartbeat.out"))
			t.Logf("heartbeat stdout/stderr (last lines):\n%s", lastLines(string(b), 15))
		}
		l.stop()
	})
}

func (l *lab) stop() {
	t := l.t
	select {
	case <-l.exited:
	default:
		// A graceful stop waits for resource activity (heartbeat's 10 s
		// RQSTDELAY after start-up): give it 2 s, then kill.
		l.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-l.exited:
		case <-time.After(2 * time.Second):
			l.cmd.Process.Kill()
		}
	}
	// heartbeat's children (its media readers and writers) live in our
	// namespace: whatever is left there is ours.
	for attempt := 0; attempt < 50; attempt++ {
		out, err := exec.Command("ip", "netns", "pids", l.hb.Name).Output()
		pids := strings.Fields(string(out))
		if err != nil || len(pids) == 0 {
			break
		}
		for _, p := range pids {
			if n, err := strconv.Atoi(p); err == nil && n > 1 {
				unix.Kill(n, unix.SIGKILL)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	select {
	case <-l.exited:
	case <-time.After(5 * time.Second):
		t.Errorf("cleanup: heartbeat pid %d still not reaped", l.cmd.Process.Pid)
	}
}

func (l *lab) readLog() string {
	b, _ := os.ReadFile(l.logPath)
	return string(b)
}

// statusMsg builds node2's status message as transport/session does: own
// fields, then src, srcuuid, seq, hg, ts, ld, ttl. No protocol field, so
// heartbeat does not expect acks or a node-list exchange (spec 4.7).
func statusMsg(uuid []byte, gen, seq uint64, st string, now time.Time) (*codec.Message, error) {
	return statusMsgFrom(usNode, uuid, gen, seq, st, now)
}

func statusMsgFrom(src string, uuid []byte, gen, seq uint64, st string, now time.Time) (*codec.Message, error) {
	m := &codec.Message{}
	errs := []error{m.Set("t", "status"), m.Set("st", st), m.Set("dt", strconv.FormatUint(10000, 16)),
		m.Set("src", src), m.SetBinary("srcuuid", uuid), m.Set("seq", strconv.FormatUint(seq, 16)),
		m.Set("hg", strconv.FormatUint(gen, 16)), m.Set("ts", strconv.FormatInt(now.Unix(), 16)),
		m.Set("ld", "0.00 0.00 0.00 1/1 1"), m.Set("ttl", "3")}
	return m, errors.Join(errs...)
}

// captured is what heartbeat sent on one medium.
type captured struct {
	seq     *codec.SeqState // shared by the media: heartbeat sends each message on all
	verdict map[codec.Verdict]int
	n       int
	types   map[string]int
	bad     []string
	samples []string
}

func (c *captured) add(kind string, payload []byte, keys config.AuthKeys, key config.AuthKey, want codec.Format) {
	c.n++
	m, err := codec.Decode(payload, keys)
	if err != nil {
		c.bad = append(c.bad, fmt.Sprintf("%s packet %d: %v\n%q", kind, c.n, err, payload))
		return
	}
	p, _ := codec.Parse(payload)
	if p.Format != want {
		c.bad = append(c.bad, fmt.Sprintf("%s packet %d: %s frame, want %s", kind, c.n, p.Format, want))
	}
	// the inner auth field, which heartbeat signs too, must also match our
	// classic rendering exactly (spec 3.3)
	if text, err := codec.EncodeClassic(p.Message, key); err != nil {
		c.bad = append(c.bad, fmt.Sprintf("%s packet %d: re-encode: %v", kind, c.n, err))
	} else if q, err := codec.Parse(text); err != nil || q.InnerAuth != p.InnerAuth {
		c.bad = append(c.bad, fmt.Sprintf("%s packet %d: inner auth %q, ours %q", kind, c.n, p.InnerAuth, q.InnerAuth))
	}
	auth := p.Trailer
	if p.Format == codec.Classic {
		auth = p.InnerAuth
	}
	if !strings.HasPrefix(auth, strconv.Itoa(key.Index)+" ") {
		c.bad = append(c.bad, fmt.Sprintf("%s packet %d: signed %q, want key %d", kind, c.n, auth, key.Index))
	}
	if src, _ := m.Get("src"); src != hbNode {
		c.bad = append(c.bad, fmt.Sprintf("%s packet %d: src %q", kind, c.n, src))
	}
	if o, err := c.seq.ObserveMessage(m); err != nil {
		c.bad = append(c.bad, fmt.Sprintf("%s packet %d: %v", kind, c.n, err))
	} else {
		c.verdict[o.Verdict]++
		if o.Verdict == codec.Replay || o.Verdict == codec.Early {
			c.bad = append(c.bad, fmt.Sprintf("%s packet %d: sequence verdict %v", kind, c.n, o.Verdict))
		}
	}
	typ, _ := m.Get("t")
	if c.types == nil {
		c.types = map[string]int{}
	}
	c.types[typ]++
	if len(c.samples) < 1 {
		c.samples = append(c.samples, m.String())
	}
}

func (c *captured) String() string {
	var parts []string
	for k, v := range c.types {
		parts = append(parts, fmt.Sprintf("%s×%d", k, v))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d verified of %d (%s; seq verdicts: %d accept, %d duplicate, %d unsequenced)",
		c.n-len(c.bad), c.n, strings.Join(parts, " "), c.verdict[codec.Accept], c.verdict[codec.Duplicate], c.verdict[codec.Unsequenced])
}

// TestHeartbeat306 runs the real heartbeat with each signing method and
// checks both directions on bcast, ucast and serial:
//
//	(a) every packet and frame heartbeat sends decodes and verifies with
//	    our codec (trailer and inner auth field);
//	(b) status messages we encode every 200 ms bring node2 up on
//	    heartbeat's side with no authentication failure logged.
func TestHeartbeat306(t *testing.T) {
	requireHeartbeat(t)
	for _, m := range methods {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			testMethod(t, m.index)
		})
	}
}

func testMethod(t *testing.T, authIndex int) {
	l := newLab(t, authIndex)
	l.listen()
	l.start()
	save := newSaver(t, l.key)

	var mu sync.Mutex
	seq := &codec.SeqState{}
	newCaptured := func() captured { return captured{seq: seq, verdict: map[codec.Verdict]int{}} }
	bcast, ucast, serialC := newCaptured(), newCaptured(), newCaptured()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	t.Cleanup(func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		l.conn.SetReadDeadline(time.Now())
		wg.Wait()
	})

	// (a) UDP: read what node1 sends
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 65536)
		for {
			n, cm, src, err := l.pc.ReadFrom(buf)
			if err != nil {
				return
			}
			ua, ok := src.(*net.UDPAddr)
			if ok && cm != nil {
				save.udp(ua, cm.Dst, buf[:n])
			}
			if !ok || !ua.IP.Equal(net.ParseIP(hbAddr)) || cm == nil {
				continue // our own broadcasts come back too
			}
			mu.Lock()
			if cm.Dst.Equal(net.ParseIP(bcastAddr)) {
				bcast.add("bcast", buf[:n], l.keys, l.key, codec.Netstring)
			} else {
				ucast.add("ucast", buf[:n], l.keys, l.key, codec.Netstring)
			}
			mu.Unlock()
		}
	}()
	// (a) serial: read the frames heartbeat writes to its tty
	wg.Add(1)
	go func() {
		defer wg.Done()
		var pending []byte
		buf := make([]byte, 4096)
		for {
			l.serial.Master.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			n, err := l.serial.Master.Read(buf)
			pending = append(pending, buf[:n]...)
			save.serial(buf[:n])
			for {
				s := bytes.Index(pending, []byte(">>>\n"))
				if s < 0 {
					break
				}
				e := bytes.Index(pending[s:], []byte("<<<\n"))
				if e < 0 {
					break
				}
				frame := pending[s : s+e+4]
				pending = pending[s+e+4:]
				if bytes.Contains(frame, []byte("\nsrc="+usNode+"\n")) {
					// our own frame echoed by the tty before heartbeat set it
					// to raw mode (normally with CR LF, so not even matched)
					continue
				}
				mu.Lock()
				serialC.add("serial", frame, l.keys, l.key, codec.Classic)
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			default:
			}
			if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				time.Sleep(50 * time.Millisecond) // EIO until heartbeat opens the tty
			}
		}
	}()
	// (b) send node2's status every 200 ms on all three media
	uuid := make([]byte, 16)
	rand.Read(uuid)
	gen := uint64(time.Now().Unix())
	begun := time.Now()
	sendErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		bc := &net.UDPAddr{IP: net.ParseIP(bcastAddr), Port: hbPort}
		uc := &net.UDPAddr{IP: net.ParseIP(hbAddr), Port: hbPort}
		for seq := uint64(1); ; seq++ {
			st := "up"
			if time.Since(begun) > 2*time.Second {
				st = "active"
			}
			msg, err := statusMsg(uuid, gen, seq, st, time.Now())
			var pkt, text []byte
			if err == nil {
				pkt, err = codec.EncodeNetstring(msg, l.key)
			}
			if err == nil {
				text, err = codec.EncodeClassic(msg, l.key)
			}
			if err == nil {
				_, err = l.conn.WriteToUDP(pkt, bc)
			}
			if err == nil {
				_, err = l.conn.WriteToUDP(pkt, uc)
			}
			if err == nil {
				l.serial.Master.SetWriteDeadline(time.Now().Add(time.Second))
				_, err = l.serial.Master.Write(text)
			}
			if err != nil {
				select {
				case <-stop:
				default:
					sendErr <- fmt.Errorf("send seq %d: %w", seq, err)
				}
				return
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()

	// Wait, bounded, for heartbeat to see node2 up on both links and for
	// enough traffic from it on every medium.
	serialLink := fmt.Sprintf("Link %s:%s up", usNode, l.serial.Slave)
	udpLink := fmt.Sprintf("Link %s:hb0 up", usNode)
	statusRe := regexp.MustCompile(`Status update for node ` + usNode + `: status (up|active)`)
	activeLine := fmt.Sprintf("Status update for node %s: status active", usNode)
	deadline := time.Now().Add(30 * time.Second)
	var log string
	for {
		log = l.readLog()
		mu.Lock()
		enough := bcast.n >= 3 && ucast.n >= 3 && serialC.n >= 2
		mu.Unlock()
		done := enough && strings.Contains(log, serialLink) && strings.Contains(log, udpLink) &&
			strings.Contains(log, activeLine)
		if done || time.Now().After(deadline) {
			break
		}
		select {
		case <-l.exited:
			t.Fatalf("heartbeat exited early: %v", l.cmd.ProcessState)
		case err := <-sendErr:
			t.Fatal(err)
		case <-time.After(250 * time.Millisecond):
		}
	}
	close(stop)
	mu.Lock()
	defer mu.Unlock()

	// (a) results
	for _, c := range []struct {
		name string
		c    *captured
		min  int
	}{{"bcast", &bcast, 3}, {"ucast", &ucast, 3}, {"serial", &serialC, 2}} {
		t.Logf("(a) %s from heartbeat: %s; e.g. %s", c.name, c.c, strings.Join(c.c.samples, ""))
		if c.c.n < c.min {
			t.Errorf("(a) %s: only %d messages from heartbeat in %v, want >= %d", c.name, c.c.n, time.Since(begun).Round(time.Second), c.min)
		}
		for _, b := range c.c.bad {
			t.Errorf("(a) %s", b)
		}
	}
	// (b) results
	for _, want := range []string{udpLink, serialLink} {
		if !strings.Contains(log, want) {
			t.Errorf("(b) heartbeat's log lacks %q", want)
		}
	}
	for _, line := range strings.Split(log, "\n") {
		if statusRe.MatchString(line) || strings.Contains(line, "Link "+usNode) {
			t.Logf("(b) heartbeat: %s", strings.TrimSpace(line))
		}
		if strings.Contains(line, "ERROR:") || strings.Contains(line, "CRIT:") {
			t.Logf("(b) heartbeat error: %s", strings.TrimSpace(line))
		}
		if authFailure.MatchString(line) {
			t.Errorf("(b) authentication failure in heartbeat's log: %s", line)
		}
		if strings.Contains(line, usNode+": is dead") {
			t.Errorf("(b) heartbeat declared node2 dead: %s", line)
		}
	}
	if !statusRe.MatchString(log) {
		t.Errorf("(b) heartbeat's log never shows node2's status (Status update for node %s: status up|active)", usNode)
	} else if !strings.Contains(log, activeLine) {
		t.Errorf("(b) heartbeat's log lacks %q", activeLine)
	}
	l.rejects(len(log))
}

// rejects is the converse of (b), proving the log check above can fail:
// a tampered message (from the unknown node3, as in the lab's injection
// test, spec 4.5) on UDP and on serial must be refused and logged.
func (l *lab) rejects(from int) {
	t := l.t
	uuid := make([]byte, 16)
	msg, err := statusMsgFrom("node3", uuid, 1, 1, "up", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tamper := func(b []byte, err error) []byte {
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Replace(b, []byte("ld=0.00"), []byte("ld=9.00"), 1)
	}
	pkt := tamper(codec.EncodeNetstring(msg, l.key))
	text := tamper(codec.EncodeClassic(msg, l.key))
	if _, err := l.conn.WriteToUDP(pkt, &net.UDPAddr{IP: net.ParseIP(hbAddr), Port: hbPort}); err != nil {
		t.Fatal(err)
	}
	l.serial.Master.SetWriteDeadline(time.Now().Add(time.Second))
	if _, err := l.serial.Master.Write(text); err != nil {
		t.Fatal(err)
	}
	want := map[string]*regexp.Regexp{
		"udp":    regexp.MustCompile(`authtoken does not match|netstring authentication failed`),
		"serial": regexp.MustCompile(`node \[node3\] failed authentication`),
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(want) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		log := l.readLog()
		if len(log) < from {
			continue
		}
		for medium, re := range want {
			if line := re.FindString(log[from:]); line != "" {
				t.Logf("(c) tampered %s message refused by heartbeat: %q", medium, line)
				delete(want, medium)
			}
		}
	}
	for medium, re := range want {
		t.Errorf("(c) heartbeat did not log refusing a tampered %s message within 5s (want /%s/)", medium, re)
	}
}

// saver keeps what the test hears, for `understudy decode`, when
// UNDERSTUDY_INTEROP_CAPTURE names a directory: METHOD.pcap (every UDP
// datagram received, ours looped back included) and METHOD-serial.raw
// (heartbeat's serial output as a byte stream).
type saver struct {
	mu    sync.Mutex
	pcap  *pcap.Writer
	raw   *os.File
	files []*os.File
}

func newSaver(t *testing.T, key config.AuthKey) *saver {
	s := &saver{}
	dir := os.Getenv("UNDERSTUDY_INTEROP_CAPTURE")
	if dir == "" {
		return s
	}
	name := filepath.Join(dir, string(key.Method))
	f, err := os.Create(name + ".pcap")
	if err != nil {
		t.Fatal(err)
	}
	if s.pcap, err = pcap.NewWriter(f, pcap.Header{LinkType: pcap.LinkEthernet, Nano: true}); err != nil {
		t.Fatal(err)
	}
	if s.raw, err = os.Create(name + "-serial.raw"); err != nil {
		t.Fatal(err)
	}
	s.files = []*os.File{f, s.raw}
	t.Cleanup(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, f := range s.files {
			f.Close()
		}
		s.pcap, s.raw = nil, nil
		t.Logf("capture saved: %s.pcap, %s-serial.raw", name, name)
	})
	return s
}

func (s *saver) udp(src *net.UDPAddr, dst net.IP, payload []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pcap == nil {
		return
	}
	sa, _ := netip.AddrFromSlice(src.IP.To4())
	da, _ := netip.AddrFromSlice(dst.To4())
	frame, err := pcap.EncodeUDP(pcap.LinkEthernet, netip.AddrPortFrom(sa, uint16(src.Port)), netip.AddrPortFrom(da, hbPort), payload)
	if err == nil {
		s.pcap.Write(time.Now(), frame)
	}
}

func (s *saver) serial(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.raw != nil {
		s.raw.Write(b)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
