// Package neigh announces floating addresses to the neighbours of a link
// and probes whether another host already holds one.
//
// It has three layers, as mdlayher/arp does (packet / client):
//   - pure byte builders and parsers (arp.go, ndp.go): ARP bodies for
//     gratuitous ARP and RFC 5227 probes; ICMPv6 neighbour
//     advertisements, the whole IPv6 packet of a duplicate address
//     detection probe (RFC 4862: a solicitation from ::, which the IPv6
//     stack would not send for us), and ParseND, which reads
//     solicitations and advertisements with RFC 4861's validity checks;
//     tested against golden bytes and fuzzed;
//   - sockets, on golang.org/x/sys/unix only: Conn (conn_linux.go), an
//     AF_PACKET SOCK_DGRAM socket that sends ARP and the IPv6 probes and
//     a raw ICMPv6 socket for advertisements; and the Prober's receiving
//     sockets (listen_linux.go), opened once, whose BPF filter drops
//     every frame while nothing is being probed;
//   - Announcer (announce.go), which repeats announcements on a schedule
//     from one background goroutine, and Prober (probe.go), behind
//     package resources' split-brain guard: a Watch probes some addresses
//     of one link, repeats its probes, collects claims, and gives a
//     Verdict as soon as it has evidence no older than twice the probe
//     time; ProbeAll is a watch used once.
//
// Why the daemon sends these itself: the kernel does not announce an
// address when it is added (no GARP on add, even with arp_notify=1; no NA
// for a NODAD IPv6 address), see DEPENDENCIES.md §4. Linux treats an ARP
// reply as gratuitous only when THA == SHA, so both the request form
// (THA = 0) and the reply form (THA = SHA) are sent. IPv6 addresses are
// added with IFA_F_NODAD (package ipaddr), so the kernel's own duplicate
// address detection neither delays them nor can see a duplicate; the
// Prober's probe, sent before the address is added, does the latter.
//
// The package never logs except through the *slog.Logger it is given, and
// it never decides anything: what to do when a probe finds an address in
// use, or cannot run, is the caller's business (resources.Guard).
package neigh
