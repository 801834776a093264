#!/bin/sh
# The build stage of docker/Dockerfile as a script, so that CI runs exactly
# the same steps on a machine without a Docker engine: configure a release
# build (--prefix=/usr, config in /etc), compile, run every test, install
# into a staging directory and check the installed layout.
#
# Usage: docker/build-and-test.sh [BUILD_DIR [DESTDIR]]
#   BUILD_DIR  meson build directory (default: build-release in the source tree);
#              reused when it is already configured
#   DESTDIR    staging root for `meson install` (default: BUILD_DIR/destdir)
# Environment: MESON_TEST_ARGS extra arguments for `meson test` (e.g. "--num-processes 2").
# Needs the Debian 12 packages listed in docker/Dockerfile (build stage); run
# as any user. Exit status 0 only when the build, every test and the layout
# check pass.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-release}
case $build in /*) ;; *) build=$PWD/$build ;; esac
destdir=${2:-$build/destdir}
case $destdir in /*) ;; *) destdir=$PWD/$destdir ;; esac

step() {
	printf '\n==> %s\n' "$*"
}

for tool in meson ninja pkg-config cc; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "build-and-test: $tool not found (install the build stage packages of docker/Dockerfile)" >&2
		exit 1
	fi
done

step "configure $build"
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$src" \
		--buildtype=release -Db_pie=true \
		--prefix=/usr --sysconfdir=/etc
fi

step "compile"
meson compile -C "$build"

step "test"
# shellcheck disable=SC2086 # MESON_TEST_ARGS is a word list by design
meson test -C "$build" --print-errorlogs ${MESON_TEST_ARGS:-}

step "install into $destdir"
rm -rf "$destdir"
DESTDIR="$destdir" meson install -C "$build" --no-rebuild --quiet

step "check the installed layout"
status=0
for f in usr/sbin/bbb-gateway etc/bbb-gateway/bbb-gateway.conf \
	usr/lib/systemd/system/bbb-gateway.service usr/lib/systemd/system/bbb-gateway.socket; do
	if [ -e "$destdir/$f" ]; then
		echo "ok   /$f"
	else
		echo "MISSING /$f" >&2
		status=1
	fi
done
if [ -x "$destdir/usr/sbin/bbb-gateway" ]; then
	"$destdir/usr/sbin/bbb-gateway" --version
	if [ -f "$destdir/usr/lib/systemd/system/bbb-gateway.service" ] &&
		! grep -q '^ExecStart=/usr/sbin/bbb-gateway ' \
			"$destdir/usr/lib/systemd/system/bbb-gateway.service"; then
		echo "the installed unit does not start /usr/sbin/bbb-gateway" >&2
		status=1
	fi
else
	status=1
fi
exit $status
