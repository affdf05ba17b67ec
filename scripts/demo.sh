#!/bin/bash
# scripts/demo.sh (make demo) -- a two-node Understudy cluster in network
# namespaces on this machine, failing over in front of you (X5).
#
# node1 and node2 share a LAN with a client; node1 owns the floating
# address 192.0.2.100 and a small web server. The client polls the
# address every 10 ms while node1 is powered off; node2 takes over; node1
# boots again and, with auto_failback on, gets its service back.
#
# Needs root. Leaves nothing behind (see scripts/lab.sh). LAB_KEEP=1 keeps
# the logs and configs in /tmp. Exit status 0 only if the failover and the
# failback happened.
#
# DEMO_CONSOLE=1 also turns on the admin port of both nodes and, after
# the failback, forwards node1's web console to https://127.0.0.1:9050
# on this machine (loopback only; DEMO_CONSOLE_PORT changes the port),
# prints its password and certificate fingerprint, and keeps the cluster
# running until Enter is pressed.
set -euo pipefail
# shellcheck source=scripts/lab.sh
. "$(dirname "$0")/lab.sh"

KEEPALIVE=${KEEPALIVE:-50ms}
DEADTIME=${DEADTIME:-200ms}

lab_require_root
lab_need_tools
lab_say "Building bin/understudy and bin/demoweb"
lab_build
lab_init demo

lab_say "Creating the lab: namespaces $LAB_PREFIX-{lan,n1,n2,cl}"
lab_create
lab_note "LAN 192.0.2.0/24 on a bridge: node1 .1, node2 .2, client .10; service address $LAB_VIP"
lab_note "heartbeats: UDP over a crossover cable (198.51.100.1 <-> .2) and a serial null-modem (socat ptys)"
lab_config "$KEEPALIVE" "$DEADTIME" on "node1 IPaddr2::$LAB_VIP/24/eth0 demoweb"
if [ "${DEMO_CONSOLE:-0}" = 1 ]; then
	DEMO_PASSWORD=demo-$(head -c 9 /dev/urandom | base64 | tr -d '/+=')
	lab_admin "$DEMO_PASSWORD"
	lab_note "admin port and web console on 192.0.2.1:9050 and 192.0.2.2:9050 (DEMO_CONSOLE=1)"
fi
lab_note "keepalive $KEEPALIVE, deadtime $DEADTIME, auto_failback on"
lab_note "haresources: $(cat "$LAB_DIR/node1/ha.d/haresources")"

lab_say "Starting both daemons"
lab_start 1
lab_start 2
if ! lab_wait_answer node1 15; then
	cat "$LAB_DIR/wait.out"
	tail -n 20 "$(lab_log 1)" "$(lab_log 2)"
	lab_die "the service did not come up on node1"
fi
lab_wait_holder "$LAB_VIP" node1 10 || lab_die "$LAB_VIP should be on node1 only, but is held by: $(lab_holders "$LAB_VIP")"
lab_note "the client reaches http://$LAB_VIP/ -> $(lab_client curl -s -m 1 "http://$LAB_VIP/" 2>/dev/null || echo '?')"
lab_wait_quiet 1 || true
lab_say "understudy status on node1"
lab_status 1

lab_say "The client polls http://$LAB_VIP/ every 10 ms; in 1 s node1 loses power"
lab_client "$LAB_BIN/demoweb" poll --url "http://$LAB_VIP/" --interval 10ms --timeout 50ms \
	--duration 20s --until-name node2 >"$LAB_DIR/poll.out" 2>&1 &
POLL=$!
LAB_PIDS+=("$POLL")
sleep 1
lab_power_off 1
lab_note "node1: daemon and web server killed -9, LAN interface deleted, crossover cable dark"
if ! wait "$POLL"; then
	sed 's/^/    client: /' "$LAB_DIR/poll.out"
	tail -n 20 "$(lab_log 2)"
	lab_die "node2 did not take the service over"
fi
sed 's/^/    client: /' "$LAB_DIR/poll.out"
grep -q '^gap_ms=.* from=node1 to=node2 ' "$LAB_DIR/poll.out" || lab_die "the client did not see node1, then node2"
GAP=$(sed -n 's/^gap_ms=\([0-9.]*\).*/\1/p' "$LAB_DIR/poll.out")
lab_say "Failover: the client went ${GAP} ms without an answer (deadtime is $DEADTIME)"
lab_wait_holder "$LAB_VIP" node2 5 || lab_die "$LAB_VIP should be on node2 only, but is held by: $(lab_holders "$LAB_VIP")"
lab_note "the address is now held by: $(lab_holders "$LAB_VIP")"
lab_wait_quiet 2 || true
lab_say "understudy status on node2"
lab_status 2

lab_say "node1 boots again; with auto_failback on it takes its group back"
lab_client "$LAB_BIN/demoweb" poll --url "http://$LAB_VIP/" --interval 10ms --timeout 50ms \
	--duration 20s --until-name node1 >"$LAB_DIR/poll2.out" 2>&1 &
POLL=$!
LAB_PIDS+=("$POLL")
lab_boot 1
if ! wait "$POLL"; then
	sed 's/^/    client: /' "$LAB_DIR/poll2.out"
	tail -n 20 "$(lab_log 1)" "$(lab_log 2)"
	lab_die "node1 did not get its service back"
fi
sed 's/^/    client: /' "$LAB_DIR/poll2.out"
GAP2=$(sed -n 's/^gap_ms=\([0-9.]*\).*/\1/p' "$LAB_DIR/poll2.out")
lab_say "Failback: the client went ${GAP2} ms without an answer during the planned hand-over"
lab_wait_holder "$LAB_VIP" node1 5 || lab_die "$LAB_VIP should be on node1 only, but is held by: $(lab_holders "$LAB_VIP")"
lab_note "the address is now held by: $(lab_holders "$LAB_VIP")"
lab_wait_quiet 1 || true
lab_wait_quiet 2 || true
lab_say "Final status on node1"
lab_status 1

if [ "${DEMO_CONSOLE:-0}" = 1 ]; then
	PORT=${DEMO_CONSOLE_PORT:-9050}
	lab_forward 1 "$PORT"
	FP=$("$LAB_BIN/understudy" status --json -s "$LAB_DIR/node1/run/understudy.sock" 2>/dev/null |
		sed -n 's/.*"fingerprint": *"\([0-9A-Fa-f:]*\)".*/\1/p' | head -n 1 || true)
	[ -n "$FP" ] || FP=$(openssl x509 -noout -fingerprint -sha256 -in "$LAB_DIR/node1/state/admin.crt" 2>/dev/null | cut -d= -f2)
	[ -n "$FP" ] || FP="unknown: node1's admin port did not start (see $(lab_log 1))"
	lab_say "node1's web console, forwarded to this machine; the cluster keeps running"
	lab_note "URL:         https://127.0.0.1:$PORT/"
	lab_note "password:    $DEMO_PASSWORD"
	lab_note "certificate: self-signed, SHA-256 fingerprint $FP"
	lab_note "             (the browser warns: accept it if this fingerprint is the one it shows)"
	lab_note "try Standby on node1 and watch the group move to node2, then Take over; the Log and Configuration pages"
	read -r -p "    Press Enter to stop the cluster and clean up. " _ || true
fi
lab_say "Done: failover in ${GAP} ms, failback in ${GAP2} ms. Cleaning up."
