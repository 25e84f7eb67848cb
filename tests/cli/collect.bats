#!/usr/bin/env bats
# irt collect: archive layout, the real readers, and every safety item,
# against a fixture root the tests build.

load helper

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
	if [ -n "${PROCMNT:-}" ]; then
		umount "$PROCMNT" 2>/dev/null || true
	fi
	if [ -n "${BGPID:-}" ]; then
		kill "$BGPID" 2>/dev/null || true
		wait "$BGPID" 2>/dev/null || true
	fi
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
	! tar -tzf "$TMP/out.tar.gz" | grep -q 'fs/var/log/zero' || false
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
	sleep 0.5
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
	! tar -tzf "$TMP/out/o.tar.gz" | grep -q fs/var/log/private || false
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
	for f in irt/bodyfile irt/collection.log irt/manifest.jsonl irt/manifest.sha256; do
		! tar -xzOf "$TMP/out.tar.gz" "$f" | grep -q $'\033' || false
	done
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
live stdin.txt timeout=5 -- sh -c "readlink /proc/self/fd/0; cat"
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
	for i in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
	start=$(date +%s)
	run "$IRT" collect --root / --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	[ $(($(date +%s) - start)) -lt 30 ]
	[ "$(tar -xzOf "$TMP/out.tar.gz" live/echo.txt)" = hello ]
	# standard input is /dev/null: cat ends at once
	[ "$(tar -xzOf "$TMP/out.tar.gz" live/stdin.txt)" = /dev/null ]
	[ "$(field live/missing.txt status)" = skipped ]
	assert_contains "$(field live/missing.txt reason)" "command not found"
	[ "$(field live/sleeper.txt status)" = error ]
	[ "$(field live/sleeper.txt timed_out)" = True ]
	# the background child of the command is gone too
	child=$(cat "$TMP/child.pid")
	for i in $(seq 1 50); do
		kill -0 "$child" 2>/dev/null || break
		sleep 0.1
	done
	run ! kill -0 "$child" 2>/dev/null
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
	sleep 0.2
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
	! tar -tzf "$ROOT/var/log/self.tar.gz" | grep -q 'self.tar.gz' || false
}

@test "progress is shown on a terminal" {
	command -v script >/dev/null || skip "no script(1)"
	seq 1 3000000 >"$ROOT/var/log/large"
	script -qec "$IRT collect --root $ROOT --profile $PROFILE -o $TMP/out.tar.gz --threads 1" "$TMP/typescript" >/dev/null
	grep -q 'files: [0-9]* files, ' "$TMP/typescript"
	[ -f "$TMP/out.tar.gz" ]
}

@test "an interrupt stops the collection and leaves no partial archive" {
	yes 'Nov 27 21:14:39 web01 sshd[4242]: Accepted publickey for root' |
	    head -c $((200 << 20)) >"$ROOT/var/log/huge"
	"$IRT" collect --root "$ROOT" --profile "$PROFILE" --threads 1 \
	    -o "$TMP/out.tar.gz" 2>"$TMP/err" &
	pid=$!
	for i in $(seq 1 100); do
		[ -e "$TMP/out.tar.gz.part" ] && break
		sleep 0.05
	done
	sleep 0.3
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
