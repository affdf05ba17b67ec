# scripts/bench/lib.sh -- what the benchmarks share: statistics, the cost
# of a daemon read from /proc, the client's gaps, kernel timestamps of
# address additions, and the machine line of docs/benchmarks.md.
# Sourced after scripts/lab.sh by scripts/bench.sh and scripts/bench/*.sh.
# Everything here measures and reports; nothing asserts a time.
# shellcheck disable=SC2046,SC2086 # lists of PIDs are split on purpose

BENCH_CLK_TCK=$(getconf CLK_TCK)

# bench_stats FILE: "median (min-max)" of the numbers in FILE, one per
# line, rounded to whole numbers; "-" when there are none.
bench_stats() {
	sort -n "$1" 2>/dev/null | awk '{v[NR]=$1} END {
		if (NR == 0) { print "-"; exit }
		m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
		if (NR == 1) printf "%.0f\n", m
		else printf "%.0f (%.0f-%.0f)\n", m, v[1], v[NR] }'
}

# bench_median FILE: the median of the numbers in FILE, or "" for none.
bench_median() {
	sort -n "$1" 2>/dev/null | awk '{v[NR]=$1} END {
		if (NR == 0) exit
		printf "%.3f\n", (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'
}

# bench_ratio A B: A/B to two decimals, "-" if either is missing or B is
# not positive.
bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || a == "-" || b == "-" || b + 0 <= 0) { print "-"; exit }
		printf "%.2f\n", a / b }'
}

# bench_ms_of: HH:MM:SS.frac on stdin, one per line, as milliseconds since
# midnight (fractional).
bench_ms_of() {
	awk -F: '{printf "%.3f\n", ($1 * 3600 + $2 * 60 + $3) * 1000}'
}

# bench_cpu_ms PID...: CPU time the processes and their reaped children
# used so far (utime + stime + cutime + cstime of /proc/PID/stat), in ms.
# A process that is gone counts nothing.
bench_cpu_ms() {
	local pid stat sum=0 f
	for pid in "$@"; do
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
		# The fields after the command name, which may hold spaces.
		read -ra f <<<"${stat##*) }"
		# f[0] is field 3 (state): utime is field 14, cstime field 17.
		sum=$((sum + f[11] + f[12] + f[13] + f[14]))
	done
	echo $((sum * 1000 / BENCH_CLK_TCK))
}

# bench_mem_kb PID...: "RSS PSS" of the processes summed, in kB (VmRSS of
# /proc/PID/status, Pss of /proc/PID/smaps_rollup).
bench_mem_kb() {
	local pid rss=0 pss=0 v
	for pid in "$@"; do
		v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) && rss=$((rss + ${v:-0}))
		v=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null) && pss=$((pss + ${v:-0}))
	done
	echo "$rss $pss"
}

# bench_us_pids N: nodeN's Understudy daemon.
bench_us_pids() { echo "${LAB_DAEMON_PID[$1]:-}"; }

# bench_idle PIDFN SECONDS OUTPREFIX: sample every node's CPU time (the
# processes PIDFN N prints), wait SECONDS, sample again. Writes, per node
# N, OUTPREFIX-nN: "CPU-ms-per-60s RSS-kB PSS-kB".
bench_idle() {
	local fn=$1 secs=$2 out=$3 n pids
	declare -A before=()
	for n in $LAB_NODES; do before[$n]=$(bench_cpu_ms $($fn "$n")); done
	sleep "$secs"
	for n in $LAB_NODES; do
		pids=$($fn "$n")
		[ -n "$pids" ] || lab_die "bench_idle: node$n has no daemon running"
		echo "$(awk -v a="${before[$n]}" -v b="$(bench_cpu_ms $pids)" -v s="$secs" \
			'BEGIN {printf "%.0f", (b - a) * 60 / s}') $(bench_mem_kb $pids)" >"$out-n$n"
	done
}

# bench_poll OUT URL ARGS...: the client polls URL every 10 ms (50 ms
# timeout) in the background, output to OUT; BENCH_POLL_PID is its PID.
bench_poll() {
	local out=$1 url=$2
	shift 2
	lab_client "$LAB_BIN/demoweb" poll --url "$url" --interval 10ms --timeout 50ms "$@" >"$out" 2>&1 &
	BENCH_POLL_PID=$!
	LAB_PIDS+=("$BENCH_POLL_PID")
}

# bench_poll_ready OUT NAME [SECONDS]: wait (up to SECONDS, default 5)
# until the poller writing OUT has had an answer from NAME and then 0.2 s
# more: under load a poller can take longer to start than a script
# sleeps, and its first request must come before the fault.
bench_poll_ready() {
	local _
	for _ in $(seq $((${3:-5} * 20))); do
		grep -qs "answered by $2" "$1" && { sleep 0.2; return 0; }
		sleep 0.05
	done
	return 1
}

# bench_gap OUT FROM TO: the gap of the poller's output OUT if the client
# saw FROM, then TO ("*" for any node); empty otherwise.
bench_gap() {
	local last
	last=$(tail -n 1 "$1" 2>/dev/null)
	[[ $last =~ ^gap_ms=([0-9.]+)\ from=([^ ]+)\ to=([^ ]+)\  ]] || return 0
	[ "$2" = "*" ] || [ "${BASH_REMATCH[2]}" = "$2" ] || return 0
	[ "$3" = "*" ] || [ "${BASH_REMATCH[3]}" = "$3" ] || return 0
	echo "${BASH_REMATCH[1]}"
}

# bench_monitor N OUT: `ip -ts monitor address` in nodeN's namespace, to
# OUT, in the background; BENCH_MON_PID is its PID. Stopped with
# bench_monitor_stop.
bench_monitor() {
	ip -n "$(lab_ns "n$1")" -ts monitor address >"$2" 2>&1 &
	BENCH_MON_PID=$!
	LAB_PIDS+=("$BENCH_MON_PID")
	sleep 0.2 # subscribed before anything happens
}
bench_monitor_stop() {
	kill "$BENCH_MON_PID" 2>/dev/null || true
	wait "$BENCH_MON_PID" 2>/dev/null || true
}

# bench_adds MON PATTERN: the kernel's times (ms since midnight) at which
# addresses matching the extended regexp PATTERN (e.g. 192\.0\.2\.1[0-9]+)
# were added on eth0, in the order of ip -ts monitor's output MON.
bench_adds() {
	# "[2026-12-05T19:00:27.632697] 3: eth0    inet 192.0.2.101/24 ...":
	# additions only (deletions start with "Deleted").
	grep -E "^\[[^]]*\] [0-9]+: eth0 +inet ($2)/" "$1" |
		sed -E 's/^\[[0-9-]+T([0-9:.]+)\].*/\1/' | bench_ms_of || true
}

# bench_machine: host, CPUs, kernel, CPU model.
bench_machine() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
	echo "$(uname -n), $(nproc) CPUs, kernel $(uname -r), ${cpu:-unknown CPU}"
}

# bench_load: the load average (1, 5, 15 min).
bench_load() { cut -d' ' -f1-3 /proc/loadavg; }

# bench_version: the understudy build measured.
bench_version() { "$LAB_BIN/understudy" version 2>/dev/null | awk '{print $2}'; }

# bench_append OUT: stdin appended to OUT (docs/benchmarks.md), after the
# file's header when it is new, and shown from its "## " heading on.
bench_append() {
	{
		[ -s "$1" ] || cat <<-'EOF'
			# Failover benchmarks

			Appended by `make bench`, `make bench-scale` and `make bench-load`
			(scripts/bench.sh, scripts/bench/*.sh), one section per run; the
			methods are described below the first sections of each kind. The lab
			is scripts/lab.sh: nodes and a client in network namespaces on one
			machine. Everything runs on one machine, so the numbers include
			scheduling noise from whatever else it was doing (see the load
			average). They are measurements, not limits; nothing asserts them.
		EOF
		echo
		cat
	} | tee -a "$1" | sed -n '/^## /,$p'
}

# bench_heading TARGET DETAILS: the heading and first lines of a section of
# docs/benchmarks.md: date, machine, TARGET (e.g. "make bench-load"), the
# build measured, DETAILS, how long the run took (since T0, in $SECONDS)
# and the load average at its start (LOAD_START) and end; BENCH_NOTE.
bench_heading() {
	echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): $(bench_machine) -- $1"
	echo
	echo "understudy $(bench_version); $2; about $(((SECONDS - T0 + 59) / 60)) min; load average at start $LOAD_START, at end $(bench_load)."
	[ -z "${BENCH_NOTE:-}" ] || echo "$BENCH_NOTE"
	echo
}
