#!/bin/sh
# The js_client test as meson runs it (TAP on stdout):
#
#   run.sh BBB_GATEWAY BBB_SIM
#
# 1. src/api.d.ts equals a fresh openapi-typescript generation from
#    docs/openapi.json (a document change without `npm run gen` fails);
# 2. test/types-check.ts, a typical TypeScript user of the package,
#    compiles under tsc --noEmit --strict;
# 3. package.json's version is the gateway's (meson.build's project());
# 4. test/*.test.js (node --test) against the built gateway and the BBB
#    simulator, which the tests start on free loopback ports
#    (tests/openapi/stack.mjs) and stop; and test/page.html in headless
#    Chromium, the package imported through an importmap with no build step,
#    and examples/frontend-guide (docs/frontend.md's code) driven in Chromium
#    by playwright-core from tests/browser/node_modules (TAP skips without
#    Chromium or playwright-core).
#
# They are merged into one TAP stream (node's tests renumbered after
# the checks above); exits 1 when any of them fails. Prints
# "1..0 # SKIP <reason>" and exits 0 when Node.js or clients/js/node_modules
# is missing (meson's TAP skip: exit status 77 counts as an error under
# protocol 'tap'). The valgrind setup excludes suite 'web', so Node never
# runs under valgrind.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
	echo "usage: run.sh BBB_GATEWAY BBB_SIM (an executable bbb-gateway and bbb-sim)" >&2
	exit 2
fi
if ! command -v node >/dev/null 2>&1; then
	echo "1..0 # SKIP Node.js is not installed (scripts/deps-browser installs it)"
	exit 0
fi
for pkg in openapi-fetch openapi-typescript typescript eventsource; do
	if [ ! -d "$here/node_modules/$pkg" ]; then
		echo "1..0 # SKIP clients/js/node_modules/$pkg is missing: run scripts/deps-browser (npm ci)"
		exit 0
	fi
done

# absolute: the steps below run in clients/js
gateway=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
sim=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
tmp=$(mktemp -d) || exit 99
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "TAP version 13"
n=0
status=0
# check NAME FILE: one TAP line, FILE's lines as comments when it failed.
check() {
	n=$((n + 1))
	if [ "$3" -eq 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		sed 's/^/# /' "$2"
		status=1
	fi
}

cd "$here" || exit 99
node node_modules/openapi-typescript/bin/cli.js ../../docs/openapi.json -o "$tmp/api.d.ts" \
	>"$tmp/gen.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && ! cmp -s "$tmp/api.d.ts" src/api.d.ts; then
	diff -u src/api.d.ts "$tmp/api.d.ts" | head -40 >>"$tmp/gen.out"
	echo "src/api.d.ts is stale: run npm run gen in clients/js and commit it" >>"$tmp/gen.out"
	rc=1
fi
check "src/api.d.ts is openapi-typescript's generation from docs/openapi.json" "$tmp/gen.out" "$rc"

node node_modules/typescript/bin/tsc -p test/tsconfig.json --pretty false >"$tmp/tsc.out" 2>&1
check "test/types-check.ts compiles with tsc --noEmit --strict against the package's types" \
	"$tmp/tsc.out" "$?"

# The package is versioned with the gateway: meson.build's project(version:).
want=$(sed -n "s/^[[:space:]]*version:[[:space:]]*'\([^']*\)'.*/\1/p" ../../meson.build | head -n 1)
have=$(node -p 'require("./package.json").version' 2>"$tmp/version.out")
echo "package.json: $have, meson.build: $want" >>"$tmp/version.out"
[ -n "$want" ] && [ "$have" = "$want" ]
check "package.json's version is the gateway's (meson.build)" "$tmp/version.out" "$?"

# node --test's own TAP, renumbered after the checks above, one plan at the end.
BBB_GATEWAY_BIN=$gateway BBB_SIM_BIN=$sim node --test --test-reporter=tap test/*.test.js >"$tmp/node.tap" 2>"$tmp/node.err"
rc=$?
awk -v n="$n" '
	/^TAP version/ || /^1\.\.[0-9]+$/ { next }
	/^(not )?ok [0-9]+/ {
		n++
		ok = ($1 == "not") ? "not ok" : "ok"
		rest = $0
		sub(/^(not )?ok [0-9]+ *(- )?/, "", rest)
		print ok " " n " - " rest
		next
	}
	# the summary of node --test counts its tests only: say whose it is
	/^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) / { print "# node --test:" substr($0, 2); next }
	/^#/ { print; next }
	{ print "# " $0 }
	END { print "1.." n }
' "$tmp/node.tap"
sed 's/^/# node stderr: /' "$tmp/node.err"
if [ "$rc" -ne 0 ]; then
	status=1
fi
exit "$status"
