package control_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/controltest"
)

func TestListenMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "understudy", "s.sock")
	ln, err := control.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a socket with 0600", st.Mode())
	}
	ln.Close()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file left after Close: %v", err)
	}
}

func TestListenReplacesStaleSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	// A daemon that crashed leaves its socket file behind.
	old, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	old.SetUnlinkOnClose(false)
	old.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("stale socket not in place: %v", err)
	}
	ln, err := control.Listen(path)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	b := &controltest.Backend{St: controltest.Sample()}
	done := make(chan error, 1)
	go func() { done <- control.Serve(t.Context(), ln, b, nil) }()
	t.Cleanup(func() {
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	if _, err := control.GetStatus(bounded(t), path); err != nil {
		t.Errorf("new socket does not answer: %v", err)
	}
}

func TestListenRefusesLiveDaemon(t *testing.T) {
	b := &controltest.Backend{St: controltest.Sample()}
	path := controltest.Serve(t, &control.Server{Backend: b})
	ln, err := control.Listen(path)
	if err == nil {
		ln.Close()
		t.Fatal("Listen succeeded on a live daemon's socket")
	}
	if !errors.Is(err, control.ErrRunning) || !strings.Contains(err.Error(), "another daemon is running") {
		t.Errorf("Listen error = %v, want ErrRunning", err)
	}
	if _, err := control.GetStatus(bounded(t), path); err != nil {
		t.Errorf("the live daemon stopped answering: %v", err)
	}
}

func TestListenRefusesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ln, err := control.Listen(path); err == nil || !strings.Contains(err.Error(), "exists and is not a socket") {
		if ln != nil {
			ln.Close()
		}
		t.Errorf("Listen over a regular file: %v", err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "keep me" {
		t.Errorf("the file was touched: %q, %v", b, err)
	}
}

func TestPeerCred(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cred, err := control.PeerCred(s)
	if err != nil {
		t.Fatal(err)
	}
	if cred.UID != os.Getuid() || cred.PID != os.Getpid() {
		t.Errorf("PeerCred = %+v, want uid %d pid %d", cred, os.Getuid(), os.Getpid())
	}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if _, err := control.PeerCred(a); err == nil {
		t.Error("PeerCred of a pipe succeeded")
	}
}
