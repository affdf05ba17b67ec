#!/bin/bash
# scripts/bench.sh (make bench) -- Understudy and keepalived side by side
# in the netns lab of scripts/lab.sh (X1, issue 12). Reports numbers;
# asserts nothing about time.
#
# For each setting (deadtime/keepalive 200/50, 100/25 and 50/10 ms; UDP
# over the crossover cable + serial for Understudy), and keepalived 2.2
# VRRPv3 unicast over the same crossover with the advert interval whose
# master-down interval is closest to the deadtime (scripts/bench/keepalived.sh
# prints the plan):
#
# * power-off gap: a client starts a request to the floating address every
#   10 ms (fresh connection, 50 ms timeout, overlapping); node1 loses power
#   (daemon and web server killed -9, LAN interface deleted, crossover
#   down); the gap is the time from node1's last reply to node2's first.
#   "address only": the web server runs on both nodes and only the address
#   moves (Understudy and keepalived); "web server started": the cluster
#   starts it with the address (Understudy only).
# * takeover cost: gap - (detection time - half an interval). The survivor
#   counts its detection time (deadtime; keepalived's master-down interval)
#   from the last heartbeat (advert) it heard, which node1 sent on average
#   half a keepalive (advert) interval before it lost power; the client's
#   last reply from node1 came at the power-off.
# * failback outage: node1 boots again and takes its address back
#   (auto_failback on; keepalived preempts); the longest gap the client
#   sees from just before the boot until 0.5 s after node1's first reply.
# * idle CPU per node: utime + stime (+ reaped children) from /proc over
#   BENCH_IDLE_SECS (default 60), scaled to 60 s, both daemons up and
#   settled, address only; keepalived's processes (parent and VRRP child)
#   summed. RSS and PSS (smaps_rollup) of the same processes.
#
# Then, as before, one group of 128 addresses (192.0.2.101-228) plus the
# web server, BENCH_N128 times (default 3) at 50ms/200ms: from the kernel's
# timestamps (`ip -ts monitor address` in node2's namespace) the time from
# the 1st to the 128th address added and from node1's power-off to the
# 128th.
#
# BENCH_N runs per setting and case (default 5), BENCH_SETTINGS (e.g.
# "50ms/200ms", in ms), BENCH_CASES (default "us svc kad": Understudy
# address only, Understudy with the web server, keepalived), BENCH_OUT
# (default docs/benchmarks.md), BENCH_NOTE (a line for the record). BENCH_SMOKE=1: one setting, one run, 1 s of idle, no
# 128-address case, for make test. Needs root; installs keepalived when
# missing (no service started in the root namespace).
set -euo pipefail
# shellcheck source=scripts/lab.sh
. "$(dirname "$0")/lab.sh"
# shellcheck source=scripts/bench/lib.sh
. "$LAB_REPO/scripts/bench/lib.sh"
# shellcheck source=scripts/bench/keepalived.sh
. "$LAB_REPO/scripts/bench/keepalived.sh"

if [ "${BENCH_SMOKE:-0}" = 1 ]; then
	N=${BENCH_N:-1} IDLE=${BENCH_IDLE_SECS:-1} N128=${BENCH_N128:-0} SETTLE=0
	SETTINGS=${BENCH_SETTINGS:-"50ms/200ms"}
else
	N=${BENCH_N:-5} IDLE=${BENCH_IDLE_SECS:-60} N128=${BENCH_N128:-3} SETTLE=1
	SETTINGS=${BENCH_SETTINGS:-"50ms/200ms 25ms/100ms 10ms/50ms"}
fi
OUT=${BENCH_OUT:-$LAB_REPO/docs/benchmarks.md}
CASES=${BENCH_CASES:-"us svc kad"}

# has CASE: whether BENCH_CASES includes CASE.
has() { case " $CASES " in *" $1 "*) return 0 ;; esac; return 1; }

lab_require_root
lab_need_tools
kad_need
lab_say "Building"
lab_build
lab_init bench
lab_create
LOAD_START=$(bench_load)
T0=$SECONDS

# up START ADDR: start both nodes' daemons with START (lab_start or
# kad_start), wait until node1 alone serves ADDR.
up() {
	"$1" 1
	"$1" 2
	if ! lab_wait_answer node1 20 "$2" || ! lab_wait_holder "$2" node1 10; then
		tail -n 20 "$LAB_DIR"/node[12]/daemon.log "$LAB_DIR"/node[12]/kad/keepalived.log 2>/dev/null || true
		lab_die "node1 did not come up alone with $2 (held by: $(lab_holders "$2"))"
	fi
}

# settle START N...: wait until the nodes are quiet after a change.
settle() {
	local n
	if [ "$1" = lab_start ]; then
		shift
		for n in "$@"; do lab_wait_quiet "$n" || true; done
	fi
	sleep 0.3
}

# down: stop both daemons and the web servers started outside the cluster;
# nothing may be left running on the nodes for the next case.
down() {
	local n pid
	for n in 2 1; do # both at once: keepalived takes a second to stop
		pid=${LAB_DAEMON_PID[$n]:-}
		[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
	done
	lab_stop 2
	lab_stop 1
	lab_web_stop 1
	lab_web_stop 2
	lab_assert_empty 1 2
}

# cycle START ADDR WEB TAG: node1 powers off while the client polls ADDR;
# its gap goes to R/TAG-gap. Then node1 boots (with its own web server
# when WEB is 1) and takes ADDR back; the client's outage goes to
# R/TAG-back. POWER_OFF is the time of the power-off (ms since midnight).
cycle() {
	local start=$1 addr=$2 web=$3 tag=$4 i=$5 g gap out
	out=$LAB_DIR/poll-$tag-$i
	touch "$R/$tag-gap" "$R/$tag-back" # a case that ran has its files, empty or not
	# node1 must be serving when the run starts (under load, keepalived's
	# backup can take the address for a moment on its own).
	lab_wait_answer node1 10 "$addr" || lab_note "run $i: node1 does not answer on $addr before the power-off"
	bench_poll "$out-off" "http://$addr/" --duration 20s --until-name node2
	bench_poll_ready "$out-off" node1 || lab_note "run $i: the client has no answer from node1 before the power-off"
	POWER_OFF=$(date +%T.%N | bench_ms_of) # local time, as ip -ts prints it
	lab_power_off 1
	wait "$BENCH_POLL_PID" || true
	gap=$(bench_gap "$out-off" node1 node2)
	if [ -n "$gap" ]; then
		echo "$gap" >>"$R/$tag-gap"
	else
		lab_note "run $i: no failover seen by the client (see $out-off): $(tail -n 1 "$out-off")"
		lab_keep # the logs say why
	fi
	settle "$start" 2

	bench_poll "$out-back" "http://$addr/" --duration 30s --until-name node1 --linger 500ms
	bench_poll_ready "$out-back" node2 || lab_note "run $i: the client has no answer from node2 before node1 boots"
	lab_power_on 1
	[ "$web" = 1 ] && lab_web_start 1
	"$start" 1
	wait "$BENCH_POLL_PID" || true
	g=$(bench_gap "$out-back" "*" "*")
	if [ -n "$g" ] && grep -q "answered by node1" "$out-back"; then
		echo "$g" >>"$R/$tag-back"
	else
		lab_note "run $i: the client did not see node1 come back (see $out-back): $(tail -n 1 "$out-back")"
		lab_keep
	fi
	lab_note "run $i: power-off gap ${gap:--} ms, failback outage ${g:--} ms"
	if ! lab_wait_holder "$addr" node1 15; then
		tail -n 20 "$LAB_DIR"/node[12]/daemon.log "$LAB_DIR"/node[12]/kad/keepalived.log 2>/dev/null || true
		lab_die "node1 did not take $addr back (held by: $(lab_holders "$addr"))"
	fi
	settle "$start" 1 2
}

# row CASE US-VALUE KAD-VALUE US-MEDIAN KAD-MEDIAN: one line of the table.
ROWS=() PLANS=()
row() {
	ROWS+=("| $SET | $1 | $2 | $3 | $(bench_ratio "$4" "$5") |")
}

# costs GAPFILE DETECT-MS INTERVAL-MS: the takeover costs of the gaps, one
# per line: gap - (detection - interval / 2).
costs() {
	awk -v d="$2" -v i="$3" '{printf "%.1f\n", $1 - d + i / 2}' "$1" 2>/dev/null || true
}

# runs GAPFILE: how many of the N runs gave a gap, "K/N"; "-" if the case
# did not run.
runs() {
	if [ -e "$1" ]; then echo "$(grep -c . "$1" || true)/$N"; else echo -; fi
}

# idle_field FILE FIELD: field FIELD (1 CPU ms per 60 s, 2 RSS kB, 3 PSS
# kB) of an idle result; "-" when the case did not run.
idle_field() {
	if [ -s "$1" ]; then cut -d' ' -f"$2" "$1"; else echo -; fi
}

# idle_mb FILE FIELD: idle_field in MB.
idle_mb() {
	if [ -s "$1" ]; then awk -v f="$2" '{printf "%.1f", $f / 1024}' "$1"; else echo -; fi
}

for setting in $SETTINGS; do
	ka=${setting%/*} dt=${setting#*/}
	SET="$dt / $ka"
	R=$LAB_DIR/r-$ka
	mkdir -p "$R"
	kad_plan "${dt%ms}"
	lab_say "deadtime $dt, keepalive $ka; keepalived: $(kad_describe) (load $(bench_load))"
	SETLOAD=$(bench_load)

	if has us; then
		lab_say "Understudy, address only (web server on both nodes): idle ${IDLE}s, then $N power-offs"
		lab_config "$ka" "$dt" on "node1 IPaddr2::$LAB_VIP/24/eth0"
		lab_web_start 1
		lab_web_start 2
		up lab_start "$LAB_VIP"
		settle lab_start 1 2
		sleep "$SETTLE"
		bench_idle bench_us_pids "$IDLE" "$R/us-idle"
		lab_note "idle: node1 $(cat "$R/us-idle-n1"), node2 $(cat "$R/us-idle-n2") (CPU ms per 60 s, RSS kB, PSS kB)"
		for i in $(seq "$N"); do cycle lab_start "$LAB_VIP" 1 us "$i"; done
		down
	fi

	if has svc; then
		lab_say "Understudy, address + web server started by the cluster: $N power-offs"
		lab_config "$ka" "$dt" on "node1 IPaddr2::$LAB_VIP/24/eth0 demoweb"
		up lab_start "$LAB_VIP"
		settle lab_start 1 2
		for i in $(seq "$N"); do cycle lab_start "$LAB_VIP" 0 svc "$i"; done
		down
	fi

	if has kad; then
		lab_say "keepalived, address only (web server on both nodes): idle ${IDLE}s, then $N power-offs"
		kad_config "$LAB_VIP"
		lab_web_start 1
		lab_web_start 2
		up kad_start "$LAB_VIP"
		settle kad_start
		sleep "$SETTLE"
		bench_idle kad_pids "$IDLE" "$R/kad-idle"
		lab_note "idle: node1 $(cat "$R/kad-idle-n1"), node2 $(cat "$R/kad-idle-n2") (CPU ms per 60 s, RSS kB, PSS kB)"
		for i in $(seq "$N"); do cycle kad_start "$LAB_VIP" 1 kad "$i"; done
		down
	fi

	costs "$R/us-gap" "${dt%ms}" "${ka%ms}" >"$R/us-cost"
	costs "$R/kad-gap" "$KAD_DETECT_MS" "$KAD_ADV_MS" >"$R/kad-cost"
	row "power-off gap, address only, ms" "$(bench_stats "$R/us-gap")" "$(bench_stats "$R/kad-gap")" \
		"$(bench_median "$R/us-gap")" "$(bench_median "$R/kad-gap")"
	row "power-off runs the client saw go from node1 to node2, address only" "$(runs "$R/us-gap")" "$(runs "$R/kad-gap")" "" ""
	row "takeover cost (gap - detection + interval/2), address only, ms" "$(bench_stats "$R/us-cost")" "$(bench_stats "$R/kad-cost")" \
		"$(bench_median "$R/us-cost")" "$(bench_median "$R/kad-cost")"
	row "power-off gap, web server started by the cluster, ms" "$(bench_stats "$R/svc-gap")" "-" "" ""
	row "failback outage, address only, ms" "$(bench_stats "$R/us-back")" "$(bench_stats "$R/kad-back")" \
		"$(bench_median "$R/us-back")" "$(bench_median "$R/kad-back")"
	row "failback outage, web server started by the cluster, ms" "$(bench_stats "$R/svc-back")" "-" "" ""
	for n in 1 2; do
		role=active
		[ $n = 2 ] && role=standby
		u=$(idle_field "$R/us-idle-n$n" 1) k=$(idle_field "$R/kad-idle-n$n" 1)
		row "idle CPU, node$n ($role), ms per 60 s" "$u" "$k" "$u" "$k"
	done
	for f in 2:RSS 3:PSS; do
		u1=$(idle_mb "$R/us-idle-n1" "${f%:*}") u2=$(idle_mb "$R/us-idle-n2" "${f%:*}")
		k1=$(idle_mb "$R/kad-idle-n1" "${f%:*}") k2=$(idle_mb "$R/kad-idle-n2" "${f%:*}")
		row "${f#*:} node1 / node2, MB" "$u1 / $u2" "$k1 / $k2" \
			"$(awk -v a="$u1" -v b="$u2" 'BEGIN {if (a != "-") print a + b}')" \
			"$(awk -v a="$k1" -v b="$k2" 'BEGIN {if (a != "-") print a + b}')"
	done
	PLANS+=("* $SET: keepalived $(kad_describe); load average at the start of this setting $SETLOAD.")
done

if [ "$N128" -gt 0 ]; then
	lab_say "One group of 128 addresses (192.0.2.101-228) x$N128 at keepalive 50ms, deadtime 200ms"
	group="node1"
	for h in $(seq 101 228); do # 101 + 127 = 228: inside 192.0.2.0/24, clear of .1 .2 .10 .100
		group="$group IPaddr2::192.0.2.$h/24/eth0"
	done
	lab_config 50ms 200ms on "$group demoweb"
	up lab_start 192.0.2.228
	settle lab_start 1 2
	: >"$LAB_DIR/take128" && : >"$LAB_DIR/off128"
	for i in $(seq "$N128"); do
		mon="$LAB_DIR/mon128-$i.out"
		bench_monitor 2 "$mon"
		R=$LAB_DIR cycle lab_start 192.0.2.228 0 a128 "$i"
		bench_monitor_stop
		adds=$(bench_adds "$mon" '192\.0\.2\.(1[0-9][0-9]|2[0-2][0-9])' | sed -n 1,128p)
		if [ "$(grep -c . <<<"$adds")" -ge 128 ]; then
			first=$(head -n 1 <<<"$adds") last=$(tail -n 1 <<<"$adds")
			awk -v a="$first" -v b="$last" 'BEGIN {printf "%.1f\n", b - a}' >>"$LAB_DIR/take128"
			awk -v a="$POWER_OFF" -v b="$last" 'BEGIN {printf "%.1f\n", b - a}' >>"$LAB_DIR/off128"
			lab_note "run $i: 1st -> 128th address added $(tail -n 1 "$LAB_DIR/take128") ms; power-off -> 128th $(tail -n 1 "$LAB_DIR/off128") ms"
		else
			lab_note "run $i: node2 added $(grep -c . <<<"$adds") of the 128 addresses (see $mon)"
		fi
	done
	down
fi

MINUTES=$(((SECONDS - T0 + 59) / 60))
{
	echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): $(bench_machine) -- make bench, side by side with keepalived"
	echo
	echo "understudy ${BENCH_VERSION:-$(bench_version)}, $("$KAD_BIN" --version 2>&1 | sed -n 1p); $N runs per setting and case; idle over ${IDLE} s; about $MINUTES min; load average at start $LOAD_START, at end $(bench_load)."
	[ -n "${BENCH_NOTE:-}" ] && echo "$BENCH_NOTE"
	echo
	echo "| deadtime / keepalive | case | Understudy | keepalived | ratio |"
	echo "|---|---|---|---|---|"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "Figures are median (min-max) over the runs; ratio = Understudy / keepalived (medians; for RSS and PSS, the two nodes' sum)."
	printf '%s\n' "${PLANS[@]}"
	if [ "$N128" -gt 0 ]; then
		echo
		echo "128 addresses in one group, keepalive 50ms, deadtime 200ms, $N128 runs: 1st -> 128th address added $(bench_stats "$LAB_DIR/take128") ms; power-off -> 128th address added $(bench_stats "$LAB_DIR/off128") ms; client gap on 192.0.2.228 $(bench_stats "$LAB_DIR/a128-gap") ms."
	fi
} | bench_append "$OUT"
lab_say "Appended to $OUT"
