#!/bin/sh
# The BBB-compatible API test (TAP on stdout): real npm BBB client libraries
# (run.mjs) against the BBB simulator.
#
#   run.sh BBB_SIM
#
# Starts two simulators on free ports, each with a random secret of its
# own, and runs run.mjs against the first with --prefix-check against the
# second: two separate servers are isolated by construction, so here that
# only exercises the mode's code (against two tenants of one gateway it
# tests their isolation). Stops the simulators and exits with node's
# status; "SKIP: <reason>" and 77 (meson's skip) when Node.js or
# tests/facade/node_modules is missing (scripts/deps-browser installs them);
# 99 when a server does not start. READY_TIMEOUT (seconds, default 10)
# bounds each server's start.
set -u
here=$(cd "$(dirname "$0")" && pwd)
READY_TIMEOUT=${READY_TIMEOUT:-10}

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: run.sh BBB_SIM (an executable bbb-sim)" >&2
	exit 2
fi
sim=$1

if ! command -v node >/dev/null 2>&1; then
	echo "SKIP: Node.js is not installed (scripts/deps-browser installs it)"
	exit 77
fi
for pkg in bigbluebutton-js bbb-promise; do
	if [ ! -d "$here/node_modules/$pkg" ]; then
		echo "SKIP: tests/facade/node_modules/$pkg is missing: run scripts/deps-browser (npm ci)"
		exit 77
	fi
done

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

# start NAME PATTERN COMMAND [ARG...]
# Starts COMMAND in the background (stdout in $tmp/NAME.out, stderr in
# $tmp/NAME.err) and waits for a stdout line matching the extended regex
# PATTERN; sets ready_line to it. Returns 1, with what the process said,
# if it exits first or READY_TIMEOUT seconds pass.
start() {
	name=$1
	pattern=$2
	shift 2
	: >"$tmp/$name.out" # there before the background job opens it
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pid=$!
	pids="$pids $pid"
	tries=$((READY_TIMEOUT * 10))
	while [ "$tries" -gt 0 ]; do
		ready_line=$(grep -E -m 1 "$pattern" "$tmp/$name.out")
		[ -n "$ready_line" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		tries=$((tries - 1))
	done
	echo "Bail out! $name did not start: $1"
	sed "s/^/# $name: /" "$tmp/$name.out" "$tmp/$name.err"
	return 1
}

# start_bbbsim NAME SECRET: a simulator on a free port; sets base to the
# URL a BBB client is given (http://127.0.0.1:PORT/bigbluebutton/).
start_bbbsim() {
	start "$1" '^bbb-sim listening on http://' "$sim" --port 0 --secret "$2" || return 1
	base=${ready_line#bbb-sim listening on }
	base=${base%api}
}

random_secret() {
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
}

secret_a=$(random_secret)
secret_b=$(random_secret)
start_bbbsim bbb-sim-a "$secret_a" || exit 99
base_a=$base
start_bbbsim bbb-sim-b "$secret_b" || exit 99
base_b=$base

node "$here/run.mjs" "$base_a" "$secret_a" --prefix-check "$base_b" "$secret_b"
exit $?
