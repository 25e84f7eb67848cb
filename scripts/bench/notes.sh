#!/bin/bash
# Benchmark: 1,000 notes with `irt note add` against the same 1,000 files
# with `git add` + `git commit`, each into a case that already holds
# 10,000 notes.  Prints both times, the ratio and irt's median per note.
#
# usage: scripts/bench/notes.sh [IRT_BINARY] [COUNT] [BASE]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
irt=${1:-}
count=${2:-1000}
base=${3:-10000}
if [ -z "$irt" ]; then
	"$top/scripts/irt" --version >/dev/null
	irt="$top/build/cmd/irt"
fi
work=$(mktemp -d /tmp/irt-bench-notes.XXXXXX)
trap 'rm -rf "$work"' EXIT
export IRT_AUTHOR="Bench <bench@example.org>"
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.org

note_file() {	# id -> a note file as irt writes it
	printf 'Id: %s\nAuthor: Bench <bench@example.org>\nDate: 2026-01-01T00:00:00.000000000Z\n\nbase note %s\n' "$1" "$1"
}

echo "preparing two cases with $base notes each..." >&2
"$irt" case init "$work/irt-case" --id BENCH --title bench >/dev/null
mkdir -p "$work/irt-case/notes"
for i in $(seq -w 1 "$base"); do
	id="20260101T000000Z-b$i"
	note_file "$id" >"$work/irt-case/notes/$id.md"
done
# the same packed start for both; no automatic gc during the runs
git -C "$work/irt-case" config gc.auto 0
git -C "$work/irt-case" add notes
git -C "$work/irt-case" commit -qm "base notes"
git -C "$work/irt-case" gc -q
cp -a "$work/irt-case" "$work/git-case"

# Both loops time each note the same way, without a fork ($EPOCHREALTIME).
usec() { echo "${EPOCHREALTIME/./}"; }

echo "irt note add x $count..." >&2
irt_times="$work/irt-times"
t0=$(usec)
for i in $(seq 1 "$count"); do
	s=${EPOCHREALTIME/./}
	IRT_CASE="$work/irt-case" "$irt" note add -t bench -m "benchmark note $i" >/dev/null
	e=${EPOCHREALTIME/./}
	echo $((e - s)) >>"$irt_times"
done
t1=$(usec)

echo "git add + git commit x $count..." >&2
git_times="$work/git-times"
cd "$work/git-case"
t2=$(usec)
for i in $(seq 1 "$count"); do
	s=${EPOCHREALTIME/./}
	id="20260102T000000Z-g$(printf %06d "$i")"
	note_file "$id" >"notes/$id.md"
	git add "notes/$id.md"
	git commit -q -m "note: benchmark note $i"
	e=${EPOCHREALTIME/./}
	echo $((e - s)) >>"$git_times"
done
t3=$(usec)
cd /

median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
irt_ms=$(((t1 - t0) / 1000))
git_ms=$(((t3 - t2) / 1000))
[ "$(git -C "$work/irt-case" rev-list --count HEAD)" -eq $((count + 2)) ]
printf 'notes: %d into a case of %d\n' "$count" "$base"
printf 'irt note add:         %8d ms  (median %.1f ms a note)\n' "$irt_ms" \
    "$(echo "$(median "$irt_times") / 1000" | bc -l)"
printf 'git add + git commit: %8d ms  (median %.1f ms a note)\n' "$git_ms" \
    "$(echo "$(median "$git_times") / 1000" | bc -l)"
printf 'ratio git/irt:        %8.2fx\n' "$(echo "$git_ms / $irt_ms" | bc -l)"
