// Package neigh announces floating addresses to the neighbours of a link
// and probes whether another host already holds one.
//
// It has three layers, as mdlayher/arp does (packet / client):
//   - pure byte builders and a parser (arp.go, ndp.go): ARP bodies for
//     gratuitous ARP and RFC 5227 probes, and ICMPv6 neighbour
//     advertisements, tested against golden bytes;
//   - Conn (conn_linux.go): an AF_PACKET SOCK_DGRAM socket for ARP and a
//     raw ICMPv6 socket for NA, on golang.org/x/sys/unix only;
//   - Announcer (announce.go), which repeats announcements on a schedule
//     in the background, and Prober (probe_linux.go), the ARP probe
//     behind package resources' split-brain guard.
//
// Why the daemon sends these itself: the kernel does not announce an
// address when it is added (no GARP on add, even with arp_notify=1; no NA
// for a NODAD IPv6 address), see DEPENDENCIES.md §4. Linux treats an ARP
// reply as gratuitous only when THA == SHA, so both the request form
// (THA = 0) and the reply form (THA = SHA) are sent.
//
// The package never logs except through the *slog.Logger it is given, and
// it never decides anything: what to do when a probe finds an address in
// use, or cannot run, is the caller's business (resources.Guard).
package neigh
