package control_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
)

func TestNotRunning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	_, err := control.GetStatus(bounded(t), path)
	want := "understudy is not running (no socket at " + path + ")"
	if !errors.Is(err, control.ErrNotRunning) || err.Error() != want {
		t.Errorf("no socket: %v, want %q", err, want)
	}
	old, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	old.SetUnlinkOnClose(false)
	old.Close()
	_, err = control.GetStatus(bounded(t), path)
	want = "understudy is not running (nobody answers on the socket at " + path + ")"
	if !errors.Is(err, control.ErrNotRunning) || err.Error() != want {
		t.Errorf("stale socket: %v, want %q", err, want)
	}
	if res, msg := control.Admin(bounded(t), path, cluster.CmdStandby, cluster.SetAll, time.Second, nil); res != control.ResultFailed || msg != want {
		t.Errorf("Admin on a stale socket: %v %q, want failed %q", res, msg, want)
	}
}

func TestAdminBadArguments(t *testing.T) {
	for _, tt := range []struct {
		cmd  cluster.AdminCmd
		wait time.Duration
		want string
	}{
		{cluster.AdminCmd(99), 0, "unknown admin command 99"},
		{cluster.CmdStandby, -time.Second, "wait -1s: want 0 to 10m0s"},
		{cluster.CmdStandby, control.MaxWait + time.Millisecond, "wait 10m0.001s: want 0 to 10m0s"},
	} {
		if res, msg := control.Admin(bounded(t), "/nonexistent", tt.cmd, cluster.SetAll, tt.wait, nil); res != control.ResultFailed || !strings.Contains(msg, tt.want) {
			t.Errorf("Admin(%d, wait %v) = %v %q, want failed %q", tt.cmd, tt.wait, res, msg, tt.want)
		}
	}
}

// rawServer accepts one connection and hands it to f.
func rawServer(t *testing.T, f func(net.Conn)) string {
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		f(c)
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return path
}

func TestClientBadReplies(t *testing.T) {
	tests := []struct {
		name  string
		reply func(net.Conn)
		want  string
	}{
		{"silent", func(c net.Conn) { c.Read(make([]byte, 100)); c.Read(make([]byte, 100)) }, "no reply from the daemon in time"},
		{"closes", func(c net.Conn) { c.Read(make([]byte, 100)) }, "the daemon closed the connection without a reply"},
		{"garbage", func(c net.Conn) { c.Write([]byte("<html>\n")) }, "malformed reply"},
		{"no status", func(c net.Conn) { c.Write([]byte(`{"ok":true}` + "\n")) }, "the reply has no status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := rawServer(t, tt.reply)
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			_, err := control.GetStatus(ctx, path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("GetStatus = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestParseSet(t *testing.T) {
	tests := []struct {
		word string
		want cluster.Set
		ok   bool
	}{
		{"", cluster.SetAll, true},
		{"all", cluster.SetAll, true},
		{"local", cluster.SetLocal, true},
		{"foreign", cluster.SetForeign, true},
		{"failback", cluster.SetForeign, true},
		{"none", "", false},
		{"ALL", "", false},
		{"mine", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			got, err := control.ParseSet(tt.word)
			if got != tt.want || (err == nil) != tt.ok {
				t.Errorf("ParseSet(%q) = %q, %v", tt.word, got, err)
			}
			if err != nil && (!errors.Is(err, control.ErrBadSet) || !strings.HasPrefix(err.Error(), "wrong resources("+tt.word+")")) {
				t.Errorf("ParseSet(%q) error %q", tt.word, err)
			}
		})
	}
}
