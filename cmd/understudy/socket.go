package main

import (
	"io"
	"os"
	"path/filepath"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/hbcompat"
)

// Environment variables that point the commands at another daemon.
const (
	envSocket = "UNDERSTUDY_SOCKET" // the control socket
	envHADir  = "UNDERSTUDY_HA_DIR" // the configuration directory
)

// haDir is the configuration directory the commands read.
func haDir() string {
	if d := os.Getenv(envHADir); d != "" {
		return d
	}
	return config.DefaultDir
}

// defaultSocket is where the daemon listens: $UNDERSTUDY_SOCKET, else
// run_dir of understudy.toml (the daemon reads the same file), else
// control.DefaultSocket.
func defaultSocket() string {
	if s := os.Getenv(envSocket); s != "" {
		return s
	}
	if s, d := config.LoadSettings(haDir()); !d.HasErrors() {
		return filepath.Join(s.Paths.RunDir, control.SocketName)
	}
	return control.DefaultSocket
}

// hbEnv is what heartbeat's commands take from the environment: the
// socket as for every command, and $UNDERSTUDY_HA_DIR if set (else
// cl_status reads the directory the daemon reports).
func hbEnv(stdout, stderr io.Writer) hbcompat.Env {
	return hbcompat.Env{Socket: defaultSocket(), Dir: os.Getenv(envHADir), Stdout: stdout, Stderr: stderr}
}
