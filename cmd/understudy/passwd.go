package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/understudy-ha/understudy/admin"
)

// runPasswd sets the admin password.
func runPasswd(args []string, stdout, stderr io.Writer) int {
	f := newFlags("passwd", "[-c DIR]", `Sets the password of the admin port (understudy-admin(7)): asked twice
on a terminal, else read as one line from standard input; at least 8
characters. It is kept as a salted argon2id hash in DIR/understudy.passwd,
mode 600, replacing the one before. Copy the file to every node (like
authkeys) and run understudy reload there: the daemons read it again and
end every admin session. Exit status: 0 set; 1 not set (the reason is on
stderr); 2 bad usage.`)
	dir := f.confDir()
	if code, ok := f.parse(args, stdout, stderr); !ok {
		return code
	}
	if !f.noArgs(stderr) {
		return exitUsage
	}
	pw, err := admin.ReadNewPassword(os.Stdin, stderr)
	if err == nil {
		err = admin.SetPassword(*dir, pw)
	}
	if err != nil {
		fmt.Fprintf(stderr, "understudy passwd: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "Admin password set in %s.\nCopy it to every node, then run understudy reload on each.\n", filepath.Join(*dir, admin.PasswdFile))
	return exitOK
}
