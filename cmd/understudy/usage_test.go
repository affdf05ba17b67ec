package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// helpCommands are the commands whose options go through newFlags.
var helpCommands = []string{"check", "daemon", "decode", "status", "standby", "takeover", "reload", "log", "passwd"}

var optionName = regexp.MustCompile(`^-{1,2}[a-z][a-z-]*$`)

// synopsisOptions are the options of a usage line, as spelled there.
func synopsisOptions(line string) []string {
	var opts []string
	for _, w := range strings.Fields(strings.NewReplacer("[", " ", "]", " ", "|", " ").Replace(line)) {
		if optionName.MatchString(w) {
			opts = append(opts, w)
		}
	}
	slices.Sort(opts)
	return opts
}

// helpOptions are the options the help lists, as spelled there (-h and
// --help aside).
func helpOptions(help string) []string {
	var opts []string
	_, list, _ := strings.Cut(help, "\noptions:\n")
	for _, line := range strings.Split(list, "\n") {
		if w := strings.Fields(line); len(line) > 2 && line[2] == '-' && len(w) > 0 && w[0] != "-h," {
			opts = append(opts, w[0])
		}
	}
	slices.Sort(opts)
	return opts
}

// TestCommandHelp: -h and --help print on stdout and exit 0; the options
// listed are those of the usage line, spelled the same (issue 13: usage
// said --json where -h listed -json).
func TestCommandHelp(t *testing.T) {
	for _, name := range helpCommands {
		for _, h := range []string{"-h", "--help", "-help"} {
			code, out, errs := runSub(run, name, h)
			if code != exitOK || errs != "" || !strings.HasPrefix(out, "usage: understudy "+name+" ") {
				t.Errorf("understudy %s %s: exit %d, stdout %q, stderr %q", name, h, code, out, errs)
				continue
			}
			first, _, _ := strings.Cut(out, "\n")
			if syn, listed := synopsisOptions(first), helpOptions(out); len(syn) == 0 || !slices.Equal(syn, listed) {
				t.Errorf("understudy %s %s: usage line has %q, option list %q:\n%s", name, h, syn, listed, out)
			}
			_, opts, _ := strings.Cut(out, "\noptions:\n")
			if flat := strings.Join(strings.Fields(opts), " "); strings.Count(flat, "default") > strings.Count(flat, "(default ") {
				t.Errorf("understudy %s %s: \"default\" outside the default notes:\n%s", name, h, out)
			}
		}
		// help COMMAND is the same.
		want, _, _ := strings.Cut(func() string { _, o, _ := runSub(run, name, "-h"); return o }(), "\n")
		if code, out, _ := runSub(run, "help", name); code != exitOK || !strings.HasPrefix(out, want+"\n") {
			t.Errorf("understudy help %s: exit %d, stdout %q", name, code, out)
		}
	}
}

// A bad option: the error and the usage on stderr, exit 2.
func TestBadOption(t *testing.T) {
	for _, name := range helpCommands {
		code, out, errs := runSub(run, name, "--bogus")
		if code != exitUsage || out != "" || !strings.HasPrefix(errs, "flag provided but not defined: -bogus\nusage: understudy "+name+" ") {
			t.Errorf("understudy %s --bogus: exit %d, stdout %q, stderr %q", name, code, out, errs)
		}
	}
}

func TestTopLevel(t *testing.T) {
	tests := []struct {
		args      []string
		code      int
		out, errs string // prefixes
	}{
		{nil, exitUsage, "", "usage: understudy COMMAND"},
		{[]string{"-h"}, exitOK, "usage: understudy COMMAND", ""},
		{[]string{"--help"}, exitOK, "usage: understudy COMMAND", ""},
		{[]string{"help"}, exitOK, "usage: understudy COMMAND", ""},
		{[]string{"help", "takeover"}, exitOK, "usage: understudy takeover [-s SOCKET | --host HOST[:PORT]", ""},
		{[]string{"help", "bogus"}, exitUsage, "", "understudy help: unknown command \"bogus\"\nusage: understudy COMMAND"},
		{[]string{"version"}, exitOK, "understudy dev\n", ""},
		{[]string{"--version"}, exitOK, "understudy dev\n", ""},
		{[]string{"--bogus"}, exitUsage, "", "understudy: unknown command \"--bogus\"\nusage: understudy COMMAND"},
		{[]string{"stats"}, exitUsage, "", "understudy: unknown command \"stats\"\nusage: understudy COMMAND"},
	}
	for _, tt := range tests {
		code, out, errs := runSub(run, tt.args...)
		if code != tt.code || !strings.HasPrefix(out, tt.out) || !strings.HasPrefix(errs, tt.errs) || (tt.out == "") != (out == "") || (tt.errs == "") != (errs == "") {
			t.Errorf("understudy %q: exit %d, stdout %q, stderr %q; want %d, %q..., %q...", tt.args, code, out, errs, tt.code, tt.out, tt.errs)
		}
	}
	// The list names every command.
	_, out, _ := runSub(run, "help")
	for _, c := range commands {
		if !strings.Contains(out, "\n  "+c.name+" ") {
			t.Errorf("help does not list %s:\n%s", c.name, out)
		}
	}
}
