# scripts/bench/keepalived.sh -- keepalived (Debian's package, 2.2.x) in the
# two-node lab of scripts/lab.sh, for side-by-side measurements. Sourced by
# scripts/bench.sh after lab.sh and lib.sh.
#
# keepalived runs VRRPv3 in unicast between node1 (198.51.100.1) and node2
# (198.51.100.2) over the crossover cable, the link Understudy's UDP
# heartbeats use, so both detect a dead peer over the same path. The
# floating address is put on eth0, the LAN. A power-off takes the
# crossover's carrier away from the survivor too; keepalived would put its
# instance in FAULT and never take the address, so `dont_track_primary` is
# set, as it must be on any crossover cable.
#
# keepalived runs only inside our namespaces (ip netns exec), with its own
# configuration and PID files in LAB_DIR; never in the root namespace.

KAD_BIN=/usr/sbin/keepalived
KAD_MASTER_PRIO=254

# kad_need: Debian's keepalived, installed if missing (no service started).
kad_need() {
	lab_need_pkgs "$KAD_BIN:keepalived"
	local pid
	# The package must not have left a keepalived in the root namespace;
	# one there is not ours to stop, so say so and stop here.
	for pid in $(pgrep -x keepalived 2>/dev/null || true); do
		[ "$(readlink "/proc/$pid/ns/net")" = "$(readlink /proc/self/ns/net)" ] &&
			lab_die "a keepalived (PID $pid) runs in the root namespace; stop it (systemctl stop keepalived) and run again"
	done
	return 0
}

# kad_plan DEADTIME-MS: the advert interval, the backup's priority and the
# number of adverts to miss, for which keepalived's master-down interval is
# closest to DEADTIME. VRRPv3 (RFC 5798): master-down = 3 * advert + skew,
# skew = (256 - priority) * advert / 256; adverts are in centiseconds, and
# keepalived 2.2 computes skew in microseconds as
# (256 - prio) * advert_cs * 625 / 16. The RFC's 3 adverts are kept when
# that comes within 1 ms; otherwise keepalived's down_timer_adverts (its
# extension) is raised until it does. The longest advert wins a tie: fewer
# packets. Sets KAD_ADV_MS, KAD_PRIO, KAD_DTA and KAD_DETECT_MS.
kad_plan() {
	local plan
	plan=$(awk -v d="$1" -v top="$((KAD_MASTER_PRIO - 1))" 'BEGIN {
		for (dta = 3; dta <= 10; dta++) {
			best = -1
			for (cs = 1; cs * 10 * dta <= d; cs++)
				for (p = top; p >= 1; p--) {
					us = dta * cs * 10000 + int((256 - p) * cs * 625 / 16)
					err = us - d * 1000; if (err < 0) err = -err
					if (best < 0 || err < best || (err == best && cs > bcs)) { best = err; bcs = cs; bp = p; bus = us }
				}
			if (dta == 3) { a3 = bcs; p3 = bp; us3 = bus; e3 = best }
			if (best >= 0 && best <= 1000) { printf "%d %d %d %.2f\n", bcs * 10, bp, dta, bus / 1000; exit }
		}
		printf "%d %d 3 %.2f\n", a3 * 10, p3, us3 / 1000 }')
	read -r KAD_ADV_MS KAD_PRIO KAD_DTA KAD_DETECT_MS <<<"$plan"
}

# kad_describe: the plan in words.
kad_describe() {
	local s="advert ${KAD_ADV_MS} ms, backup priority $KAD_PRIO"
	[ "$KAD_DTA" = 3 ] || s="$s, down_timer_adverts $KAD_DTA"
	echo "$s: master-down ${KAD_DETECT_MS} ms"
}

# kad_config ADDR...: each node's keepalived.conf for the current plan,
# node1 the preferred master (preempting when it returns).
kad_config() {
	local n peer prio state adv dta="" a
	adv=$(awk -v m="$KAD_ADV_MS" 'BEGIN {printf "%.2f", m / 1000}')
	[ "$KAD_DTA" = 3 ] || dta="down_timer_adverts $KAD_DTA"
	for n in 1 2; do
		peer=$((3 - n))
		if [ "$n" = 1 ]; then prio=$KAD_MASTER_PRIO state=MASTER; else prio=$KAD_PRIO state=BACKUP; fi
		mkdir -p "$LAB_DIR/node$n/kad"
		{
			cat <<-EOF
				# written by scripts/bench/keepalived.sh
				global_defs {
				    router_id node$n
				    vrrp_version 3
				}
				vrrp_instance VI_1 {
				    state $state
				    interface eth1
				    dont_track_primary
				    virtual_router_id 51
				    priority $prio
				    advert_int $adv
				    $dta
				    unicast_src_ip 198.51.100.$n
				    unicast_peer {
				        198.51.100.$peer
				    }
				    virtual_ipaddress {
			EOF
			for a in "$@"; do echo "        $a/24 dev eth0"; done
			echo "    }"
			echo "}"
		} >"$LAB_DIR/node$n/kad/keepalived.conf"
		ip netns exec "$(lab_ns "n$n")" "$KAD_BIN" -t -f "$LAB_DIR/node$n/kad/keepalived.conf" \
			>"$LAB_DIR/node$n/kad/check.out" 2>&1 ||
			{ cat "$LAB_DIR/node$n/kad/check.out" >&2; lab_die "keepalived refused node$n's configuration"; }
	done
}

# kad_start N: keepalived (VRRP only, in the foreground, logging to
# nodeN/kad/keepalived.log) in nodeN's namespace.
kad_start() {
	local n=$1 d=$LAB_DIR/node$1/kad run=$LAB_DIR/node$1/run
	echo "---- lab: keepalived started $(date +%T.%N)" >>"$d/keepalived.log"
	# PID files in the node's /run, which a power-off empties.
	mkdir -p "$run"
	ip netns exec "$(lab_ns "n$n")" "$KAD_BIN" --dont-fork --log-console --log-detail --vrrp \
		--use-file "$d/keepalived.conf" --pid "$run/keepalived.pid" --vrrp_pid "$run/vrrp.pid" \
		--checkers_pid "$run/checkers.pid" >>"$d/keepalived.log" 2>&1 &
	# shellcheck disable=SC2034 # lab.sh's table of daemons (keyed by string)
	LAB_DAEMON_PID["$n"]=$!
	disown "$!"
}

# kad_pids N: nodeN's keepalived processes (the parent and its VRRP child),
# found in nodeN's namespace.
kad_pids() {
	local pid
	for pid in $(ip netns pids "$(lab_ns "n$1")" 2>/dev/null); do
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$KAD_BIN" ] && echo "$pid"
	done
	return 0
}

# kad_log N: nodeN's keepalived log.
kad_log() { echo "$LAB_DIR/node$1/kad/keepalived.log"; }
