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
		corpus="$dir/testdata/fuzz/$target"
		before=$(ls "$corpus" 2>/dev/null | wc -l)
		if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg" >/tmp/fuzz.$$.log 2>&1; then
			after=$(ls "$corpus" 2>/dev/null | wc -l)
			# Go 1.26's fuzz coordinator can report its own -fuzztime
			# deadline as a failure (golang/go#75804, fixed in Go 1.27):
			# "context deadline exceeded" and no failing input written.
			# That is not a finding; anything else is.
			if [ "$after" = "$before" ] && grep -q '^    context deadline exceeded$' /tmp/fuzz.$$.log &&
				! grep -q 'Failing input written' /tmp/fuzz.$$.log; then
				echo "fuzz $pkg $target: ran $FUZZTIME; Go's fuzz coordinator tripped on its own deadline (golang/go#75804), no failing input: not a finding"
			else
				cat /tmp/fuzz.$$.log; rm -f /tmp/fuzz.$$.log; exit 1
			fi
		fi
		n=$((n + 1))
	done
done
rm -f /tmp/fuzz.$$.log
echo "fuzz: $n targets, $FUZZTIME each, no failures"
