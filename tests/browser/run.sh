#!/bin/sh
# The browser test as meson runs it (TAP on stdout): skipped, with the
# reason, only where Node.js or Chromium is not installed.
#
#   run.sh GATEWAY SIM WEB_DIR DESKTOP.png RECORDINGS.txt PHONE.png
#
# CHROMIUM overrides /usr/bin/chromium (Debian's package). node is started
# with exec, so a valgrind test setup wrapping this script never runs it
# under valgrind.
set -u
here=$(dirname "$0")
chromium=${CHROMIUM:-/usr/bin/chromium}

if ! command -v node >/dev/null 2>&1; then
	echo "1..0 # SKIP Node.js is not installed (scripts/deps-browser installs it)"
	exit 0
fi
if [ ! -x "$chromium" ]; then
	echo "1..0 # SKIP Chromium is not installed at $chromium (scripts/deps-browser installs it)"
	exit 0
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
	echo "Bail out! tests/browser/node_modules is missing: run scripts/deps-browser (npm ci)"
	exit 1
fi
CHROMIUM=$chromium exec node "$here/run.mjs" "$@"
