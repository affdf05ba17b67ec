// Package pinger watches ha.cf's ping nodes (config.PingNode: ping,
// ping6 and ping_group) with ICMP echo requests, as heartbeat's ping
// media do, without forking ping(8).
//
// Every Interval (ha.cf's keepalive) a Pinger sends one echo request to
// every address of every ping node. A ping node is Up from the first
// reply, and Dead once Deadping (ha.cf's deadping, by default its
// deadtime) has passed without one; until one or the other it is
// Unknown. A ping_group is Up while any of its addresses answers. Every
// change comes as an Event; Snapshot gives the state of each node and
// of each of its addresses.
//
// Sockets: one raw ICMP socket per address family (IPv4, IPv6), shared
// by all the ping nodes, opened by New in the calling thread's network
// namespace. Raw rather than the unprivileged "ping" datagram sockets
// because those work only for the groups of net.ipv4.ping_group_range,
// which the kernel leaves empty by default and in every new network
// namespace, while the daemon always has CAP_NET_RAW (its ARP probe
// needs it). The kernel's ICMP filter lets only echo replies through.
//
// Replies are matched: each request carries the Pinger's random
// identifier, a round's sequence number, and as data a random token and
// the address it was sent to. A reply counts only when it bears the
// identifier and token, answers a round sent within the last Deadping,
// and comes from the very address the request went to; other programs'
// echoes, forged or late replies, and answers from another address are
// ignored.
//
// It decides nothing: comparing how many ping nodes each node reaches
// (ipfail's rule) is the cluster's. It imports config for its types only.
package pinger
