package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The completion files make install installs.
var (
	bashCompletion = filepath.Join("..", "..", "scripts", "completion", "understudy.bash")
	zshCompletion  = filepath.Join("..", "..", "scripts", "completion", "_understudy")
)

// commandOptions are the options a command's -h lists, without their
// dashes, --help included.
func commandOptions(t *testing.T, name string) []string {
	t.Helper()
	_, out, errs := runSub(run, name, "-h")
	opts := []string{"help"}
	for _, line := range strings.Split(out+errs, "\n") {
		if f := strings.Fields(line); strings.HasPrefix(line, "  -") && f[0] != "-h," {
			opts = append(opts, strings.TrimLeft(f[0], "-"))
		}
	}
	slices.Sort(opts)
	return opts
}

// completionOptions reads, per command, the options a completion file
// offers: the words of a bash `cmd) opts="..."` line, or the option specs
// of a zsh `cmd) _arguments` block.
func completionOptions(t *testing.T, path string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	got := map[string][]string{}
	add := func(cmds string, opts []string) {
		for _, c := range strings.Split(cmds, "|") {
			got[strings.TrimSpace(c)] = opts
		}
	}
	if filepath.Ext(path) == ".bash" {
		for _, m := range regexp.MustCompile(`(?m)^\t([a-z| ]+)\) opts="([^"]*)"`).FindAllStringSubmatch(text, -1) {
			var opts []string
			for _, o := range strings.Fields(m[2]) {
				opts = append(opts, strings.TrimLeft(o, "-"))
			}
			add(m[1], opts)
		}
	} else {
		block := regexp.MustCompile(`(?ms)^\t([a-z| ]+)\) _arguments(.*?);;`)
		spec := regexp.MustCompile(`'(?:\([^)]*\))?-{1,2}([a-z-]+)\[`)
		for _, m := range block.FindAllStringSubmatch(text, -1) {
			var opts []string
			for _, o := range spec.FindAllStringSubmatch(m[2], -1) {
				opts = append(opts, o[1])
			}
			add(m[1], opts)
		}
	}
	for c := range got {
		slices.Sort(got[c])
	}
	return got
}

// TestCompletionFiles: the bash and zsh completions know every command
// and exactly the options each command's help lists.
func TestCompletionFiles(t *testing.T) {
	for _, path := range []string{bashCompletion, zshCompletion} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range commands {
			if !strings.Contains(string(b), c.name) {
				t.Errorf("%s does not complete the command %s", path, c.name)
			}
		}
		got := completionOptions(t, path)
		for _, c := range commands {
			if c.name == "version" {
				continue
			}
			if want := commandOptions(t, c.name); !slices.Equal(got[c.name], want) {
				t.Errorf("%s offers %s %q; its help lists %q", path, c.name, got[c.name], want)
			}
		}
	}
	for shell, path := range map[string]string{"bash": bashCompletion, "zsh": zshCompletion} {
		if _, err := exec.LookPath(shell); err != nil {
			t.Logf("SKIPPING the syntax check of %s: %s is not installed", path, shell)
			continue
		}
		if out, err := exec.Command(shell, "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s -n %s: %v\n%s", shell, path, err, out)
		}
	}
}

// TestBashCompletion runs the bash completion function on command lines.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("SKIPPING: bash is not installed")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "capture.pcap"), nil, 0o644)
	tests := []struct {
		line string // the word being completed is the last, "" for a new one
		want string
	}{
		{"understudy st", "status standby"},
		{"understudy --v", "--version"},
		{"understudy standby l", "local"},
		{"understudy takeover ", "all local foreign failback"},
		{"understudy status --", "--json --cluster --host --fingerprint --help"},
		{"understudy --host 192.0.2.11 st", "status standby"},
		{"understudy --host 192.0.2.11 --fingerprint AB:CD log --l", "--level"},
		{"understudy log --level w", "warn"},
		{"understudy pa", "passwd"},
		{"understudy m", "move maintenance"},
		{"understudy maintenance ", "on off"},
		{"understudy move --w", "--wait"},
		{"understudy clear --", "--host --fingerprint --help"},
		{"understudy standby --w", "--wait"},
		{"understudy check -", "-c --node --json --help"},
		{"understudy help ta", "takeover"},
		{"understudy daemon --no", "--node --no-watch"},
		{"understudy decode " + dir + "/cap", dir + "/capture.pcap"},
		{"understudy check -c " + dir, dir},
		{"understudy standby --wait ", ""},
		{"understudy bogus ", ""},
	}
	for _, tt := range tests {
		words := strings.Split(tt.line, " ")
		script := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _understudy; printf '%s\n' "${COMPREPLY[@]}"`
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := exec.CommandContext(ctx, bash, append([]string{"--norc", "--noprofile", "-c", script, "bash", bashCompletion}, words...)...).CombinedOutput()
		cancel()
		if got := strings.Join(strings.Fields(string(out)), " "); err != nil || got != tt.want {
			t.Errorf("%q: %q (%v), want %q", tt.line, got, err, tt.want)
		}
	}
}
