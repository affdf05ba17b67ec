// Command demoweb is the demo's web service and the client that watches
// it, used by scripts/demo.sh, scripts/bench.sh and test/integration.
//
//	demoweb serve --listen 0.0.0.0:80 --name node1
//	demoweb poll --url http://192.0.2.100/ --interval 10ms --duration 20s [--until-name node2 | --until-not node1] [--linger 1s]
//
// serve answers every request with "hello from NAME". poll asks once per
// interval, each request on a fresh connection with a short timeout, prints
// a line whenever the answering node changes or the service fails or comes
// back, and at exit prints the longest gap between two good replies (the
// outage a user saw) as a final machine-readable line:
//
//	gap_ms=212.4 from=node1 to=node2 ok=1830 failed=17
//
// Standard library only; everything it does is bounded in time.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(args[1:], stdout, stderr)
	case "poll":
		return runPoll(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "demoweb: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `usage:
  demoweb serve --listen ADDR --name NAME
  demoweb poll --url URL [--interval 10ms] [--timeout 50ms] [--duration 30s]
              [--until-name NAME | --until-not NAME] [--linger DURATION]`)
}
