// Package install tests what an administrator gets from "make install" on
// a clean Debian machine, end to end and as root:
//
//   - install_test.go: "make install DESTDIR=..." puts every file where
//     README.md says (binary, man pages, the /etc/ha.d samples with
//     authkeys mode 600, the resource scripts, the init script, the
//     systemd unit, the bash and zsh completion, heartbeat's
//     cl_status/hb_standby/hb_takeover as links),
//     a second install keeps the administrator's /etc/ha.d, an installed
//     heartbeat's cl_status is left alone, and "make uninstall" removes
//     everything but /etc/ha.d.
//   - initd_test.go: the installed samples, adjusted by a script the way
//     README.md's steps say, and the installed init script bring the
//     installed daemon up in network, mount and UTS namespaces of the
//     test's own (start, status, understudy status, cl_status, reload,
//     restart, stop, and start with a broken ha.cf exits 6 naming the
//     file and line).
//
// Nothing is written to the machine's own /etc, /run, /var or /usr, and
// the root network namespace is not touched: make runs in a copy of the
// source tree (so bin/ of the checkout is not raced by other builds), the
// daemon runs inside "ip netns exec" + "unshare -m -u" with the installed
// tree and temporary directories mounted over /etc/ha.d, /etc/default,
// /usr/local/sbin, /run and /var/lib in that private mount namespace only.
//
// Without root, or without ip/unshare/nsenter/make, the tests skip loudly.
package install
