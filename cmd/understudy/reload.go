package main

import (
	"context"
	"fmt"
	"io"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/control"
)

// runReload asks the running daemon to re-read its configuration and
// prints every problem when it refuses.
func runReload(args []string, stdout, stderr io.Writer) int {
	f := newFlags("reload", "[-s SOCKET | --host HOST[:PORT] [--fingerprint FP]]", "Asks the daemon to re-read its configuration (and the admin password).\nIf the new files have errors, they are printed and the daemon keeps\nrunning the old ones. Exit status: 0 reloaded; 1 refused (every problem\nis printed) or no daemon; 2 bad usage; 4 the login to the admin port\nfailed."+remoteHelp)
	sock := f.socket()
	remote := f.remote()
	if code, ok := f.parse(args, stdout, stderr); !ok {
		return code
	}
	viaHost, ok := remote.on("reload", stderr)
	if !ok || !f.noArgs(stderr) {
		return exitUsage
	}
	if viaHost {
		if code := remoteReload(remote, stderr); code != exitOK {
			return code
		}
	} else if err := control.SendReload(context.Background(), *sock); err != nil {
		fmt.Fprintf(stderr, "understudy reload: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(stdout, "Configuration reloaded.")
	return exitOK
}

// remoteReload asks --host to reload; a refusal's problems go to stderr.
func remoteReload(remote remoteFlags, stderr io.Writer) int {
	d, err := newDialer(stderr)
	if err != nil {
		return remoteFailed("reload", err, stderr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*admin.DefaultClientTimeout)
	defer cancel()
	c, err := remote.login(ctx, d)
	if err != nil {
		return remoteFailed("reload", err, stderr)
	}
	defer c.Close()
	a, err := c.Command(ctx, admin.Command{Name: admin.CmdReload})
	if err == nil {
		err = a.Err()
	}
	if err != nil {
		fmt.Fprintf(stderr, "understudy reload: %v\n", err)
		return exitFail
	}
	return exitOK
}
