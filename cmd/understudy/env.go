package main

import (
	"io"
	"os"
	"path/filepath"

	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/control/hbcompat"
)

// The environment variables every command honours, the same way
// (understudy(8) ENVIRONMENT); the init script exports them to the
// commands it runs, and the systemd unit reads them from
// /etc/default/understudy.
const (
	// envHADir is the configuration directory: the default of -c, and
	// where the other commands find understudy.toml (for the socket)
	// and cl_status finds ha.cf.
	envHADir = "UNDERSTUDY_HA_DIR"
	// envSocket is the daemon's control socket: the default of -s, and
	// the socket of cl_status, hb_standby and hb_takeover.
	envSocket = "UNDERSTUDY_SOCKET"
)

// haDir is the configuration directory: $UNDERSTUDY_HA_DIR, else
// /etc/ha.d.
func haDir() string {
	if d := os.Getenv(envHADir); d != "" {
		return d
	}
	return config.DefaultDir
}

// defaultSocket is where the daemon listens: $UNDERSTUDY_SOCKET, else
// run_dir of understudy.toml in haDir (the daemon reads the same file),
// else control.DefaultSocket.
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
