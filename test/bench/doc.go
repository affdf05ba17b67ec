// Package bench holds the smoke test of the benchmark harness: make bench
// (scripts/bench.sh), make bench-scale (scripts/bench/scale.sh) and make
// bench-load (scripts/bench/load.sh), each run once with BENCH_SMOKE=1
// (one setting, one run, a second of idle, a few seconds of load) into a
// temporary file instead of docs/benchmarks.md.
//
// The test proves the harness runs, cleans up and writes tables with
// figures in them; it never asserts what a figure is: the machine that
// runs make test is noisy, and timings belong to make bench. It needs
// root (network namespaces) and skips, saying so, without it. Run it with
//
//	go test -count=1 -v ./test/bench/
package bench
