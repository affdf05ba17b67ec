// Package deb tests the Debian package "make deb" builds, as root: it is
// installed with dpkg into a throwaway root directory (dpkg --root, the
// maintainer scripts run chrootless with DPKG_ROOT), alone and beside a
// stand-in for Debian's heartbeat package installed before or after it;
// the installed binary runs; removal and purge leave nothing behind.
//
// Nothing is written to the machine's own /etc, /usr or /var: make runs
// in a copy of the source tree, and every dpkg run happens in a private
// mount namespace in which the machine's root file system is read-only
// and only the throwaway root and a scratch directory are writable, so a
// maintainer script that forgot DPKG_ROOT fails instead of touching the
// machine.
//
// Without root, or without dpkg, dpkg-deb, unshare, mount, chroot, make
// or tar, the test skips loudly.
package deb
