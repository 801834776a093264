#!/bin/sh
# The OpenAPI tests, as meson runs them (TAP on stdout):
#
#   run.sh routes ROUTES_EXE OPENAPI_JSON SOURCE_ROOT
#       the document against the router table (python3, always runs);
#   run.sh responses OPENAPI_JSON GATEWAY SIM GOLDEN_DIR
#       the gateway's real responses against the document's schemas (Node
#       and ajv from tests/openapi/node_modules; skipped without Node);
#   run.sh types OPENAPI_JSON
#       the TypeScript types openapi-typescript generates from the document,
#       compiled with a typical openapi-fetch client and lines that must not
#       compile (types.mjs; skipped without Node or tests/openapi/node_modules).
#
# The interpreters are started with exec, so a valgrind test setup wrapping
# this script never runs them under valgrind.
set -u
here=$(dirname "$0")
mode=${1:-}
[ $# -gt 0 ] && shift

case "$mode" in
routes)
	exec python3 "$here/check_routes.py" "$@"
	;;
responses)
	if ! command -v node >/dev/null 2>&1; then
		echo "1..0 # SKIP Node.js is not installed (scripts/deps-browser installs it)"
		exit 0
	fi
	if [ ! -d "$here/node_modules/ajv" ]; then
		echo "Bail out! tests/openapi/node_modules is missing: run scripts/deps-browser (npm ci)"
		exit 1
	fi
	exec node "$here/validate.mjs" "$@"
	;;
types)
	if ! command -v node >/dev/null 2>&1; then
		echo "1..0 # SKIP Node.js is not installed (scripts/deps-browser installs it)"
		exit 0
	fi
	for m in openapi-typescript openapi-fetch typescript @redocly/openapi-core; do
		if [ ! -d "$here/node_modules/$m" ]; then
			echo "1..0 # SKIP tests/openapi/node_modules/$m is missing (scripts/deps-browser runs npm ci)"
			exit 0
		fi
	done
	exec node "$here/types.mjs" "$@"
	;;
*)
	echo "usage: run.sh routes|responses|types ARGS..." >&2
	exit 2
	;;
esac
