package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/internal/pcap"
)

// The judging itself is tested in internal/capture; these tests cover
// the command: flags, input, output and exit status.

// decodeKeysDir is a configuration directory holding only the lab's
// authkeys (spec 8.2): decode needs nothing else.
func decodeKeysDir(t *testing.T, mode os.FileMode) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "authkeys"), []byte("auth 1\n1 sha1 labsecret\n2 md5 labsecret\n3 crc\n"), mode); err != nil {
		t.Fatal(err)
	}
	return dir
}

func decodeRun(args ...string) (int, string, string) {
	return runCmd(append([]string{"decode"}, args...)...)
}

// decodeFile writes b to a file and returns its path.
func decodeFile(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "capture")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDecodeExitStatus(t *testing.T) {
	dir := decodeKeysDir(t, 0o600)
	serial, err := os.ReadFile(filepath.Join("..", "..", "transport", "codec", "testdata", "spec-4.11-serial-status-sha1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var dns bytes.Buffer
	w, _ := pcap.NewNgWriter(&dns, pcap.Header{LinkType: pcap.LinkRaw})
	w.Write(time.Unix(0, 0), []byte{0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17})
	var link228 bytes.Buffer
	w2, _ := pcap.NewWriter(&link228, pcap.Header{LinkType: 228})
	w2.Write(time.Unix(0, 0), []byte{0x45})
	for _, c := range []struct {
		name      string
		in        []byte
		code      int
		out, errs string
	}{
		{"verified", serial, exitOK, "summary: 1 message: 1 ok (all verified)", ""},
		{"tampered", bytes.Replace(serial, []byte("st=up"), []byte("st=UP"), 1), exitFail, "(1 failed verification)", ""},
		{"no heartbeat message", dns.Bytes(), exitFail, "(no heartbeat message found)", "warning: no heartbeat message found"},
		{"empty file", nil, exitUsage, "", "neither a pcap or pcapng capture nor a heartbeat serial stream: the input is empty"},
		{"random bytes", []byte("\x8f\x13\x00\xfe\x99 binary\x01 junk\n"), exitUsage, "", "starts with the bytes 8f 13 00 fe"},
		{"link type not read", link228.Bytes(), exitUsage, "", "link type"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := decodeRun("-c", dir, decodeFile(t, c.in))
			if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errs, c.errs) {
				t.Errorf("exit %d, want %d\nstdout %q, want %q\nstderr %q, want %q", code, c.code, out, c.out, errs, c.errs)
			}
			if c.code == exitUsage && out != "" {
				t.Errorf("an unreadable input printed %q", out)
			}
		})
	}
	code, out, _ := decodeRun("-c", dir, "--json", decodeFile(t, serial))
	var rep struct {
		Kind     string `json:"kind"`
		OK       bool   `json:"ok"`
		Messages []struct {
			Verdict string `json:"verdict"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK || rep.Kind != "serial" || !rep.OK || len(rep.Messages) != 1 || rep.Messages[0].Verdict != "ok" {
		t.Errorf("--json: exit %d, %+v %v\n%s", code, rep, err, out)
	}
}

func TestDecodeStdin(t *testing.T) {
	dir := decodeKeysDir(t, 0o600)
	serial, err := os.Open(filepath.Join("..", "..", "transport", "codec", "testdata", "spec-4.11-serial-status-sha1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = serial
	t.Cleanup(func() { os.Stdin = old; serial.Close() })
	code, out, errs := decodeRun("-c", dir, "-")
	if code != exitOK || !strings.Contains(out, "summary: 1 message: 1 ok (all verified)") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
}

func TestDecodeUsage(t *testing.T) {
	dir := decodeKeysDir(t, 0o600)
	loose := decodeKeysDir(t, 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-c", dir}, "give one capture FILE"},
		{[]string{"-c", dir, "a", "b"}, "give one capture FILE"},
		{[]string{"-c", dir, "--port", "70000", "x"}, "not a UDP port"},
		{[]string{"-c", dir, filepath.Join(dir, "nonexistent")}, "no such file"},
		{[]string{"-c", t.TempDir(), "x"}, "authkeys"},
		{[]string{"-c", loose, "x"}, "too open"},
	} {
		code, _, errs := decodeRun(c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
	if code, _, _ := decodeRun("-h"); code != exitOK {
		t.Errorf("-h: exit %d", code)
	}
}
