package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/logging"
)

// exitLogin: the command could not log in to the admin port of --host
// (wrong password, a certificate not trusted, too many failures).
const exitLogin = 4

// remoteHelp ends the help of every command that takes --host.
const remoteHelp = `

With --host the command talks to that node's admin port (understudy-
admin(7)) instead of the local socket; the password comes from
$UNDERSTUDY_PASSWORD or is asked on the terminal, and the node's
certificate is checked with --fingerprint, $UNDERSTUDY_FINGERPRINT, the
CA of [admin] ca or the known hosts file. Exit status 4: the login
failed (wrong password, certificate not trusted, too many failures).`

// remoteFlags are --host and --fingerprint.
type remoteFlags struct{ host, fingerprint *string }

// remote adds --host and --fingerprint.
func (f *cmdFlags) remote() remoteFlags {
	return remoteFlags{
		host:        f.String("host", "", "talk to the admin port of `HOST[:PORT]` (port 9050 if none is given) instead of the local socket"),
		fingerprint: f.String("fingerprint", "", "with --host: the SHA-256 fingerprint `FP` the node's certificate must have (default $"+admin.EnvFingerprint+")"),
	}
}

// on reports whether --host was given; --fingerprint alone is a usage
// error, reported here.
func (r remoteFlags) on(name string, stderr io.Writer) (on, ok bool) {
	if *r.host == "" && *r.fingerprint != "" {
		fmt.Fprintf(stderr, "understudy %s: --fingerprint goes with --host\n", name)
		return false, false
	}
	return *r.host != "", true
}

// login logs in to --host with d's password: its certificate checked by
// --fingerprint or $UNDERSTUDY_FINGERPRINT, else [admin] ca, else the
// known hosts file.
func (r remoteFlags) login(ctx context.Context, d *dialer) (*admin.Client, error) {
	return d.dial(ctx, *r.host, cmp.Or(*r.fingerprint, os.Getenv(admin.EnvFingerprint)))
}

// remoteFailed reports an admin port error and returns the exit status:
// exitLogin for a login that failed, exitFail otherwise.
func remoteFailed(name string, err error, stderr io.Writer) int {
	msg := err.Error()
	if errors.Is(err, admin.ErrWrongPassword) {
		msg += " (the admin password, from $" + admin.EnvPassword + " or the terminal, is not the one set with understudy passwd)"
	}
	fmt.Fprintf(stderr, "understudy %s: %s\n", name, msg)
	if loginError(err) {
		return exitLogin
	}
	return exitFail
}

// loginError reports whether err means the login failed, rather than
// the node or the network.
func loginError(err error) bool {
	var (
		unknown  *admin.UnknownHostError
		mismatch *admin.MismatchError
		limited  *admin.LimitedError
		remote   *admin.RemoteError
	)
	switch {
	case errors.Is(err, admin.ErrWrongPassword), errors.As(err, &unknown), errors.As(err, &mismatch), errors.As(err, &limited):
		return true
	case errors.As(err, &remote):
		return remote.Code == "limit" || remote.Code == "auth"
	}
	return strings.Contains(err.Error(), "no admin password: set "+admin.EnvPassword)
}

// localSettings are the [admin] settings of this machine's
// understudy.toml, if it has a readable one ([admin] ca checks the
// nodes' certificates).
func localSettings() config.AdminSettings {
	s, d := config.LoadSettings(haDir())
	if d.HasErrors() {
		return config.DefaultAdminSettings()
	}
	return s.Admin
}

// globalRemote moves the options written before the command
// (`understudy --host H --fingerprint FP status`) after it, where the
// command reads them. Nothing else is taken from before the command.
func globalRemote(args []string) []string {
	var lead []string
	for len(args) > 0 {
		a := args[0]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || (name != "host" && name != "fingerprint") {
			break
		}
		if hasVal {
			lead, args = append(lead, "--"+name+"="+val), args[1:]
			continue
		}
		if len(args) < 2 {
			return append(lead, args...) // the command is missing: usage
		}
		lead, args = append(lead, "--"+name, args[1]), args[2:]
	}
	if len(lead) == 0 || len(args) == 0 {
		return append(lead, args...)
	}
	return append(append([]string{args[0]}, lead...), args[1:]...)
}

// localLog is the local daemon's log, through its control socket, as an
// admin.LogReader.
type localLog string

func (s localLog) Log(ctx context.Context, q admin.LogQuery) ([]logging.Record, error) {
	return control.GetLog(ctx, string(s), control.LogQuery{N: q.N, Since: q.Since, Level: q.Level, Text: q.Text,
		After: q.After, WaitMS: q.Wait.Milliseconds()})
}
