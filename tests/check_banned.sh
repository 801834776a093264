#!/bin/sh
# Fails when src/ uses a function the house style bans. Prints TAP.
src="${1:-src}"
hits=$(grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|atoll|gets|rand|srand|gmtime|localtime|ctime|asctime|strerror)[[:space:]]*\(' -r --include="*.c" --include="*.h" "$src" 2>/dev/null)
echo "1..1"
if [ -n "$hits" ]; then
	echo "not ok 1 - banned functions in src/"
	echo "$hits" | sed 's/^/# /'
	exit 1
fi
echo "ok 1 - no banned functions in src/"
