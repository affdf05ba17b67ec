// Package preflight holds the checks a node runs on its own machine
// before it starts, and again before it accepts a reload: the checks of
// a configuration that the files alone cannot settle. The daemon refuses
// to start (exit 6) or to reload when one fails, and `understudy check`
// runs the very same ones, so that check never calls usable what the
// daemon then refuses.
//
// The checks, each named by a Check:
//
//   - NodeName: this node's name is a node of ha.cf.
//   - Media: every interface a medium names exists; every serial device
//     exists and is a character device.
//   - Peers: every ucast peer written as a name resolves to an address of
//     its family.
//   - NodeAddresses: no floating address is a node's address (an address
//     a node name resolves to, or a ucast peer).
//   - LocalAddresses: no floating address is an address of this machine,
//     and each has an interface to go on: the interface its resource
//     names, or one whose connected route covers it.
//
// The machine is read through the small Machine interface (interfaces
// and their addresses, connected routes, stat, a resolver), so that the
// checks are table-tested against a fake machine; System is the real
// one, read through netlink.
//
// A floating address this node holds already looks like an address of
// the machine: after a daemon restart it is still on its interface (the
// daemon adopts it), and at a reload the groups this node runs are up.
// Such an address is not taken for the machine's own when it is an IPv4
// secondary address or an IPv6 address added without duplicate address
// detection (how Understudy adds them), when it is a primary IPv4 address
// on the very interface its resource names, or when it is a floating
// address of the configuration in force (Options.Running, at a reload).
package preflight
