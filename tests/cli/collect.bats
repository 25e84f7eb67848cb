#!/usr/bin/env bats
# irt collect: archive layout, the real readers, and every safety item,
# against a fixture root the tests build.

load helper
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	chmod 755 "$TMP"
	ROOT=$TMP/root
	mkdir -p "$ROOT/etc" "$ROOT/var/log/sub" "$ROOT/home/ann/.ssh" \
	    "$ROOT/tmp"
	echo fixture-host >"$ROOT/etc/hostname"
	echo 'root:x:0:0:fixture:/root:/bin/sh' >"$ROOT/etc/passwd"
	echo 'root:$6$secret' >"$ROOT/etc/shadow"
	printf 'ID=fixture\nPRETTY_NAME="Fixture OS"\n' >"$ROOT/etc/os-release"
	seq 1 20000 >"$ROOT/var/log/syslog"
	echo 'Nov 27 sshd[1]: Accepted publickey' >"$ROOT/var/log/auth.log"
	echo 'ssh-ed25519 AAAA ann' >"$ROOT/home/ann/.ssh/authorized_keys"
	echo 'ls -la' >"$ROOT/home/ann/.bash_history"
	printf 'x%.0s' $(seq 1 5000) >"$ROOT/var/log/sub/big"
	PROFILE=$TMP/fixture.profile
	printf 'file /var/log/**\nfile /etc/**\nfile /home/*/.ssh/authorized_keys*\n' >"$PROFILE"
}

teardown() {
	if [ -n "${CGROUP:-}" ]; then
		rmdir "$CGROUP" 2>/dev/null || true
	fi
	if [ -n "${PROCMNT:-}" ]; then
		umount "$PROCMNT" 2>/dev/null || true
	fi
	local p
	for p in ${BGPID:-} ${MEMPID:-} ${FDPID:-}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	teardown_common
}

# collect into $TMP/out.tar.gz with the fixture profile (or $PROFILE)
collect() {
	run "$IRT" collect --root "$ROOT" --profile "$PROFILE" \
	    -o "$TMP/out.tar.gz" "$@"
}

manifest() {
	tar -xzOf "$TMP/out.tar.gz" irt/manifest.jsonl
}

# The manifest line of a host path, as compact JSON.
entry() {
	manifest | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["path"] == sys.argv[1]:
        print(json.dumps(o, sort_keys=True))
' "$1"
}

field() {
	entry "$1" | python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print("null" if v is None else v)' "$2"
}

# Waits up to $2 seconds (10) until process $1 is gone (or a zombie);
# fails when it is still running.
wait_gone() {
	local i state
	for i in $(seq 1 $((${2:-10} * 20))); do
		state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
		[ "$state" = Z ] && return 0
		sleep 0.05
	done
	echo "process $1 is still running" >&2
	return 1
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

@test "collect -h prints usage; bad options exit 2" {
	run irt collect -h
	[ "$status" -eq 0 ]
	assert_contains "$output" "usage: irt collect"
	run irt collect --bogus
	[ "$status" -eq 2 ]
	run irt collect --max-file-size lots
	[ "$status" -eq 2 ]
	assert_contains "$output" "invalid size 'lots'"
	run irt collect --since yesterday
	[ "$status" -eq 2 ]
	run irt collect --hash sha3
	[ "$status" -eq 2 ]
	run irt collect extra-argument
	[ "$status" -eq 2 ]
}

@test "collect --list-profiles names the built-in profiles" {
	run irt collect --list-profiles
	[ "$status" -eq 0 ]
	assert_contains "$output" "triage"
	assert_contains "$output" "[default]"
	assert_contains "$output" "volatile"
	assert_contains "$output" "full"
	run irt collect --list-profiles --json
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert [p["name"] for p in v] == ["triage", "volatile", "full"], v
assert v[1]["files"] == 0 and v[1]["live"] > 0
'
}

@test "a bad profile fails naming the file and the line" {
	printf 'file /var/log/**\nfile relative\n' >"$TMP/bad.profile"
	run irt collect --root "$ROOT" --profile "$TMP/bad.profile" -o "$TMP/o.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "bad.profile:2:"
	[ ! -e "$TMP/o.tar.gz" ]
	run irt collect --profile nosuch
	[ "$status" -eq 1 ]
	assert_contains "$output" "unknown profile 'nosuch'"
}

@test "outside a case the archive lands in the current directory with its sidecar" {
	mkdir "$TMP/out" && cd "$TMP/out"
	run irt collect --root "$ROOT" --profile "$PROFILE"
	[ "$status" -eq 0 ]
	name=$(ls *.tar.gz)
	[[ "$name" =~ ^fixture-host-[0-9]{8}T[0-9]{6}Z\.tar\.gz$ ]]
	[ "$output" = "$name" ] || assert_contains "$output" "$name"
	[ -f "$name.sha256" ]
	[ ! -e "$name.part" ]
	sha256sum -c "$name.sha256"
}

@test "stock readers read the archive: tar, bsdtar, gzip -t, sha256sum -c" {
	collect
	[ "$status" -eq 0 ]
	gzip -t "$TMP/out.tar.gz"
	tar -tzf "$TMP/out.tar.gz" >"$TMP/tar.list" 2>"$TMP/tar.err"
	[ ! -s "$TMP/tar.err" ]
	bsdtar -tf "$TMP/out.tar.gz" >"$TMP/bsdtar.list"
	cmp "$TMP/tar.list" "$TMP/bsdtar.list"
	for f in fs/var/log/syslog fs/etc/passwd fs/home/ann/.ssh/authorized_keys \
	    irt/manifest.sha256 irt/manifest.jsonl irt/collection.log irt/host.json \
	    irt/bodyfile; do
		grep -qx "$f" "$TMP/tar.list"
	done
	mkdir "$TMP/x"
	tar -xzf "$TMP/out.tar.gz" -C "$TMP/x"
	(cd "$TMP/x" && sha256sum -c --quiet irt/manifest.sha256)
	cmp "$TMP/x/fs/var/log/syslog" "$ROOT/var/log/syslog"
	(cd "$TMP" && sha256sum -c out.tar.gz.sha256)
}

@test "the archive is written in parallel gzip members" {
	seq 1 2000000 >"$ROOT/var/log/large"
	collect --threads 2
	[ "$status" -eq 0 ]
	python3 - "$TMP/out.tar.gz" <<'PY'
import sys, zlib
data = open(sys.argv[1], 'rb').read()
members = 0
while data:
    d = zlib.decompressobj(31)
    d.decompress(data)
    assert d.eof
    data = d.unused_data
    members += 1
assert members > 1, members
PY
}

@test "pax headers keep owner, mode and nanosecond times" {
	touch -d '2024-02-03 04:05:06.123456789Z' "$ROOT/var/log/syslog"
	collect
	[ "$status" -eq 0 ]
	python3 - "$TMP/out.tar.gz" "$ROOT/var/log/syslog" <<'PY'
import os, sys, tarfile
from decimal import Decimal
st = os.lstat(sys.argv[2])
# pax times drop the trailing zeros of their fraction
ns = lambda v: int(Decimal(v) * 10**9)
with tarfile.open(sys.argv[1]) as t:
    m = t.getmember('fs/var/log/syslog')
    h = m.pax_headers
    assert h['mtime'] == '1706933106.123456789', h
    assert ns(h['ctime']) == st.st_ctime_ns, h
    assert 'atime' in h, h
    assert m.mode == st.st_mode & 0o7777 and m.uid == st.st_uid
PY
}

@test "manifest.jsonl holds metadata, hashes and a status per entry" {
	collect --hash sha256,sha1,md5
	[ "$status" -eq 0 ]
	manifest | python3 -c '
import json, sys
need = {"path", "type", "size", "mode", "uid", "gid", "inode", "device",
        "atime", "mtime", "ctime", "btime", "sha256", "sha1", "md5",
        "status", "reason"}
n = 0
for line in sys.stdin:
    o = json.loads(line)
    if o["path"].startswith("/"):
        assert need <= set(o), (need - set(o), o)
        assert o["status"] in ("ok", "changed", "truncated", "skipped", "error")
        n += 1
assert n >= 8, n
'
	[ "$(field /var/log/syslog sha256)" = "$(sha256sum <"$ROOT/var/log/syslog" | cut -d" " -f1)" ]
	[ "$(field /var/log/syslog md5)" = "$(md5sum <"$ROOT/var/log/syslog" | cut -d" " -f1)" ]
	[ "$(field /var/log/syslog sha1)" = "$(sha1sum <"$ROOT/var/log/syslog" | cut -d" " -f1)" ]
	[ "$(field /var/log/syslog mtime)" = "$(stat -c %.9Y "$ROOT/var/log/syslog" | tr -d .)" ]
	[ "$(field /var/log/syslog status)" = ok ]
	[ "$(field /var/log/sub type)" = dir ]
}

@test "host.json and the bodyfile describe the host" {
	collect --hash sha256,md5
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/out.tar.gz" irt/host.json | python3 -c '
import json, sys
h = json.load(sys.stdin)
assert h["hostname"] == "fixture-host", h
assert h["os_release"]["PRETTY_NAME"] == "Fixture OS"
assert h["clock"]["utc"].endswith("Z")
assert h["collector"]["name"] == "irt" and "collect" in h["collector"]["argv"]
assert h["responder"] == "Test Responder <responder@example.org>"
'
	tar -xzOf "$TMP/out.tar.gz" irt/bodyfile >"$TMP/body"
	awk -F'|' 'NF != 11 { exit 1 }' "$TMP/body"
	md5=$(md5sum <"$ROOT/var/log/syslog" | cut -d" " -f1)
	grep -q "^$md5|/var/log/syslog|[0-9]*|r/rrw-r--r--|0|0|" "$TMP/body"
	grep -q "^0|/var/log/sub|[0-9]*|d/drwxr-xr-x|" "$TMP/body"
	# Sleuth Kit reads it
	mactime -b "$TMP/body" -d >"$TMP/mactime.csv"
	grep -q /var/log/syslog "$TMP/mactime.csv"
}

@test "the atime of every collected file is unchanged" {
	touch -a -d '2001-01-01 00:00:00.5Z' "$ROOT/var/log/syslog" "$ROOT/etc/passwd"
	before=$(stat -c %x "$ROOT/var/log/syslog" "$ROOT/etc/passwd")
	collect
	[ "$status" -eq 0 ]
	[ "$(field /var/log/syslog status)" = ok ]
	after=$(stat -c %x "$ROOT/var/log/syslog" "$ROOT/etc/passwd")
	[ "$before" = "$after" ]
	# a plain read would have moved it (relatime: atime older than mtime)
	cat "$ROOT/var/log/syslog" >/dev/null
	[ "$(stat -c %x "$ROOT/var/log/syslog")" != "${before%%$'\n'*}" ]
}

@test "symlinks are stored as symlinks and never followed" {
	ln -s loop "$ROOT/var/log/loop"
	ln -s /etc/passwd "$ROOT/var/log/outside"
	ln -s ../../../.. "$ROOT/var/log/up"
	ln -s / "$ROOT/var/log/slash"
	collect
	[ "$status" -eq 0 ]
	tar -tvzf "$TMP/out.tar.gz" >"$TMP/list"
	grep -q 'fs/var/log/loop -> loop' "$TMP/list"
	grep -q 'fs/var/log/outside -> /etc/passwd' "$TMP/list"
	grep -q 'fs/var/log/slash -> /' "$TMP/list"
	[ "$(field /var/log/outside type)" = symlink ]
	[ "$(field /var/log/outside target)" = /etc/passwd ]
	# nothing from beyond the links
	run ! grep -q 'fs/var/log/up/' "$TMP/list"
	run ! grep -q 'fs/var/log/slash/' "$TMP/list"
	# /etc/passwd in the archive is the fixture's, not the host's
	[ "$(tar -xzOf "$TMP/out.tar.gz" fs/etc/passwd)" = 'root:x:0:0:fixture:/root:/bin/sh' ]
}

@test "FIFOs, sockets and devices are listed with their type, never read" {
	mkfifo "$ROOT/var/log/fifo"
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$ROOT/var/log/sock"
	mknod "$ROOT/var/log/zero" c 1 5
	run timeout 60 "$IRT" collect --root "$ROOT" --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	[ "$(field /var/log/fifo type)" = fifo ]
	[ "$(field /var/log/fifo status)" = skipped ]
	[ "$(field /var/log/sock type)" = socket ]
	[ "$(field /var/log/sock status)" = skipped ]
	[ "$(field /var/log/zero type)" = chardev ]
	[ "$(field /var/log/zero status)" = skipped ]
	[ "$(field /var/log/zero archive_path)" = null ]
	tar -tzf "$TMP/out.tar.gz" >"$TMP/members"
	run ! grep -q 'fs/var/log/zero' "$TMP/members"
}

@test "pseudo file systems are skipped unless an entry names them" {
	mkdir "$ROOT/var/log/procmnt"
	mount -t proc proc "$ROOT/var/log/procmnt" || skip "cannot mount proc"
	PROCMNT=$ROOT/var/log/procmnt
	printf 'file /var/log/**\nfile /var/log/procmnt/sys/kernel/tainted\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	tar -tzf "$TMP/out.tar.gz" >"$TMP/list"
	run ! grep -q 'fs/var/log/procmnt/self' "$TMP/list"
	run ! grep -q 'fs/var/log/procmnt/1/' "$TMP/list"
	tar -xzOf "$TMP/out.tar.gz" irt/collection.log | grep -q "procmnt: proc file system not entered"
	# the mount point is stored, with a status that says why it is empty
	[ "$(field /var/log/procmnt status)" = skipped ]
	[ "$(field /var/log/procmnt reason)" = "proc file system not entered (fs=any enters it)" ]
	# named explicitly: collected, read to EOF although it reports size 0
	grep -qx 'fs/var/log/procmnt/sys/kernel/tainted' "$TMP/list"
	[ "$(tar -xzOf "$TMP/out.tar.gz" fs/var/log/procmnt/sys/kernel/tainted)" = "$(cat /proc/sys/kernel/tainted)" ]
}

@test "a 100 GiB sparse file collects in seconds into a small archive" {
	truncate -s 100G "$ROOT/var/log/sparse"
	printf 'needle' | dd of="$ROOT/var/log/sparse" bs=1 seek=$((50 << 30)) conv=notrunc 2>/dev/null
	start=$(date +%s)
	collect
	[ "$status" -eq 0 ]
	[ $(($(date +%s) - start)) -lt 60 ]
	[ "$(stat -c %s "$TMP/out.tar.gz")" -lt $((1 << 20)) ]
	[ "$(field /var/log/sparse sparse)" = True ]
	[ "$(field /var/log/sparse stored)" = 107374182400 ]
	# too large to hash the holes: the data extents are hashed
	[ "$(field /var/log/sparse sha256)" = null ]
	[ -n "$(field /var/log/sparse extents_sha256)" ]
	# tar restores it sparse with the data in place
	mkdir "$TMP/x"
	tar -xzf "$TMP/out.tar.gz" -C "$TMP/x" fs/var/log/sparse
	[ "$(stat -c %s "$TMP/x/fs/var/log/sparse")" = 107374182400 ]
	[ "$(du -k "$TMP/x/fs/var/log/sparse" | cut -f1)" -lt 1024 ]
	[ "$(dd if="$TMP/x/fs/var/log/sparse" bs=1 skip=$((50 << 30)) count=6 2>/dev/null)" = needle ]
	"$IRT" verify "$TMP/out.tar.gz"
}

@test "a 4 GiB+ sparse file keeps its whole-file hash" {
	truncate -s $(((4 << 30) + 4096)) "$ROOT/var/log/big4g"
	printf 'tail' | dd of="$ROOT/var/log/big4g" bs=1 seek=$((4 << 30)) conv=notrunc 2>/dev/null
	printf 'file /var/log/big4g\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	[ "$(field /var/log/big4g status)" = ok ]
	# what sha256sum would print, without reading 4 GiB of holes
	want=$(python3 -c '
import hashlib
h = hashlib.sha256()
z = bytes(1 << 20)
for _ in range(4096):
    h.update(z)
h.update(b"tail" + bytes(4092))
print(h.hexdigest())')
	[ "$(field /var/log/big4g sha256)" = "$want" ]
	grep -q "^$want  fs/var/log/big4g\$" <(tar -xzOf "$TMP/out.tar.gz" irt/manifest.sha256)
	"$IRT" verify "$TMP/out.tar.gz"
	mkdir "$TMP/x"
	tar -xzf "$TMP/out.tar.gz" -C "$TMP/x"
	[ "$(stat -c %s "$TMP/x/fs/var/log/big4g")" = $(((4 << 30) + 4096)) ]
	[ "$(dd if="$TMP/x/fs/var/log/big4g" bs=1 skip=$((4 << 30)) count=4 2>/dev/null)" = tail ]
}

@test "a size cap gives status truncated with the stored length" {
	collect --max-file-size 1K
	[ "$status" -eq 0 ]
	[ "$(field /var/log/sub/big status)" = truncated ]
	[ "$(field /var/log/sub/big stored)" = 1024 ]
	[ "$(field /var/log/sub/big size)" = 5000 ]
	[ "$(tar -xzOf "$TMP/out.tar.gz" fs/var/log/sub/big | wc -c)" = 1024 ]
	[ "$(field /var/log/sub/big sha256)" = "$(head -c 1024 "$ROOT/var/log/sub/big" | sha256sum | cut -d' ' -f1)" ]
	# a per-entry cap in the profile
	printf 'file /var/log/sub/big max-size=100\n' >"$PROFILE"
	rm -f "$TMP/out.tar.gz"*
	collect
	[ "$(field /var/log/sub/big stored)" = 100 ]
}

@test "a file that grows while it is read gets status changed and the hash of the bytes stored" {
	head -c $((64 << 20)) /dev/zero >"$ROOT/var/log/growing"
	python3 -c '
import sys, time
with open(sys.argv[1], "ab") as f:
    while True:
        f.write(b"x" * 4096)
        f.flush()
        time.sleep(0.0005)
' "$ROOT/var/log/growing" &
	BGPID=$!
	# the writer is running: the file grows past its first 64 MiB
	grown() { [ "$(stat -c %s "$ROOT/var/log/growing")" -gt $((64 << 20)) ]; }
	wait_for grown
	printf 'file /var/log/growing\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	[ "$(field /var/log/growing status)" = changed ]
	stored=$(field /var/log/growing stored)
	mkdir "$TMP/x"
	tar -xzf "$TMP/out.tar.gz" -C "$TMP/x"
	[ "$(stat -c %s "$TMP/x/fs/var/log/growing")" = "$stored" ]
	[ "$(field /var/log/growing sha256)" = "$(sha256sum <"$TMP/x/fs/var/log/growing" | cut -d' ' -f1)" ]
}

@test "an unreadable file gets status error and the collection goes on" {
	echo secret >"$ROOT/var/log/private"
	chmod 000 "$ROOT/var/log/private"
	chmod -R a+rX "$ROOT/etc" "$ROOT/home" "$ROOT/var/log/syslog"
	mkdir -m 777 "$TMP/out"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$IRT" collect --root "$ROOT" --profile "$PROFILE" -o "$TMP/out/o.tar.gz"
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/out/o.tar.gz" irt/manifest.jsonl >"$TMP/m"
	grep -F '"path":"/var/log/private"' "$TMP/m" | grep -q '"status":"error","reason":"open: Permission denied"'
	grep -F '"path":"/var/log/syslog"' "$TMP/m" | grep -q '"status":"ok"'
	tar -tzf "$TMP/out/o.tar.gz" >"$TMP/members"
	run ! grep -q fs/var/log/private "$TMP/members"
	tar -xzOf "$TMP/out/o.tar.gz" irt/collection.log | grep -q 'error /var/log/private: open: Permission denied'
}

@test "hostile names are byte-exact in the archive and escaped in text output" {
	name=$(printf 'evil\nname|\033[31m\377')
	echo hostile >"$ROOT/var/log/$name"
	collect
	[ "$status" -eq 0 ]
	python3 - "$TMP/out.tar.gz" <<'PY'
import os, sys, tarfile
want = b'fs/var/log/evil\nname|\x1b[31m\xff'
with tarfile.open(sys.argv[1], encoding='utf-8', errors='surrogateescape') as t:
    names = [os.fsencode(m.name) for m in t.getmembers()]
assert want in names, names
PY
	# in text outputs the name is escaped: no raw ESC, no split line
	for f in irt/bodyfile irt/collection.log irt/manifest.jsonl; do
		tar -xzOf "$TMP/out.tar.gz" "$f" >"$TMP/member"
		run ! grep -q $'\033' "$TMP/member"
	done
	# manifest.sha256 escapes as sha256sum does (backslash, newline),
	# which keeps the other bytes for sha256sum -c to find the file
	want=$(printf '\\%s  fs/var/log/evil\\nname|\033[31m\377' \
	    "$(sha256sum <"$ROOT/var/log/$name" | cut -d' ' -f1)")
	tar -xzOf "$TMP/out.tar.gz" irt/manifest.sha256 | grep -qxF "$want"
	# the bodyfile %-encodes it as mactime decodes it
	tar -xzOf "$TMP/out.tar.gz" irt/bodyfile | grep -qF '|/var/log/evil%0Aname%7C%1B[31m%FF|'
	# and irt timeline gets the exact name back from the archive
	"$IRT" timeline --format jsonl "archive:$TMP/out.tar.gz" 2>/dev/null |
	    python3 -c '
import json, sys
paths = {json.loads(l)["path"] for l in sys.stdin}
assert "/var/log/evil\nname|\x1b[31m\\xff" in paths, sorted(paths)[:20]
'
	manifest | grep -F '"path_hex":"2f7661722f6c6f672f6576696c0a6e616d657c1b5b33316dff"'
	# sha256sum -c still finds it after extraction
	mkdir "$TMP/x"
	tar -xzf "$TMP/out.tar.gz" -C "$TMP/x"
	(cd "$TMP/x" && sha256sum -c --quiet irt/manifest.sha256)
	"$IRT" verify "$TMP/out.tar.gz"
}

@test "live commands: output stored, missing command skipped, timeout kills the group" {
	cat >"$PROFILE" <<EOF
live echo.txt -- echo hello
live missing.txt -- no-such-command-irt-test
live sleeper.txt timeout=1 -- sh -c "sleep 300 & echo \$! >$TMP/child.pid; sleep 300"
live processes.jsonl builtin=processes
live sockets.jsonl builtin=sockets
EOF
	# a listener whose socket must be joined to its pid
	python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
s6 = socket.socket(socket.AF_INET6)
s6.bind(("::1", 0))
s6.listen()
open(sys.argv[1] + "6", "w").write(str(s6.getsockname()[1]))
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
time.sleep(300)
' "$TMP/port" &
	BGPID=$!
	listening() { [ -s "$TMP/port" ]; }
	wait_for listening
	start=$(date +%s)
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	[ $(($(date +%s) - start)) -lt 30 ]
	[ "$(tar -xzOf "$TMP/out.tar.gz" live/echo.txt)" = hello ]
	[ "$(field live/missing.txt status)" = skipped ]
	assert_contains "$(field live/missing.txt reason)" "command not found"
	[ "$(field live/sleeper.txt status)" = error ]
	[ "$(field live/sleeper.txt timed_out)" = True ]
	# the background child of the command is gone too
	wait_gone "$(cat "$TMP/child.pid")"
	# processes and sockets read from /proc
	tar -xzOf "$TMP/out.tar.gz" live/processes.jsonl | python3 -c '
import json, sys
ps = [json.loads(l) for l in sys.stdin]
me = [p for p in ps if p["pid"] == 1]
assert me and "ppid" in me[0] and "cmdline" in me[0] and "exe_deleted" in me[0]
assert any(p["exe_sha256"] for p in ps)
'
	tar -xzOf "$TMP/out.tar.gz" live/sockets.jsonl | python3 -c '
import json, sys
port, pid = int(sys.argv[1]), int(sys.argv[2])
hits = [s for s in map(json.loads, sys.stdin)
        if s["proto"] == "tcp" and s["lport"] == port]
assert hits, "no listener on %d" % port
s = hits[0]
assert s["state"] == "LISTEN" and s["local"] == "127.0.0.1", s
assert {"pid": pid, "comm": "python3"} in s["pids"], s
' "$(cat "$TMP/port")" "$BGPID"
	tar -xzOf "$TMP/out.tar.gz" live/sockets.jsonl | python3 -c '
import json, sys
port = int(sys.argv[1])
hits = [s for s in map(json.loads, sys.stdin)
        if s["proto"] == "tcp6" and s["lport"] == port]
assert hits and hits[0]["local"] == "::1" and hits[0]["state"] == "LISTEN", hits
' "$(cat "$TMP/port6")"
	# the listener started a moment ago, in UTC
	tar -xzOf "$TMP/out.tar.gz" live/processes.jsonl | python3 -c '
import json, sys, time, datetime
p = {p["pid"]: p for p in map(json.loads, sys.stdin)}[int(sys.argv[1])]
t = datetime.datetime.strptime(p["start"][:19], "%Y-%m-%dT%H:%M:%S")
t = t.replace(tzinfo=datetime.timezone.utc).timestamp()
assert abs(t - time.time()) < 120, p
assert p["cmdline"][0].endswith("python3") and p["uid"] == 0, p
' "$BGPID"
}

@test "live commands are skipped with --no-live and under another root" {
	printf 'live echo.txt -- echo hello\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	[ "$(field live/echo.txt status)" = skipped ]
	rm -f "$TMP/out.tar.gz"*
	run "$IRT" collect --root / --no-live --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	[ "$(field live/echo.txt reason)" = --no-live ]
}

@test "a deleted executable is flagged in processes.jsonl" {
	cp /bin/sleep "$TMP/doomed"
	"$TMP/doomed" 300 &
	BGPID=$!
	# deleted only once it runs from it
	execd() { [ "$(readlink "/proc/$BGPID/exe")" = "$TMP/doomed" ]; }
	wait_for execd
	rm "$TMP/doomed"
	printf 'live processes.jsonl builtin=processes\n' >"$PROFILE"
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/out.tar.gz" live/processes.jsonl | python3 -c '
import json, sys
ps = {p["pid"]: p for p in map(json.loads, sys.stdin)}
p = ps[int(sys.argv[1])]
assert p["exe_deleted"] is True, p
assert p["exe"].endswith("/doomed"), p
assert p["exe_sha256"], p
' "$BGPID"
}

@test "the implant is copied: a deleted executable, a memfd one, a deleted open file" {
	cp /bin/sleep "$TMP/doomed"
	want=$(sha256sum <"$TMP/doomed" | cut -d' ' -f1)
	IMPLANT_SECRET=s3cr3t "$TMP/doomed" 300 &
	BGPID=$!
	execd() { [ "$(readlink "/proc/$BGPID/exe")" = "$TMP/doomed" ]; }
	wait_for execd
	rm "$TMP/doomed"
	# a program run from a memfd, which never had a name on disk
	python3 -c '
import os, sys
fd = os.memfd_create("implant", 0)
os.write(fd, open("/bin/sleep", "rb").read())
os.execv("/proc/self/fd/%d" % fd, ["implant", "300"])
' &
	MEMPID=$!
	memfd() { readlink "/proc/$MEMPID/exe" | grep -q '^/memfd:implant'; }
	wait_for memfd
	# a shell that holds a deleted file open
	seq 1 100000 >"$TMP/stolen"
	sh -c 'exec 7<"$1"; rm "$1"; exec sleep 300' sh "$TMP/stolen" &
	FDPID=$!
	held() { [ ! -e "$TMP/stolen" ] && readlink "/proc/$FDPID/fd/7" | grep -q deleted; }
	wait_for held
	printf 'live processes.jsonl builtin=processes\n' >"$PROFILE"
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	# the copies hold the bytes of the originals
	[ "$(tar -xzOf "$TMP/out.tar.gz" "live/proc/$BGPID/exe" | sha256sum | cut -d' ' -f1)" = "$want" ]
	[ "$(tar -xzOf "$TMP/out.tar.gz" "live/proc/$MEMPID/exe" | sha256sum | cut -d' ' -f1)" = \
	    "$(sha256sum </bin/sleep | cut -d' ' -f1)" ]
	[ "$(tar -xzOf "$TMP/out.tar.gz" "live/proc/$FDPID/fd/7" | sha256sum | cut -d' ' -f1)" = \
	    "$(seq 1 100000 | sha256sum | cut -d' ' -f1)" ]
	# hashed and listed like any file
	[ "$(field "/proc/$BGPID/exe" status)" = ok ]
	[ "$(field "/proc/$BGPID/exe" sha256)" = "$want" ]
	[ "$(field "/proc/$BGPID/exe" copied_because)" = deleted ]
	[ "$(field "/proc/$MEMPID/exe" copied_because)" = memfd ]
	[ "$(field "/proc/$FDPID/fd/7" copied_because)" = deleted ]
	(cd "$TMP" && mkdir x && tar -xzf out.tar.gz -C x && cd x &&
	    sha256sum -c --quiet irt/manifest.sha256)
	run irt verify "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/out.tar.gz" live/processes.jsonl | python3 -c '
import json, sys
ps = {p["pid"]: p for p in map(json.loads, sys.stdin)}
doomed, mem, fd = (ps[int(a)] for a in sys.argv[1:4])
assert doomed["exe_copy"] == "live/proc/%s/exe" % sys.argv[1], doomed
assert "IMPLANT_SECRET=s3cr3t" in doomed["environ"], doomed
m = doomed["maps"]
assert m["regions"] > 0 and any(f.endswith("/doomed (deleted)") for f in m["exec_files"]), m
assert mem["exe_memfd"] is True and mem["exe_copy"], mem
assert mem["exe_sha256"], mem
assert fd["deleted_fds"] == [{"fd": 7, "target": sys.argv[4] + " (deleted)",
                              "copy": "live/proc/%s/fd/7" % sys.argv[3]}], fd
# programs in /usr are not copied
usr = [p for p in ps.values() if p["exe"] and p["exe"].startswith("/usr/")
       and not p["exe_deleted"]]
assert usr and all(p["exe_copy"] is None for p in usr), usr
' "$BGPID" "$MEMPID" "$FDPID" "$TMP/stolen"
}

@test "the hidden builtin reports a mount over /proc/PID" {
	sleep 300 &
	BGPID=$!
	mkdir "$TMP/empty"
	mount --bind "$TMP/empty" "/proc/$BGPID" || skip "cannot mount over /proc"
	PROCMNT=/proc/$BGPID
	printf 'live hidden.jsonl builtin=hidden\n' >"$PROFILE"
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	[ "$(field live/hidden.jsonl status)" = ok ]
	tar -xzOf "$TMP/out.tar.gz" live/hidden.jsonl | python3 -c '
import json, sys
h = [json.loads(l) for l in sys.stdin]
m = [x for x in h if x["hidden"] == "mount" and x["pid"] == int(sys.argv[1])]
assert m and m[0]["mount_point"] == "/proc/" + sys.argv[1], h
assert m[0]["root"].endswith(sys.argv[2]), m
# nothing else is hidden on the test host
assert not [x for x in h if x["hidden"] == "not_listed"], h
' "$BGPID" "$(basename "$TMP")/empty"
}

@test "process copies are bounded by the per-file cap" {
	head -c $((70 << 20)) /dev/zero | tr '\0' x >"$TMP/big"
	sh -c 'exec 7<"$1"; rm "$1"; exec sleep 300' sh "$TMP/big" &
	BGPID=$!
	held() { [ ! -e "$TMP/big" ] && readlink "/proc/$BGPID/fd/7" | grep -q deleted; }
	wait_for held
	printf 'live processes.jsonl builtin=processes\n' >"$PROFILE"
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	[ "$(field "/proc/$BGPID/fd/7" status)" = truncated ]
	[ "$(field "/proc/$BGPID/fd/7" stored)" = $((64 << 20)) ]
	[ "$(tar -xzOf "$TMP/out.tar.gz" "live/proc/$BGPID/fd/7" | wc -c)" -eq $((64 << 20)) ]
}

@test "exclude, since and max-total limit what is stored" {
	touch -d '2001-01-01' "$ROOT/var/log/auth.log"
	collect --exclude '*.log' --exclude '/etc/shadow'
	[ "$status" -eq 0 ]
	[ "$(field /var/log/auth.log status)" = skipped ]
	[ "$(field /etc/shadow reason)" = excluded ]
	# --since keeps files whose mtime or ctime is at or after the date
	# (ctime cannot be set back, so the date is in the future here)
	rm -f "$TMP/out.tar.gz"*
	collect --since "$(date -u -d '+1 day' +%Y-%m-%d)"
	[ "$status" -eq 0 ]
	[ -z "$(entry /var/log/auth.log)" ]
	[ -z "$(entry /var/log/syslog)" ]
	tar -xzOf "$TMP/out.tar.gz" irt/collection.log | grep -q 'files older than --since'
	rm -f "$TMP/out.tar.gz"*
	collect --since 2020-01-01
	[ "$status" -eq 0 ]
	[ "$(field /var/log/auth.log status)" = ok ]
	rm -f "$TMP/out.tar.gz"*
	collect --max-total 1K
	[ "$status" -eq 0 ]
	manifest | grep -q 'max-total reached'
}

@test "the triage profile keeps shadow files out and takes histories" {
	run irt collect --root "$ROOT" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	tar -tzf "$TMP/out.tar.gz" >"$TMP/list"
	run ! grep -q 'fs/etc/shadow' "$TMP/list"
	grep -qx 'fs/home/ann/.bash_history' "$TMP/list"
	grep -qx 'fs/home/ann/.ssh/authorized_keys' "$TMP/list"
	[ "$(tar -xzOf "$TMP/out.tar.gz" irt/host.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["collector"]["profile"])')" = triage ]
}

@test "an existing archive is not overwritten; progress is silent off a terminal" {
	collect
	[ "$status" -eq 0 ]
	[[ "$output" != *$'\r'* ]]
	collect
	[ "$status" -eq 1 ]
	assert_contains "$output" "exists; not overwritten"
}

@test "inside a case the archive goes to evidence/ and a custody record is committed" {
	make_case
	run irt collect --root "$ROOT" --profile "$PROFILE" -m "first triage"
	[ "$status" -eq 0 ]
	archive=$(ls "$TMP/case/evidence/"*.tar.gz)
	[ -f "$archive.sha256" ]
	# kept out of git
	[ -z "$(git -C "$TMP/case" status --porcelain)" ]
	# the last evidence commit (the host is added after it)
	git -C "$TMP/case" log -1 --format=%B --grep='^Irt-Evidence: ' >"$TMP/msg"
	grep -q '^Irt-Action: evidence-collect$' "$TMP/msg"
	id=$(sed -n 's/^Irt-Evidence: //p' "$TMP/msg")
	[ -n "$id" ]
	rec=$(git -C "$TMP/case" show "HEAD:$(shard custody "$id" .record)")
	assert_contains "$rec" "sha256 = $(sha256sum <"$archive" | cut -d' ' -f1)"
	assert_contains "$rec" "size = $(stat -c %s "$archive")"
	assert_contains "$rec" "host = fixture-host"
	assert_contains "$rec" "profile = $PROFILE"
	assert_contains "$rec" "count.ok = "
	assert_contains "$rec" "responder = Test Responder <responder@example.org>"
	run irt case verify
	[ "$status" -eq 0 ]
	run irt verify "$archive"
	[ "$status" -eq 0 ]
	assert_contains "$output" "evidence $id"
}

@test "collect --json describes the result" {
	collect --json
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
assert r["archive"].endswith("out.tar.gz") and len(r["sha256"]) == 64
assert r["counts"]["ok"] > 0 and r["evidence"] is None
'
}

@test "extended attributes such as security.capability are kept" {
	cp /bin/true "$ROOT/var/log/capbin"
	python3 -c '
import os, struct, sys
os.setxattr(sys.argv[1], "security.capability",
            struct.pack("<IIIII", 0x02000001, 1 << 13, 0, 0, 0))
' "$ROOT/var/log/capbin"
	collect
	[ "$status" -eq 0 ]
	entry /var/log/capbin | grep -q '"xattrs": {"security.capability": "0100000200200000000000000000000000000000"}'
	mkdir "$TMP/x"
	# GNU tar reads every header without a warning, and restores them
	tar --xattrs --xattrs-include='*' -xzf "$TMP/out.tar.gz" -C "$TMP/x" 2>"$TMP/err"
	[ ! -s "$TMP/err" ]
	python3 -c '
import os, sys
assert os.getxattr(sys.argv[1], "security.capability").hex() == "0100000200200000000000000000000000000000"
' "$TMP/x/fs/var/log/capbin"
}

@test "the archive being written is never collected" {
	run "$IRT" collect --root "$ROOT" --profile "$PROFILE" -o "$ROOT/var/log/self.tar.gz"
	[ "$status" -eq 0 ]
	tar -xzOf "$ROOT/var/log/self.tar.gz" irt/manifest.jsonl >"$TMP/m"
	grep -F '"path":"/var/log/self.tar.gz.part"' "$TMP/m" | grep -q '"reason":"the archive being written"'
	tar -tzf "$ROOT/var/log/self.tar.gz" >"$TMP/members"
	run ! grep -q 'self.tar.gz' "$TMP/members"
}

@test "progress is shown on a terminal" {
	command -v script >/dev/null || skip "no script(1)"
	seq 1 3000000 >"$ROOT/var/log/large"
	script -qec "$IRT collect --root $ROOT --profile $PROFILE -o $TMP/out.tar.gz --threads 1" "$TMP/typescript" >/dev/null
	grep -q 'files: [0-9]* files, ' "$TMP/typescript"
	[ -f "$TMP/out.tar.gz" ]
}

@test "an interrupt while a live command runs stops the collection and leaves no partial archive" {
	cat >"$PROFILE" <<EOF
live block.txt timeout=600 -- sh -c "echo \$\$ >$TMP/started; exec sleep 600"
file $ROOT/var/log/**
EOF
	"$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz" \
	    2>"$TMP/err" &
	pid=$!
	# the command runs: irt is inside the live phase until it is stopped
	started() { [ -s "$TMP/started" ]; }
	wait_for started
	kill -INT "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 1 ]
	grep -q 'collection interrupted' "$TMP/err"
	[ ! -e "$TMP/out.tar.gz.part" ]
	[ ! -e "$TMP/out.tar.gz" ]
	# and the command's process group went with it
	wait_gone "$(cat "$TMP/started")"
}

@test "an interrupt while files are read stops the collection and leaves no partial archive" {
	yes 'Nov 27 21:14:39 web01 sshd[4242]: Accepted publickey for root' |
	    head -c $((400 << 20)) >"$ROOT/var/log/huge"
	"$IRT" collect --root "$ROOT" --profile "$PROFILE" --threads 1 \
	    --level 9 -o "$TMP/out.tar.gz" 2>"$TMP/err" &
	pid=$!
	# the first compressed block is out: the 400 MiB file is being read,
	# and most of it is still ahead
	writing() { [ -s "$TMP/out.tar.gz.part" ]; }
	wait_for writing
	kill -INT "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 1 ]
	grep -q 'collection interrupted' "$TMP/err"
	[ ! -e "$TMP/out.tar.gz.part" ]
	[ ! -e "$TMP/out.tar.gz" ]
}

@test "live output is kept up to its cap, then truncated" {
	cat >"$PROFILE" <<EOF2
live big.txt -- head -c 20000000 /dev/zero
live noisy.txt -- sh -c "head -c 2000000 /dev/zero >&2"
EOF2
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	[ "$(field live/big.txt status)" = truncated ]
	[ "$(field live/big.txt size)" = $((16 << 20)) ]
	[ "$(field live/noisy.txt.stderr status)" = truncated ]
	[ "$(field live/noisy.txt.stderr size)" = $((1 << 20)) ]
}

@test "collect: two collections in the same second get distinct default names" {
	mkdir -p r2/etc && echo x >r2/etc/hostname
	# archives of this second and the next few already exist
	now=$(date -u +%s)
	for d in 0 1 2 3 4 5; do
		touch "x-$(date -u -d "@$((now + d))" +%Y%m%dT%H%M%SZ).tar.gz"
	done
	run irt collect --root "$TMP/r2" --no-live
	[ "$status" -eq 0 ]
	[[ "$output" =~ x-[0-9]{8}T[0-9]{6}Z-2\.tar\.gz ]]
	a=$(ls x-*-2.tar.gz)
	[ -s "$a" ]
	sha256sum -c "$a.sha256"
}

@test "live commands read nothing of irt's standard input" {
	printf 'live stdin.txt timeout=20 -- sh -c "readlink /proc/self/fd/0; cat"\n' >"$PROFILE"
	# data waits on irt's standard input; whatever irt and its commands
	# leave of it is read back after irt exits
	run bash -c 'printf "must-stay-unread\n" | {
		"$1" collect --root / --profile "$2" -o "$3" >/dev/null 2>&1 || exit 99
		cat
	}' _ "$IRT" "$PROFILE" "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	[ "$output" = must-stay-unread ]
	[ "$(tar -xzOf "$TMP/out.tar.gz" live/stdin.txt)" = /dev/null ]
}

@test "a background child of a live command is killed when the command ends" {
	cat >"$PROFILE" <<EOF
live bg.txt -- sh -c "sleep 300 >/dev/null 2>&1 </dev/null & echo \$! >$TMP/bg.pid; echo started"
EOF
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	BGPID=$(cat "$TMP/bg.pid")
	[ "$(tar -xzOf "$TMP/out.tar.gz" live/bg.txt)" = started ]
	[ "$(field live/bg.txt status)" = ok ]
	[ "$(field live/bg.txt timed_out)" = False ]
	wait_gone "$BGPID" 5
}

@test "a live name ending in .stderr is refused; the standard error has that name" {
	printf 'live ps.txt -- sh -c "echo out; echo err >&2"\nlive ps.txt.stderr -- echo x\n' >"$PROFILE"
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "fixture.profile:2: live name 'ps.txt.stderr' ends in '.stderr'"
	[ ! -e "$TMP/out.tar.gz" ]
	printf 'live ps.txt -- sh -c "echo out; echo err >&2"\n' >"$PROFILE"
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	[ "$(tar -xzOf "$TMP/out.tar.gz" live/ps.txt)" = out ]
	[ "$(tar -xzOf "$TMP/out.tar.gz" live/ps.txt.stderr)" = err ]
	"$IRT" verify "$TMP/out.tar.gz"
}

@test "a folder deeper than the walk goes has status truncated and is counted" {
	d="$ROOT/var/log"
	for i in $(seq 1 130); do d="$d/d"; done
	mkdir -p "$d"
	echo deep >"$d/file"
	printf 'file /var/log/**\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	assert_contains "$output" ", 1 truncated,"
	# /var/log and 127 d: 129 levels, stored but not entered
	deep=/var/log$(printf '/d%.0s' $(seq 1 127))
	[ "$(field "$deep" type)" = dir ]
	[ "$(field "$deep" status)" = truncated ]
	assert_contains "$(field "$deep" reason)" "deeper than 128 levels: its contents are not collected"
	[ -z "$(entry "$deep/d")" ]
	manifest | python3 -c '
import json, sys
st = [json.loads(l)["status"] for l in sys.stdin]
assert st.count("truncated") == 1, st.count("truncated")
'
	tar -xzOf "$TMP/out.tar.gz" irt/collection.log | grep -q "truncated $deep: deeper than 128 levels"
}

@test "unreadable folders have status error and are counted; a folder without read permission is still gone through" {
	mkdir -p "$ROOT/var/log/locked/inner" "$ROOT/srv/alice" "$ROOT/srv/bob"
	echo secret >"$ROOT/var/log/locked/inner/x"
	echo a >"$ROOT/srv/alice/data.txt"
	echo b >"$ROOT/srv/bob/data.txt"
	chmod -R a+rX "$ROOT"
	chmod 000 "$ROOT/var/log/locked" "$ROOT/srv/bob"
	# search permission only: a name the profile gives is still reached
	chmod 711 "$ROOT/home"
	printf 'file /var/log/**\nfile /srv/*/data.txt\nfile /home/ann/.bash_history\n' >"$PROFILE"
	mkdir -m 777 "$TMP/out"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$IRT" collect --root "$ROOT" --profile "$PROFILE" -o "$TMP/out/o.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" ", 2 error)"
	tar -xzOf "$TMP/out/o.tar.gz" irt/manifest.jsonl >"$TMP/m"
	python3 - "$TMP/m" <<'PY'
import json, sys
m = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    m[o["path"]] = o
locked = m["/var/log/locked"]
assert locked["status"] == "error" and locked["type"] == "dir", locked
assert locked["reason"] == "cannot open the folder: Permission denied; its contents are not collected", locked
assert locked["archive_path"] == "fs/var/log/locked", locked
# entered without read permission: what it holds cannot be known
bob = m["/srv/bob/data.txt"]
assert bob["status"] == "error" and bob["reason"] == "stat: Permission denied", bob
assert m["/srv/alice/data.txt"]["status"] == "ok"
assert m["/home/ann/.bash_history"]["status"] == "ok"
assert not any(p.startswith("/var/log/locked/") for p in m), m.keys()
PY
	tar -xzOf "$TMP/out/o.tar.gz" irt/collection.log | grep -q "error /var/log/locked: cannot open the folder: Permission denied"
}

@test "a path the profile names through a symbolic link is recorded as skipped, not followed" {
	mkdir -p "$ROOT/run/app"
	echo 42 >"$ROOT/run/app/app.pid"
	ln -s ../run "$ROOT/var/run"
	printf 'file /var/run/**\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	[ "$(field /var/run type)" = symlink ]
	[ "$(field /var/run status)" = skipped ]
	[ "$(field /var/run reason)" = "symbolic link on the way to '/var/run/**': not followed" ]
	[ "$(field /var/run target)" = ../run ]
	[ -z "$(entry /var/run/app/app.pid)" ]
	[ -z "$(entry /run/app/app.pid)" ]
}

@test "a folder matched by one line is still walked by a later '**' line" {
	printf 'file /var/log/*\nfile /var/log/**\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	[ "$(field /var/log/sub type)" = dir ]
	[ "$(field /var/log/sub/big status)" = ok ]
	[ "$(manifest | grep -c '"path":"/var/log/sub"')" -eq 1 ]
}

@test "the access times of the root, of the folders listed and of the files host.json reads are unchanged" {
	echo 0123456789abcdef0123456789abcdef >"$ROOT/etc/machine-id"
	old='2001-01-01 00:00:00.5Z'
	paths="$ROOT $ROOT/var $ROOT/var/log $ROOT/var/log/sub $ROOT/etc/hostname $ROOT/etc/os-release $ROOT/etc/machine-id"
	# shellcheck disable=SC2086
	touch -a -d "$old" $paths
	# shellcheck disable=SC2086
	before=$(stat -c '%n %x' $paths)
	printf 'file /*/log/**\nfile /var/*/sub/big\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	[ "$(tar -xzOf "$TMP/out.tar.gz" irt/host.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["machine_id"])')" = 0123456789abcdef0123456789abcdef ]
	# shellcheck disable=SC2086
	after=$(stat -c '%n %x' $paths)
	[ "$before" = "$after" ]
	# a plain listing would have moved the root's (relatime: older than
	# its change time)
	ls "$ROOT" >/dev/null
	[ "$(stat -c %x "$ROOT")" != "$(stat -c %x "$ROOT/var")" ]
}

@test "a symbolic link's atime is kept: read through a noatime mount namespace" {
	ln -s some/target "$ROOT/var/log/link"
	touch -h -a -d '2001-01-01 00:00:00Z' "$ROOT/var/log/link"
	collect
	[ "$status" -eq 0 ]
	[ "$(field /var/log/link atime)" = 978307200000000000 ]
	[ "$(field /var/log/link target)" = some/target ]
	# on the host's own mount, the read left no access time behind
	[ "$(stat -c %X "$ROOT/var/log/link")" = 978307200 ]
	tar -xzOf "$TMP/out.tar.gz" irt/collection.log >"$TMP/log"
	grep -q 'files read through a private mount namespace: [1-9][0-9]* mounts noatime' "$TMP/log"
	# the host's mounts are as they were: no noatime appeared on /
	run ! grep -q ' / [^ ]*noatime' /proc/self/mountinfo
	# a plain read would have moved it (relatime: older than its change)
	readlink "$ROOT/var/log/link" >/dev/null
	[ "$(stat -c %X "$ROOT/var/log/link")" != 978307200 ]
}

@test "live commands see the host's own mounts, not irt's noatime copies" {
	printf 'live mountinfo.txt -- cat /proc/self/mountinfo\nfile /etc/hostname\n' >"$PROFILE"
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	[ "$(field /etc/hostname status)" = ok ]
	tar -xzOf "$TMP/out.tar.gz" live/mountinfo.txt >"$TMP/mi"
	# the root mount's line as the host has it, options and all
	grep -q "^$(awk '$5 == "/" { print $1; exit }' /proc/self/mountinfo) .* / [^ ]* " "$TMP/mi"
	[ "$(awk '$5 == "/" { print $6; exit }' "$TMP/mi")" = "$(awk '$5 == "/" { print $6; exit }' /proc/self/mountinfo)" ]
}

@test "a collection as a normal user says once that it may change access times" {
	bats_require_minimum_version 1.5.0
	chmod -R a+rX "$ROOT"
	chmod 755 "$TMP"
	mkdir -m 777 "$TMP/out"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup \
	    --clear-groups "$IRT" collect --root "$ROOT" --profile "$PROFILE" \
	    -o "$TMP/out/o.tar.gz" --json
	[ "$status" -eq 0 ]
	n=$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["noatime_fallbacks"])')
	[ "$n" -gt 5 ]
	assert_contains "$stderr" "irt: $n files and folders were read without O_NOATIME (not their owner, no CAP_FOWNER): their access times may have changed"
	tar -xzOf "$TMP/out/o.tar.gz" irt/collection.log >"$TMP/log"
	[ "$(grep -c ' atime: ' "$TMP/log")" -eq 1 ]
	grep -q ", $n files and folders read without O_NOATIME\$" "$TMP/log"
	# as the owner of the files, nothing of the kind
	run --separate-stderr "$IRT" collect --root "$ROOT" --profile "$PROFILE" \
	    -o "$TMP/out/root.tar.gz" --json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["noatime_fallbacks"])')" = 0 ]
	assert_not_contains "$stderr" "O_NOATIME"
	run ! bash -c "tar -xzOf '$TMP/out/root.tar.gz' irt/collection.log | grep -q ' atime: '"
}

@test "zero-size files of a cgroup file system are read to their end" {
	mkdir -p "$ROOT/sys/fs/cgroup"
	mount -t cgroup2 none "$ROOT/sys/fs/cgroup" || skip "cannot mount cgroup2"
	PROCMNT=$ROOT/sys/fs/cgroup
	# a cgroup of its own: kernfs nodes that nothing has looked at yet
	CGROUP=$ROOT/sys/fs/cgroup/irt-test-$$
	mkdir "$CGROUP"
	printf 'file /sys/fs/cgroup/cgroup.max.depth\nfile /sys/fs/cgroup/cgroup.controllers\nfile /sys/fs/cgroup/irt-test-%s/cgroup.type\n' $$ >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	[ -n "$(cat "$ROOT/sys/fs/cgroup/cgroup.max.depth")" ]
	for f in cgroup.max.depth cgroup.controllers "irt-test-$$/cgroup.type"; do
		entry "/sys/fs/cgroup/$f" | python3 -c '
import json, sys
e = json.load(sys.stdin)
assert e["size"] == 0 and e["status"] == "ok" and e["reason"] is None, e
'
		[ "$(tar -xzOf "$TMP/out.tar.gz" "fs/sys/fs/cgroup/$f")" = "$(cat "$ROOT/sys/fs/cgroup/$f")" ]
	done
}

@test "a symbolic link or a sidecar at the output is refused, never replaced" {
	ln -s "$TMP/elsewhere" "$TMP/out.tar.gz"
	collect
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: '$TMP/out.tar.gz' is a symbolic link; not overwritten"
	[ "$(readlink "$TMP/out.tar.gz")" = "$TMP/elsewhere" ]
	[ ! -e "$TMP/elsewhere" ]
	[ ! -e "$TMP/out.tar.gz.part" ]
	rm "$TMP/out.tar.gz"
	echo stale >"$TMP/out.tar.gz.sha256"
	collect
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: '$TMP/out.tar.gz.sha256' exists; not overwritten"
	[ "$(cat "$TMP/out.tar.gz.sha256")" = stale ]
	[ ! -e "$TMP/out.tar.gz" ]
}

@test "a file or a link that appears at the output during the collection stays; the archive is kept as .part" {
	cat >"$PROFILE" <<EOF
live plant.txt -- sh -c "echo planted >$TMP/out.tar.gz"
file $ROOT/var/log/syslog
EOF
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: '$TMP/out.tar.gz' appeared during the collection; not overwritten: the archive is complete in '$TMP/out.tar.gz.part'"
	[ "$(cat "$TMP/out.tar.gz")" = planted ]
	tar -tzf "$TMP/out.tar.gz.part" | grep -qx "fs$ROOT/var/log/syslog"
	gzip -t "$TMP/out.tar.gz.part"
	tar -tzf "$TMP/out.tar.gz.part" | grep -qx irt/manifest.sha256
	[ ! -e "$TMP/out.tar.gz.sha256" ]
	rm -f "$TMP/out.tar.gz"*
	printf 'live plant.txt -- ln -s %s %s\n' "$TMP/elsewhere" "$TMP/out.tar.gz" >"$PROFILE"
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "appeared during the collection; not overwritten"
	[ "$(readlink "$TMP/out.tar.gz")" = "$TMP/elsewhere" ]
	[ ! -e "$TMP/elsewhere" ]
	[ -s "$TMP/out.tar.gz.part" ]
}

@test "irt/manifest.sha256 lists every other member, the irt/ files too" {
	collect
	[ "$status" -eq 0 ]
	python3 - "$TMP/out.tar.gz" <<'PY'
import hashlib, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    files = {m.name: hashlib.sha256(t.extractfile(m).read()).hexdigest()
             for m in t.getmembers() if m.isfile()}
    sums = t.extractfile("irt/manifest.sha256").read().decode()
listed = {}
for line in sums.splitlines():
    if line.startswith("#"):
        continue
    h, name = line.split("  ", 1)
    listed[name] = h
want = dict(files)
del want["irt/manifest.sha256"]
assert listed == want, set(listed) ^ set(want)
assert "# irt: this file lists every member of the archive but itself" in sums.splitlines()
PY
}

@test "the tar inside is whole 10240-byte records, so that GNU tar can delete and append" {
	collect
	[ "$status" -eq 0 ]
	gzip -dc "$TMP/out.tar.gz" >"$TMP/a.tar"
	[ $(($(stat -c %s "$TMP/a.tar") % 10240)) -eq 0 ]
	tar --delete -f "$TMP/a.tar" fs/var/log/syslog
	echo x >"$TMP/extra.txt"
	tar -rf "$TMP/a.tar" -C "$TMP" extra.txt
	tar -tf "$TMP/a.tar" >"$TMP/list"
	grep -qx extra.txt "$TMP/list"
	run ! grep -qx fs/var/log/syslog "$TMP/list"
}

# A dpkg database under the root: fixpkg has a changed executable, a
# missing library, an unchanged file, a link that points out of the
# root and a malformed line; divpkg's file was diverted aside.
dpkg_fixture() {
	local info=$ROOT/var/lib/dpkg/info
	mkdir -p "$info" "$ROOT/usr/bin" "$ROOT/usr/lib/fixpkg" \
	    "$ROOT/usr/share/doc/fixpkg"
	printf '#!/bin/sh\necho original\n' >"$ROOT/usr/bin/fixtool"
	printf 'readme\n' >"$ROOT/usr/share/doc/fixpkg/README"
	printf 'the library\n' >"$ROOT/usr/lib/fixpkg/libfix.so.1"
	# the fixture's own passwd: a link resolved inside the root
	ln -s /etc/passwd "$ROOT/usr/lib/fixpkg/passwd-link"
	{
		md5sum "$ROOT/usr/bin/fixtool" | sed "s|  $ROOT/|  |"
		md5sum "$ROOT/usr/share/doc/fixpkg/README" | sed "s|  $ROOT/|  |"
		md5sum "$ROOT/usr/lib/fixpkg/libfix.so.1" | sed "s|  $ROOT/|  |"
		echo "$(md5sum <"$ROOT/etc/passwd" | cut -d' ' -f1)  usr/lib/fixpkg/passwd-link"
		echo 'not-an-md5  usr/bin/bogus'
	} >"$info/fixpkg:amd64.md5sums"
	rm "$ROOT/usr/lib/fixpkg/libfix.so.1"
	# the implant: same name, other bytes, still executable
	printf '#!/bin/sh\necho implant\n' >"$ROOT/usr/bin/fixtool"
	chmod 755 "$ROOT/usr/bin/fixtool"
	# divpkg's file lives at .distrib; another file holds its name
	printf 'divpkg original\n' >"$ROOT/usr/bin/divtool.distrib"
	printf 'the local version\n' >"$ROOT/usr/bin/divtool"
	echo "$(md5sum <"$ROOT/usr/bin/divtool.distrib" | cut -d' ' -f1)  usr/bin/divtool" \
	    >"$info/divpkg.md5sums"
	printf '/usr/bin/divtool\n/usr/bin/divtool.distrib\nlocalpkg\n' \
	    >"$ROOT/var/lib/dpkg/diversions"
}

@test "packages: a changed and a missing file of a fake dpkg database under --root" {
	dpkg_fixture
	want=$(sha256sum <"$ROOT/usr/bin/fixtool" | cut -d' ' -f1)
	touch -a -d '2001-02-03 04:05:06' "$ROOT/usr/bin/fixtool" \
	    "$ROOT/usr/share/doc/fixpkg/README"
	before=$(stat -c %X "$ROOT/usr/bin/fixtool" "$ROOT/usr/share/doc/fixpkg/README")
	printf 'live packages-verify.jsonl builtin=packages\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/out.tar.gz" live/packages-verify.jsonl >"$TMP/pv.jsonl"
	python3 - "$TMP/pv.jsonl" "$want" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
by = {(o.get("path"), o["status"]): o for o in lines if "path" in o}
assert set(by) == {("/usr/bin/fixtool", "changed"),
                   ("/usr/lib/fixpkg/libfix.so.1", "missing")}, lines
c = by[("/usr/bin/fixtool", "changed")]
assert c["package"] == "fixpkg:amd64", c
assert c["sha256"] == sys.argv[2], c
assert c["mode"] == "0755" and c["elf"] is False, c
assert c["copy"] == "fs/usr/bin/fixtool", c
assert c["md5"] != c["md5_expected"], c
bad = [o for o in lines if o.get("status") == "malformed"]
assert len(bad) == 1 and bad[0]["line"] == 5, bad
assert bad[0]["md5sums"] == "/var/lib/dpkg/info/fixpkg:amd64.md5sums", bad
s = lines[-1]
assert s["summary"] and s["packages"] == 2 and s["files"] == 5, s
assert (s["ok"], s["changed"], s["missing"], s["malformed"]) == (3, 1, 1, 1), s
PY
	# the changed executable is in the archive, hashed and listed
	[ "$(tar -xzOf "$TMP/out.tar.gz" fs/usr/bin/fixtool | sha256sum | cut -d' ' -f1)" = "$want" ]
	[ "$(field /usr/bin/fixtool status)" = ok ]
	[ "$(field /usr/bin/fixtool sha256)" = "$want" ]
	[ "$(field /usr/bin/fixtool copied_because)" = package-changed ]
	[ "$(field /usr/bin/fixtool package)" = fixpkg:amd64 ]
	grep -q "  fs/usr/bin/fixtool\$" <(tar -xzOf "$TMP/out.tar.gz" irt/manifest.sha256)
	tar -xzOf "$TMP/out.tar.gz" irt/collection.log |
	    grep -q 'live packages-verify.jsonl: 2 packages, 5 files: 3 ok, 1 changed, 1 missing, 0 unreadable, 1 malformed lines'
	# read without moving an access time
	[ "$(stat -c %X "$ROOT/usr/bin/fixtool" "$ROOT/usr/share/doc/fixpkg/README")" = "$before" ]
	run "$IRT" verify "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
}

@test "packages: a file also named by a file entry is stored once" {
	dpkg_fixture
	printf 'live packages-verify.jsonl builtin=packages\nfile /usr/bin/**\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	[ "$(tar -tzf "$TMP/out.tar.gz" | grep -c '^fs/usr/bin/fixtool$')" -eq 1 ]
	[ "$(manifest | grep -c '"path":"/usr/bin/fixtool"')" -eq 1 ]
	# the walk still stores the other files of the folder
	[ "$(field /usr/bin/divtool status)" = ok ]
}

@test "packages: no dpkg database, a FIFO for an md5sums file, --no-live" {
	printf 'live packages-verify.jsonl builtin=packages\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	[ "$(tar -xzOf "$TMP/out.tar.gz" live/packages-verify.jsonl)" = '' ]
	[ "$(field live/packages-verify.jsonl status)" = ok ]
	rm -f "$TMP/out.tar.gz"*
	mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/usr/bin"
	mkfifo "$ROOT/var/lib/dpkg/info/fifo.md5sums"
	echo x >"$ROOT/usr/bin/x"
	echo "d41d8cd98f00b204e9800998ecf8427e  usr/bin/x" >"$ROOT/var/lib/dpkg/info/x.md5sums"
	mkfifo "$ROOT/usr/bin/pipe"
	echo "d41d8cd98f00b204e9800998ecf8427e  usr/bin/pipe" >>"$ROOT/var/lib/dpkg/info/x.md5sums"
	run timeout 60 "$IRT" collect --root "$ROOT" --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/out.tar.gz" live/packages-verify.jsonl | python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin]
st = {(o["package"], o.get("path")): (o["status"], o.get("reason")) for o in lines if "package" in o}
assert st[("fifo", None)][0] == "error", st
assert st[("x", "/usr/bin/x")][0] == "changed", st
assert st[("x", "/usr/bin/pipe")] == ("changed", "not a regular file"), st
'
	rm -f "$TMP/out.tar.gz"*
	collect --no-live
	[ "$status" -eq 0 ]
	[ "$(field live/packages-verify.jsonl reason)" = --no-live ]
}

@test "~/ entries take every home of /etc/passwd, service accounts and odd names too" {
	mkdir -p "$ROOT/var/www/.ssh" "$ROOT/srv/we*rd" "$ROOT/srv/weXrd" \
	    "$ROOT/root" "$ROOT/etc/secret"
	cat >"$ROOT/etc/passwd" <<-'PW'
	root:x:0:0:root:/root:/bin/bash
	www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
	odd:x:1001:1001::/srv/we*rd:/bin/sh
	again:x:1002:1002::/var/www:/bin/sh
	sneaky:x:1003:1003::/srv/../etc/secret:/bin/sh
	broken line
	PW
	echo 'curl http://x | sh' >"$ROOT/var/www/.bash_history"
	echo 'ssh-rsa AAAA www' >"$ROOT/var/www/.ssh/authorized_keys2"
	echo 'command' >"$ROOT/var/www/.ssh/rc"
	echo 'id' >"$ROOT/root/.bash_history"
	echo 'odd' >"$ROOT/srv/we*rd/.bash_history"
	echo 'not a home' >"$ROOT/srv/weXrd/.bash_history"
	echo 'not a home' >"$ROOT/etc/secret/.bash_history"
	printf 'file ~/.*history\nfile ~/.ssh/authorized_keys*\nfile ~/.ssh/rc\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	tar -tzf "$TMP/out.tar.gz" | grep '^fs/' | sort >"$TMP/members"
	cat >"$TMP/want" <<-'EOF2'
	fs/root/.bash_history
	fs/srv/we*rd/.bash_history
	fs/var/www/.bash_history
	fs/var/www/.ssh/authorized_keys2
	fs/var/www/.ssh/rc
	EOF2
	diff "$TMP/want" "$TMP/members"
	[ "$(tar -xzOf "$TMP/out.tar.gz" fs/var/www/.bash_history)" = 'curl http://x | sh' ]
	# each home once, the lines left out said in the log
	tar -xzOf "$TMP/out.tar.gz" irt/collection.log >"$TMP/log"
	grep -q "homes: 3 from /etc/passwd; '/etc/passwd' line 5: home '/srv/../etc/secret' is not a clean absolute path: not read (and more)" "$TMP/log"
	[ "$(manifest | grep -c '"path":"/var/www/.bash_history"')" -eq 1 ]
}

@test "~/ entries without /etc/passwd collect nothing and say why" {
	rm "$ROOT/etc/passwd"
	printf 'file ~/.bash_history\nfile /etc/hostname\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	[ "$(tar -tzf "$TMP/out.tar.gz" | grep -c '^fs/')" -eq 1 ]
	tar -xzOf "$TMP/out.tar.gz" irt/collection.log |
	    grep -q "homes: 0 from /etc/passwd; cannot open '/etc/passwd': No such file or directory"
	rm -f "$TMP/out.tar.gz"*
	mkfifo "$ROOT/etc/passwd"
	run timeout 60 "$IRT" collect --root "$ROOT" --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/out.tar.gz" irt/collection.log |
	    grep -q "cannot open '/etc/passwd': not a regular file"
}

@test "ssh-keys lists the private keys of every home and whether a passphrase protects them" {
	mkdir -p "$ROOT/root/.ssh" "$ROOT/var/www/.ssh"
	printf 'root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/false\n' >"$ROOT/etc/passwd"
	ssh-keygen -q -t ed25519 -N '' -C fixture -f "$ROOT/root/.ssh/id_ed25519"
	ssh-keygen -q -t ed25519 -N 'a passphrase' -C fixture -f "$ROOT/var/www/.ssh/deploy"
	ssh-keygen -q -t rsa -b 1024 -m PEM -N 'passphrase' -C fixture -f "$ROOT/var/www/.ssh/legacy_rsa"
	cp "$ROOT/root/.ssh/id_ed25519.pub" "$ROOT/root/.ssh/authorized_keys"
	mkfifo "$ROOT/root/.ssh/a-fifo"
	want=$(sha256sum <"$ROOT/var/www/.ssh/deploy")
	printf 'live ssh-keys.jsonl builtin=ssh-keys\n' >"$PROFILE"
	run timeout 60 "$IRT" collect --root "$ROOT" --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/out.tar.gz" live/ssh-keys.jsonl | python3 -c '
import json, sys
keys = {o["path"]: o for o in map(json.loads, sys.stdin)}
assert sorted(keys) == ["/root/.ssh/id_ed25519", "/var/www/.ssh/deploy",
                        "/var/www/.ssh/legacy_rsa"], keys
k = keys["/root/.ssh/id_ed25519"]
assert (k["format"], k["encrypted"], k["cipher"], k["mode"]) == ("openssh", False, "none", "0600"), k
k = keys["/var/www/.ssh/deploy"]
assert (k["home"], k["format"], k["encrypted"]) == ("/var/www", "openssh", True), k
assert k["cipher"] == "aes256-ctr", k
k = keys["/var/www/.ssh/legacy_rsa"]
assert (k["format"], k["encrypted"]) == ("pem", True), k
'
	# listed, not copied
	run ! bash -c "tar -tzf '$TMP/out.tar.gz' | grep -q '^fs/'"
	[ "$(sha256sum <"$ROOT/var/www/.ssh/deploy")" = "$want" ]
}
