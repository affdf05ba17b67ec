// Package labtest holds what the namespace tests of package resources
// and its sub-packages share, on top of internal/netnstest.
package labtest

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/understudy-ha/understudy/internal/netnstest"
)

// Eventually polls f every few milliseconds for up to 5s and fails the
// test, naming what, if it never holds.
func Eventually(tb testing.TB, what string, f func() bool) {
	tb.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
		if f() {
			return
		}
	}
	tb.Fatalf("%s: not within 5s", what)
}

// AddV6 adds an IPv6 address (nodad) to dev in ns and waits until the
// kernel has joined its solicited-node group, which it does from
// deferred work: until then it ignores solicitations for the address.
func AddV6(tb testing.TB, ns *netnstest.NS, prefix, dev string) {
	tb.Helper()
	ns.IP(tb, "addr", "add", prefix, "dev", dev, "nodad")
	a := netip.MustParsePrefix(prefix).Addr().As16()
	group := netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 11: 0x01, 12: 0xff, 13: a[13], 14: a[14], 15: a[15]})
	Eventually(tb, "solicited-node group "+group.String()+" of "+prefix+" joined", func() bool {
		return strings.Contains(ns.IP(tb, "-6", "maddr", "show", "dev", dev), group.String()+"\n")
	})
}
