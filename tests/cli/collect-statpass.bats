#!/usr/bin/env bats
# The statpass builtin of irt collect: the bodyfile of every local file
# system and the findings, against a fixture root the tests build.

load helper
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	chmod 755 "$TMP"
	ROOT=$TMP/root
	mkdir -p "$ROOT/etc" "$ROOT/usr/bin" "$ROOT/usr/lib/x86_64-linux-gnu" \
	    "$ROOT/srv/loop" "$ROOT/home/ann"
	echo fixture-host >"$ROOT/etc/hostname"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$ROOT/etc/passwd"
	PROFILE=$TMP/statpass.profile
	echo 'live statpass.body builtin=statpass' >"$PROFILE"
}

teardown() {
	if [ -n "${PROCMNT:-}" ]; then
		umount "$PROCMNT" 2>/dev/null || true
	fi
	if [ -n "${IMMUTABLE:-}" ]; then
		chattr -i -a $IMMUTABLE 2>/dev/null || true
	fi
	teardown_common
}

collect() {
	run "$IRT" collect --root "$ROOT" --profile "$PROFILE" \
	    -o "$TMP/out.tar.gz" "$@"
}

# live/statpass.body and live/statpass.jsonl into $TMP
extract() {
	tar -xzOf "${1:-$TMP/out.tar.gz}" live/statpass.body >"$TMP/statpass.body"
	tar -xzOf "${1:-$TMP/out.tar.gz}" live/statpass.jsonl >"$TMP/statpass.jsonl"
}

@test "the bodyfile has every entry under the root with the fields of lstat, names escaped" {
	echo hello >"$ROOT/etc/motd"
	printf 'x' >"$ROOT/srv/bar|and
newline"
	printf 'y' >"$ROOT/srv/100%41"
	printf 'z' >"$ROOT/srv/$(printf 'bad\377\033[31m')"
	ln -s loop-b "$ROOT/srv/loop/loop-a"
	ln -s loop-a "$ROOT/srv/loop/loop-b"
	mkfifo "$ROOT/srv/fifo"
	touch -h -d '2001-02-03 04:05:06' "$ROOT/srv/loop/loop-a"
	touch -a -d '1960-01-01 00:00:00' "$ROOT/etc/motd"
	collect
	[ "$status" -eq 0 ]
	extract
	python3 - "$ROOT" "$TMP/statpass.body" <<'PY'
import os, re, stat, sys
root, body = sys.argv[1], sys.argv[2]

def dec(s):
    return re.sub(rb'%([0-9A-Fa-f]{2})', lambda m: bytes([int(m.group(1), 16)]), s)

lines = {}
for raw in open(body, 'rb').read().split(b'\n')[:-1]:
    f = raw.split(b'|')
    assert len(f) == 11, raw
    assert f[0] == b'0', raw
    name = dec(f[1])
    assert name not in lines, name
    lines[name] = f

def mode(m):
    t = {stat.S_IFREG: 'r', stat.S_IFDIR: 'd', stat.S_IFLNK: 'l',
         stat.S_IFIFO: 'p', stat.S_IFSOCK: 's', stat.S_IFCHR: 'c',
         stat.S_IFBLK: 'b'}[stat.S_IFMT(m)]
    return t + '/' + t + stat.filemode(m)[1:]

# lstat only: a stat through a link would read it and set its atime
want = {b'/': os.lstat(root)}
todo = [root.encode()]
while todo:
    d = todo.pop()
    for ent in os.scandir(d):
        want[ent.path[len(root):]] = os.lstat(ent.path)
        if ent.is_dir(follow_symlinks=False):
            todo.append(ent.path)
assert set(lines) == set(want), (set(lines) ^ set(want))
for p, st in want.items():
    f = lines[p]
    exp = [str(st.st_ino), mode(st.st_mode), str(st.st_uid), str(st.st_gid),
           str(st.st_size), str(int(st.st_atime // 1)),
           str(int(st.st_mtime // 1)), str(int(st.st_ctime // 1))]
    got = [x.decode() for x in f[2:10]]
    assert got == exp, (p, got, exp)
# the names as they are written
text = open(body, 'rb').read()
assert b'0|/srv/bar%7Cand%0Anewline|' in text
assert b'0|/srv/100%2541|' in text
assert b'0|/srv/bad%FF%1B[31m|' in text
assert b'0|/srv/loop/loop-a|' in text
assert b'|-315619200|' in text  # an atime before 1970
assert b'|p/prw-r--r--|' in text
PY
	# the birth time, where the file system keeps one
	btime=$(stat -c %W "$ROOT/etc/motd")
	grep -q "^0|/etc/motd|.*|$btime\$" "$TMP/statpass.body"
}

@test "irt timeline and mactime read the bodyfile back" {
	printf 'x' >"$ROOT/srv/bar|and
newline"
	touch -d '2020-05-06 07:08:09' "$ROOT/srv/bar|and
newline"
	printf 'y' >"$ROOT/srv/pipe|100%41"
	collect
	[ "$status" -eq 0 ]
	extract
	run "$IRT" timeline --format jsonl "$TMP/statpass.body"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"time":"2020-05-06T07:08:09Z"'
	assert_contains "$output" '"path":"/srv/bar|and\nnewline"'
	assert_contains "$output" '"path":"/srv/pipe|100%41"'
	assert_contains "$output" ", 0 warnings"
	# mactime leaves out a name with a newline: the rest, row for row
	grep -v '%0A' "$TMP/statpass.body" >"$TMP/nonl.body"
	mactime -b "$TMP/nonl.body" -d -y | sort >"$TMP/m.csv"
	"$IRT" timeline -q --format mactime-csv "$TMP/nonl.body" |
	    sort >"$TMP/i.csv"
	grep -q '"/srv/pipe|100%41"' "$TMP/m.csv"
	diff "$TMP/m.csv" "$TMP/i.csv"
}

@test "findings: set-id, capability, immutable, world-writable executables, ELF hashes; FIFOs and loops left alone" {
	cp /bin/true "$ROOT/usr/bin/true"
	cp /bin/true "$ROOT/usr/lib/x86_64-linux-gnu/libfake.so"
	echo '#!/bin/sh' >"$ROOT/usr/bin/script"
	chmod 755 "$ROOT/usr/bin/script"
	cp /bin/true "$ROOT/srv/not-hashed"
	cp /bin/true "$ROOT/usr/bin/suid"
	chmod 4755 "$ROOT/usr/bin/suid"
	cp /bin/true "$ROOT/usr/bin/sgid"
	chmod 2711 "$ROOT/usr/bin/sgid"
	cp /bin/true "$ROOT/usr/bin/ping"
	if command -v setcap >/dev/null; then
		setcap 'cap_net_raw,cap_net_admin+ep' "$ROOT/usr/bin/ping"
	else
		# revision 2, effective, cap_net_raw (13) and cap_net_admin (12)
		setfattr -n security.capability \
		    -v 0x0100000200300000000000000000000000000000 "$ROOT/usr/bin/ping"
	fi
	mkdir -m 1777 "$ROOT/tmp"
	echo 'echo pwned' >"$ROOT/tmp/dropper"
	chmod 755 "$ROOT/tmp/dropper"
	echo data >"$ROOT/tmp/plain"
	mkfifo "$ROOT/usr/bin/fifo"
	chmod 755 "$ROOT/usr/bin/fifo"
	ln -s loop-b "$ROOT/srv/loop/loop-a"
	ln -s loop-a "$ROOT/srv/loop/loop-b"
	ln -s / "$ROOT/usr/bin/rootlink"
	echo locked >"$ROOT/etc/locked"
	mkdir "$ROOT/var"
	echo log >"$ROOT/var/append.log"
	# the fixture's file system must support the flags (ext4, XFS,
	# Btrfs and tmpfs do)
	chattr +i "$ROOT/etc/locked"
	IMMUTABLE="$ROOT/etc/locked $ROOT/var/append.log"
	chattr +a "$ROOT/var/append.log"
	collect
	[ "$status" -eq 0 ]
	extract
	sha=$(sha256sum </bin/true | cut -d' ' -f1)
	size=$(stat -c %s /bin/true)
	python3 - "$TMP/statpass.jsonl" "$sha" "$size" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
sha, size = sys.argv[2], int(sys.argv[3])
by = {}
for o in lines:
    by.setdefault(o['kind'], {})[o.get('path')] = o
assert lines[-1]['kind'] == 'summary', lines[-1]

s = by['setid']
assert set(s) == {'/usr/bin/suid', '/usr/bin/sgid'}, s
assert s['/usr/bin/suid']['suid'] is True and s['/usr/bin/suid']['sgid'] is False
assert s['/usr/bin/suid']['mode'] == '4755' and s['/usr/bin/suid']['uid'] == 0
assert s['/usr/bin/sgid']['sgid'] is True and s['/usr/bin/sgid']['mode'] == '2711'

c = by['capability']
assert set(c) == {'/usr/bin/ping'}, c
p = c['/usr/bin/ping']
assert p['permitted'] == ['cap_net_admin', 'cap_net_raw'], p
assert p['inheritable'] == [] and p['effective'] is True, p
assert p['revision'] in (2, 3), p

i = by['immutable']
assert set(i) == {'/etc/locked', '/var/append.log'}, i
assert i['/etc/locked']['immutable'] is True and i['/etc/locked']['append_only'] is False
assert i['/var/append.log']['append_only'] is True and i['/var/append.log']['immutable'] is False
assert i['/etc/locked']['type'] == 'file'

w = by['world-writable-exec']
assert set(w) == {'/tmp/dropper'}, w
assert w['/tmp/dropper']['folder_mode'] == '1777', w

e = by['elf']
assert set(e) == {'/usr/bin/true', '/usr/bin/suid', '/usr/bin/sgid',
                  '/usr/bin/ping',
                  '/usr/lib/x86_64-linux-gnu/libfake.so'}, e
for o in e.values():
    assert o['sha256'] == sha and o['size'] == size, o

t = lines[-1]
assert t['setid'] == 2 and t['capabilities'] == 1 and t['immutable'] == 2, t
assert t['world_writable_exec'] == 1 and t['elf'] == 5, t
assert t['errors'] == 0 and t['unreadable'] == 0 and t['loops'] == 0, t
assert t['noatime_fallbacks'] == 0, t
PY
	# the FIFO and the links are in the bodyfile as what they are
	grep -q '^0|/usr/bin/fifo|[0-9]*|p/prwxr-xr-x|' "$TMP/statpass.body"
	grep -q '^0|/srv/loop/loop-b|[0-9]*|l/lrwxrwxrwx|' "$TMP/statpass.body"
	grep -q '^0|/usr/bin/rootlink|[0-9]*|l/lrwxrwxrwx|' "$TMP/statpass.body"
	# nothing was reached through the link to /
	run ! grep -q '^0|/usr/bin/rootlink/' "$TMP/statpass.body"
	# both members are in the manifests
	tar -xzOf "$TMP/out.tar.gz" irt/manifest.sha256 >"$TMP/sums"
	grep -q "  live/statpass.body\$" "$TMP/sums"
	grep -q "  live/statpass.jsonl\$" "$TMP/sums"
	tar -xzOf "$TMP/out.tar.gz" irt/collection.log |
	    grep -q 'live statpass.body: builtin statpass, .* 2 set-id, 1 capabilities, 2 immutable, 1 world-writable executables, 5 ELF files'
}

@test "the stat pass changes no access time" {
	cp /bin/true "$ROOT/usr/bin/true"
	echo '#!/bin/sh' >"$ROOT/usr/bin/run"
	chmod 755 "$ROOT/usr/bin/run"
	echo text >"$ROOT/home/ann/notes"
	ln -s notes "$ROOT/home/ann/link"
	touch -h -d '2001-01-01 00:00:00' "$ROOT/home/ann/link"
	touch -a -d '2001-01-01 00:00:00' "$ROOT/usr/bin/true" \
	    "$ROOT/usr/bin/run" "$ROOT/home/ann/notes" "$ROOT/usr/bin" \
	    "$ROOT/home/ann" "$ROOT"
	before=$(stat -c '%n %X' "$ROOT/usr/bin/true" "$ROOT/usr/bin/run" \
	    "$ROOT/home/ann/notes" "$ROOT/home/ann/link" "$ROOT/usr/bin" \
	    "$ROOT/home/ann" "$ROOT")
	collect
	[ "$status" -eq 0 ]
	extract
	# the ELF file was read and hashed, the folders listed
	grep -q '"kind":"elf","path":"/usr/bin/true"' "$TMP/statpass.jsonl"
	grep -q '^0|/home/ann/notes|' "$TMP/statpass.body"
	after=$(stat -c '%n %X' "$ROOT/usr/bin/true" "$ROOT/usr/bin/run" \
	    "$ROOT/home/ann/notes" "$ROOT/home/ann/link" "$ROOT/usr/bin" \
	    "$ROOT/home/ann" "$ROOT")
	[ "$before" = "$after" ]
	assert_contains "$before" "$ROOT/usr/bin/true 978307200"
	assert_contains "$before" "$ROOT/home/ann/link 978307200"
}

@test "hostile trees: too deep, unreadable folders, a pseudo file system; the pass goes on" {
	deep=$ROOT/srv/deep
	mkdir -p "$deep"
	d=$deep
	for i in $(seq 1 135); do
		d=$d/d
	done
	mkdir -p "$d"
	echo bottom >"$d/f"
	mkdir -p "$ROOT/srv/locked/inner"
	echo secret >"$ROOT/srv/locked/inner/x"
	echo after >"$ROOT/srv/visible"
	chmod -R a+rX "$ROOT"
	chmod 000 "$ROOT/srv/locked"
	mkdir "$ROOT/proc"
	mount -t proc proc "$ROOT/proc" || skip "cannot mount proc here"
	PROCMNT=$ROOT/proc
	mkdir -m 777 "$TMP/out"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$IRT" collect --root "$ROOT" --profile "$PROFILE" -o "$TMP/out/o.tar.gz"
	[ "$status" -eq 0 ]
	extract "$TMP/out/o.tar.gz"
	python3 - "$TMP/statpass.jsonl" "$TMP/statpass.body" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for o in lines:
    by.setdefault(o['kind'], []).append(o)
# /srv is level 1: the folder at level 129 is listed, not walked
deep = '/srv/deep' + '/d' * 126
assert by['too-deep'] == [{'kind': 'too-deep', 'path': deep + '/d',
    'reason': 'deeper than 128 levels: not walked'}], by['too-deep']
assert by['unreadable'] == [{'kind': 'unreadable', 'path': '/srv/locked',
    'reason': 'Permission denied'}], by['unreadable']
assert by['not-walked'] == [{'kind': 'not-walked', 'path': '/proc',
    'reason': 'proc file system: not walked'}], by['not-walked']
t = lines[-1]
assert t['kind'] == 'summary' and t['too_deep'] == 1, t
assert t['unreadable'] == 1 and t['file_systems_not_walked'] == 1, t
# nobody owns none of it: read without O_NOATIME, and said so
assert t['noatime_fallbacks'] > 0, t
body = open(sys.argv[2]).read()
assert ('\n0|%s/d|' % deep) in body
assert ('%s/d/d|' % deep) not in body
assert '\n0|/srv/locked|' in body and '/srv/locked/inner' not in body
assert '\n0|/srv/visible|' in body
assert '\n0|/proc|' in body and '/proc/self' not in body
PY
	tar -xzOf "$TMP/out/o.tar.gz" irt/collection.log |
	    grep -q 'live statpass.body: builtin statpass, .* 1 file systems not walked, 1 unreadable, 1 too deep'
}

@test "statpass is in the triage and full profiles, not in volatile" {
	for p in triage full; do
		run "$IRT" collect --root "$ROOT" --profile "$p" --no-live \
		    -o "$TMP/$p.tar.gz"
		[ "$status" -eq 0 ]
		tar -xzOf "$TMP/$p.tar.gz" irt/manifest.jsonl >"$TMP/m"
		grep -q '"path":"live/statpass.body".*"builtin":"statpass"' "$TMP/m"
	done
	run "$IRT" collect --root "$ROOT" --profile volatile --no-live \
	    -o "$TMP/v.tar.gz"
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/v.tar.gz" irt/manifest.jsonl >"$TMP/m"
	run ! grep -q 'statpass' "$TMP/m"
}

@test "a profile whose statpass findings name collides with another live entry is refused at run" {
	printf 'live statpass.jsonl builtin=sockets\nlive statpass.body builtin=statpass\n' >"$PROFILE"
	collect
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/out.tar.gz" irt/manifest.jsonl >"$TMP/m"
	grep -q '"path":"live/statpass.body".*"status":"error","reason":"another member is named '"'"'live/statpass.jsonl'"'"': not run"' "$TMP/m"
}

@test "collect --bodyfile: the same bodyfile alone, to a new file or standard output" {
	echo hello >"$ROOT/etc/motd"
	printf 'x' >"$ROOT/srv/bar|and
newline"
	collect
	[ "$status" -eq 0 ]
	extract
	run --separate-stderr "$IRT" collect --root "$ROOT" --bodyfile "$TMP/b.body"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	n=$(wc -l <"$TMP/statpass.body")
	[ "$stderr" = "irt: $n entries, 0 file systems not walked, 0 folders unreadable, 0 too deep, 0 loops, 0 errors" ]
	cmp "$TMP/statpass.body" "$TMP/b.body"
	"$IRT" -q collect --root "$ROOT" --bodyfile - >"$TMP/c.body"
	cmp "$TMP/statpass.body" "$TMP/c.body"
	run "$IRT" --json collect --root "$ROOT" --bodyfile "$TMP/d.body"
	[ "$status" -eq 0 ]
	[ "$output" = '{"bodyfile":"'"$TMP"'/d.body","entries":'"$n"',"file_systems_not_walked":0,"unreadable":0,"too_deep":0,"loops":0,"errors":0,"noatime_fallbacks":0}' ]
	# an existing file, or a link there, is never written
	ln -s "$TMP/victim" "$TMP/link.body"
	run "$IRT" collect --root "$ROOT" --bodyfile "$TMP/link.body"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: cannot create '$TMP/link.body': File exists"
	[ ! -e "$TMP/victim" ]
	run "$IRT" collect --root "$ROOT" --bodyfile "$TMP/b.body"
	[ "$status" -eq 1 ]
	cmp "$TMP/statpass.body" "$TMP/b.body"
}

@test "collect --bodyfile takes no archive options" {
	run "$IRT" collect --bodyfile - --profile triage
	[ "$status" -eq 2 ]
	assert_contains "$output" "--bodyfile does not take --profile"
	run "$IRT" collect --bodyfile - -o "$TMP/x.tar.gz"
	[ "$status" -eq 2 ]
	run "$IRT" --json collect --bodyfile -
	[ "$status" -eq 2 ]
	assert_contains "$output" "--json needs --bodyfile FILE"
	run "$IRT" collect --root "$TMP/nope" --bodyfile -
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: cannot open '$TMP/nope': No such file or directory"
	[ ! -e "$TMP/x.tar.gz" ]
}
