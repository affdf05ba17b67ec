package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestOneErrorPerMistake replays each cascade of issue 13: a mistake is
// reported once, where it is, and nothing that follows from it is.
func TestOneErrorPerMistake(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		diags []string
	}{
		{"auth index out of range", map[string]string{AuthkeysFile: "auth 16\n1 sha1 0123456789abcdef\n"},
			[]string{"E1 invalid auth line: key index \"16\" is not a number from 0 to 15"}},
		{"key without its secret", map[string]string{AuthkeysFile: "auth 1\n1 sha1\n"},
			[]string{"E2 method sha1 of key 1 requires a secret"}},
		{"key line with an unreadable index", map[string]string{AuthkeysFile: "auth 1\nl sha1 0123456789abcdef\n"},
			[]string{"E2 invalid key index \"l\""}},
		{"bad ucast6 is the only medium", map[string]string{HACFFile: "node node1 node2\nucast6 eth0 zz\nauto_failback on\nlogfacility daemon\n"},
			[]string{"E2 ucast6: \"zz\" is not an IPv6 address"}},
		{"misspelt medium", map[string]string{HACFFile: "node node1 node2\nbcats eth0\nauto_failback on\nlogfacility daemon\n"},
			[]string{"E2 unknown directive \"bcats\": did you mean \"bcast\"?"}},
		{"bad node line", map[string]string{HACFFile: "node node1 node/2\nbcast eth0\nauto_failback on\nlogfacility daemon\n",
			HaresourcesFile: "node2 192.0.2.10\n"},
			[]string{"E1 node name \"node/2\" is not a host name"}},
		{"misspelt node directive", map[string]string{HACFFile: "nodes node1 node2\nbcast eth0\nauto_failback on\nlogfacility daemon\n"},
			[]string{"E1 unknown directive \"nodes\": did you mean \"node\"?"}},
		{"mistyped IPv6 address", map[string]string{HaresourcesFile: "node1 2001:db8::zz/64\n"},
			[]string{"E1 resource \"2001:db8::zz/64\": \"2001:db8::zz\" is not a valid IPv6 address"}},
		{"a line's other mistakes are reported too", map[string]string{HaresourcesFile: "node3 IPaddr::x 192.0.2.10\nnode1 192.0.2.10\n"},
			[]string{"E1 resource \"IPaddr::x\"", "E1 names node \"node3\", which is not a node of ha.cf",
				"E2 address 192.0.2.10 is already a resource of group IPaddr::x (line 1)"}},
		{"a bad node name is not also an unknown node", map[string]string{HaresourcesFile: "no/de 192.0.2.10\n"},
			[]string{"E1 \"no/de\" is not a node name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, withFiles(tc.files))
			_, d := Load(dir)
			expectDiags(t, relDiags(dir, d), tc.diags...)
		})
	}
}

// TestWeakSecrets: a key anyone can guess is a warning on its line.
func TestWeakSecrets(t *testing.T) {
	for _, tc := range []struct{ text, diag string }{
		{"auth 1\n1 sha1 x\n", "W2 the secret of key 1 is 1 byte long: a secret under 16 bytes can be guessed offline"},
		{"auth 1\n1 md5 0123456789abcde\n", "W2 the secret of key 1 is 15 bytes long"},
		{"auth 1\n1 sha1 0123456789abcdef\n", ""},
		{"auth 1\n1 sha1 " + SampleSecret + "\n", "W2 key 1 uses the sample's secret \"ReplaceThisSecretBeforeUse\""},
		// a key that only verifies is as good a way in as the signing one
		{"auth 1\n1 sha1 0123456789abcdef\n2 sha1 short\n", "W3 the secret of key 2 is 5 bytes long"},
	} {
		_, d := authOf(tc.text)
		if tc.diag == "" {
			expectDiags(t, d)
		} else {
			expectDiags(t, d, tc.diag)
		}
	}
}

// TestTextEncodings: a byte order mark and CRLF line endings, in any of
// the files, are named as such, once per file, and the file still reads.
func TestTextEncodings(t *testing.T) {
	bom := "\ufeff"
	crlf := func(s string) string {
		out := ""
		for _, l := range splitLines(s) {
			out += l + "\r\n"
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		diags []string
	}{
		{"BOM in ha.cf", map[string]string{HACFFile: bom + goodFiles[HACFFile]},
			[]string{"W1 starts with a UTF-8 byte order mark (BOM)"}},
		{"BOM in haresources", map[string]string{HaresourcesFile: bom + goodFiles[HaresourcesFile]},
			[]string{"W1 byte order mark"}},
		{"BOM in authkeys", map[string]string{AuthkeysFile: bom + goodFiles[AuthkeysFile]}, []string{"W1 byte order mark"}},
		{"BOM in understudy.toml", map[string]string{SettingsFile: bom + "[ip]\ngarp_count = 3\n"}, []string{"W1 byte order mark"}},
		{"CRLF in haresources", map[string]string{HaresourcesFile: "node1 192.0.2.10 web\n" + crlf("node2 IPaddr2::192.0.2.11/24/eth0\n")},
			[]string{"W2 Windows (CRLF) line endings, from this line on: heartbeat's scripts read the carriage return"}},
		{"CRLF in ha.cf", map[string]string{HACFFile: crlf(goodFiles[HACFFile])}, []string{"W1 Windows (CRLF)"}},
		{"CRLF in authkeys", map[string]string{AuthkeysFile: crlf(goodFiles[AuthkeysFile])}, []string{"W1 Windows (CRLF)"}},
		{"CRLF in understudy.toml", map[string]string{SettingsFile: crlf("[ip]\ngarp_count = 3\n")}, []string{"W1 Windows (CRLF)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, withFiles(tc.files))
			cfg, d := Load(dir)
			expectDiags(t, relDiags(dir, d), tc.diags...)
			if len(cfg.Nodes) != 2 || len(cfg.Groups) != 2 || cfg.Auth.Active != 1 {
				t.Errorf("the file did not read: %+v", cfg)
			}
		})
	}
}

func TestEmptyHaresources(t *testing.T) {
	for _, text := range []string{"", "# nothing yet\n\n"} {
		dir := writeDir(t, withFiles(map[string]string{HaresourcesFile: text}))
		// withFiles drops empty files: write it again.
		os.WriteFile(filepath.Join(dir, HaresourcesFile), []byte(text), 0o644)
		_, d := Load(dir)
		expectDiags(t, relDiags(dir, d), "W0 no resource groups: the cluster will manage nothing")
	}
}

// TestDidYouMean: a near miss of a directive, method or key name gets a
// suggestion; a word that is no near miss gets none.
func TestDidYouMean(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		diags []string
	}{
		{"transposed letters", map[string]string{HACFFile: goodFiles[HACFFile] + "keepalvie 2\n"},
			[]string{"E7 unknown directive \"keepalvie\": did you mean \"keepalive\"?"}},
		{"one letter missing", map[string]string{HACFFile: goodFiles[HACFFile] + "auto_failbak on\n"},
			[]string{"E7 did you mean \"auto_failback\"?"}},
		{"no near miss", map[string]string{HACFFile: goodFiles[HACFFile] + "frobnicate 1\n"},
			[]string{"E7 unknown directive \"frobnicate\": see ha.cf(5)"}},
		{"auth method", map[string]string{AuthkeysFile: "auth 1\n1 shal 0123456789abcdef\n"},
			[]string{"E2 unknown method \"shal\" for key 1: allowed are crc, md5, sha1 and sha256: did you mean \"sha1\"?"}},
		{"toml key", map[string]string{SettingsFile: "[ip]\ngarp_cuont = 3\n"},
			[]string{"E2 unknown key \"ip.garp_cuont\": did you mean \"ip.garp_count\"?"}},
		{"toml table", map[string]string{SettingsFile: "[resource]\ntimeout = \"10s\"\n"},
			[]string{"E1 unknown table \"resource\": did you mean \"resources\"?"}},
		{"toml key in the wrong table", map[string]string{SettingsFile: "[ip]\nrun_dir = \"/run/x\"\n"},
			[]string{"E2 unknown key \"ip.run_dir\": did you mean \"paths.run_dir\"?"}},
		// timeout is in [resources] and [fence]: no single guess.
		{"toml key of two other tables", map[string]string{SettingsFile: "[ip]\ntimeout = \"10s\"\n"},
			[]string{"E2 unknown key \"ip.timeout\": see understudy.toml(5)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, withFiles(tc.files))
			_, d := Load(dir)
			expectDiags(t, relDiags(dir, d), tc.diags...)
		})
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{
		{"keepalvie", "keepalive", 1}, {"keepalive", "keepalive", 0}, {"", "abc", 3},
		{"bcats", "bcast", 1}, {"deadtiem", "deadtime", 1}, {"node", "mode", 1}, {"ca", "abc", 3},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
	for _, tc := range []struct{ name, want string }{
		{"keepalvie", "keepalive"}, {"nod", "node"}, {"udpprt", "udpport"}, {"baub", "baud"},
		{"ab", ""},         // too short to guess
		{"nxdx", ""},       // two edits from node, which is too many for four letters
		{"crm_daemon", ""}, // four edits from crm_daemon_dir
	} {
		if got, _ := nearest(tc.name, directiveNames); got != tc.want {
			t.Errorf("nearest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestFileKinds: what is not a regular file says what it is, with its
// mode as ls -l prints it; a dangling symbolic link says so.
func TestFileKinds(t *testing.T) {
	t.Run("dangling authkeys link", func(t *testing.T) {
		dir := writeDir(t, withFiles(map[string]string{AuthkeysFile: ""}))
		if err := os.Symlink("/nonexistent/authkeys", filepath.Join(dir, AuthkeysFile)); err != nil {
			t.Fatal(err)
		}
		_, d := Load(dir)
		expectDiags(t, relDiags(dir, d), "E0 is a dangling symbolic link: it points to /nonexistent/authkeys, which does not exist")
	})
	t.Run("dangling optional file", func(t *testing.T) {
		dir := writeDir(t, goodFiles)
		os.Symlink("gone.toml", filepath.Join(dir, SettingsFile))
		_, d := Load(dir)
		expectDiags(t, relDiags(dir, d), "E0 is a dangling symbolic link: it points to gone.toml")
	})
	t.Run("haresources is a directory", func(t *testing.T) {
		dir := writeDir(t, withFiles(map[string]string{HaresourcesFile: ""}))
		os.Mkdir(filepath.Join(dir, HaresourcesFile), 0o700)
		os.Chmod(filepath.Join(dir, HaresourcesFile), 0o750)
		_, d := Load(dir)
		expectDiags(t, relDiags(dir, d), "E0 is a directory (drwxr-x---), not a regular file")
	})
}

func TestLsMode(t *testing.T) {
	for _, tc := range []struct {
		m    fs.FileMode
		want string
	}{
		{0o600, "-rw-------"},
		{0o644, "-rw-r--r--"},
		{fs.ModeDir | 0o755, "drwxr-xr-x"},
		{fs.ModeDir, "d---------"},
		{fs.ModeDevice | fs.ModeCharDevice | 0o660, "crw-rw----"},
		{fs.ModeDevice | 0o660, "brw-rw----"},
		{fs.ModeSymlink | 0o777, "lrwxrwxrwx"},
		{fs.ModeNamedPipe | 0o644, "prw-r--r--"},
		{fs.ModeSocket | 0o755, "srwxr-xr-x"},
		{fs.ModeSetuid | 0o755, "-rwsr-xr-x"},
		{fs.ModeSetuid | 0o644, "-rwSr--r--"},
		{fs.ModeSetgid | 0o2755&0o777, "-rwxr-sr-x"},
		{fs.ModeDir | fs.ModeSticky | 0o777, "drwxrwxrwt"},
		{fs.ModeDir | fs.ModeSticky | 0o776, "drwxrwxrwT"},
	} {
		if got := LsMode(tc.m); got != tc.want {
			t.Errorf("LsMode(%v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}
