// Package ipaddr adds and removes floating IP addresses (heartbeat's
// IPaddr, IPaddr2 and bare-IP resources) through netlink, without a fork
// per address.
//
// Manager is desired-state, one address at a time: Hold makes an address
// present and Release makes it absent, each from any starting state and
// each idempotent. An address already on its interface when Hold is
// called (a daemon restart) is adopted and reported as such, not added
// again. (Hold uses an exclusive add and takes EEXIST as "already there", rather than
// AddrReplace after a dump of all addresses: that dump made a 128-address
// takeover five times slower.)
//
// A takeover pays one system call per address: where each address goes
// (interface, prefix length) is resolved ahead (Prepare, Lookup) and
// kept in a cache that a netlink subscription to link and route changes
// invalidates (Watch, cache.go); Hold adds through a netlink socket of
// its own with a request buffer that is reused (nladd_linux.go), and
// resolves again if the kernel says a cached interface is gone.
//
// Every method names the ip(8) command it is equivalent to. The Manager
// holds a *netlink.Handle, so tests bind it to a scratch namespace with
// netlink.NewHandleAt.
//
// Two kernel traps are handled here (DEPENDENCIES.md §3): IPv6 addresses
// get IFA_F_NODAD, or they stay tentative for a second or two and cannot
// be announced; and deleting the primary IPv4 address of a subnet removes
// every secondary of that subnet unless promote_secondaries is set, so
// Release sets it on the interface first when that situation arises.
//
// This package does not announce addresses or probe for them; see
// package neigh.
package ipaddr
