package admin

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/understudy-ha/understudy/internal/ptytest"
)

// terminal opens a pty: the slave is the command's terminal, the test
// types on the master.
func terminal(t *testing.T) (tty, master *os.File) {
	p := ptytest.Open(t)
	tty, err := os.OpenFile(p.Slave, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("cannot open the pty: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty, p.Master
}

// typeLines writes each line on the terminal after a pause: the
// terminal's echo is turned off when the prompt is printed.
func typeLines(master *os.File, lines ...string) {
	go func() {
		for _, l := range lines {
			time.Sleep(50 * time.Millisecond)
			master.Write([]byte(l + "\n"))
		}
	}()
}

func TestReadNewPasswordTerminal(t *testing.T) {
	tty, master := terminal(t)
	if !IsTerminal(tty) {
		t.Fatal("pty is not a terminal")
	}
	var out bytes.Buffer
	typeLines(master, "correct horse", "correct horse")
	pw, err := ReadNewPassword(tty, &out)
	if err != nil || pw != "correct horse" {
		t.Fatalf("got %q %v", pw, err)
	}
	if !strings.Contains(out.String(), "New admin password: ") || !strings.Contains(out.String(), "Again: ") {
		t.Errorf("prompts: %q", out.String())
	}
	// Echo is back on afterwards.
	tio, _ := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if tio.Lflag&unix.ECHO == 0 {
		t.Error("echo left off")
	}
	typeLines(master, "correct horse", "correct hoarse")
	if _, err := ReadNewPassword(tty, io.Discard); err == nil || !strings.Contains(err.Error(), "differ") {
		t.Errorf("mismatch: %v", err)
	}
	typeLines(master, "short")
	if _, err := ReadNewPassword(tty, io.Discard); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Errorf("short: %v", err)
	}
	typeLines(master, "y")
	ask := TerminalAsk(tty, &out)
	if yes, err := ask("192.0.2.11:9050", "AB:CD"); !yes || err != nil {
		t.Errorf("ask: %v %v", yes, err)
	}
	typeLines(master, "")
	if pw, err := ClientPassword("", tty, io.Discard); err != nil || pw != "" {
		t.Errorf("client password: %q %v", pw, err)
	}
}

func TestReadNewPasswordPipe(t *testing.T) {
	r, w, _ := os.Pipe()
	defer r.Close()
	w.Write([]byte("from a script\r\nnext line\n"))
	w.Close()
	pw, err := ReadNewPassword(r, io.Discard)
	if err != nil || pw != "from a script" {
		t.Fatalf("got %q %v", pw, err)
	}
	if TerminalAsk(r, io.Discard) != nil {
		t.Error("a pipe is asked")
	}
	if _, err := ClientPassword("", r, io.Discard); err == nil || !strings.Contains(err.Error(), EnvPassword) {
		t.Errorf("no password: %v", err)
	}
	if pw, _ := ClientPassword("env pw", r, io.Discard); pw != "env pw" {
		t.Error("env")
	}
	r2, w2, _ := os.Pipe()
	defer r2.Close()
	w2.Close()
	if _, err := ReadNewPassword(r2, io.Discard); err == nil {
		t.Error("empty input accepted")
	}
}
