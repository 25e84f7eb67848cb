#!/bin/bash
# Benchmarks irt fleet collect over real SSH: three network namespaces,
# each with its own sshd (as tests/cli/fleet.bats builds them), each
# host a fixture root of 2,000 files.  Collecting the three hosts in
# parallel must take at most 1.5 times as long as collecting one: the
# ratio is printed, with the share of the time that ansible-playbook
# takes (from the run irt records) and what is left for irt itself (the
# host list, the verification and import of every archive, the records).
# The best of three runs of each (BENCH_REPEATS).  Run as root
# (namespaces).
# Environment: IRT (the binary that runs here; default the static build
# in build-static/, built when missing, which is also what is copied to
# the hosts), BENCH_DIR (scratch space, default /tmp).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${IRT:-}" ]; then
	if [ ! -f "$top/build-static/build.ninja" ]; then
		meson setup "$top/build-static" -Dbuildtype=release \
		    -Dstatic=enabled -Dtests=false -Dfuzz=disabled >/dev/null
	fi
	meson compile -C "$top/build-static" cmd/irt >/dev/null
	IRT="$top/build-static/cmd/irt"
fi
BIN=${IRT_STATIC_BIN:-$top/build-static/cmd/irt}
FLEET_DIR=$(mktemp -d "${BENCH_DIR:-/tmp}/irt-bench.XXXXXX")
chmod 755 "$FLEET_DIR"
# shellcheck source=../../tests/cli/fleet-hosts.bash
. "$top/tests/cli/fleet-hosts.bash"
trap 'fleet_hosts_down; rm -rf "$FLEET_DIR"' EXIT INT TERM
export IRT_AUTHOR="Bench Responder <bench@example.org>"
export GIT_CONFIG_NOSYSTEM=1 ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_LOCAL_TEMP=$FLEET_DIR/ansible-tmp

for i in 1 2 3; do
	r=$FLEET_DIR/roots/host$i
	mkdir -p "$r/etc" "$r/var/log"
	echo "host$i" >"$r/etc/hostname"
	for d in $(seq 1 20); do
		mkdir -p "$r/var/log/d$d"
		for f in $(seq 1 100); do
			echo "host$i $d $f $(date +%N)" >"$r/var/log/d$d/f$f.log"
		done
	done
done
fleet_hosts_up 3
printf 'file /etc/**\nfile /var/log/**\n' >"$FLEET_DIR/bench.profile"
# the hosts share this file system: the remote irt reads the profile here

# One collection of the hosts that match $1 into a new case: prints the
# wall time of irt fleet collect and that of its ansible-playbook run.
once() {
	local c=$FLEET_DIR/case-$RANDOM$RANDOM t0 t1 run rec s e
	"$IRT" case init "$c" --id BENCH --title bench >/dev/null
	t0=$(date +%s.%N)
	"$IRT" -C "$c" --json fleet collect -i "$FLEET_DIR/inventory" \
	    --binary "$BIN" --limit "$1" --profile "$FLEET_DIR/bench.profile" --forks 3 \
	    >"$FLEET_DIR/out.json" 2>"$FLEET_DIR/err" || true
	t1=$(date +%s.%N)
	run=$(sed -n 's/.*"run":"\([^"]*\)".*/\1/p' "$FLEET_DIR/out.json")
	if [ -z "$run" ] || grep -q '"outcome":"failed"' "$FLEET_DIR/out.json"; then
		cat "$FLEET_DIR/err" >&2
		return 1
	fi
	rec=$(find "$c/runs" -path "*/$run/record")
	s=$(sed -n 's/^start = //p' "$rec")
	e=$(sed -n 's/^end = //p' "$rec")
	echo "$t0 $t1 $(date -d "$s" +%s.%N) $(date -d "$e" +%s.%N)" |
	    awk '{ printf "%.2f %.2f\n", $2 - $1, $4 - $3 }'
	rm -rf "$c"
}

best3() {
	local b= r
	for _ in $(seq 1 "${BENCH_REPEATS:-3}"); do
		r=$(once "$1")
		if [ -z "$b" ] || awk -v a="${r% *}" -v c="${b% *}" \
		    'BEGIN { exit !(a < c) }'; then
			b=$r
		fi
	done
	echo "$b"
}

printf 'irt: %s\ncopied: %s\n' "$IRT" "$BIN"
one=$(best3 host1)
three=$(best3 'host1:host2:host3')
printf 'one host:    %6.2f s (ansible-playbook %6.2f s)\n' ${one}
printf 'three hosts: %6.2f s (ansible-playbook %6.2f s)\n' ${three}
awk -v a="${three% *}" -v b="${one% *}" -v p="${three#* }" 'BEGIN {
	printf "three / one: %.2f (target at most 1.5)\n", a / b
	printf "ansible share of three hosts: %.0f%%, irt %.0f%%\n",
	    100 * p / a, 100 * (a - p) / a
}'
