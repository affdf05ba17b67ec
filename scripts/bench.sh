#!/bin/bash
# scripts/bench.sh (make bench) -- failover measurements in the netns lab
# of scripts/lab.sh (X1). Reports numbers; asserts nothing about time.
#
# 1. Power-off failover, BENCH_N times (default 10) at each setting
#    keepalive 50ms/deadtime 200ms and keepalive 25ms/deadtime 100ms. The
#    client starts a request to the floating address every 10 ms (each on a
#    fresh connection with a 50 ms timeout, overlapping, so one stuck
#    request does not hide the recovery); the gap is the time from the last reply node1 gave to the
#    first reply node2 gave. The takeover cost is gap - deadtime: what the
#    daemon, the address move, the web server start and the client's
#    polling granularity add to the detection time. After each run node1
#    boots again and takes its group back (auto_failback on).
# 2. One group of 128 addresses (192.0.2.101-228) plus the web server,
#    BENCH_N128 times (default 3) at 50ms/200ms: from the kernel's own
#    timestamps (`ip -ts monitor address` in node2's namespace), the time
#    from the 1st to the 128th address added, and from node1's power-off
#    to the 128th; and the gap the client sees on the last address.
#
# Results go to stdout and are appended to docs/benchmarks.md with the
# date and machine. Needs root. BENCH_NOTE adds a free-text note.
set -euo pipefail
# shellcheck source=scripts/lab.sh
. "$(dirname "$0")/lab.sh"

N=${BENCH_N:-10}
N128=${BENCH_N128:-3}
SETTINGS=${BENCH_SETTINGS:-"50ms/200ms 25ms/100ms"}
OUT=${BENCH_OUT:-$LAB_REPO/docs/benchmarks.md}

lab_require_root
lab_need_tools
lab_say "Building"
lab_build
lab_init bench
lab_create
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# stats FILE: "min / median / max" of the numbers in FILE (lab.sh).
stats() { lab_stats "$1"; }

# ms_of: HH:MM:SS.frac on stdin, one per line, as milliseconds since
# midnight (fractional).
ms_of() {
	awk -F: '{printf "%.3f\n", ($1 * 3600 + $2 * 60 + $3) * 1000}'
}

# bring_up: start both daemons, wait until node1 serves alone.
bring_up() {
	lab_start 1
	lab_start 2
	if ! lab_wait_answer node1 20 "$1" || ! lab_wait_holder "$1" node1 10; then
		tail -n 20 "$(lab_log 1)" "$(lab_log 2)"
		lab_die "node1 did not come up alone with $1"
	fi
}

# failover ADDR OUTFILE: power node1 off while the client polls ADDR; the
# poller's output goes to OUTFILE. Then boot node1 and wait for failback.
failover() {
	local addr=$1 out=$2 poll
	lab_client "$LAB_BIN/demoweb" poll --url "http://$addr/" --interval 10ms --timeout 50ms \
		--duration 20s --until-name node2 >"$out" 2>&1 &
	poll=$!
	LAB_PIDS+=("$poll")
	sleep 0.5
	POWER_OFF=$(date +%T.%N) # local time, as ip -ts prints it
	lab_power_off 1
	wait "$poll" || true
	lab_boot 1
	if ! lab_wait_answer node1 20 "$addr" || ! lab_wait_holder "$addr" node1 10; then
		tail -n 20 "$(lab_log 1)" "$(lab_log 2)"
		lab_die "node1 did not take its group back"
	fi
	sleep 0.3 # let node2 settle after the hand-back
}

RESULTS=()
for setting in $SETTINGS; do
	ka=${setting%/*} dt=${setting#*/}
	lab_say "Power-off failover x$N at keepalive $ka, deadtime $dt"
	lab_config "$ka" "$dt" on "node1 IPaddr2::$LAB_VIP/24/eth0 demoweb"
	bring_up "$LAB_VIP"
	: >"$LAB_DIR/gaps" && : >"$LAB_DIR/costs"
	failed=0
	for i in $(seq "$N"); do
		failover "$LAB_VIP" "$LAB_DIR/poll-$ka-$i.out"
		last=$(tail -n 1 "$LAB_DIR/poll-$ka-$i.out")
		if [[ $last =~ ^gap_ms=([0-9.]+)\ from=node1\ to=node2\  ]]; then
			gap=${BASH_REMATCH[1]}
			echo "$gap" >>"$LAB_DIR/gaps"
			awk -v g="$gap" -v d="${dt%ms}" 'BEGIN {printf "%.1f\n", g - d}' >>"$LAB_DIR/costs"
			lab_note "run $i: gap $gap ms"
		else
			failed=$((failed + 1))
			lab_note "run $i: no failover seen by the client: $last"
		fi
	done
	lab_stop 2
	lab_stop 1
	RESULTS+=("| $ka | $dt | $(stats "$LAB_DIR/gaps") | $(stats "$LAB_DIR/costs") | $((N - failed))/$N |")
	lab_note "gap min/median/max: $(stats "$LAB_DIR/gaps") ms; takeover cost: $(stats "$LAB_DIR/costs") ms"
done

lab_say "One group of 128 addresses (192.0.2.101-228) x$N128 at keepalive 50ms, deadtime 200ms"
group="node1"
for h in $(seq 101 228); do # 101 + 127 = 228: inside 192.0.2.0/24, clear of .1 .2 .10 .100
	group="$group IPaddr2::192.0.2.$h/24/eth0"
done
lab_config 50ms 200ms on "$group demoweb"
bring_up 192.0.2.228
: >"$LAB_DIR/take128" && : >"$LAB_DIR/off128" && : >"$LAB_DIR/gap128"
for i in $(seq "$N128"); do
	mon="$LAB_DIR/mon128-$i.out"
	ip -n "$(lab_ns n2)" -ts monitor address >"$mon" 2>&1 &
	monpid=$!
	LAB_PIDS+=("$monpid")
	sleep 0.2
	failover 192.0.2.228 "$LAB_DIR/poll128-$i.out"
	kill "$monpid" 2>/dev/null || true
	wait "$monpid" 2>/dev/null || true
	# "[2026-12-05T19:00:27.632697] 3: eth0    inet 192.0.2.101/24 ...":
	# additions only (deletions start with "Deleted"), first 128.
	adds=$(grep -E '^\[[^]]*\] [0-9]+: eth0 +inet 192\.0\.2\.(1[0-9][0-9]|2[0-2][0-9])/24' "$mon" |
		head -n 128 | sed -E 's/^\[[0-9-]+T([0-9:.]+)\].*/\1/' | ms_of || true)
	count=$(grep -c . <<<"$adds" || true)
	if [ "$count" -ge 128 ]; then
		first=$(head -n 1 <<<"$adds") last=$(tail -n 1 <<<"$adds")
		off=$(ms_of <<<"$POWER_OFF")
		awk -v a="$first" -v b="$last" 'BEGIN {printf "%.1f\n", b - a}' >>"$LAB_DIR/take128"
		awk -v a="$off" -v b="$last" 'BEGIN {printf "%.1f\n", b - a}' >>"$LAB_DIR/off128"
		lab_note "run $i: 1st -> 128th address added: $(tail -n 1 "$LAB_DIR/take128") ms; power-off -> 128th: $(tail -n 1 "$LAB_DIR/off128") ms"
	else
		lab_note "run $i: node2 added $count of the 128 addresses (see $mon)"
	fi
	last=$(tail -n 1 "$LAB_DIR/poll128-$i.out")
	if [[ $last =~ ^gap_ms=([0-9.]+)\ from=node1\ to=node2\  ]]; then
		echo "${BASH_REMATCH[1]}" >>"$LAB_DIR/gap128"
		lab_note "run $i: client gap on 192.0.2.228: ${BASH_REMATCH[1]} ms"
	fi
done
lab_stop 2
lab_stop 1

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
MACHINE="$(uname -n), $(nproc) CPUs, kernel $(uname -r), ${CPU:-unknown CPU}"
VERSION=$("$LAB_BIN/understudy" version 2>/dev/null | awk '{print $2}')
{
	[ -s "$OUT" ] || cat <<-'EOF'
		# Failover benchmarks

		Appended by `make bench` (scripts/bench.sh), one section per run. The lab
		is scripts/lab.sh: two nodes and a client in network namespaces on one
		machine, a bridge for the LAN, UDP heartbeats over a crossover veth and a
		serial null-modem made of a socat pty pair.

		* **gap**: a client starts a request to the floating address every
		  10 ms (each on a fresh TCP connection with a 50 ms timeout; they
		  overlap, so a SYN lost while nobody holds the address does not hide
		  the recovery); node1 is powered off (daemon and web server
		  killed -9, LAN interface deleted, crossover link down); the gap is the
		  time from the last reply from node1 to the first reply from node2.
		* **takeover cost** = gap - deadtime: what detection leaves over --
		  taking the address, gratuitous ARP, starting the web server, and the
		  client's 10 ms polling step. It can be below zero: node2 counts
		  deadtime from the last heartbeat it heard, which left node1 up to one
		  keepalive before the power-off.
		* **128 addresses**: one group of 128 IPaddr2 resources
		  (192.0.2.101-228) plus the web server; the kernel's timestamps of
		  node2's address additions (`ip -ts monitor address`) give the time
		  from the 1st to the 128th address and from node1's power-off to the
		  128th; the client gap is measured on 192.0.2.228.

		Everything runs on one machine, so the numbers include scheduling noise
		from whatever else it was doing (see the load average). They are
		measurements, not limits; nothing asserts them.
	EOF
	echo
	echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): $MACHINE"
	echo
	echo "understudy ${VERSION:-?}; $N runs per setting; load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)."
	[ -n "${BENCH_NOTE:-}" ] && echo "$BENCH_NOTE"
	echo
	echo "| keepalive | deadtime | gap ms (min / median / max) | takeover cost ms (min / median / max) | failovers seen |"
	echo "|---|---|---|---|---|"
	printf '%s\n' "${RESULTS[@]}"
	echo
	echo "128 addresses in one group, keepalive 50ms, deadtime 200ms, $N128 runs: 1st -> 128th address added $(stats "$LAB_DIR/take128") ms; power-off -> 128th address added $(stats "$LAB_DIR/off128") ms; client gap on 192.0.2.228 $(stats "$LAB_DIR/gap128") ms (min / median / max)."
} | tee -a "$OUT" | sed -n '/^## /,$p'
lab_say "Appended to $OUT"
