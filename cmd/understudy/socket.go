package main

import (
	"os"
	"path/filepath"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
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
