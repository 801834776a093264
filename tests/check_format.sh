#!/bin/sh
# Fails when a C file under the given directories differs from what
# clang-format makes of it with the project's .clang-format. Prints TAP.
# Skips when clang-format is not installed (the image build of
# docker/Dockerfile has none; scripts/deps installs it for the test command).
root="$1"
shift
cf=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$cf" ]; then
	echo "1..0 # SKIP clang-format not installed"
	exit 0
fi
cd "$root" || exit 1
bad=""
n=0
for d in "$@"; do
	for f in $(find "$d" -name node_modules -prune -o -name '*.[ch]' -print | sort); do
		n=$((n + 1))
		if ! "$cf" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
			bad="$bad $f"
		fi
	done
done
echo "1..1"
if [ -n "$bad" ]; then
	echo "not ok 1 - files not formatted by .clang-format (run: $cf -i FILE)"
	for f in $bad; do
		echo "# $f"
		"$cf" --style=file "$f" | diff -u "$f" - | head -n 20 | sed 's/^/#   /'
	done
	exit 1
fi
echo "ok 1 - $n C files match .clang-format"
