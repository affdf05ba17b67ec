#!/bin/bash
# scripts/bench/load.sh (make bench-load) -- false failovers under load
# (issue 12, goal 5; X1: "no false failovers under load"). Counts; asserts
# nothing about time.
#
# The two-node lab of scripts/lab.sh (UDP over the crossover + serial),
# node1 holding the floating address and the web server it starts. For
# each setting of BENCH_LOAD_SETTINGS (keepalive/deadtime, default
# "25ms/100ms 10ms/50ms"), both nodes run undisturbed for BENCH_LOAD_SECS
# (default 600) while stress-ng (Debian's; installed when missing)
# saturates every CPU with CPU, memory and I/O stressors: --cpu NPROC,
# --vm 2 (256 MB each), --io 1, --hdd 1 (files in the lab's temporary
# directory). stress-ng runs in a namespace of its own, so the lab's
# cleanup stops it with everything else.
#
# Counted over the run:
#   node deaths   "node node1 is dead" (or node2) lines in either log
#   link deaths   a link declared dead (no packet for deadtime on it)
#   late          "late heartbeat" warnings (warntime passed)
#   owner changes the address added on node2 or removed from node1
#                 (kernel events, `ip -ts monitor address` in both nodes)
#   client        answers from node2; outages and the longest gap the
#                 client saw (one request every 100 ms, 1 s timeout:
#                 under this load a slow reply is not a failover)
# False failovers = node deaths + owner changes; they must be zero. The
# counts are printed and appended to docs/benchmarks.md (BENCH_OUT) with
# the date, machine and load; the exit status is 3 if any setting had a
# false failover. BENCH_SMOKE=1: one setting (25ms/100ms), 3 s. Needs
# root.
set -euo pipefail
# shellcheck source=scripts/lab.sh
. "$(dirname "$0")/../lab.sh"
# shellcheck source=scripts/bench/lib.sh
. "$LAB_REPO/scripts/bench/lib.sh"

if [ "${BENCH_SMOKE:-0}" = 1 ]; then
	SECS=${BENCH_LOAD_SECS:-3} SETTINGS=${BENCH_LOAD_SETTINGS:-"25ms/100ms"}
else
	SECS=${BENCH_LOAD_SECS:-600} SETTINGS=${BENCH_LOAD_SETTINGS:-"25ms/100ms 10ms/50ms"}
fi
[ "$SECS" -ge 1 ] && [ "$SECS" -le 600 ] || lab_die "BENCH_LOAD_SECS: 1 to 600 seconds, not $SECS"
OUT=${BENCH_OUT:-$LAB_REPO/docs/benchmarks.md}

lab_require_root
lab_need_tools
lab_need_pkgs stress-ng:stress-ng
lab_say "Building"
lab_build
lab_init load
lab_create
lab_netns_add st # stress-ng's: no network, but cleaned up with the lab
LOAD_START=$(bench_load)
T0=$SECONDS
STRESS="--cpu $(nproc) --vm 2 --vm-bytes 256M --io 1 --hdd 1 --hdd-bytes 256M"

# count FILE EREGEX: lines of FILE matching EREGEX.
count() {
	local c
	c=$(grep -cE "$2" "$1" 2>/dev/null) || true
	echo "${c:-0}"
}

ROWS=() FALSE=0
for setting in $SETTINGS; do
	ka=${setting%/*} dt=${setting#*/}
	R=$LAB_DIR/r-$ka
	mkdir -p "$R" "$R/stress"
	lab_say "deadtime $dt, keepalive $ka: ${SECS}s under stress-ng $STRESS"
	lab_config "$ka" "$dt" on "node1 IPaddr2::$LAB_VIP/24/eth0 demoweb"
	lab_start 1
	lab_start 2
	if ! lab_wait_answer node1 20 || ! lab_wait_holder "$LAB_VIP" node1 10; then
		tail -n 20 "$(lab_log 1)" "$(lab_log 2)"
		lab_die "node1 did not come up alone with $LAB_VIP"
	fi
	lab_wait_quiet 1 || true
	lab_wait_quiet 2 || true
	sleep 1
	# Only what happens from here on counts.
	l1=$(wc -l <"$(lab_log 1)") l2=$(wc -l <"$(lab_log 2)")
	ip -n "$(lab_ns n1)" -ts monitor address >"$R/mon-n1" 2>&1 &
	m1=$!
	ip -n "$(lab_ns n2)" -ts monitor address >"$R/mon-n2" 2>&1 &
	m2=$!
	LAB_PIDS+=("$m1" "$m2")
	# shellcheck disable=SC2086 # STRESS is a list of options
	ip netns exec "$(lab_ns st)" stress-ng $STRESS --temp-path "$R/stress" --timeout "${SECS}s" \
		>"$R/stress.log" 2>&1 &
	st=$!
	LAB_PIDS+=("$st")
	lab_client "$LAB_BIN/demoweb" poll --url "http://$LAB_VIP/" --interval 100ms --timeout 1s \
		--duration "${SECS}s" >"$R/poll" 2>&1 &
	poll=$!
	LAB_PIDS+=("$poll")
	wait "$poll" || true
	during=$(bench_load)
	# stress-ng stops at its --timeout; give it 30 s more, then stop it.
	for _ in $(seq 300); do lab_gone "$st" 1 && break; done
	kill -TERM "$st" 2>/dev/null || true
	wait "$st" 2>/dev/null || true
	for pid in $(ip netns pids "$(lab_ns st)"); do kill -9 "$pid" 2>/dev/null || true; done
	kill "$m1" "$m2" 2>/dev/null || true
	wait "$m1" "$m2" 2>/dev/null || true
	tail -n "+$((l1 + 1))" "$(lab_log 1)" >"$R/log-n1"
	tail -n "+$((l2 + 1))" "$(lab_log 2)" >"$R/log-n2"
	holder=$(lab_holders "$LAB_VIP")
	lab_stop 2
	lab_stop 1

	cat "$R/log-n1" "$R/log-n2" >"$R/logs"
	deaths=$(count "$R/logs" 'node node[0-9]+ is dead: ') # the verdict, not its consequences
	links=$(count "$R/logs" 'kind=link .*to=dead')
	late=$(count "$R/logs" 'late heartbeat')
	vip=${LAB_VIP//./\\.}
	added=$(count "$R/mon-n2" "^\[[^]]*\] [0-9]+: eth0 +inet $vip/")
	removed=$(count "$R/mon-n1" "^\[[^]]*\] Deleted [0-9]+: eth0 +inet $vip/")
	from2=$(count "$R/poll" 'answered by node2')
	outages=$(count "$R/poll" 'no answer')
	gap=$(sed -n 's/^gap_ms=\([0-9.]*\).*/\1/p' "$R/poll")
	ok=$(sed -n 's/^gap_ms=.* ok=\([0-9]*\).*/\1/p' "$R/poll")
	nfalse=$((deaths + added + removed))
	[ "$holder" = node1 ] || nfalse=$((nfalse + 1))
	FALSE=$((FALSE + nfalse))
	stressed=$(grep -cE 'stress-ng: info: .*(successful run completed|passed)' "$R/stress.log" || true)
	lab_note "node deaths $deaths, link deaths $links, late heartbeats $late, address added on node2 $added, removed from node1 $removed, held by $holder at the end"
	lab_note "client: ${ok:-0} answers, $from2 from node2, $outages outages, longest gap ${gap:--} ms; load average at the end $during"
	[ "$stressed" -gt 0 ] || lab_note "stress-ng did not report a completed run: see $R/stress.log"
	if [ $nfalse -gt 0 ]; then
		lab_note "FALSE FAILOVERS: $nfalse (see $R/logs, $R/mon-n1, $R/mon-n2); the first verdicts:"
		grep -m 6 -E 'is dead: |returning after partition' "$R/logs" | sed 's/^/      /'
	fi
	ROWS+=("| $dt / $ka | ${SECS} s | $deaths | $links | $late | $added / $removed | $holder | ${ok:-0} / $from2 / $outages / ${gap:--} | $during | **$nfalse** |")
done

{
	bench_heading "make bench-load" "stress-ng $STRESS in the lab"
	echo "| deadtime / keepalive | duration | node declared dead | link declared dead | late heartbeats | address added on node2 / removed from node1 | holder at the end | client: answers / from node2 / outages / longest gap ms | load average at the end | false failovers |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${ROWS[@]}"
} | bench_append "$OUT"
lab_say "Appended to $OUT"
if [ "$FALSE" -gt 0 ]; then
	lab_say "FALSE FAILOVERS under load: $FALSE"
	exit 3
fi
