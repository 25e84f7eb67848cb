#!/bin/sh
# Benchmark of the stat pass (the statpass builtin of irt collect, here
# its bodyfile alone: irt collect --bodyfile) against what a responder
# runs by hand for the same fields:
#   find TREE -xdev -printf '%i|%p|%m|%U|%G|%s|%A@|%T@|%C@\n'
#   irt collect --root TREE --bodyfile -
# both writing to /dev/null, over the same tree (default /usr: a real
# one, no other file system below it) with a warm page cache.  Each runs
# once to warm the cache, then REPEATS times in turns; the medians of
# the wall-clock and CPU (user + system) times count.  irt does more per
# entry than find here: statx with the birth time, and the target of
# every symbolic link.  Prints both times and the ratios (irt / find:
# below 1, irt is faster; the target is at most 1.2).
#
# usage: scripts/bench/statpass.sh [TREE]
#   IRT=path/to/irt   use this binary (default: a release build in
#                     build-bench/)
#   REPEATS=5         runs of each contender
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tree=${1:-/usr}
repeats=${REPEATS:-5}
for tool in find python3 /usr/bin/time; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "bench: $tool is missing" >&2
		exit 1
	}
done
if [ -z "${IRT:-}" ]; then
	if [ ! -f "$top/build-bench/build.ninja" ]; then
		meson setup "$top/build-bench" -Dbuildtype=release -Dtests=false \
		    -Dfuzz=disabled >/dev/null
	fi
	meson compile -C "$top/build-bench" >/dev/null
	IRT=$top/build-bench/cmd/irt
fi
work=$(mktemp -d /tmp/irt-bench-statpass.XXXXXX)
trap 'rm -rf "$work"' EXIT

run_find() {
	/usr/bin/time -f '%e %U %S' -o "$work/t" find "$tree" -xdev \
	    -printf '%i|%p|%m|%U|%G|%s|%A@|%T@|%C@\n' >/dev/null
	cat "$work/t" >>"$work/find"
}

run_irt() {
	/usr/bin/time -f '%e %U %S' -o "$work/t" "$IRT" -q collect \
	    --root "$tree" --bodyfile - >/dev/null
	cat "$work/t" >>"$work/irt"
}

# the same tree for both: as many bodyfile lines as find has entries
n_find=$(find "$tree" -xdev -printf . | wc -c)
n_irt=$("$IRT" -q collect --root "$tree" --bodyfile - | wc -l)
if [ "$n_find" -ne "$n_irt" ]; then
	echo "bench: find sees $n_find entries, irt $n_irt" >&2
	exit 1
fi
: >"$work/find"
: >"$work/irt"
run_find
run_irt
: >"$work/find"
: >"$work/irt"
i=0
while [ "$i" -lt "$repeats" ]; do
	run_find
	run_irt
	i=$((i + 1))
done
python3 - "$work/find" "$work/irt" "$tree" "$n_find" "$repeats" <<'PY'
import statistics, sys
def load(p):
    rows = [list(map(float, l.split())) for l in open(p) if l.strip()]
    return (statistics.median(r[0] for r in rows),
            statistics.median(r[1] + r[2] for r in rows))
fw, fc = load(sys.argv[1])
iw, ic = load(sys.argv[2])
print('tree %s: %s entries, %s runs each, medians' % (
    sys.argv[3], sys.argv[4], sys.argv[5]))
print('find -xdev -printf        wall %6.2fs  cpu %6.2fs' % (fw, fc))
print('irt collect --bodyfile    wall %6.2fs  cpu %6.2fs' % (iw, ic))
print('irt/find: wall %.2fx, cpu %.2fx (target: at most 1.2x)' % (
    iw / fw if fw > 0 else float('inf'), ic / fc if fc > 0 else float('inf')))
PY
