package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The compatibility corpus: heartbeat 3.0.6's own sample files from the
// Debian package (testdata/heartbeat/, copied from /usr/share/doc/heartbeat)
// and the configurations heartbeat refuses (heartbeat-spec §8.3).

func readCorpus(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "heartbeat", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestHeartbeatSamplesLoad: the three sample files, with node lines and a
// medium added to ha.cf (the sample has neither active), load with no
// error, and with the warnings their weak keys deserve.
func TestHeartbeatSamplesLoad(t *testing.T) {
	hacf := readCorpus(t, "ha.cf") + "node ken3\nnode kathy\nbcast eth0\n"
	// The sample authkeys has every line commented out; use its example
	// lines as an admin would.
	auth := strings.NewReplacer("#auth 1", "auth 1", "#1 crc", "1 crc", "#2 sha1", "2 sha1", "#3 md5", "3 md5").Replace(readCorpus(t, "authkeys"))
	hares := readCorpus(t, "haresources") + "ken3 135.9.216.110 httpd\n"
	dir := writeDir(t, map[string]string{HACFFile: hacf, AuthkeysFile: auth, HaresourcesFile: hares})
	cfg, d := Load(dir)
	// The only diagnostics: the sample's secrets are short (keys 2 and 3
	// still verify inbound messages), and crc signs, which is no
	// authentication.
	expectDiags(t, relDiags(dir, d), "W25 secret of key 2 is 3 bytes long", "W26 secret of key 3 is 6 bytes long", "W23 not authenticated")
	if len(cfg.Auth.Keys) != 3 || cfg.Auth.Keys[2].Secret != "HI!" || cfg.Auth.Keys[3].Secret != "Hello!" {
		t.Errorf("keys = %+v", cfg.Auth.Keys)
	}
	if cfg.LogFacility != "local0" || cfg.AutoFailback != FailbackOn {
		t.Errorf("sample ha.cf settings lost: %+v", cfg.HACF)
	}
}

// TestHeartbeatSampleDirectives uncomments, one at a time, every directive
// the sample ha.cf shows in a comment: each must be recognised, and the
// result must be what heartbeat does with it.
func TestHeartbeatSampleDirectives(t *testing.T) {
	re := regexp.MustCompile(`^#([a-z_0-9]+)[ \t]+(.*)$`)
	// What each sample line gives, where it is not silent acceptance.
	want := map[string]string{
		"hbaping":  "E not built into heartbeat", // refused by heartbeat on Debian too
		"msgfmt":   "E classic or netstring",     // the sample writes "classic/netstring" as a placeholder
		"watchdog": "W WatchdogSec",              //
		"respawn":  "W does not supervise",       //
		// Lines whose result differs from their directive's.
		"respawn hacluster /usr/lib/heartbeat/ipfail": "W nothing to compare", // built in; the test has no ping node
		"stonith_host ken3  rps10 /dev/ttyS1 kathy 0": "W not a node of ha.cf",
		"stonith_host kathy rps10 /dev/ttyS1 ken3 0":  "W not a node of ha.cf",
		"apiauth":               "W no heartbeat client API",     //
		"realtime":              "W realtime",                    //
		"hbgenmethod":           "W hbgenmethod time is ignored", //
		"compression":           "W never compressed",            //
		"compression_threshold": "W never compressed",            //
		"conn_logd_time":        "W logging daemon",              //
		"initdead":              "",                              // 120 >= deadtime: fine
	}
	seen := 0
	for n, line := range splitLines(readCorpus(t, "ha.cf")) {
		m := re.FindStringSubmatch(line)
		if m == nil || strings.HasPrefix(m[2], "=") {
			continue
		}
		name, text := m[1], line[1:]
		if _, known := directives[name]; !known && unsupportedDirectives[name] == "" {
			continue // prose in a comment, not a directive
		}
		seen++
		t.Run(strings.ReplaceAll(text, "/", "_"), func(t *testing.T) {
			_, d := hacfOf(base + "deadtime 30\n" + text + "\n")
			for _, x := range d {
				if strings.Contains(x.Msg, "unknown directive") {
					t.Fatalf("sample line %d %q not recognised: %s", n+1, text, x)
				}
			}
			exp, listed := want[strings.TrimSpace(text)]
			if !listed {
				exp, listed = want[name]
			}
			switch {
			case !listed || exp == "":
				expectDiags(t, d)
			default:
				if len(d) == 0 || d[0].Severity.String()[0] != strings.ToLower(exp[:1])[0] || !strings.Contains(d[0].Msg, exp[2:]) {
					t.Errorf("sample line %q: got %s, want %s", text, d, exp)
				}
			}
		})
	}
	if seen < 30 {
		t.Fatalf("only %d sample directives found: is testdata/heartbeat/ha.cf the Debian sample?", seen)
	}
}

// TestHeartbeatSampleGroups: the example group lines of the sample
// haresources parse, with heartbeat's meaning.
func TestHeartbeatSampleGroups(t *testing.T) {
	var lines []string
	for _, l := range splitLines(readCorpus(t, "haresources")) {
		if strings.HasPrefix(l, "#just.linux-ha.org") || strings.HasPrefix(l, "#node1 ") {
			lines = append(lines, l[1:])
		}
	}
	// Every example line uses the same first resource; give each its own
	// key as the sample itself says one must.
	for i, l := range lines {
		gs, d := haresOf(l + "\n")
		expectDiags(t, d)
		if len(gs) != 1 {
			t.Fatalf("example %d %q: %d groups", i, l, len(gs))
		}
		if !gs[0].Resources[0].Native() {
			t.Errorf("example %q: first resource should be a native address", l)
		}
	}
	if len(lines) != 5 {
		t.Fatalf("found %d example lines, want 5", len(lines))
	}
	gs, _ := haresOf(lines[4] + "\n")
	fs := gs[0].Resources[1]
	if fs.Script != "Filesystem" || strings.Join(fs.Args, " ") != "/dev/sda1 /data1 ext2" {
		t.Errorf("Filesystem resource = %+v", fs)
	}
	gs, _ = haresOf(lines[3] + "\n")
	if ip := gs[0].Resources[0].IP; ip.Bits != 28 || ip.Iface != "eth0" || ip.Broadcast.String() != "135.9.216.12" {
		t.Errorf("IPaddr 135.9.216.3/28/eth0/135.9.216.12 = %+v", ip)
	}
}

// TestHeartbeatRejects: configurations heartbeat 3.0.6 refuses to start
// with (heartbeat-spec §1, §3, §8.3). Understudy refuses them too, except
// where a comment says why it deliberately differs.
func TestHeartbeatRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string // "E substring": refused; "W substring": accepted on purpose
	}{
		{"keepalive 2 with deadtime 4", withHACF("keepalive 2\ndeadtime 4\n"), "E too small compared to keepalive"},
		{"deadtime 10s", withHACF("deadtime 10s\n"), "E unit \"s\""},
		{"Keepalive capitalised", withHACF("Keepalive 2\n"), "E case-sensitive"},
		{"illegal directive", withHACF("frobnicate 1\n"), "E unknown directive"},
		{"initdead below deadtime", withHACF("deadtime 10\ninitdead 5\n"), "E smaller than deadtime"},
		{"baud twice", withHACF("baud 9600\nbaud 9600\n"), "E given twice"},
		{"crm on", withHACF("crm on\n"), "E haresources mode only"},
		{"autojoin any", withHACF("autojoin any\n"), "E conflicts with haresources mode"},
		{"no media", map[string]string{HACFFile: "node node1\nauto_failback on\nlogfacility daemon\n"}, "E no heartbeat media"},
		{"no node", map[string]string{HACFFile: "bcast eth0\nauto_failback on\nlogfacility daemon\n"}, "E no nodes defined"},
		{"use_logd off and no log", map[string]string{HACFFile: "node node1\nbcast eth0\nauto_failback on\nuse_logd off\n"}, "E no log destination"},
		// heartbeat limits the multicast TTL to 4, against its own docs.
		// Understudy takes 0-255 and warns that heartbeat nodes cannot.
		{"mcast ttl 5", withHACF("mcast lo 239.192.0.1 694 5 0\n"), "W refuses a ttl above 4"},
		{"haresources unknown node", withFiles(map[string]string{HaresourcesFile: "node3 192.0.2.10\n"}), "E not a node of ha.cf"},
		{"authkeys mode 644", nil, "E mode 0644"},
		{"crc with a key", withFiles(map[string]string{AuthkeysFile: "auth 1\n1 crc key\n"}), "E takes no secret"},
		{"md5 without a key", withFiles(map[string]string{AuthkeysFile: "auth 1\n1 md5\n"}), "E requires a secret"},
		{"no auth line", withFiles(map[string]string{AuthkeysFile: "1 sha1 x\n"}), "E missing \"auth N\""},
		{"unknown auth method", withFiles(map[string]string{AuthkeysFile: "auth 1\n1 sha512 x\n"}), "E unknown method"},
		{"authnum 16", withFiles(map[string]string{AuthkeysFile: "auth 16\n16 sha1 x\n"}), "E from 0 to 15"},
		// heartbeat binds the outbound key only when a key line follows the
		// auth line. Understudy reads the whole file first; order is free.
		{"key line before auth", withFiles(map[string]string{AuthkeysFile: "1 sha1 x\nauth 1\n"}), "W refuses this order"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := tc.files
			if files == nil {
				files = goodFiles
			}
			dir := writeDir(t, files)
			if tc.name == "authkeys mode 644" {
				os.Chmod(filepath.Join(dir, AuthkeysFile), 0o644)
			}
			cfg, d := Load(dir)
			if tc.want[0] == 'W' && d.HasErrors() {
				t.Fatalf("deliberately accepted, but got errors: %s", d)
			}
			if tc.want[0] == 'E' && !d.HasErrors() {
				t.Fatalf("heartbeat refuses this; Understudy accepted it: %s", d)
			}
			sev := map[byte]Severity{'E': Error, 'W': Warning}[tc.want[0]]
			for _, x := range d.Filter(sev) {
				if strings.Contains(x.Msg, tc.want[2:]) {
					return
				}
			}
			t.Errorf("no %s diagnostic containing %q in:\n%s (config %v)", sev, tc.want[2:], d, cfg != nil)
		})
	}
}

func withHACF(lines string) map[string]string {
	return withFiles(map[string]string{HACFFile: "node node1 node2\nbcast eth1\nauto_failback on\nlogfacility daemon\n" + lines})
}
