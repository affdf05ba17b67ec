#!/bin/sh
# Runs every Go fuzz target of the module for $FUZZTIME (default 3s) each.
# Crashers are written to the package's testdata/fuzz/ by go test; commit
# them as regression cases.
set -eu
FUZZTIME=${FUZZTIME:-3s}
n=0
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	ls "$dir"/*_test.go >/dev/null 2>&1 || continue
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go | sed 's/^func //'); do
		echo "fuzz $pkg $target for $FUZZTIME"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg" >/tmp/fuzz.$$.log 2>&1 || {
			cat /tmp/fuzz.$$.log; rm -f /tmp/fuzz.$$.log; exit 1; }
		n=$((n + 1))
	done
done
rm -f /tmp/fuzz.$$.log
echo "fuzz: $n targets, $FUZZTIME each, no failures"
