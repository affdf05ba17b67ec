// Package interop holds the interoperability tests against the real
// Linux-HA heartbeat 3.0.6 (Debian package heartbeat): the daemon runs in
// scratch network, mount and UTS namespaces exactly as in the lab of
// shared/design/heartbeat-spec.md section 8, and the test talks to it
// over a veth pair (bcast and ucast) and a pseudo terminal (serial) with
// Understudy's codec.
//
// The mixed-cluster tests (TestMixedCluster, TestMixedStory) make one
// cluster of the real heartbeat (node1) and the understudy daemon
// (node2, built by TestMain, or UNDERSTUDY_BIN) sharing heartbeat's ha.cf,
// haresources and authkeys; each node is a namespace plugged into a
// bridge, so either can lose power (every process killed by PID, its
// interface deleted) and boot again. They assert on who runs which group
// (the address on hb0 and the test script's state), both logs and
// heartbeat's cl_status. Set INTEROP_LOGS=1 to print the logs of passing
// cases too, INTEROP_KEEP=DIR to keep every node's files, and
// INTEROP_STORY_MEDIUM=MEDIUM to run the stories on that medium only
// (by default each runs on bcast/crc, ucast/sha1, mcast/md5 and
// serial/sha1).
// Without -parallel, TestMain runs six cases at once.
//
// The tests need root; they skip loudly without it, and install the
// heartbeat package with apt-get if it is missing (or skip loudly when
// that fails). Addresses come from 192.0.2.0/24 only; everything created
// is removed in t.Cleanup, processes by PID.
package interop
