#!/usr/bin/env bats
# irt timeline: irt's own live data (processes, sockets, packages
# verified) from a real irt collect, and lastlog, as bare files and in
# evidence archives.

load helper

setup() {
	setup_common
	ROOT=$TMP/root
	mkdir -p "$ROOT/etc"
	echo fixture-host >"$ROOT/etc/hostname"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOT/etc/passwd"
	PROFILE=$TMP/live.profile
}

teardown() {
	if [ -n "${BGPID:-}" ]; then
		kill "$BGPID" 2>/dev/null || true
		wait "$BGPID" 2>/dev/null || true
	fi
	teardown_common
}

# The events of irt timeline --format jsonl on stdin, one a line:
# "TIME TYPE k=v k=v ... | MESSAGE" (fields sorted by name).
events() {
	python3 -c '
import json, sys
for line in sys.stdin:
    if not line.startswith("{"):
        continue
    o = json.loads(line)
    f = " ".join("%s=%s" % (k, v) for k, v in sorted(o["fields"].items()))
    print(("%s %s %s | %s" % (o["time"], o["type"], f, o["message"]))
          .replace("\n", "\\n"))
'
}

# Waits up to 30 seconds until the command "$@" succeeds.
wait_for() {
	local i
	for i in $(seq 1 600); do
		"$@" && return 0
		sleep 0.05
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

# A lastlog record: uid time line host, appended to file $1 at the
# uid's offset (a sparse file when uids are far apart).
lastlog_rec() {
	python3 - "$@" <<'EOF'
import struct, sys
path, uid, t, line, host = sys.argv[1:6]
with open(path, "r+b" if __import__("os").path.exists(path) else "wb") as f:
    f.seek(int(uid) * 292)
    f.write(struct.pack("<i32s256s", int(t), line.encode(), host.encode()))
EOF
}

@test "a live collection: processes at their start, sockets at their owner's" {
	python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
time.sleep(300)
' "$TMP/port" &
	BGPID=$!
	listening() { [ -s "$TMP/port" ]; }
	wait_for listening
	printf 'live processes.jsonl builtin=processes\nlive sockets.jsonl builtin=sockets\n' >"$PROFILE"
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	# the start the collection recorded for the listener
	start=$(tar -xzOf "$TMP/out.tar.gz" live/processes.jsonl | python3 -c '
import json, sys
print({p["pid"]: p for p in map(json.loads, sys.stdin)}[int(sys.argv[1])]["start"])
' "$BGPID")
	[ -n "$start" ]
	run "$IRT" timeline -q --format jsonl "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | events >"$TMP/ev"
	port=$(cat "$TMP/port")
	grep -F "$start irt:process " "$TMP/ev" | grep -F "pid=$BGPID " |
	    grep -E "\| Process started: $BGPID \(python3\) [^ ]*python3 -c " >/dev/null
	grep -F "$start irt:socket " "$TMP/ev" |
	    grep -F "local_port=$port pid=$BGPID proto=tcp " |
	    grep -F "| Socket: tcp 127.0.0.1:$port -> 0.0.0.0:0 LISTEN, held by $BGPID (python3)" >/dev/null
	# the sources are the archive's live members
	assert_contains "$output" "\"source\":\"archive:$TMP/out.tar.gz:live/processes.jsonl\""
	assert_contains "$output" "\"source\":\"archive:$TMP/out.tar.gz:live/sockets.jsonl\""
	# extracted, the files are read on their own; sockets.jsonl alone
	# takes its times from the processes.jsonl beside it
	mkdir "$TMP/x"
	tar -xzf "$TMP/out.tar.gz" -C "$TMP/x" live/processes.jsonl live/sockets.jsonl
	run "$IRT" timeline -q --format jsonl "$TMP/x/live/sockets.jsonl"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | events | grep -F "$start irt:socket " |
	    grep -F "held by $BGPID (python3)" >/dev/null
	run "$IRT" timeline --format jsonl "$TMP/x/live/processes.jsonl"
	[ "$status" -eq 0 ]
	assert_contains "$output" "Process started: $BGPID (python3)"
	assert_not_contains "$output" "irt: warning:"
}

@test "processes.jsonl: a malformed line is a warning with file and line, the rest read" {
	cat >"$TMP/processes.jsonl" <<'EOF'
{"pid":1,"ppid":0,"uid":0,"start":"2026-01-01T00:00:00Z","comm":"init","cmdline":["/sbin/init"],"exe":"/sbin/init","exe_deleted":false,"exe_memfd":false}
{"pid":2,"ppid":1,"start":"2026-01-01T00:00:01Z"
{"pid":3,"ppid":1,"uid":1000,"start":"2026-01-01T00:00:02.5Z","comm":"evil","cmdline":["/dev/shm/x","\u001b[31m"],"exe":"/memfd:x","exe_deleted":true,"exe_memfd":true}
{"pid":4,"start":"2999-01-01T00:00:00Z"}
EOF
	run "$IRT" timeline --format jsonl "$TMP/processes.jsonl"
	[ "$status" -eq 0 ]
	assert_contains "$output" "irt: warning: $TMP/processes.jsonl:2: not an irt process line, skipped"
	assert_contains "$output" "irt: warning: $TMP/processes.jsonl:4: start: "
	# the escape decoded, and written escaped again
	assert_contains "$output" '"cmdline":"/dev/shm/x \u001b[31m"'
	printf '%s\n' "$output" | events >"$TMP/ev"
	esc=$(printf '\033')
	[ "$(cat "$TMP/ev")" = "2026-01-01T00:00:00Z irt:process cmdline=/sbin/init comm=init deleted=false exe=/sbin/init memfd=false pid=1 ppid=0 uid=0 | Process started: 1 (init) /sbin/init
2026-01-01T00:00:02.500Z irt:process cmdline=/dev/shm/x $esc[31m comm=evil deleted=true exe=/memfd:x memfd=true pid=3 ppid=1 uid=1000 | Process started: 3 (evil) /dev/shm/x $esc[31m [executable deleted] [executable in memfd]" ] || {
		cat "$TMP/ev" >&2
		false
	}
	# the same in an archive: the warning names archive, member and line
	# (a file of that name on the host is not irt's)
	mkdir -p "$TMP/a/live" "$TMP/a/fs/home/x"
	cp "$TMP/processes.jsonl" "$TMP/a/live/"
	cp "$TMP/processes.jsonl" "$TMP/a/fs/home/x/"
	tar -czf "$TMP/a.tar.gz" -C "$TMP/a" live fs
	run "$IRT" timeline --format jsonl "$TMP/a.tar.gz"
	[ "$status" -eq 0 ]
	assert_not_contains "$output" "fs/home/x/processes.jsonl"
	assert_contains "$output" "irt: warning: $TMP/a.tar.gz:live/processes.jsonl:2: not an irt process line, skipped"
	assert_contains "$output" '"message":"Process started: 1 (init) /sbin/init"'
	assert_contains "$output" '"ns":1767225602500000000'
	# --strict: the first warning is an error
	run "$IRT" timeline --strict --format jsonl "$TMP/processes.jsonl"
	[ "$status" -eq 1 ]
	assert_contains "$output" "processes.jsonl:2: not an irt process line"
}

@test "packages-verify.jsonl from a collection: changed files at their mtime, missing at the collection's" {
	info=$ROOT/var/lib/dpkg/info
	mkdir -p "$info" "$ROOT/usr/bin"
	printf '#!/bin/sh\necho implant\n' >"$ROOT/usr/bin/fixtool"
	chmod 755 "$ROOT/usr/bin/fixtool"
	printf '%s  %s\n' 0123456789abcdef0123456789abcdef usr/bin/fixtool \
	    0123456789abcdef0123456789abcdef usr/bin/gone >"$info/fixpkg.md5sums"
	touch -m -d '2001-02-03 04:05:06.5 UTC' "$ROOT/usr/bin/fixtool"
	printf 'live packages-verify.jsonl builtin=packages\n' >"$PROFILE"
	before=$(date -u +%s)
	run "$IRT" collect --root "$ROOT" --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	after=$(date -u +%s)
	run "$IRT" timeline -q --format jsonl "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | events >"$TMP/ev"
	sum=$(sha256sum <"$ROOT/usr/bin/fixtool" | cut -d' ' -f1)
	grep -Fx "2001-02-03T04:05:06.500Z irt:package:file copy=fs/usr/bin/fixtool file=/usr/bin/fixtool gid=0 md5=$(md5sum <"$ROOT/usr/bin/fixtool" | cut -d' ' -f1) md5_expected=0123456789abcdef0123456789abcdef mode=0755 package=fixpkg sha256=$sum size=$(stat -c %s "$ROOT/usr/bin/fixtool") status=changed uid=0 | Package file changed: /usr/bin/fixtool (fixpkg)" "$TMP/ev"
	# the missing file at the time of the collection
	line=$(grep -F "| Package file missing: /usr/bin/gone (fixpkg)" "$TMP/ev")
	assert_contains "$line" " irt:package:file file=/usr/bin/gone md5_expected=0123456789abcdef0123456789abcdef package=fixpkg status=missing |"
	t=$(date -u -d "${line%% *}" +%s)
	[ "$t" -ge "$before" ] && [ "$t" -le "$after" ]
	[ "$(grep -c " irt:package:file " "$TMP/ev")" -eq 2 ]
}

@test "lastlog: one event per uid that logged in, exact times, sparse and in an archive" {
	mkdir -p "$TMP/a/fs/var/log"
	ll=$TMP/a/fs/var/log/lastlog
	lastlog_rec "$ll" 0 1767225600 pts/0 10.0.0.5
	lastlog_rec "$ll" 1000 1767229261 tty1 ''
	# far apart: holes in the file and in the archive's member
	lastlog_rec "$ll" 65534 1767300000 pts/9 'evil.example'
	[ "$(stat -c %s "$ll")" -eq $((65535 * 292)) ]
	run "$IRT" timeline --format jsonl "$ll"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | events >"$TMP/ev"
	[ "$(cat "$TMP/ev")" = "2026-01-01T00:00:00Z linux:lastlog hostname=10.0.0.5 tty=pts/0 uid=0 | Last login: uid 0 on pts/0 from 10.0.0.5
2026-01-01T01:01:01Z linux:lastlog tty=tty1 uid=1000 | Last login: uid 1000 on tty1
2026-01-01T20:40:00Z linux:lastlog hostname=evil.example tty=pts/9 uid=65534 | Last login: uid 65534 on pts/9 from evil.example" ] || {
		cat "$TMP/ev" >&2
		false
	}
	assert_not_contains "$output" "irt: warning:"
	# GNU tar keeps the holes (-S); the uids stay where they were
	tar -czSf "$TMP/a.tar.gz" -C "$TMP/a" fs
	run "$IRT" timeline -q --format jsonl "$TMP/a.tar.gz"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | events)" = "$(cat "$TMP/ev")" ]
	assert_contains "$output" "\"source\":\"archive:$TMP/a.tar.gz:fs/var/log/lastlog\""
}

@test "lastlog: a bad time and a part of a record are warnings with the offset" {
	ll=$TMP/lastlog
	lastlog_rec "$ll" 0 1767225600 pts/0 h
	lastlog_rec "$ll" 1 -7 pts/1 h
	lastlog_rec "$ll" 2 1767225601 pts/2 h
	printf 'partial' >>"$ll"
	run "$IRT" timeline --format jsonl "$ll"
	[ "$status" -eq 0 ]
	assert_contains "$output" "irt: warning: $ll: lastlog record of uid 1 at offset 292: bad time -7, skipped"
	assert_contains "$output" "irt: warning: $ll: 7 trailing bytes at offset 876 (not a whole 292-byte record), ignored"
	assert_contains "$output" '"message":"Last login: uid 0 on pts/0 from h"'
	assert_contains "$output" '"message":"Last login: uid 2 on pts/2 from h"'
	# known by its content under another name, as a last resort
	head -c 876 "$ll" >"$TMP/ll.bin"
	run "$IRT" timeline -q --format jsonl "$TMP/ll.bin"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"source":"lastlog:'
	run ! "$IRT" timeline --strict --format jsonl "$ll"
	assert_contains "$output" "bad time -7"
}
