#!/bin/sh
# Runs every Go fuzz target of the module for $FUZZTIME (default 3s) each.
# Crashers are written to the package's testdata/fuzz/ by go test; commit
# them as regression cases.
#
# FUZZ_SKIP lists targets left out (default: FuzzCluster). FuzzCluster
# is not a parser but a search for event interleavings in a simulated
# cluster; a few seconds of it are a lottery, so make test replays its
# corpus (every input it ever failed on) in the unit step and the search
# itself runs on its own: make fuzz-cluster (10 minutes).
set -eu
FUZZTIME=${FUZZTIME:-3s}
FUZZ_SKIP=${FUZZ_SKIP-FuzzCluster}
n=0
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	ls "$dir"/*_test.go >/dev/null 2>&1 || continue
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go | sed 's/^func //'); do
		case " $FUZZ_SKIP " in *" $target "*) echo "fuzz $pkg $target: skipped (FUZZ_SKIP; its corpus ran in the unit tests)"; continue ;; esac
		echo "fuzz $pkg $target for $FUZZTIME"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg" >/tmp/fuzz.$$.log 2>&1 || {
			cat /tmp/fuzz.$$.log; rm -f /tmp/fuzz.$$.log; exit 1; }
		n=$((n + 1))
	done
done
rm -f /tmp/fuzz.$$.log
echo "fuzz: $n targets, $FUZZTIME each, no failures"
