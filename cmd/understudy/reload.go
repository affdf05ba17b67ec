package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/understudy-ha/understudy/control"
)

// runReload asks the running daemon to re-read its configuration and
// prints every problem when it refuses.
func runReload(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sock := fs.String("s", defaultSocket(), "the daemon's control `socket` (default: run_dir of understudy.toml)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: understudy reload [-s SOCKET]\n\nAsks the daemon to re-read its configuration. If the new files have\nerrors, they are printed and the daemon keeps running the old ones.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "understudy reload: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if err := control.SendReload(context.Background(), *sock); err != nil {
		fmt.Fprintf(stderr, "understudy reload: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(stdout, "Configuration reloaded.")
	return exitOK
}
