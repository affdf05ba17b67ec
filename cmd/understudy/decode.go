package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/understudy-ha/understudy/internal/capture"
)

func runDecode(args []string, stdout, stderr io.Writer) int {
	f := newFlags("decode", "[-c DIR] [--port PORT] [--json] FILE|-", `Decodes and verifies heartbeat messages in a pcap or pcapng capture
(tcpdump -w, Wireshark, dumpcap) or in a raw serial byte stream (">>>" ...
"<<<" frames), with DIR's authkeys. Replays and duplicates are judged per
sender across the capture, as a node judges them.
Exit status: 0 every message verified (duplicates allowed), 1 some message
failed (bad key, bad digest, no signature, malformed, replay) or there was
no heartbeat message, 2 could not run (usage, authkeys, a file that is no
capture).`)
	dir := f.confDir()
	asJSON := f.Bool("json", false, "print everything as one JSON document")
	port := f.Int("port", 0, "judge only UDP datagrams from or to `PORT`, all of them; without --port, every UDP payload that looks like a heartbeat message")
	if code, ok := f.parse(args, stdout, stderr); !ok {
		return code
	}

	if f.NArg() != 1 {
		fmt.Fprintln(stderr, "understudy decode: give one capture FILE, or - for standard input")
		f.usage(stderr)
		return exitUsage
	}
	if *port < 0 || *port > 65535 {
		fmt.Fprintf(stderr, "understudy decode: --port %d is not a UDP port\n", *port)
		return exitUsage
	}
	keys, err := capture.LoadKeys(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "understudy decode: %v\n", err)
		return exitUsage
	}
	name, in := f.Arg(0), io.Reader(os.Stdin)
	if name == "-" {
		name = "(standard input)"
	} else {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "understudy decode: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		in = f
	}
	rep, err := capture.Read(in, capture.Options{Keys: keys, Port: *port})
	if err != nil {
		fmt.Fprintf(stderr, "understudy decode: %s: %v\n", name, err)
		return exitUsage
	}
	rep.Input = name
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "understudy decode: %v\n", err)
			return exitUsage
		}
	} else {
		rep.WriteText(stdout)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(stderr, "understudy decode: %s: warning: %s\n", name, w)
	}
	if !rep.OK {
		return exitFail
	}
	return exitOK
}
