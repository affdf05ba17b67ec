# scripts/lab.sh -- a two-node Understudy lab in network namespaces.
# Sourced by scripts/demo.sh, scripts/bench.sh and scripts/bench/*.sh; not
# run on its own.
#
# What it builds (every name starts with $LAB_PREFIX, e.g. us-demo-4242):
#
#   PREFIX-lan   the LAN switch: bridge br0, one port per machine
#   PREFIX-n1    node1: eth0 192.0.2.1/24 on the LAN, eth1 198.51.100.1/24
#   PREFIX-n2    node2: eth0 192.0.2.2/24 on the LAN, eth1 198.51.100.2/24
#   PREFIX-cl    the client: eth0 192.0.2.10/24 on the LAN
#
# node1 eth1 <-> node2 eth1 is a crossover veth that carries the UDP
# heartbeats; a socat pty pair (LAB_DIR/tty-n1 <-> LAB_DIR/tty-n2) is the
# serial null-modem cable. The floating address is 192.0.2.100 (LAB_VIP).
#
# lab_create_lan K builds a bigger cluster instead: nodes 1..K (K <= 32),
# node N at 192.0.2.N on the LAN only (no crossover, no serial cable), and
# the client at 192.0.2.250. LAB_NODES lists the node numbers either way.
#
# Safety: only namespaces this file creates are touched (every interface is
# created inside them, never in the root namespace); only 192.0.2.0/24 and
# 198.51.100.0/24 are used; processes are stopped by the PID recorded when
# they were started, or found with `ip netns pids` in our own namespaces --
# never by name. lab_init installs a trap that undoes everything on EXIT,
# INT and TERM.
#
# Power-off of a node (lab_power_off N) freezes every process in its
# namespace at once (daemon, web server), deletes its LAN interface (its
# addresses, the VIP among them, vanish with it), takes its end of the
# crossover cable down (the peer sees the carrier drop, as when a machine
# loses power) and kills the frozen processes. lab_boot N brings the
# interfaces back, empties its run directory (a reboot clears /run) and
# starts the daemon again (lab_power_on N without the daemon).

LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_BIN=$LAB_REPO/bin
LAB_VIP=192.0.2.100
LAB_NS_LIST=()   # namespaces we created, deleted by lab_cleanup
LAB_PIDS=()      # processes we started in the root namespace
LAB_NODES="1 2"  # the nodes' numbers
declare -A LAB_DAEMON_PID=()
declare -A LAB_WEB_PID=() # lab_web_start's web servers

lab_say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
lab_note() { printf '    %s\n' "$*"; }
lab_die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

lab_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "This needs root: it creates network namespaces, veth pairs and a bridge" >&2
		echo "(CAP_NET_ADMIN) and adds addresses inside them. Run it as root, e.g. sudo $0" >&2
		exit 1
	fi
}

# lab_keep: keep the lab's files at exit (a run went wrong: its logs say
# why), unless LAB_KEEP=0 says never.
lab_keep() { [ "${LAB_KEEP:-}" = 0 ] || LAB_KEEP=1; }

# lab_need_tools installs iproute2, socat and procps with apt-get, only if
# their commands are missing.
lab_need_tools() {
	lab_need_pkgs ip:iproute2 socat:socat ps:procps
}

# lab_need_pkgs COMMAND:PACKAGE...: install with apt-get the packages whose
# command (a name on PATH or an absolute path) is missing. Services must
# not start in the root namespace: while apt-get runs, a policy-rc.d that
# forbids every start is in place (created only if there is none, removed
# afterwards).
lab_need_pkgs() {
	local missing=() pair created=0 rc=0
	for pair in "$@"; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	command -v apt-get >/dev/null 2>&1 || lab_die "missing packages ${missing[*]} and no apt-get to install them"
	lab_say "Installing ${missing[*]} (apt-get; service starts forbidden by policy-rc.d)"
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# scripts/lab.sh: no service starts while it installs packages\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		created=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null &&
		apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
	[ $created = 1 ] && rm -f /usr/sbin/policy-rc.d
	[ $rc = 0 ] || lab_die "apt-get install ${missing[*]} failed"
	for pair in "$@"; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || lab_die "${pair#*:} installed, but ${pair%%:*} is still missing"
	done
}

# lab_build builds bin/understudy and bin/demoweb.
lab_build() {
	(cd "$LAB_REPO" && make -s build >/dev/null && CGO_ENABLED=0 go build -trimpath -o bin/demoweb ./internal/demoweb) ||
		lab_die "build failed"
}

# lab_init NAME: unique prefix, temporary directory, cleanup trap.
lab_init() {
	LAB_PREFIX="us-$1-$$"
	LAB_DIR=$(mktemp -d "/tmp/$LAB_PREFIX.XXXXXX")
	trap lab_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

lab_ns() { echo "$LAB_PREFIX-$1"; }

lab_cleanup() {
	local rc=$? ns pid
	trap - EXIT INT TERM
	set +e
	# Daemons first, so none reacts to the others going away.
	for pid in "${LAB_DAEMON_PID[@]}"; do kill -9 "$pid" 2>/dev/null; done
	for ns in "${LAB_NS_LIST[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
	done
	for pid in "${LAB_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
	for pid in "${LAB_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
	for pid in "${LAB_DAEMON_PID[@]}"; do lab_gone "$pid" 20; done
	for ns in "${LAB_NS_LIST[@]}"; do ip netns del "$ns" 2>/dev/null; done
	if [ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ]; then
		# LAB_KEEP=1 keeps them, LAB_KEEP=0 never; by default a failure does.
		if [ "${LAB_KEEP:-}" = 1 ] || { [ $rc -ne 0 ] && [ "${LAB_KEEP:-}" != 0 ]; }; then
			echo "lab files (logs, configs) kept in $LAB_DIR"
		else
			rm -rf "$LAB_DIR"
		fi
	fi
	exit $rc
}

lab_netns_add() {
	local ns
	ns=$(lab_ns "$1")
	ip netns add "$ns" || lab_die "ip netns add $ns"
	LAB_NS_LIST+=("$ns")
	ip -n "$ns" link set lo up
}

# lab_lan_port ROLE HOSTNUM: a veth from the bridge to ROLE's eth0, with
# 192.0.2.HOSTNUM/24. Created inside the LAN namespace, the peer placed
# straight into ROLE's namespace.
lab_lan_port() {
	local lan ns
	lan=$(lab_ns lan)
	ns=$(lab_ns "$1")
	ip -n "$lan" link add "p-$1" type veth peer name eth0 netns "$ns"
	ip -n "$lan" link set "p-$1" master br0 up
	ip -n "$ns" addr add "192.0.2.$2/24" brd + dev eth0 # brd: bcast heartbeats need it
	ip -n "$ns" link set eth0 up
}

# lab_lan CLIENTHOST NODE...: the LAN bridge, the client at
# 192.0.2.CLIENTHOST and node N at 192.0.2.N.
lab_lan() {
	local lan n
	lab_netns_add lan
	lan=$(lab_ns lan)
	ip -n "$lan" link add br0 type bridge
	ip -n "$lan" link set br0 up
	lab_netns_add cl
	lab_lan_port cl "$1"
	shift
	LAB_NODES="$*"
	for n in "$@"; do
		lab_netns_add "n$n"
		lab_lan_port "n$n" "$n"
		# Deleting the VIP's primary would take the secondaries with it.
		ip netns exec "$(lab_ns "n$n")" sysctl -q -w net.ipv4.conf.eth0.promote_secondaries=1
	done
}

# lab_create_lan K: nodes 1..K on the LAN only, the client at .250.
lab_create_lan() {
	[ "$1" -ge 1 ] && [ "$1" -le 32 ] || lab_die "lab_create_lan: 1 to 32 nodes, not $1"
	lab_lan 250 $(seq "$1")
}

# lab_create: namespaces, LAN, crossover cable, serial cable.
lab_create() {
	local n
	lab_lan 10 1 2
	ip -n "$(lab_ns n1)" link add eth1 type veth peer name eth1 netns "$(lab_ns n2)"
	for n in 1 2; do
		ip -n "$(lab_ns "n$n")" addr add "198.51.100.$n/24" dev eth1
		ip -n "$(lab_ns "n$n")" link set eth1 up
	done
	socat -d -d "pty,raw,echo=0,link=$LAB_DIR/tty-n1" "pty,raw,echo=0,link=$LAB_DIR/tty-n2" \
		2>"$LAB_DIR/socat.log" &
	LAB_PIDS+=($!)
	local _
	for _ in $(seq 50); do
		[ -e "$LAB_DIR/tty-n1" ] && [ -e "$LAB_DIR/tty-n2" ] && return 0
		sleep 0.1
	done
	lab_die "socat did not create the serial cable (see $LAB_DIR/socat.log)"
}

# lab_config KEEPALIVE DEADTIME AUTO_FAILBACK HARESOURCES-LINE(S)
# writes each node's configuration directory, LAB_DIR/nodeN/ha.d, for the
# two-node lab of lab_create: UDP over the crossover and the serial cable.
lab_config() {
	local n
	for n in 1 2; do
		lab_node_config "$n" "$1" "$2" "$3" "$4" \
			"ucast eth1 198.51.100.1
ucast eth1 198.51.100.2
baud 19200
serial $LAB_DIR/tty-n$n"
	done
}

# lab_config_lan KEEPALIVE DEADTIME AUTO_FAILBACK HARESOURCES-LINE(S) bcast|ucast
# is lab_config for the nodes of lab_create_lan: heartbeats on the LAN,
# broadcast or unicast to every node.
lab_config_lan() {
	local n links="" m
	case $5 in
	bcast) links="bcast eth0" ;;
	ucast) for m in $LAB_NODES; do links="${links}ucast eth0 192.0.2.$m"$'\n'; done ;;
	*) lab_die "lab_config_lan: bcast or ucast, not $5" ;;
	esac
	for n in $LAB_NODES; do
		lab_node_config "$n" "$1" "$2" "$3" "$4" "$links"
	done
}

# lab_node_config N KEEPALIVE DEADTIME AUTO_FAILBACK HARESOURCES LINKS
# writes LAB_DIR/nodeN/ha.d: LINKS are the ha.cf lines of its heartbeat
# links, every node of LAB_NODES is a member.
lab_node_config() {
	local n=$1 keepalive=$2 deadtime=$3 failback=$4 group=$5 links=$6 d m
	d=$LAB_DIR/node$n
	mkdir -p "$d/ha.d/resource.d" "$d/state" "$d/run"
	{
		cat <<-EOF
			# written by scripts/lab.sh; logs go to stderr
			keepalive $keepalive
			warntime $(lab_warntime "$deadtime")
			deadtime $deadtime
			initdead ${LAB_INITDEAD:-10}
			udpport 694
			$links
			auto_failback $failback
		EOF
		for m in $LAB_NODES; do echo "node node$m"; done
	} >"$d/ha.d/ha.cf"
	echo "$group" >"$d/ha.d/haresources"
	printf 'auth 1\n1 sha1 understudy-lab-%s\n' "$LAB_PREFIX" >"$d/ha.d/authkeys"
	chmod 600 "$d/ha.d/authkeys"
	cat >"$d/ha.d/understudy.toml" <<-EOF
		[resources]
		timeout = "10s"
		[ip]
		garp_count = 3
		garp_interval = "100ms"
		probe_time = "10ms"
		[paths]
		state_dir = "$d/state"
		run_dir = "$d/run"
	EOF
	install -m 755 "$LAB_REPO/scripts/demo/resource.d/demoweb" "$d/ha.d/resource.d/demoweb"
	cat >"$d/ha.d/demoweb.conf" <<-EOF
		DEMOWEB_BIN=$LAB_BIN/demoweb
		DEMOWEB_RUN_DIR=$d/run
		DEMOWEB_LISTEN=0.0.0.0:80
	EOF
	"$LAB_BIN/understudy" check -c "$d/ha.d" --node "node$n" >"$d/check.out" 2>&1 ||
		{ cat "$d/check.out" >&2; lab_die "understudy check refused node$n's configuration"; }
}

# lab_warntime DEADTIME: three quarters of deadtime ("200ms" -> "150ms").
lab_warntime() {
	local v=${1%ms}
	echo "$((v * 3 / 4))ms"
}

# lab_start N: start nodeN's daemon in its namespace, log to nodeN/daemon.log.
lab_start() {
	local n=$1 d=$LAB_DIR/node$1
	echo "---- lab: daemon started $(date +%T.%N)" >>"$d/daemon.log"
	ip netns exec "$(lab_ns "n$n")" "$LAB_BIN/understudy" daemon -c "$d/ha.d" --node "node$n" \
		>>"$d/daemon.log" 2>&1 &
	LAB_DAEMON_PID[$n]=$!
	disown "$!" # no "Killed" job notices; lab_gone waits by PID instead
}

# lab_gone PID [TENTHS]: wait until PID has exited (up to TENTHS/10 s); a
# zombie counts as gone.
lab_gone() {
	local _
	for _ in $(seq "${2:-100}"); do
		[ -n "$({ tr -d '\0' <"/proc/$1/cmdline"; } 2>/dev/null)" ] || return 0
		sleep 0.1
	done
	return 1
}

# lab_stop N: SIGTERM (graceful hand-over), wait up to 15 s.
lab_stop() {
	local n=$1 pid=${LAB_DAEMON_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true # it may be on its way out already
	lab_gone "$pid" 150 || { kill -9 "$pid" 2>/dev/null; lab_gone "$pid" 20; }
	unset "LAB_DAEMON_PID[$n]"
}

# lab_power_off N: the machine loses power. Every program on it is frozen
# at once (SIGSTOP: none gets to say goodbye, as a daemon whose parent
# dies might), then its links go dark, then the programs die.
lab_power_off() {
	local n=$1 ns pid pids
	ns=$(lab_ns "n$n")
	pids=$(ip netns pids "$ns")
	# shellcheck disable=SC2086 # one kill for them all: a list of PIDs
	[ -z "$pids" ] || kill -STOP $pids 2>/dev/null || true
	ip -n "$ns" link del eth0
	ip -n "$ns" link set eth1 down 2>/dev/null || true # no crossover in lab_create_lan's clusters
	for pid in $pids $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
	unset "LAB_DAEMON_PID[$n]" "LAB_WEB_PID[$n]"
	echo "---- lab: powered off $(date +%T.%N)" >>"$LAB_DIR/node$n/daemon.log"
	return 0
}

# lab_boot N: power back on: interfaces, an empty /run, the daemon.
lab_boot() {
	lab_power_on "$1"
	lab_start "$1"
}

# lab_power_on N: nodeN's interfaces come back and its /run is empty; no
# program runs yet.
lab_power_on() {
	local n=$1 ns
	ns=$(lab_ns "n$n")
	lab_lan_port "n$n" "$n"
	ip netns exec "$ns" sysctl -q -w net.ipv4.conf.eth0.promote_secondaries=1
	ip -n "$ns" link set eth1 up 2>/dev/null || true
	rm -rf "$LAB_DIR/node$n/run" && mkdir -p "$LAB_DIR/node$n/run"
}

# lab_web_start N: the web server on nodeN outside any cluster's control
# (the "address only" cases: every node serves, the address moves), until
# the node powers off. Its PID is LAB_WEB_PID[N].
lab_web_start() {
	local n=$1 _
	ip netns exec "$(lab_ns "n$n")" "$LAB_BIN/demoweb" serve --listen 0.0.0.0:80 --name "node$n" \
		>"$LAB_DIR/web-n$n.log" 2>&1 &
	LAB_WEB_PID[$n]=$!
	disown "$!" # it lives in our namespace: lab_power_off and lab_cleanup find it there
	for _ in $(seq 50); do
		grep -qs "serving on" "$LAB_DIR/web-n$n.log" && return 0
		sleep 0.1
	done
	lab_die "the web server on node$n did not start (see $LAB_DIR/web-n$n.log)"
}

# lab_web_stop N: stop lab_web_start's web server on nodeN.
lab_web_stop() {
	local pid=${LAB_WEB_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	lab_gone "$pid" 30 || { kill -9 "$pid" 2>/dev/null; lab_gone "$pid" 20; }
	unset "LAB_WEB_PID[$1]"
}

# lab_assert_empty N...: stop the script if a program still runs on one of
# the nodes (a daemon that outlived its stop would skew what comes next).
lab_assert_empty() {
	local n left
	for n in "$@"; do
		left=$(ip netns pids "$(lab_ns "n$n")" | tr '\n' ' ')
		[ -z "$left" ] || lab_die "node$n still runs PIDs $left after everything on it was stopped"
	done
}

# lab_holders ADDR: the nodes that have ADDR on an interface, or "nobody".
lab_holders() {
	local n who="" addrs
	for n in $LAB_NODES; do
		addrs=$(ip -n "$(lab_ns "n$n")" -4 -o addr show 2>/dev/null || true)
		case $addrs in *" inet $1/"*) who="$who node$n" ;; esac
	done
	who=${who# }
	echo "${who:-nobody}"
}

# lab_wait_holder ADDR WHO [SECONDS]: wait until lab_holders ADDR prints WHO.
lab_wait_holder() {
	local _
	for _ in $(seq $((${3:-10} * 10))); do
		[ "$(lab_holders "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# lab_client CMD...: run CMD in the client's namespace.
lab_client() { ip netns exec "$(lab_ns cl)" "$@"; }

# lab_wait_answer NAME [SECONDS [ADDR]]: wait until ADDR (default the VIP)
# answers HTTP from NAME.
# Run in the background and waited for, so that a signal to this script
# is handled at once rather than when the poller ends.
lab_wait_answer() {
	lab_client "$LAB_BIN/demoweb" poll --url "http://${3:-$LAB_VIP}/" --interval 50ms --timeout 200ms \
		--duration "${2:-15}s" --until-name "$1" >"$LAB_DIR/wait.out" 2>&1 &
	LAB_PIDS+=($!)
	wait $!
}

# lab_wait_quiet N [SECONDS]: wait until nodeN's status shows resources
# stable, no standby hand-shake, nothing starting or stopping.
lab_wait_quiet() {
	local _ js
	for _ in $(seq $((${2:-10} * 10))); do
		js=$("$LAB_BIN/understudy" status --json -s "$LAB_DIR/node$1/run/understudy.sock" 2>/dev/null | tr -d ' \n\t' || true)
		case $js in
		*'"state":"starting"'* | *'"state":"stopping"'*) ;;
		*'"state":"stable"'*) case $js in *'"standby":"none"'*) return 0 ;; esac ;;
		esac
		sleep 0.1
	done
	return 1
}

# lab_status N: `understudy status` of nodeN, indented.
lab_status() {
	local n=$1 out
	shift
	if out=$("$LAB_BIN/understudy" status "$@" -s "$LAB_DIR/node$n/run/understudy.sock" 2>&1); then
		printf '%s\n' "$out" | sed 's/^/    /'
	else
		printf '%s\n' "$out" | head -n 3 | sed 's/^/    /'
		lab_note "(understudy status failed; $LAB_VIP is held by: $(lab_holders "$LAB_VIP"))"
	fi
}

# lab_stats FILE: "min / median / max" of the numbers in FILE, one per
# line, rounded to whole numbers ("-" for none).
lab_stats() {
	sort -n "$1" | awk '{v[NR]=$1} END {
		if (NR == 0) { print "-"; exit }
		m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
		printf "%.0f / %.0f / %.0f", v[1], m, v[NR] }'
}

# lab_log N: nodeN's daemon log.
lab_log() { echo "$LAB_DIR/node$1/daemon.log"; }

# lab_admin PASSWORD: every node's admin port (and so its web console) on
# its LAN address, 192.0.2.N:9050, with PASSWORD as the admin password
# (DEMO_CONSOLE=1 make demo). Call after lab_config.
lab_admin() {
	local n d
	for n in 1 2; do
		d=$LAB_DIR/node$n
		printf '[admin]\nlisten = ["192.0.2.%s:9050"]\n' "$n" >>"$d/ha.d/understudy.toml"
		printf '%s\n' "$1" | "$LAB_BIN/understudy" passwd -c "$d/ha.d" >"$d/passwd.out" 2>&1 ||
			{ cat "$d/passwd.out" >&2; lab_die "understudy passwd failed for node$n"; }
		"$LAB_BIN/understudy" check -c "$d/ha.d" --node "node$n" >"$d/check.out" 2>&1 ||
			{ cat "$d/check.out" >&2; lab_die "understudy check refused node$n's [admin]"; }
	done
}

# lab_forward N PORT: 127.0.0.1:PORT on this machine (loopback only: the
# one thing the lab listens on outside its namespaces) forwarded to nodeN's
# admin port, each connection through a socat started inside nodeN's
# namespace. The listener is killed by its PID on cleanup; the socats in
# the namespace with the namespace's processes.
lab_forward() {
	local _
	if [ -n "$(ss -Hltn "( sport = :$2 )" 2>/dev/null)" ]; then
		lab_die "port $2 is already in use on this machine: stop what listens there, or set DEMO_CONSOLE_PORT"
	fi
	socat "TCP-LISTEN:$2,bind=127.0.0.1,reuseaddr,fork" \
		"EXEC:ip netns exec $(lab_ns "n$1") socat STDIO TCP\:192.0.2.$1\:9050" 2>"$LAB_DIR/forward.log" &
	LAB_PIDS+=($!)
	for _ in $(seq 50); do
		[ -n "$(ss -Hltn "( sport = :$2 )" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	lab_die "the forwarder did not start (see $LAB_DIR/forward.log)"
}
