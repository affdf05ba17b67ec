package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// cmdFlags is one command's options and help: -h prints the usage line,
// the description and every option, spelled as the usage line spells
// them (-s, --json), on standard output.
type cmdFlags struct {
	*flag.FlagSet
	name     string
	synopsis string // what follows "understudy NAME" in the usage line
	about    string // the description, exit status included
}

func newFlags(name, synopsis, about string) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {} // parse prints the usage itself, where it belongs
	return &cmdFlags{FlagSet: fs, name: name, synopsis: synopsis, about: about}
}

// parse reads the options. When it returns false the command is over
// with the code it returns: 0 after help on stdout (-h, --help), 2 after
// a bad option, reported on stderr with the usage.
func (f *cmdFlags) parse(args []string, stdout, stderr io.Writer) (int, bool) {
	f.SetOutput(stderr)
	err := f.Parse(args)
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		f.usage(stdout)
		return exitOK, false
	}
	f.usage(stderr)
	return exitUsage, false
}

// usage prints the usage line, the description and the options.
func (f *cmdFlags) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: understudy %s %s\n\n%s\n", f.name, f.synopsis, f.about)
	var opts []string
	f.VisitAll(func(fl *flag.Flag) { opts = append(opts, optionLine(fl)) })
	if len(opts) > 0 {
		fmt.Fprintf(w, "\noptions:\n%s", strings.Join(opts, ""))
	}
	fmt.Fprintln(w, "  -h, --help          print this help")
}

// optionLine is one option of the help: the name as the usage line
// writes it (one dash for one letter, two otherwise), its argument in
// capitals, what it does, and its default when it has one.
func optionLine(fl *flag.Flag) string {
	arg, text := flag.UnquoteUsage(fl)
	name := "--" + fl.Name
	if len(fl.Name) == 1 {
		name = "-" + fl.Name
	}
	if arg != "" {
		name += " " + strings.ToUpper(arg)
	}
	if d := fl.DefValue; d != "" && d != "false" && d != "0" {
		text += " (default " + d + ")"
	}
	return fmt.Sprintf("  %-19s %s\n", name, wrap(text, 78-22, strings.Repeat(" ", 22)))
}

// wrap breaks text into lines of at most width columns (a longer word
// stays whole), each line after the first starting with indent.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(text) {
		switch {
		case i == 0:
		case n+1+len(w) > width:
			b.WriteString("\n" + indent)
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// socket adds -s, the daemon's control socket.
func (f *cmdFlags) socket() *string {
	return f.String("s", defaultSocket(), "talk to the daemon on `SOCKET`; without -s, on $"+envSocket+" if set, else on the socket in run_dir of understudy.toml")
}

// confDir adds -c, the configuration directory.
func (f *cmdFlags) confDir() *string {
	return f.String("c", haDir(), "read the configuration from `DIR`; without -c, from $"+envHADir+" if set")
}

// noArgs reports a stray argument; it returns false if there is one.
func (f *cmdFlags) noArgs(stderr io.Writer) bool {
	if f.NArg() > 0 {
		fmt.Fprintf(stderr, "understudy %s: unexpected argument %q\n", f.name, f.Arg(0))
		return false
	}
	return true
}
