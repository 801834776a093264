#!/bin/sh
# Checks the shipped systemd units with systemd's own tools. Prints TAP.
#   1. `systemd-analyze verify` on bbb-gateway.service (+ .socket) prints nothing
#      (verify exits 0 on mere warnings such as an unknown key, so any output
#      fails the test);
#   2. `systemd-analyze security --offline=true` scores the service <= 2.0;
#   3. the unit keeps the contract the daemon relies on: Type=notify,
#      ExecReload sends SIGHUP, the secret arrives as a credential, and
#      TimeoutStopSec outlasts the default drain deadline (10 s + 0.5 s).
# verify wants every Exec binary to exist, so the units are checked from a
# copy in which /usr/sbin/bbb-gateway (not installed here) is /bin/true.
# Without systemd-analyze the whole plan is skipped, with the reason.
#
# Usage: check_systemd.sh [DIR]   (DIR holds the units; default: systemd)
set -u
dir="${1:-systemd}"
service="$dir/bbb-gateway.service"
socket="$dir/bbb-gateway.socket"
max_exposure="2.0"
drain_s=11 # limits.shutdown_timeout_ms default (10 s) + the 0.5 s the gateway adds, rounded up

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "1..0 # SKIP systemd-analyze not installed"
	exit 0
fi
if [ ! -f "$service" ]; then
	echo "1..1"
	echo "not ok 1 - no unit at $service"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gw-systemd.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
n=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	status=1
}

# Prints its stdin as TAP diagnostics.
diag() {
	sed 's/^/# /'
}

echo "1..7"

# The copy: only the binary path changes; /bin/kill too where procps is absent.
units="$tmp/bbb-gateway.service"
names="bbb-gateway.service"
sed -e 's|/usr/sbin/bbb-gateway|/bin/true|g' "$service" >"$tmp/bbb-gateway.service"
if [ ! -x /bin/kill ]; then
	echo "# /bin/kill missing here; verifying ExecReload with /bin/true instead"
	sed -i -e 's|/bin/kill|/bin/true|g' "$tmp/bbb-gateway.service"
fi
if [ -f "$socket" ]; then
	cp "$socket" "$tmp/bbb-gateway.socket"
	units="$units $tmp/bbb-gateway.socket"
	names="$names bbb-gateway.socket"
fi

# 1. verify: silent and exit 0.
# shellcheck disable=SC2086 # $units is a list of paths without spaces (mktemp)
out=$(cd "$tmp" && systemd-analyze verify --man=no $units 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then
	ok "systemd-analyze verify $names: no warnings"
else
	not_ok "systemd-analyze verify $names (exit $rc, output below)"
	echo "$out" | sed "s|$tmp/||g" | diag
fi

# 2. security: exposure score.
out=$(cd "$tmp" && systemd-analyze security --offline=true --no-pager \
	"$tmp/bbb-gateway.service" 2>&1)
rc=$?
score=$(echo "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9]*\.[0-9]\).*/\1/p')
if [ -z "$score" ]; then
	not_ok "systemd-analyze security printed no exposure score (exit $rc)"
	echo "$out" | diag
elif awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s + 0 <= m + 0) }'; then
	ok "exposure $score <= $max_exposure"
	echo "$out" | grep '✗' | diag
else
	not_ok "exposure $score > $max_exposure"
	echo "$out" | grep '✗' | diag
fi

# 3-7. The contract with the daemon, read from the real unit ([Service] keys).
key() {
	sed -n "s/^$1=//p" "$service"
}

if [ "$(key Type)" = "notify" ]; then
	ok "Type=notify"
else
	not_ok "Type=notify (found '$(key Type)')"
fi

# shellcheck disable=SC2016 # $MAINPID is literal text in the unit
if key ExecReload | grep -q '^/bin/kill -HUP \$MAINPID$'; then
	ok "ExecReload sends SIGHUP to \$MAINPID"
else
	not_ok "ExecReload=/bin/kill -HUP \$MAINPID missing"
fi

if key LoadCredential | grep -q '^bbb-secret:/'; then
	ok "the BBB secret is a credential (LoadCredential=bbb-secret:...)"
else
	not_ok "LoadCredential=bbb-secret:... missing"
fi

if [ "$(key DynamicUser)" = "yes" ] && grep -qx 'CapabilityBoundingSet=' "$service" &&
	! grep -q '^CapabilityBoundingSet=.' "$service" &&
	[ "$(key NoNewPrivileges)" = "yes" ]; then
	ok "DynamicUser=yes, NoNewPrivileges=yes, no capabilities"
else
	not_ok "DynamicUser / NoNewPrivileges / CapabilityBoundingSet="
fi

# TimeoutStopSec as plain seconds ("30", "30s") or minutes ("1min", "2m").
stop=$(key TimeoutStopSec)
secs=$(echo "$stop" | sed -n -e 's/^\([0-9][0-9]*\)s\{0,1\}$/\1/p' \
	-e 's/^\([0-9][0-9]*\)m\(in\)\{0,1\}$/\1 60 */p' | awk '{ print ($3 == "*") ? $1 * $2 : $1 }')
if [ -n "$secs" ] && [ "$secs" -gt "$drain_s" ]; then
	ok "TimeoutStopSec=$stop outlasts the default drain (${drain_s}s)"
else
	not_ok "TimeoutStopSec='$stop' must be a number of seconds above ${drain_s}s"
fi

exit $status
