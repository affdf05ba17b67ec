// Package netnstest makes scratch network namespaces for tests that need
// real interfaces: each test gets namespaces of its own, joined by veth
// pairs created directly inside them, with loopback up. Nothing is ever
// created in, or sent from, the root namespace. Addresses in tests come
// from 192.0.2.0/24 and 2001:db8::/32 only.
//
// Every helper skips the test, loudly, when not run as root, and removes
// what it made in t.Cleanup, also when the test fails.
package netnstest
