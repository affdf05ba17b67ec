// Package integration runs real understudy daemons in a two-node lab made
// of network namespaces: the same lab as scripts/lab.sh (a bridge for the
// LAN 192.0.2.0/24 with node1 .1, node2 .2 and a client .10, the floating
// address 192.0.2.100, a crossover veth 198.51.100.1 <-> .2 for UDP
// heartbeats and a pty null-modem cable), rebuilt in Go for each test and
// torn down in t.Cleanup, also when the test fails.
//
// The tests check behaviour -- which node holds the address (ip addr), who
// answers HTTP on it, what the logs say -- with generous polling bounds,
// never tight timings; scripts/bench.sh measures timings.
//
// They need root and build cmd/understudy and internal/demoweb in TestMain;
// without either they skip, saying why. Run them with
//
//	go test -count=1 ./test/integration/
//
// (as root). Each test's daemon logs are printed when it fails.
// UNDERSTUDY_BIN=/path/to/understudy tests that binary instead of building
// one.
package integration
