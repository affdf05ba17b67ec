#!/bin/bash
# scripts/bench/service-killed.sh (part of make bench) -- the "service
# killed" case (issue 11) in the netns lab of scripts/lab.sh. Reports
# numbers; asserts nothing about time.
#
# The group is the floating address and the web server, watched by the
# service monitor a new user would write: http on port 80 of the floating
# address, interval 200ms, timeout 100ms, defaults otherwise (down after 3
# failures in a row, on_fail failover); keepalive 50ms, deadtime 200ms.
# BENCH_N times (default 10): the client starts a request to the floating
# address every 10 ms (fresh connection, 50 ms timeout, overlapping);
# the web server on the node that holds the group is killed -9; the gap is
# the time from the last reply the owner gave to the first reply the peer
# gave. Between runs the failure mark is cleared (understudy clear), so
# the next run kills the service on the other node.
#
# Results go to stdout and are appended to docs/benchmarks.md (BENCH_OUT)
# with the date and machine. Needs root. BENCH_NOTE adds a free-text note.
set -euo pipefail
# shellcheck source=scripts/lab.sh
. "$(dirname "$0")/../lab.sh"

N=${BENCH_N:-10}
OUT=${BENCH_OUT:-$LAB_REPO/docs/benchmarks.md}
KEEPALIVE=50ms
DEADTIME=200ms

lab_require_root
lab_need_tools
lab_say "Building"
lab_build
lab_init svckill
lab_create
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# monitor_up N: wait (up to 10 s) until nodeN's monitor runs and is up.
monitor_up() {
	local _
	for _ in $(seq 100); do
		cli "$1" status --json 2>/dev/null | tr -d ' \n\t' | grep -q '"runs":true,"state":"up"' && return 0
		sleep 0.1
	done
	return 1
}

# cli N ARGS...: understudy ARGS on nodeN's control socket.
cli() {
	local n=$1 verb=$2
	shift 2
	"$LAB_BIN/understudy" "$verb" -s "$LAB_DIR/node$n/run/understudy.sock" "$@"
}

lab_config "$KEEPALIVE" "$DEADTIME" on "node1 $LAB_VIP demoweb"
for n in 1 2; do
	cat >>"$LAB_DIR/node$n/ha.d/understudy.toml" <<-EOF
		[[monitor]]
		group    = "$LAB_VIP"
		kind     = "http"
		port     = 80
		interval = "200ms"
		timeout  = "100ms"
	EOF
	"$LAB_BIN/understudy" check -c "$LAB_DIR/node$n/ha.d" --node "node$n" >"$LAB_DIR/node$n/check.out" 2>&1 ||
		{ cat "$LAB_DIR/node$n/check.out" >&2; lab_die "understudy check refused node$n's monitor"; }
done

lab_say "Service killed x$N at keepalive $KEEPALIVE, deadtime $DEADTIME; http monitor every 200ms, timeout 100ms"
lab_start 1
lab_start 2
if ! lab_wait_answer node1 30 || ! lab_wait_holder "$LAB_VIP" node1 10; then
	tail -n 20 "$(lab_log 1)" "$(lab_log 2)"
	lab_die "node1 did not come up alone with $LAB_VIP"
fi

: >"$LAB_DIR/gaps"
owner=1
for i in $(seq "$N"); do
	peer=$((3 - owner))
	lab_wait_quiet "$owner" 10 || true
	lab_wait_quiet "$peer" 10 || true
	monitor_up "$owner" || lab_die "run $i: node$owner's monitor never saw its web server up"
	pidfile=$LAB_DIR/node$owner/run/demoweb.pid
	[ -s "$pidfile" ] || lab_die "run $i: node$owner has no web server PID"
	out=$LAB_DIR/poll-$i.out
	lab_client "$LAB_BIN/demoweb" poll --url "http://$LAB_VIP/" --interval 10ms --timeout 50ms \
		--duration 20s --until-name "node$peer" >"$out" 2>&1 &
	poll=$!
	LAB_PIDS+=("$poll")
	sleep 0.5
	kill -9 "$(cat "$pidfile")"
	echo "---- bench: web server killed -9 $(date +%T.%N)" >>"$(lab_log "$owner")"
	wait "$poll" || true
	last=$(tail -n 1 "$out")
	if [[ $last =~ ^gap_ms=([0-9.]+)\ from=node$owner\ to=node$peer\  ]]; then
		echo "${BASH_REMATCH[1]}" >>"$LAB_DIR/gaps"
		lab_note "run $i: node$owner's web server killed: node$peer serves after a gap of ${BASH_REMATCH[1]} ms"
	else
		tail -n 20 "$(lab_log "$owner")" "$(lab_log "$peer")"
		lab_die "run $i: no failover seen by the client: $last"
	fi
	# The old owner may run the group again: the next run goes back.
	cli "$owner" clear "$LAB_VIP" >/dev/null
	owner=$peer
done
lab_stop 2
lab_stop 1

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
MACHINE="$(uname -n), $(nproc) CPUs, kernel $(uname -r), ${CPU:-unknown CPU}"
VERSION=$("$LAB_BIN/understudy" version 2>/dev/null | awk '{print $2}')
{
	echo
	echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): service killed; $MACHINE"
	echo
	echo "understudy ${VERSION:-?}; load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)."
	[ -n "${BENCH_NOTE:-}" ] && echo "$BENCH_NOTE"
	echo
	echo "kill -9 of the web server on the node holding the group (scripts/bench/service-killed.sh): an http"
	echo "monitor of the floating address, interval 200ms, timeout 100ms, down after 3 failures; keepalive"
	echo "$KEEPALIVE, deadtime $DEADTIME. The gap is from the owner's last reply to the peer's first, as"
	echo "the client (a request every 10 ms) saw it."
	echo
	echo "| monitor interval | timeout | fall | runs | gap ms (min / median / max) |"
	echo "|---|---|---|---|---|"
	echo "| 200ms | 100ms | 3 | $N | $(lab_stats "$LAB_DIR/gaps") |"
} | tee -a "$OUT" | sed -n '/^## /,$p'
lab_say "Appended to $OUT"
