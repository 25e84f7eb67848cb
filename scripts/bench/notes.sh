#!/bin/bash
# Benchmark: `irt note add` against `git add` + `git commit` of the same
# note file on a copy of the same case, in a case that already holds
# 2,000 notes and in one that holds 20,000, written over 30 days in the
# layout of irt-case(5) (notes/YYYY/MM/DD/<id>.md).
#
# Like with like: both repositories are the same packed copy, store new
# loose objects at the same zlib level (core.looseCompression=1, git's
# default), and take the same number of notes, an irt note and a git note
# in turn, into the small case and into the large one in turn, so that
# all four see the same load.  Each note is timed from
# before its first command to after its last, with no subshell or other
# command inside that window: irt writes its note file itself, the git
# loop writes it with a shell builtin.  Prints the median and mean per
# note for each, the ratio git/irt at each size, and irt at 20,000 over
# irt at 2,000; then the CPU time (user + system) of the same commands,
# which a loaded machine disturbs less than the wall time: the shell's
# `times` before and after each note, without a fork, so that only the
# commands of the note are counted.
#
# usage: scripts/bench/notes.sh [IRT_BINARY] [COUNT]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
irt=${1:-}
count=${2:-200}
if [ -z "$irt" ]; then
	"$top/scripts/irt" --version >/dev/null
	irt="$top/build/cmd/irt"
fi
irt=$(realpath "$irt")
work=$(mktemp -d /tmp/irt-bench-notes.XXXXXX)
trap 'rm -rf "$work"' EXIT
export IRT_AUTHOR="Bench <bench@example.org>"
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.org
export GIT_CONFIG_NOSYSTEM=1 HOME="$work" TZ=UTC

# A case of $2 notes written over 30 days, and its copy for git.
prepare() {
	local dir=$1 n=$2
	"$irt" case init "$dir/irt" --id BENCH --title bench >/dev/null
	python3 - "$dir/irt" "$n" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    day = 1 + i * 30 // n
    s = i * 86400 // (n // 30 + 1) % 86400
    id = "202601%02dT%02d%02d%02dZ-%06x" % (day, s // 3600, s // 60 % 60,
        s % 60, i)
    folder = os.path.join(root, "notes/2026/01/%02d" % day)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, id + ".md"), "w") as f:
        f.write("Id: %s\nAuthor: Bench <bench@example.org>\n"
            "Date: 2026-01-%02dT00:00:00.000000000Z\nTags: bench\n\n"
            "base note %d of the case, with a line or two of text as a\n"
            "responder writes it\n" % (id, day, i))
PY
	git -C "$dir/irt" config gc.auto 0
	git -C "$dir/irt" config core.looseCompression 1
	git -C "$dir/irt" add notes
	git -C "$dir/irt" commit -qm "base notes"
	git -C "$dir/irt" gc -q
	cp -a "$dir/irt" "$dir/git"
}

# CPU time of the reaped children of this shell, in ms, into $cpu
cpu() {
	local su ss cu cs m t
	times >"$work/times"
	{ read -r su ss; read -r cu cs; } <"$work/times"
	cpu=0
	for t in "$cu" "$cs"; do
		t=${t%s}
		m=${t%%m*}
		t=${t#*m}
		cpu=$((cpu + m * 60000 + 10#${t/./}))
	done
}

# One note into each copy of the case of $1 notes: the irt note, then the
# git one, each timed in microseconds into $work/$1/irt-times and
# $work/$1/git-times.
one() {
	local dir=$work/$1 i=$2 s e c id today
	today=$(date -u +%Y/%m/%d)
	cpu
	c=$cpu
	s=${EPOCHREALTIME/./}
	IRT_CASE="$dir/irt" "$irt" note add -t bench -m "benchmark note $i" >/dev/null
	e=${EPOCHREALTIME/./}
	cpu
	echo $((e - s)) >>"$dir/irt-times"
	echo $((cpu - c)) >>"$dir/irt-cpu"

	printf -v id '%(%Y%m%dT%H%M%S)TZ-g%05d' -1 "$i"
	mkdir -p "$dir/git/notes/$today"
	cd "$dir/git"
	cpu
	c=$cpu
	s=${EPOCHREALTIME/./}
	printf 'Id: %s\nAuthor: Bench <bench@example.org>\nDate: 2026-01-31T00:00:00.000000000Z\nTags: bench\n\nbenchmark note %s\n' \
	    "$id" "$i" >"notes/$today/$id.md"
	git add "notes/$today/$id.md"
	git commit -q -m "note: benchmark note $i"
	e=${EPOCHREALTIME/./}
	cpu
	echo $((e - s)) >>"$dir/git-times"
	echo $((cpu - c)) >>"$dir/git-cpu"
	cd "$work"
}

median() { sort -n "$1" | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] / 1000}'; }
mean() { awk '{s+=$1} END {printf "%.2f", s / NR / 1000}' "$1"; }

for n in 2000 20000; do
	echo "preparing a case of $n notes and its copy..." >&2
	mkdir "$work/$n"
	prepare "$work/$n" "$n"
done
echo "$count notes into each, the four in turn..." >&2
for i in $(seq 1 "$count"); do
	one 2000 "$i"
	one 20000 "$i"
done
for n in 2000 20000; do
	[ "$(git -C "$work/$n/irt" rev-list --count HEAD)" -eq \
	    "$(git -C "$work/$n/git" rev-list --count HEAD)" ]
	[ -z "$(git -C "$work/$n/irt" status --porcelain)" ]
done

printf 'notes in the case          %10s %10s\n' 2,000 20,000
for t in irt git; do
	label=$([ $t = irt ] && echo "irt note add" || echo "git add + git commit")
	printf '%-22s median %10s %10s ms a note\n' "$label" \
	    "$(median "$work/2000/$t-times")" "$(median "$work/20000/$t-times")"
	printf '%-22s mean   %10s %10s ms a note\n' "" \
	    "$(mean "$work/2000/$t-times")" "$(mean "$work/20000/$t-times")"
done
ratio() { echo "$(median "$1") / $(median "$2")" | bc -l; }
printf 'git/irt (medians)          %9.2fx %9.2fx\n' \
    "$(ratio "$work/2000/git-times" "$work/2000/irt-times")" \
    "$(ratio "$work/20000/git-times" "$work/20000/irt-times")"
printf 'irt at 20,000 / at 2,000   %21.2fx\n' \
    "$(ratio "$work/20000/irt-times" "$work/2000/irt-times")"
# CPU: the files hold ms a note
cpumean() { awk '{s+=$1} END {printf "%.2f", s / NR}' "$1"; }
for t in irt git; do
	label=$([ $t = irt ] && echo "irt note add" || echo "git add + git commit")
	printf '%-22s CPU    %10s %10s ms a note (mean)\n' "$label" \
	    "$(cpumean "$work/2000/$t-cpu")" "$(cpumean "$work/20000/$t-cpu")"
done
cratio() { echo "$(cpumean "$1") / $(cpumean "$2")" | bc -l; }
printf 'git/irt (CPU)              %9.2fx %9.2fx\n' \
    "$(cratio "$work/2000/git-cpu" "$work/2000/irt-cpu")" \
    "$(cratio "$work/20000/git-cpu" "$work/20000/irt-cpu")"
printf 'irt CPU at 20,000 / 2,000  %21.2fx\n' \
    "$(cratio "$work/20000/irt-cpu" "$work/2000/irt-cpu")"
printf '%d notes each; new loose objects at core.looseCompression=1 in both\n' "$count"
