// Package interop holds the interoperability tests against the real
// Linux-HA heartbeat 3.0.6 (Debian package heartbeat): the daemon runs in
// scratch network, mount and UTS namespaces exactly as in the lab of
// shared/design/heartbeat-spec.md section 8, and the test talks to it
// over a veth pair (bcast and ucast) and a pseudo terminal (serial) with
// Understudy's codec.
//
// The tests need root; they skip loudly without it, and install the
// heartbeat package with apt-get if it is missing (or skip loudly when
// that fails). Addresses come from 192.0.2.0/24 only; everything created
// is removed in t.Cleanup, processes by PID.
package interop
