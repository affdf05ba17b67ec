#!/bin/sh
# Installs what the tests, the demo and the benchmark need on a fresh
# Debian machine: iproute2 (network namespaces), socat (the serial
# null-modem cable of the demo), procps, heartbeat 3.0.6 (the peer of
# the interoperability tests), cluster-glue (stonith(8), meatclient and
# the fencing plugins of the fence tests) and chromium (the web console's
# browser tests). Only what is missing; only as root.
set -eu
need=""
command -v ip >/dev/null 2>&1 || need="$need iproute2"
command -v socat >/dev/null 2>&1 || need="$need socat"
command -v ps >/dev/null 2>&1 || need="$need procps"
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need="$need chromium"
[ -x /usr/libexec/heartbeat/heartbeat ] || [ -x /usr/lib/heartbeat/heartbeat ] || need="$need heartbeat"
[ -x /usr/sbin/stonith ] && [ -x /usr/sbin/meatclient ] || need="$need cluster-glue"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing$need; not root, so the tests that need them will skip" >&2
	exit 0
fi
echo "deps: installing$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# heartbeat's (and cluster-glue's logd's) maintainer scripts would start
# them in the root namespace: forbid service starts during the install.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.understudy
chmod +x /usr/sbin/policy-rc.d.understudy
[ -e /usr/sbin/policy-rc.d ] || { cp /usr/sbin/policy-rc.d.understudy /usr/sbin/policy-rc.d; created=1; }
apt-get install -y -qq --no-install-recommends $need >/dev/null || echo "deps: apt-get failed; the tests that need$need will skip" >&2
[ "${created:-0}" = 1 ] && rm -f /usr/sbin/policy-rc.d
rm -f /usr/sbin/policy-rc.d.understudy
exit 0
