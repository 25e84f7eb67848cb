#!/bin/sh
# Benchmarks irt report on a large case: 10,000 notes, 50 hosts, 2,000
# evidence records and 1,000,000 timeline events (50 syslog files of
# 20,000 lines, one per host).  Targets: the HTML report in at most 5 s
# and under 5 MB.  Beside it, the shell a responder would otherwise
# write for the same facts, on the same input: cat of every record into
# one page and an awk count of events per host and hour; the ratio is
# printed.  The records are written as files and committed with plain
# git in one commit (one irt command per record would take an hour).
# Wall time is what the target is about; the CPU time (user + system)
# is printed beside it, as a loaded machine disturbs it less.
# Environment: IRT (the binary; default: a release build in
# build-bench/), BENCH_DIR (scratch space, default /tmp), BENCH_KEEP=1
# (keep the case and the logs, for a profiler).
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
if [ "${BENCH_KEEP:-}" = 1 ]; then
	echo "kept in $dir"
else
	trap 'rm -rf "$dir"' EXIT INT TERM
fi
export IRT_AUTHOR="Bench Responder <bench@example.org>"
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.org

measure() {
	/usr/bin/time -f '%e %M %U %S' -o "$dir/time" "$@" >/dev/null \
	    2>"$dir/err" ||
	    { cat "$dir/err" >&2; return 1; }
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$dir/time"
}

best3() {
	b=
	for _ in 1 2 3; do
		r=$(measure "$@")
		if [ -z "$b" ] || awk -v a="${r%% *}" -v c="${b%% *}" \
		    'BEGIN { exit !(a < c) }'; then
			b=$r
		fi
	done
	echo "$b"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'
}

printf 'irt: %s\n' "$IRT"
printf 'machine: %s, %s CPUs, load average %s\n' "$(uname -srm)" "$(nproc)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"

c="$dir/case"
"$IRT" case init "$c" --id INC-BENCH --title "a large case" --tlp amber \
    --severity high --lead "Bench Lead" >/dev/null
# the case's records, in the layout irt-case(5) describes
python3 - "$c" "$dir" <<'PY'
import os, sys
c, d = sys.argv[1], sys.argv[2]
def put(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
day = "2026/11/27"
who = "Bench Responder <bench@example.org>"
for i in range(10000):
    nid = "20261127T%02d%02d%02dZ-%06x" % (i // 3600 % 24, i // 60 % 60, i % 60, i)
    tags = "Tags: summary\n" if i == 9999 else ("Tags: internal\n" if i % 10 == 0 else "")
    put(f"{c}/notes/{day}/{nid}.md",
        f"Id: {nid}\nAuthor: {who}\nDate: 2026-11-27T{nid[9:11]}:{nid[11:13]}:{nid[13:15]}Z\n"
        f"{tags}Host: web{i % 50:02d}\n\nNote {i}: sshd accepted a key for "
        f"backup from 198.51.100.{i % 250}; the process tree and the cron "
        f"entries were checked, nothing else found.\n")
for h in range(50):
    hid = "20261127T0000%02dZ-%06x" % (h, h)
    put(f"{c}/hosts/{day}/{hid}.host",
        f"id = {hid}\nname = web{h:02d}\nip = 10.0.{h}.5\nrole = web server\n"
        f"added = 2026-11-27T00:00:{h:02d}Z\nadded-by = {who}\n"
        f"state = compromised\nstate.1.time = 2026-11-27T01:00:00Z\n"
        f"state.1.state = compromised\nstate.1.by = {who}\n"
        f"state.1.why = implant found\nstate.1.action = host-state\n")
for e in range(2000):
    eid = "20261127T01%02d%02dZ-%06x" % (e // 60 % 60, e % 60, e)
    put(f"{c}/custody/{day}/{eid}.record",
        f"id = {eid}\nkind = file\nname = image-{e}.raw\n"
        f"path = /nonexistent/image-{e}.raw\nsize = 1048576\n"
        f"sha256 = {e:064x}\nhost = web{e % 50:02d}\n"
        f"start = 2026-11-27T01:00:00Z\nend = 2026-11-27T01:00:01Z\n"
        f"responder = {who}\nholder = {who}\n"
        f"event.1.time = 2026-11-27T01:00:01Z\nevent.1.action = add\n"
        f"event.1.by = {who}\n")
for e in range(40):
    eid = "20261127T02%02d00Z-%06x" % (e, e)
    put(f"{c}/events/{day}/{eid}.event",
        f"id = {eid}\nat = 2026-11-27T02:{e:02d}:00Z\nhost = web{e:02d}\n"
        f"technique = T1059.004\ntext = step {e} of the intrusion\n"
        f"added = 2026-11-27T03:00:00Z\nadded-by = {who}\nstatus = active\n")
# 1,000,000 timeline events: 20,000 syslog lines for each host
os.makedirs(f"{d}/tl")
for h in range(50):
    with open(f"{d}/tl/web{h:02d}.log", "w") as f:
        for i in range(20000):
            s = i * 4 + h
            f.write("Nov 27 %02d:%02d:%02d web%02d sshd[%d]: Accepted publickey "
                    "for backup from 198.51.100.%d port %d ssh2\n"
                    % (s // 3600 % 24, s // 60 % 60, s % 60, h, 1000 + i,
                       i % 250, 40000 + i % 20000))
PY
git -C "$c" add -A
git -C "$c" commit -qm "bench: a large case" --trailer "Irt-Action: bench"
set --
for h in $(seq -w 0 49); do
	set -- "$@" --timeline "web$h=syslog:$dir/tl/web$h.log"
done
echo
echo "case: 10000 notes, 50 hosts, 2000 evidence records, 40 events;" \
    "timeline: $(cat "$dir"/tl/*.log | wc -l) events in 50 files"

irt_r=$(best3 "$IRT" -C "$c" report "$@" -o "$dir/r.html")
size=$(wc -c <"$dir/r.html")
irt_md=$(best3 "$IRT" -C "$c" report --format md "$@" -o "$dir/r.md")
# the shell a responder would write: every record into one page, and
# the events per host and hour
cat >"$dir/peer.sh" <<'SH'
c=$1 d=$2
{
	find "$c/notes" "$c/hosts" "$c/custody" "$c/events" -type f -print0 |
	    sort -z | xargs -0 cat
	awk '{ split($3, t, ":"); n[$4 " " t[1]]++ }
	    END { for (k in n) print k, n[k] }' "$d"/tl/*.log | sort
} >"$d/peer.txt"
SH
peer=$(best3 sh "$dir/peer.sh" "$c" "$dir")
printf '%-44s %8s s %8s KiB %8s s CPU\n' "irt report (HTML, best of 3)" ${irt_r}
printf '%-44s %8s s %8s KiB %8s s CPU\n' "irt report --format md (best of 3)" ${irt_md}
printf '%-44s %8s s %8s KiB %8s s CPU\n' \
    "cat of the records + awk per host and hour" ${peer}
printf 'HTML: %s bytes (%s MB); target: at most 5 s and under 5 MB\n' \
    "$size" "$(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1e6 }')"
printf 'irt report / shell pipeline: %sx\n' "$(ratio "${irt_r%% *}" "${peer%% *}")"
