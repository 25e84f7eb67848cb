#!/bin/sh
# Benchmarks irt timeline against the Sleuth Kit's mactime and find:
#  1. a bodyfile of `find / -xdev` on this machine (about 400,000 lines):
#     irt timeline --format mactime-csv vs mactime -b FILE -d -y, time and
#     peak RSS (targets: irt 30x faster, at most a quarter of the RSS);
#  2. a synthetic bodyfile of 10 million lines: irt within 256 MiB RSS
#     (mactime too when BENCH_MACTIME_10M=1: it needs about 10 GiB);
#  3. irt timeline --format bodyfile fs:/usr vs find /usr -printf of the
#     same fields (target: irt within 1.2x of find).
# Both sides of a comparison run the same number of times (BENCH_RUNS,
# default 3) and are given by the same statistic: the best (lowest) time,
# with the peak RSS of that run.
# Environment: IRT (the binary; default: a release build in build-bench/),
# BENCH_DIR (scratch space, default /tmp), BENCH_LINES (default 10000000),
# BENCH_RUNS (default 3).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${IRT:-}" ]; then
	if [ ! -f "$top/build-bench/build.ninja" ]; then
		meson setup "$top/build-bench" -Dbuildtype=release \
		    -Dtests=false -Dfuzz=disabled >/dev/null
	fi
	meson compile -C "$top/build-bench" >/dev/null
	IRT="$top/build-bench/cmd/irt"
fi
dir=$(mktemp -d "${BENCH_DIR:-/tmp}/irt-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
lines=${BENCH_LINES:-10000000}

# seconds and peak RSS (KiB) of a command, output to /dev/null
measure() {
	/usr/bin/time -f '%e %M' -o "$dir/time" "$@" >/dev/null 2>"$dir/err" ||
	    { cat "$dir/err" >&2; return 1; }
	cat "$dir/time"
}

# the best (lowest time) of BENCH_RUNS runs, the same for irt and its peer
runs=${BENCH_RUNS:-3}
best() {
	b=
	i=0
	while [ "$i" -lt "$runs" ]; do
		r=$(measure "$@")
		if [ -z "$b" ] || awk -v a="${r% *}" -v c="${b% *}" \
		    'BEGIN { exit !(a < c) }'; then
			b=$r
		fi
		i=$((i + 1))
	done
	echo "$b"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'
}

printf 'irt: %s\n' "$IRT"
printf 'machine: %s, %s CPUs, load average %s\n' "$(uname -srm)" "$(nproc)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'each side: best of %s runs\n' "$runs"

# 1. find / -xdev as a Sleuth Kit 3.x bodyfile (integer seconds, no btime
# where the file system has none)
find / -xdev -printf '0|%p|%i|%M|%U|%G|%s|%A@|%T@|%C@|%B@\n' 2>/dev/null |
    sed -E 's/\|-1\.-?[0-9]+$/|0/; s/\|([0-9]+)\.[0-9]+/|\1/g' \
    >"$dir/root.body"
n=$(wc -l <"$dir/root.body")
echo
echo "== 1. bodyfile of find / -xdev: $n lines"
m=$(best mactime -b "$dir/root.body" -d -y)
i=$(best "$IRT" timeline --format mactime-csv "bodyfile:$dir/root.body")
printf 'mactime -b FILE -d -y               %8.2f s  %8d KiB\n' ${m% *} ${m#* }
printf 'irt timeline --format mactime-csv   %8.2f s  %8d KiB\n' ${i% *} ${i#* }
printf 'speed: irt is %sx faster (target 30x); RSS: irt uses 1/%s of mactime (target 1/4)\n' \
    "$(ratio "${m% *}" "${i% *}")" "$(ratio "${m#* }" "${i#* }")"
# the rows are the same (order within one second may differ)
"$IRT" timeline -q --format mactime-csv "bodyfile:$dir/root.body" | sort \
    >"$dir/i.csv"
mactime -b "$dir/root.body" -d -y 2>/dev/null | grep -v '^0000-00-00' |
    sort >"$dir/m.csv"
if cmp -s "$dir/i.csv" "$dir/m.csv"; then
	echo "rows: identical to mactime's"
else
	echo "rows: $(diff "$dir/m.csv" "$dir/i.csv" | grep -c '^[<>]') differ from mactime's (names holding '|' or bad lines)"
fi
rm -f "$dir/i.csv" "$dir/m.csv"

# 2. a synthetic bodyfile of 10 million lines
echo
echo "== 2. synthetic bodyfile: $lines lines"
awk -v n="$lines" 'BEGIN {
	srand(42)
	for (i = 0; i < n; i++) {
		t = 1500000000 + int(rand() * 300000000)
		printf "0|/data/dir%04d/file%08d.bin|%d|r/rrw-r--r--|%d|%d|%d|%d|%d|%d|%d\n",
		    i % 5000, i, i + 1000, i % 1000, i % 100,
		    int(rand() * 1000000), t + int(rand() * 86400), t,
		    t + int(rand() * 3600), t - int(rand() * 86400)
	}
}' >"$dir/synth.body"
echo "file: $(du -h "$dir/synth.body" | cut -f1)"
i=$(best "$IRT" timeline --format mactime-csv "bodyfile:$dir/synth.body")
printf 'irt timeline --format mactime-csv   %8.2f s  %8d KiB (target: 262144 KiB)\n' \
    ${i% *} ${i#* }
if [ "${i#* }" -le 262144 ]; then
	echo "memory: within 256 MiB"
else
	echo "memory: OVER 256 MiB"
fi
if [ "${BENCH_MACTIME_10M:-0}" = 1 ]; then
	m=$(best mactime -b "$dir/synth.body" -d -y)
	printf 'mactime -b FILE -d -y               %8.2f s  %8d KiB\n' \
	    ${m% *} ${m#* }
	printf 'speed: %sx, RSS: 1/%s\n' "$(ratio "${m% *}" "${i% *}")" \
	    "$(ratio "${m#* }" "${i#* }")"
else
	echo "(mactime skipped on this file: BENCH_MACTIME_10M=1 runs it)"
fi
rm -f "$dir/synth.body"

# 3. walking /usr: irt against find printing the same fields
echo
echo "== 3. fs:/usr against find /usr -printf"
f=$(best find /usr -printf '0|%p|%i|%M|%U|%G|%s|%A@|%T@|%C@|%B@\n')
i=$(best "$IRT" timeline --format bodyfile fs:/usr)
printf 'find /usr -printf ...               %8.2f s  %8d KiB\n' ${f% *} ${f#* }
printf 'irt timeline --format bodyfile      %8.2f s  %8d KiB\n' ${i% *} ${i#* }
printf 'irt takes %sx the time of find (target at most 1.2x)\n' \
    "$(ratio "${i% *}" "${f% *}")"
