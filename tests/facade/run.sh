#!/bin/sh
# The BBB-compatible API test (TAP on stdout): real npm BBB client libraries
# (run.mjs) against the gateway's facade, with the BBB simulator behind it.
#
#   run.sh BBB_SIM BBB_GATEWAY
#
# Starts one simulator on a free port with a random secret, then the
# gateway (on a free port, facade enabled) with two tenants, lms and
# moodle, each with a random secret of its own; and a second gateway, the
# same tenants in front of a fleet of two more simulators (`servers`).
# run.mjs runs three times:
#
#   path: the tenant named by the path, http://127.0.0.1:PORT/lms/bigbluebutton/
#         with --prefix-check against .../moodle/bigbluebutton/;
#   host: the tenant named by the first label of Host,
#         http://lms.localhost:PORT/bigbluebutton/ with --prefix-check against
#         moodle.localhost. Node resolves *.localhost through a preload that
#         sends those names to 127.0.0.1 (no /etc/hosts, no DNS needed);
#   fleet: the path form on the fleet's gateway: creates placed on either
#         server, lists merged from both, calls following their meeting.
#
# --prefix-check tests the tenants' isolation: a meeting moodle creates is
# invisible to lms. Both runs' TAP is merged into one stream (renumbered, each
# name prefixed with its form). Stops every process it started and exits 0
# when every check passes, 1 otherwise, with the gateway's log as TAP
# comments on failure. When Node.js or tests/facade/node_modules is missing it
# prints "1..0 # SKIP <reason>" and exits 0 (meson's TAP skip: under
# protocol 'tap' meson counts exit status 77 as an error, not a skip).
# "Bail out!" and 99 when a server does not start. READY_TIMEOUT (seconds,
# default 10) bounds each server's start.
set -u
here=$(cd "$(dirname "$0")" && pwd)
READY_TIMEOUT=${READY_TIMEOUT:-10}

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
	echo "usage: run.sh BBB_SIM BBB_GATEWAY (an executable bbb-sim and bbb-gateway)" >&2
	exit 2
fi
sim=$1
gateway=$2

if ! command -v node >/dev/null 2>&1; then
	echo "1..0 # SKIP Node.js is not installed (scripts/deps-browser installs it)"
	exit 0
fi
for pkg in bigbluebutton-js bbb-promise; do
	if [ ! -d "$here/node_modules/$pkg" ]; then
		echo "1..0 # SKIP tests/facade/node_modules/$pkg is missing: run scripts/deps-browser (npm ci)"
		exit 0
	fi
done

# bbb.url and bbb.secret come from the config written here, not from these.
unset BBB_GATEWAY_BBB_URL BBB_GATEWAY_BBB_SECRET

pids=""
tmp=$(mktemp -d) || exit 99

# Stops every process started here (by its id) and removes the scratch dir.
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	for pid in $pids; do
		kill "$pid" 2>/dev/null
	done
	for pid in $pids; do
		wait "$pid" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME STREAM PATTERN COMMAND [ARG...]
# Starts COMMAND in the background (stdout in $tmp/NAME.out, stderr in
# $tmp/NAME.err) and waits for a line matching the extended regex PATTERN
# in $tmp/NAME.STREAM (out or err); sets ready_line to it and pid to the
# process. Returns 1, with what the process said, if it exits first or
# READY_TIMEOUT seconds pass (the process is then stopped).
start() {
	name=$1
	stream=$2
	pattern=$3
	shift 3
	: >"$tmp/$name.out" # there before the background job opens them
	: >"$tmp/$name.err"
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pid=$!
	pids="$pids $pid"
	tries=$((READY_TIMEOUT * 10))
	while [ "$tries" -gt 0 ]; do
		ready_line=$(grep -E -m 1 "$pattern" "$tmp/$name.$stream")
		[ -n "$ready_line" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		tries=$((tries - 1))
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "# $name did not start: $1"
	sed "s/^/# $name: /" "$tmp/$name.out" "$tmp/$name.err"
	return 1
}

random_secret() {
	od -An -N24 -tx1 /dev/urandom | tr -d ' \n' # 48 hex digits
}

# A TCP port free on 127.0.0.1 right now (the kernel's pick for port 0),
# or a random one in 20000-59999 without python3; start_gateway retries
# when it was taken in between.
free_port() {
	if command -v python3 >/dev/null 2>&1 &&
		python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null; then
		return 0
	fi
	echo $((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
}

# start_sim NAME: a simulator on a port of its own choosing; sets sim_url and sim_secret.
start_sim() {
	sim_secret=$(random_secret)
	if ! start "$1" out '^bbb-sim listening on http://' "$sim" --port 0 --secret "$sim_secret"; then
		echo "Bail out! $1 did not start"
		exit 99
	fi
	sim_url=${ready_line#bbb-sim listening on }
}

# The fleet's two simulators first, then the lone gateway's.
start_sim bbb-sim-f1
f1_url=$sim_url
f1_secret=$sim_secret
start_sim bbb-sim-f2
f2_url=$sim_url
f2_secret=$sim_secret
start_sim bbb-sim

# The gateway: its config, the tenants' secret files beside it.
lms_secret=$(random_secret)
moodle_secret=$(random_secret)
mkdir "$tmp/gw" || exit 99
printf '%s\n' "$lms_secret" >"$tmp/gw/lms.secret"
printf '%s\n' "$moodle_secret" >"$tmp/gw/moodle.secret"
chmod 600 "$tmp/gw/lms.secret" "$tmp/gw/moodle.secret"

# write_config FILE PORT BBB: a gateway's config, BBB its BBB servers' settings.
write_config() {
	cat >"$1" <<EOF
listen = { address = "127.0.0.1"; port = $2; threads = 2; };
log = { level = "notice"; access = false; };
$3
tenants = (
  { name = "lms"; meeting_prefix = "lms~"; secret_file = "lms.secret"; max_meetings = 50;
    create = { defaults = { record = false; }; max_participants = 100; }; },
  { name = "moodle"; meeting_prefix = "moodle~"; secret_file = "moodle.secret"; }
);
facade = { enabled = true; public_url = "http://127.0.0.1:$2"; };
EOF
}

# start_gateway NAME BBB: a gateway on a free port (retried when it was
# taken in between); sets gw_port and gw_pid.
start_gateway() {
	attempt=1
	while :; do
		gw_port=$(free_port)
		write_config "$tmp/gw/$1.conf" "$gw_port" "$2"
		if start "$1" err "listening on 127\\.0\\.0\\.1 port ${gw_port}[^0-9]" \
			"$gateway" -c "$tmp/gw/$1.conf"; then
			break
		fi
		if [ "$attempt" -ge 5 ]; then
			echo "Bail out! $1 did not start"
			exit 99
		fi
		attempt=$((attempt + 1))
	done
	gw_pid=$pid
}

start_gateway bbb-gateway "bbb = { url = \"$sim_url\"; secret = \"$sim_secret\"; };"
lone_port=$gw_port
lone_pid=$gw_pid
start_gateway bbb-gateway-fleet "servers = (
  { name = \"bbb1\"; url = \"$f1_url\"; secret = \"$f1_secret\"; },
  { name = \"bbb2\"; url = \"$f2_url\"; secret = \"$f2_secret\"; }
);
fleet = { poll_s = 1; };"
fleet_port=$gw_port
fleet_pid=$gw_pid
# A server takes meetings once its first poll answered: wait for both.
tries=$((READY_TIMEOUT * 10))
while [ "$(grep -c -E 'fleet: server bbb[12] is healthy' "$tmp/bbb-gateway-fleet.err")" -lt 2 ]; do
	tries=$((tries - 1))
	if [ "$tries" -le 0 ]; then
		echo "Bail out! the fleet's servers did not become healthy"
		sed 's/^/# bbb-gateway-fleet: /' "$tmp/bbb-gateway-fleet.err"
		exit 99
	fi
	sleep 0.1
done

# Node's resolver for the Host form: *.localhost is 127.0.0.1 (as in
# browsers and systemd-resolved). Every connect (fetch and axios alike)
# resolves through dns.lookup.
cat >"$tmp/localhost.cjs" <<'EOF'
'use strict';
const dns = require('node:dns');
const lookup = dns.lookup;
dns.lookup = function localhostLookup(host, ...rest) {
  const h = /\.localhost\.?$/i.test(String(host)) ? '127.0.0.1' : host;
  return lookup.call(this, h, ...rest);
};
EOF

# client FORM BASE OTHER_BASE: run.mjs against BASE (lms's secret) with
# --prefix-check against OTHER_BASE (moodle's); TAP in $tmp/FORM.tap.
client() {
	node --require "$tmp/localhost.cjs" "$here/run.mjs" "$2" "$lms_secret" \
		--prefix-check "$3" "$moodle_secret" >"$tmp/$1.tap" 2>"$tmp/$1.err"
}

status=0
client path "http://127.0.0.1:$lone_port/lms/bigbluebutton/" \
	"http://127.0.0.1:$lone_port/moodle/bigbluebutton/" || status=1
client host "http://lms.localhost:$lone_port/bigbluebutton/" \
	"http://moodle.localhost:$lone_port/bigbluebutton/" || status=1
client fleet "http://127.0.0.1:$fleet_port/lms/bigbluebutton/" \
	"http://127.0.0.1:$fleet_port/moodle/bigbluebutton/" || status=1

# One TAP stream: the tests renumbered and named "[FORM] ...", each run's
# own plan and summary as comments, node's stderr as comments, one plan.
awk '
	FNR == 1 { form = FILENAME; sub(/.*\//, "", form); sub(/\.(tap|err)$/, "", form) }
	FILENAME ~ /\.err$/ { print "# " form " (stderr): " $0; next }
	/^TAP version/ { next }
	/^(not )?ok [0-9]+/ {
		n++
		ok = ($1 == "not") ? "not ok" : "ok"
		rest = $0
		sub(/^(not )?ok [0-9]+ *(- )?/, "", rest)
		print ok " " n " - [" form "] " rest
		next
	}
	/^#/ { print "# [" form "]" substr($0, 2); next }
	{ print "# [" form "] " $0 }
	END { if (n > 0) print "1.." n; else print "Bail out! no client run printed a test" }
' "$tmp/path.tap" "$tmp/path.err" "$tmp/host.tap" "$tmp/host.err" "$tmp/fleet.tap" \
	"$tmp/fleet.err" | {
	echo "TAP version 13"
	cat
}

# A run that printed no test (node failed before its first check) fails too.
for form in path host fleet; do
	if ! grep -q -E '^(not )?ok [0-9]+' "$tmp/$form.tap"; then
		echo "# the $form run printed no test"
		status=1
	fi
done
for gw in "bbb-gateway $lone_pid" "bbb-gateway-fleet $fleet_pid"; do
	if ! kill -0 "${gw#* }" 2>/dev/null; then
		echo "# ${gw% *} exited during the run"
		status=1
	fi
done
if [ "$status" -ne 0 ]; then
	for name in bbb-gateway bbb-gateway-fleet bbb-sim bbb-sim-f1 bbb-sim-f2; do
		sed "s/^/# $name: /" "$tmp/$name.err"
	done
fi
exit "$status"
