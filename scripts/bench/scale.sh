#!/bin/bash
# scripts/bench/scale.sh (make bench-scale) -- how Understudy's cost grows
# with nodes and with groups (issue 12, goal 4). Reports numbers; asserts
# nothing about time.
#
# The lab is lab_create_lan of scripts/lab.sh: up to 16 nodes in network
# namespaces on one LAN bridge, node N at 192.0.2.N, the client at .250,
# heartbeats on the LAN only (no crossover, no serial cable), keepalive and
# deadtime BENCH_SCALE_SETTING (default 50ms/200ms).
#
# 1. Clusters of BENCH_SCALE_NODES nodes (default "2 4 8 16"), heartbeats
#    broadcast and then unicast to every node: node N owns one group, the
#    address 192.0.2.(100+N), and every node runs the web server outside
#    the cluster (the address moves, the service is already there). Idle
#    CPU per node (utime + stime from /proc, over BENCH_IDLE_SECS, default
#    30, scaled to 60 s) and RSS; then BENCH_N times (default 3) node1
#    powers off while the client polls 192.0.2.101: the gap from node1's
#    last reply to the first reply of whichever node took the group over.
#    node1 boots again and takes it back (auto_failback on).
# 2. Two nodes, node1 owning BENCH_SCALE_GROUPS groups (default "1 16
#    128") of one address each (192.0.2.101, ...), unicast: idle CPU and
#    RSS of both nodes, then BENCH_N power-offs of node1 with `ip -ts
#    monitor address` in node2's namespace: the kernel's times from the
#    power-off to the last address added and from the first to the last;
#    and the client's gap on the last address.
#
# A figure whose median grows between two sizes by more than 1.25 times
# the ratio of the sizes is flagged "faster than linear". The idle CPU per
# node is expected to grow with the number of peers it hears (all-to-all
# heartbeats: linear per node); the failover gap should not grow at all.
#
# Results are appended to docs/benchmarks.md (BENCH_OUT) with the date,
# machine and load. BENCH_SMOKE=1: 2 nodes (bcast only; ucast too with
# BENCH_SCALE_LINKS), 2 groups, one run, 1 s of idle. Needs root.
# shellcheck disable=SC2086 # lists of node numbers are split on purpose
set -euo pipefail
# shellcheck source=scripts/lab.sh
. "$(dirname "$0")/../lab.sh"
# shellcheck source=scripts/bench/lib.sh
. "$LAB_REPO/scripts/bench/lib.sh"

if [ "${BENCH_SMOKE:-0}" = 1 ]; then
	N=${BENCH_N:-1} IDLE=${BENCH_IDLE_SECS:-1}
	SIZES=${BENCH_SCALE_NODES:-2} GROUPS_LIST=${BENCH_SCALE_GROUPS:-2}
	LINKS=${BENCH_SCALE_LINKS:-bcast}
else
	N=${BENCH_N:-3} IDLE=${BENCH_IDLE_SECS:-30}
	SIZES=${BENCH_SCALE_NODES:-"2 4 8 16"} GROUPS_LIST=${BENCH_SCALE_GROUPS:-"1 16 128"}
	LINKS=${BENCH_SCALE_LINKS:-"bcast ucast"}
fi
SETTING=${BENCH_SCALE_SETTING:-50ms/200ms}
KA=${SETTING%/*} DT=${SETTING#*/}
OUT=${BENCH_OUT:-$LAB_REPO/docs/benchmarks.md}
MAXN=2
for k in $SIZES; do
	[ "$k" -ge 2 ] && [ "$k" -le 16 ] || lab_die "BENCH_SCALE_NODES: 2 to 16 nodes, not $k"
	[ "$k" -gt "$MAXN" ] && MAXN=$k
done
for g in $GROUPS_LIST; do
	[ "$g" -ge 1 ] && [ "$g" -le 128 ] || lab_die "BENCH_SCALE_GROUPS: 1 to 128 groups, not $g"
done

lab_require_root
lab_need_tools
lab_say "Building"
lab_build
lab_init scale
lab_create_lan "$MAXN"
LOAD_START=$(bench_load)
T0=$SECONDS

# use K: the cluster is nodes 1..K (the others stay dark).
use() { LAB_NODES=$(seq -s ' ' "$1"); }

# up ADDR: start every node's daemon, wait until node1 serves ADDR alone
# and every node is quiet.
up() {
	local n
	for n in $LAB_NODES; do lab_start "$n"; done
	if ! lab_wait_answer node1 30 "$1" || ! lab_wait_holder "$1" node1 15; then
		tail -n 20 "$(lab_log 1)" "$(lab_log 2)"
		lab_die "node1 did not come up alone with $1 (held by: $(lab_holders "$1"))"
	fi
	quiet_all 30 $LAB_NODES
}

# quiet_all SECONDS N...: wait until the nodes are all quiet, SECONDS at
# most in all (a cluster that keeps changing its mind is reported, not
# waited for forever).
quiet_all() {
	local end=$((SECONDS + $1)) n
	shift
	for n in "$@"; do
		until lab_wait_quiet "$n" 1; do
			if [ $SECONDS -ge $end ]; then
				lab_note "node$n is not quiet after $1 s; going on"
				return 0
			fi
		done
	done
}

# verdicts: how many "node X is dead" verdicts the cluster's logs hold.
verdicts() {
	local n sum=0 c
	for n in $LAB_NODES; do
		c=$(grep -c 'is dead: ' "$(lab_log "$n")" 2>/dev/null) || true
		sum=$((sum + ${c:-0}))
	done
	echo $sum
}

# down: stop every daemon (SIGTERM to all at once, then as lab_stop) and
# web server.
down() {
	local n pid
	for n in $LAB_NODES; do
		pid=${LAB_DAEMON_PID[$n]:-}
		[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
	done
	for n in $LAB_NODES; do lab_stop "$n"; done
	for n in $LAB_NODES; do lab_web_stop "$n"; done
	lab_assert_empty $LAB_NODES
}

# failover ADDR OUT: node1 powers off while the client polls ADDR (poller
# output OUT); POWER_OFF is when (ms since midnight). Then node1 boots and
# takes ADDR back. GAP is the gap, or empty if the client saw no failover.
failover() {
	local addr=$1 out=$2 n
	# node1 must be serving when the run starts.
	lab_wait_answer node1 10 "$addr" || lab_note "node1 does not answer on $addr before the power-off"
	bench_poll "$out" "http://$addr/" --duration 20s --until-not node1
	bench_poll_ready "$out" node1 || lab_note "the client has no answer from node1 before the power-off"
	POWER_OFF=$(date +%T.%N | bench_ms_of)
	lab_power_off 1
	wait "$BENCH_POLL_PID" || true
	GAP=$(bench_gap "$out" node1 "*")
	[ -n "$GAP" ] || lab_keep # the logs say why
	quiet_all 20 ${LAB_NODES#1 }
	lab_power_on 1
	lab_web_start 1
	lab_start 1
	if ! lab_wait_holder "$addr" node1 20; then
		tail -n 20 "$(lab_log 1)" "$(lab_log 2)"
		lab_die "node1 did not take $addr back (held by: $(lab_holders "$addr"))"
	fi
	quiet_all 20 $LAB_NODES
	sleep 0.3
}

# idle_summary PREFIX: "CPU median (min-max)|RSS MB median" over the
# nodes' idle results PREFIX-nN.
idle_summary() {
	local n
	for n in $LAB_NODES; do cut -d' ' -f1 "$1-n$n"; done >"$1-cpu"
	for n in $LAB_NODES; do awk '{printf "%.1f\n", $2 / 1024}' "$1-n$n"; done >"$1-rss"
	echo "$(bench_stats "$1-cpu")|$(bench_median "$1-rss" | awk '{printf "%.1f", $1}')"
}

# grows SIZE-FILE: reads "SIZE VALUE" lines (consecutive sizes of one
# series) and prints, for each size after the first, "faster than linear"
# when VALUE grew by more than 1.25 times the sizes' ratio, else nothing.
grows() {
	awk 'NR > 1 && $2 != "" && pv > 0 && ($2 / pv) > 1.25 * ($1 / ps) {
		printf "%s: %s -> %s (x%.1f for x%.1f)\n", $1, pv, $2, $2 / pv, $1 / ps }
		$2 != "" {ps = $1; pv = $2}' "$1"
}

ROWS=() FLAGS=()
for links in $LINKS; do
	: >"$LAB_DIR/series-cpu-$links" && : >"$LAB_DIR/series-gap-$links"
	for k in $SIZES; do
		use "$k"
		R=$LAB_DIR/c-$links-$k
		mkdir -p "$R"
		lab_say "$k nodes, $links, keepalive $KA, deadtime $DT: idle ${IDLE}s, then $N power-offs of node1 (load $(bench_load))"
		load=$(bench_load)
		group=""
		for n in $LAB_NODES; do group="${group}node$n IPaddr2::192.0.2.$((100 + n))/24/eth0"$'\n'; done
		lab_config_lan "$KA" "$DT" on "$group" "$links"
		for n in $LAB_NODES; do lab_web_start "$n"; done
		up 192.0.2.101
		sleep 1
		v0=$(verdicts)
		bench_idle bench_us_pids "$IDLE" "$R/idle"
		dead=$(($(verdicts) - v0))
		IFS='|' read -r cpu rss <<<"$(idle_summary "$R/idle")"
		lab_note "idle CPU per node, ms per 60 s: $cpu; RSS per node (median): $rss MB; dead verdicts meanwhile: $dead"
		: >"$R/gap"
		for i in $(seq "$N"); do
			failover 192.0.2.101 "$R/poll-$i"
			if [ -n "$GAP" ]; then
				echo "$GAP" >>"$R/gap"
				lab_note "run $i: gap $GAP ms ($(grep -o 'to=[^ ]*' "$R/poll-$i" | tail -n 1))"
			else
				lab_note "run $i: no failover seen by the client: $(tail -n 1 "$R/poll-$i")"
			fi
		done
		down
		echo "$k $(bench_median "$R/idle-cpu")" >>"$LAB_DIR/series-cpu-$links"
		echo "$k $(bench_median "$R/gap")" >>"$LAB_DIR/series-gap-$links"
		ROWS+=("| $k | $links | $cpu | $rss | $dead | $(bench_stats "$R/gap") | $(grep -c . "$R/gap" || true)/$N | $load |")
	done
	while read -r f; do FLAGS+=("* $links, idle CPU per node, nodes $f"); done < <(grows "$LAB_DIR/series-cpu-$links")
	while read -r f; do FLAGS+=("* $links, failover gap, nodes $f"); done < <(grows "$LAB_DIR/series-gap-$links")
done

GROWS=()
use 2
: >"$LAB_DIR/series-take" && : >"$LAB_DIR/series-gcpu"
for g in $GROUPS_LIST; do
	R=$LAB_DIR/g-$g
	mkdir -p "$R"
	last=192.0.2.$((100 + g))
	lab_say "$g groups of one address on node1 (192.0.2.101-$((100 + g))), ucast: idle ${IDLE}s, then $N power-offs (load $(bench_load))"
	load=$(bench_load)
	group=""
	for h in $(seq 101 $((100 + g))); do group="${group}node1 IPaddr2::192.0.2.$h/24/eth0"$'\n'; done
	lab_config_lan "$KA" "$DT" on "$group" ucast
	for n in 1 2; do lab_web_start "$n"; done
	up "$last"
	sleep 1
	bench_idle bench_us_pids "$IDLE" "$R/idle"
	: >"$R/off" && : >"$R/take" && : >"$R/gap"
	for i in $(seq "$N"); do
		bench_monitor 2 "$R/mon-$i"
		failover "$last" "$R/poll-$i"
		bench_monitor_stop
		[ -n "$GAP" ] && echo "$GAP" >>"$R/gap"
		adds=$(bench_adds "$R/mon-$i" '192\.0\.2\.(1[0-9][0-9]|2[0-2][0-9])' | sed -n "1,${g}p")
		if [ "$(grep -c . <<<"$adds")" -ge "$g" ]; then
			awk -v a="$POWER_OFF" -v b="$(tail -n 1 <<<"$adds")" 'BEGIN {printf "%.1f\n", b - a}' >>"$R/off"
			awk -v a="$(head -n 1 <<<"$adds")" -v b="$(tail -n 1 <<<"$adds")" 'BEGIN {printf "%.1f\n", b - a}' >>"$R/take"
			lab_note "run $i: power-off -> last address added $(tail -n 1 "$R/off") ms, 1st -> last $(tail -n 1 "$R/take") ms, client gap on $last ${GAP:--} ms"
		else
			lab_note "run $i: node2 added $(grep -c . <<<"$adds") of the $g addresses (see $R/mon-$i)"
		fi
	done
	down
	c1=$(cut -d' ' -f1 "$R/idle-n1") c2=$(cut -d' ' -f1 "$R/idle-n2")
	r1=$(awk '{printf "%.1f", $2 / 1024}' "$R/idle-n1")
	echo "$g $(bench_median "$R/take")" >>"$LAB_DIR/series-take"
	echo "$g $(awk -v a="$c1" -v b="$c2" 'BEGIN {print (a + b) / 2}')" >>"$LAB_DIR/series-gcpu"
	GROWS+=("| $g | $(bench_stats "$R/off") | $(bench_stats "$R/take") | $(bench_stats "$R/gap") | $c1 / $c2 | $r1 | $load |")
done
# 1st -> last is 0 for one group: the series starts at the first size above 1.
while read -r f; do FLAGS+=("* groups, 1st -> last address added, groups $f"); done < <(awk '$1 > 1' "$LAB_DIR/series-take" >"$LAB_DIR/series-take2" && grows "$LAB_DIR/series-take2")
while read -r f; do FLAGS+=("* groups, idle CPU per node, groups $f"); done < <(grows "$LAB_DIR/series-gcpu")

{
	bench_heading "make bench-scale" "keepalive $KA, deadtime $DT, heartbeats on the LAN bridge only; $N power-offs per row; idle over ${IDLE} s"
	echo "| nodes | links | idle CPU per node, ms per 60 s (median (min-max) over the nodes) | RSS per node, MB (median) | dead verdicts while idle (false) | failover gap of node1's group, ms | runs seen | load average |"
	echo "|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "| groups on node1 | power-off -> last address added on node2, ms | 1st -> last address added, ms | client gap on the last address, ms | idle CPU node1 / node2, ms per 60 s | RSS node1, MB | load average |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s\n' "${GROWS[@]}"
	echo
	if [ ${#FLAGS[@]} -eq 0 ]; then
		echo "Nothing grew faster than linearly (no median grew by more than 1.25 times the ratio of the sizes)."
	else
		echo "Faster than linear (median grew by more than 1.25 times the ratio of the sizes):"
		printf '%s\n' "${FLAGS[@]}"
	fi
} | bench_append "$OUT"
lab_say "Appended to $OUT"
