package main

import (
	"context"
	"fmt"
	"io"

	"github.com/understudy-ha/understudy/control"
)

// runReload asks the running daemon to re-read its configuration and
// prints every problem when it refuses.
func runReload(args []string, stdout, stderr io.Writer) int {
	f := newFlags("reload", "[-s SOCKET]", "Asks the daemon to re-read its configuration. If the new files have\nerrors, they are printed and the daemon keeps running the old ones.\nExit status: 0 reloaded; 1 refused (every problem is printed) or no\ndaemon; 2 bad usage.")
	sock := f.socket()
	if code, ok := f.parse(args, stdout, stderr); !ok {
		return code
	}
	if !f.noArgs(stderr) {
		return exitUsage
	}
	if err := control.SendReload(context.Background(), *sock); err != nil {
		fmt.Fprintf(stderr, "understudy reload: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(stdout, "Configuration reloaded.")
	return exitOK
}
