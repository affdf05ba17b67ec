package admin

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// EnvPassword and EnvFingerprint are the environment variables the
// commands read the admin password and the expected fingerprint from.
const (
	EnvPassword    = "UNDERSTUDY_PASSWORD"
	EnvFingerprint = "UNDERSTUDY_FINGERPRINT"
)

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// ReadNewPassword is how `understudy passwd` gets the new password: on
// a terminal it asks twice, without echo, on out; otherwise it reads one
// line from in. The password is checked (at least 8 characters, one
// line).
func ReadNewPassword(in *os.File, out io.Writer) (string, error) {
	if !IsTerminal(in) {
		pw, err := readLine(in)
		if err != nil {
			return "", fmt.Errorf("reading the password from standard input: %w", err)
		}
		return pw, checkPasswordText(pw)
	}
	pw, err := readHidden(in, out, "New admin password: ")
	if err != nil {
		return "", err
	}
	if err := checkPasswordText(pw); err != nil {
		return "", err
	}
	again, err := readHidden(in, out, "Again: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("the two passwords differ: nothing changed")
	}
	return pw, nil
}

// ClientPassword is the admin password for a command with --host: env
// (the value of UNDERSTUDY_PASSWORD) if set, else asked once without
// echo when in is a terminal.
func ClientPassword(env string, in *os.File, out io.Writer) (string, error) {
	if env != "" {
		return env, nil
	}
	if !IsTerminal(in) {
		return "", fmt.Errorf("no admin password: set %s, or run the command on a terminal", EnvPassword)
	}
	return readHidden(in, out, "Admin password: ")
}

// TerminalAsk returns a Trust.Ask that asks the operator on the terminal
// in whether to trust an unknown certificate, or nil when in is not a
// terminal (then an unknown certificate is refused).
func TerminalAsk(in *os.File, out io.Writer) func(addr, fingerprint string) (bool, error) {
	if !IsTerminal(in) {
		return nil
	}
	return func(addr, fp string) (bool, error) {
		fmt.Fprintf(out, "The admin port %s is not known on this machine. Its certificate has the SHA-256 fingerprint\n  %s\n"+
			"Compare it with what 'understudy status' shows on that node.\nTrust it and remember it? [y/N] ", addr, fp)
		ans, err := readLine(in)
		if err != nil {
			return false, err
		}
		ans = strings.ToLower(strings.TrimSpace(ans))
		return ans == "y" || ans == "yes", nil
	}
}

// readLine reads one line from f, byte by byte so that nothing after it
// is consumed, without its line end.
func readLine(f io.Reader) (string, error) {
	var b []byte
	var c [1]byte
	for len(b) <= maxPassword+2 {
		n, err := f.Read(c[:])
		if n == 1 {
			if c[0] == '\n' {
				return strings.TrimSuffix(string(b), "\r"), nil
			}
			b = append(b, c[0])
		}
		if err == io.EOF && len(b) > 0 {
			return strings.TrimSuffix(string(b), "\r"), nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", errors.New("line too long")
}

// readHidden prints prompt and reads a line from the terminal in with
// echo off, restoring the terminal afterwards.
func readHidden(in *os.File, out io.Writer, prompt string) (string, error) {
	fd := int(in.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", fmt.Errorf("terminal: %w", err)
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return "", fmt.Errorf("terminal: %w", err)
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	fmt.Fprint(out, prompt)
	pw, err := readLine(in)
	fmt.Fprintln(out)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	return pw, nil
}
