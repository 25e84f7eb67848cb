#!/usr/bin/env bats
# irt verify: an archive is re-read without extracting it and checked
# against its manifests and its sidecar.

load helper

setup() {
	setup_common
	ROOT=$TMP/root
	mkdir -p "$ROOT/var/log"
	seq 1 5000 >"$ROOT/var/log/syslog"
	echo 'session opened' >"$ROOT/var/log/auth.log"
	printf 'file /var/log/**\n' >"$TMP/p.profile"
	"$IRT" collect --root "$ROOT" --profile "$TMP/p.profile" \
	    -o "$TMP/a.tar.gz" >/dev/null 2>&1
	A=$TMP/a.tar.gz
}

teardown() { teardown_common; }

# Rewrites the archive through an uncompressed tar: $1 is a python
# snippet run on the bytes of the tar (variable t), or a tar command.
retar() {
	gzip -dc "$A" >"$TMP/a.tar"
	"$@"
	gzip -c "$TMP/a.tar" >"$A"
}

flip_byte_of() {
	python3 - "$TMP/a.tar" "$1" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    m = t.getmember(sys.argv[2])
    off = m.offset_data + m.size // 2
with open(sys.argv[1], 'r+b') as f:
    f.seek(off)
    c = f.read(1)
    f.seek(off)
    f.write(bytes([c[0] ^ 1]))
PY
}

@test "verify -h prints usage; no archive exits 2" {
	run irt verify -h
	[ "$status" -eq 0 ]
	assert_contains "$output" "usage: irt verify"
	run irt verify
	[ "$status" -eq 2 ]
	run irt verify "$TMP/nosuch.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "cannot open"
}

@test "a fresh archive verifies" {
	run irt verify "$A"
	[ "$status" -eq 0 ]
	assert_contains "$output" "ok:"
	assert_contains "$output" "sidecar match"
	run irt verify --json "$A"
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["ok"] is True and r["problems"] == [] and r["sidecar"] == "match"
assert r["checked"] >= 3 and len(r["sha256"]) == 64
'
}

@test "one byte changed in a stored file is detected" {
	retar flip_byte_of fs/var/log/syslog
	run irt verify "$A"
	[ "$status" -eq 1 ]
	assert_contains "$output" "altered 'fs/var/log/syslog'"
	assert_contains "$output" "sidecar"
	assert_contains "$output" "FAILED"
	# even with a sidecar made to match
	(cd "$TMP" && sha256sum a.tar.gz >a.tar.gz.sha256)
	run irt verify --json "$A"
	[ "$status" -eq 1 ]
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["sidecar"] == "match"
assert {"kind": "altered", "path": "fs/var/log/syslog"} in [
    {"kind": p["kind"], "path": p["path"]} for p in r["problems"]], r
'
}

@test "one byte changed in the compressed archive is detected" {
	size=$(stat -c %s "$A")
	python3 - "$A" $((size / 2)) <<'PY'
import sys
with open(sys.argv[1], 'r+b') as f:
    f.seek(int(sys.argv[2]))
    c = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([c[0] ^ 0x40]))
PY
	# a matching sidecar does not hide it: gzip's CRC or the hashes do
	(cd "$TMP" && sha256sum a.tar.gz >a.tar.gz.sha256)
	run irt verify "$A"
	[ "$status" -eq 1 ]
	[[ "$output" == *corrupt* || "$output" == *altered* ]]
}

@test "a truncated archive is detected" {
	size=$(stat -c %s "$A")
	head -c $((size - 100)) "$A" >"$TMP/t.tar.gz"
	mv "$TMP/t.tar.gz" "$A"
	run irt verify "$A"
	[ "$status" -eq 1 ]
	assert_contains "$output" "corrupt"
}

@test "missing and extra entries are reported" {
	retar tar --delete -f "$TMP/a.tar" fs/var/log/auth.log
	echo intruder >"$TMP/extra.txt"
	retar tar -rf "$TMP/a.tar" -C "$TMP" extra.txt
	run irt verify "$A"
	[ "$status" -eq 1 ]
	assert_contains "$output" "missing 'fs/var/log/auth.log'"
	assert_contains "$output" "extra 'extra.txt'"
}

@test "a missing or different sidecar fails" {
	rm "$A.sha256"
	run irt verify "$A"
	[ "$status" -eq 1 ]
	assert_contains "$output" "sidecar: no '"
	echo "0000000000000000000000000000000000000000000000000000000000000000  a.tar.gz" >"$A.sha256"
	run irt verify "$A"
	[ "$status" -eq 1 ]
	assert_contains "$output" "sidecar: archive sha256"
}

@test "an altered manifest is detected" {
	gzip -dc "$A" >"$TMP/a.tar"
	mkdir "$TMP/x" && tar -xf "$TMP/a.tar" -C "$TMP/x"
	sed -i 's/"sha256":"[0-9a-f]\{8\}/"sha256":"00000000/' "$TMP/x/irt/manifest.jsonl"
	(cd "$TMP/x" && tar --format=pax -cf "$TMP/a.tar" irt/host.json fs irt/manifest.jsonl irt/manifest.sha256 irt/bodyfile irt/collection.log)
	gzip -c "$TMP/a.tar" >"$A"
	run irt verify "$A"
	[ "$status" -eq 1 ]
	assert_contains "$output" "manifest says 00000000"
}

@test "hostile names in problems are escaped" {
	name=$(printf 'bad\033[2Jname')
	echo x >"$TMP/$name"
	retar tar -rf "$TMP/a.tar" -C "$TMP" "$name"
	run irt verify "$A"
	[ "$status" -eq 1 ]
	assert_contains "$output" "extra 'bad\\e[2Jname'"
	[[ "$output" != *$'\033'* ]]
}

@test "inside a case the archive is checked against its evidence record" {
	make_case
	"$IRT" collect --root "$ROOT" --profile "$TMP/p.profile" >/dev/null 2>&1
	archive=$(ls "$TMP/case/evidence/"*.tar.gz)
	id=$(git -C "$TMP/case" log -1 --format=%B --grep='^Irt-Evidence: ' | sed -n 's/^Irt-Evidence: //p')
	run irt verify "$archive"
	[ "$status" -eq 0 ]
	assert_contains "$output" "evidence $id"
	# an archive swapped for another one with the same name and a
	# matching sidecar: the custody record tells
	name=$(basename "$archive")
	rm "$archive" "$archive.sha256"
	# (made outside the case, so that no record has its hash)
	(unset IRT_CASE && cd "$TMP" && "$IRT" collect --root "$ROOT" \
	    --profile "$TMP/p.profile" -o "$TMP/other.tar.gz" >/dev/null 2>&1)
	mv "$TMP/other.tar.gz" "$archive"
	(cd "$TMP/case/evidence" && sha256sum "$name" >"$name.sha256")
	run irt verify "$archive"
	[ "$status" -eq 1 ]
	assert_contains "$output" "custody: archive sha256"
	assert_contains "$output" "evidence $id says"
}

# Rewrites member $2 of the tar $1 with the bytes of file $3; with $4,
# also rewrites its line in irt/manifest.sha256 to match.
rewrite_member() {
	python3 - "$@" <<'PY'
import hashlib, io, sys, tarfile
path, name, datafile = sys.argv[1:4]
fix_sums = len(sys.argv) > 4
new = open(datafile, 'rb').read()
with tarfile.open(path) as t:
    members = [(m, t.extractfile(m).read() if m.isfile() else None)
               for m in t.getmembers()]
out = []
for m, data in members:
    if m.name == name:
        data = new
    if fix_sums and m.name == 'irt/manifest.sha256':
        lines = data.decode().split('\n')
        want = '  ' + name
        lines = [hashlib.sha256(new).hexdigest() + want if l.endswith(want) else l
                 for l in lines]
        data = '\n'.join(lines).encode()
    if data is not None:
        m.size = len(data)
    out.append((m, data))
with tarfile.open(path, 'w', format=tarfile.PAX_FORMAT) as t:
    for m, data in out:
        t.addfile(m, io.BytesIO(data) if data is not None else None)
PY
}

@test "the irt/ files are listed in irt/manifest.sha256 and sha256sum -c passes" {
	mkdir "$TMP/x"
	tar -xzf "$A" -C "$TMP/x"
	(cd "$TMP/x" && sha256sum -c --strict irt/manifest.sha256) >"$TMP/c"
	grep -qx 'irt/bodyfile: OK' "$TMP/c"
	grep -qx 'irt/collection.log: OK' "$TMP/c"
	grep -qx 'irt/manifest.jsonl: OK' "$TMP/c"
	grep -qx 'irt/host.json: OK' "$TMP/c"
}

@test "a rewritten bodyfile is found without the sidecar" {
	rm "$A.sha256"
	gzip -dc "$A" >"$TMP/a.tar"
	printf '0|/etc/innocent|1|r/rrw-r--r--|0|0|1|0|0|0|0\n' >"$TMP/body"
	rewrite_member "$TMP/a.tar" irt/bodyfile "$TMP/body"
	gzip -c "$TMP/a.tar" >"$A"
	run irt verify "$A"
	[ "$status" -eq 1 ]
	assert_contains "$output" "altered 'irt/bodyfile': sha256 "
	assert_contains "$output" "note: sidecar: without the sidecar nothing checks irt/manifest.sha256"
}

@test "an irt/ file missing from irt/manifest.sha256 is a problem" {
	gzip -dc "$A" >"$TMP/a.tar"
	tar -xOf "$TMP/a.tar" irt/manifest.sha256 | grep -v '  irt/collection.log$' >"$TMP/sums"
	rewrite_member "$TMP/a.tar" irt/manifest.sha256 "$TMP/sums"
	gzip -c "$TMP/a.tar" >"$A"
	run irt verify "$A"
	[ "$status" -eq 1 ]
	assert_contains "$output" "manifest 'irt/collection.log': not listed in irt/manifest.sha256, which lists every other member"
}

@test "a change that only the sidecar can catch is caught, and verify says so" {
	gzip -dc "$A" >"$TMP/a.tar"
	printf '0|/etc/innocent|1|r/rrw-r--r--|0|0|1|0|0|0|0\n' >"$TMP/body"
	# the bodyfile and its line in irt/manifest.sha256, rewritten to match
	rewrite_member "$TMP/a.tar" irt/bodyfile "$TMP/body" fix
	gzip -c "$TMP/a.tar" >"$A"
	run irt verify --json "$A"
	[ "$status" -eq 1 ]
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert [p["kind"] for p in r["problems"]] == ["sidecar"], r
assert r["sidecar"] == "mismatch", r
assert any(n["kind"] == "sidecar" and "only the sidecar caught this change" in n["detail"]
           for n in r["notes"]), r
'
	# without the sidecar nothing catches it: verify says that too
	rm "$A.sha256"
	run irt verify "$A"
	[ "$status" -eq 1 ]
	assert_contains "$output" "sidecar: no '"
	assert_contains "$output" "note: sidecar: without the sidecar nothing checks irt/manifest.sha256"
}

@test "an archive of irt 0.1.0 still verifies, with a note on what only its sidecar covers" {
	cp "$IRT_SRC/tests/data/collect/irt-0.1.0.tar.gz" \
	    "$IRT_SRC/tests/data/collect/irt-0.1.0.tar.gz.sha256" "$TMP/"
	run irt verify "$TMP/irt-0.1.0.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "note: coverage: irt/bodyfile, irt/collection.log, irt/manifest.jsonl: not listed in irt/manifest.sha256 (an archive of an older irt): only the sidecar protects them"
	assert_contains "$output" "ok: 7 entries, 6 hashes match"
	assert_contains "$output" "(sidecar match)"
}

# A pax archive of one sparse member: $2 its size, $3 the offset of its
# one data byte, both claimed by the sparse map.
sparse_bomb() {
	python3 - "$@" <<'PY'
import gzip, io, sys, tarfile
out = io.BytesIO()
with tarfile.open(fileobj=out, mode='w', format=tarfile.PAX_FORMAT) as t:
    m = tarfile.TarInfo('fs/x')
    m.size = 1
    m.pax_headers = {'GNU.sparse.size': sys.argv[2], 'GNU.sparse.numblocks': '1',
                     'GNU.sparse.map': sys.argv[3] + ',1'}
    t.addfile(m, io.BytesIO(b'A'))
open(sys.argv[1], 'wb').write(gzip.compress(out.getvalue(), 9))
PY
}

@test "a tiny archive whose sparse map claims a petabyte is reported at once" {
	sparse_bomb "$TMP/bomb.tar.gz" 10 $((1 << 50))
	[ "$(stat -c %s "$TMP/bomb.tar.gz")" -lt 300 ]
	run timeout 60 "$IRT" verify "$TMP/bomb.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "corrupt 'fs/x': sparse map: 1 bytes at offset 1125899906842624, past the size 10"
	# a petabyte of size with its data at the end: no hole is hashed
	sparse_bomb "$TMP/bomb.tar.gz" $((1 << 50)) $(((1 << 50) - 1))
	run timeout 60 "$IRT" verify "$TMP/bomb.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "missing 'irt/manifest.jsonl'"
}

@test "sparse holes past the budget of verify are checked by their stored data and named" {
	mkdir -p "$ROOT/var/sparse"
	for f in a b; do
		truncate -s $(((4 << 30) + (100 << 20))) "$ROOT/var/sparse/$f"
		printf 'data-%s' "$f" | dd of="$ROOT/var/sparse/$f" bs=1 seek=$((1 << 30)) conv=notrunc 2>/dev/null
	done
	printf 'file /var/sparse/*\n' >"$TMP/s.profile"
	"$IRT" collect --root "$ROOT" --profile "$TMP/s.profile" -o "$TMP/s.tar.gz" >/dev/null 2>&1
	[ "$(stat -c %s "$TMP/s.tar.gz")" -lt $((1 << 20)) ]
	# 8.2 GiB of holes: the first member's are hashed, not the second's
	run irt verify "$TMP/s.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "note: budget 'fs/var/sparse/b': sparse, 43998"
	assert_contains "$output" " bytes of holes past what is left of the"
	assert_contains "$output" "the stored data matches extents_sha256"
	# the same with a manifest that gives no extents_sha256: unchecked
	gzip -dc "$TMP/s.tar.gz" >"$TMP/s.tar"
	python3 - "$TMP/s.tar" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
i = b.rfind(b'"extents_sha256"')
b[i:i + 16] = b'"extents_sha25x"'
open(sys.argv[1], 'wb').write(b)
PY
	gzip -c "$TMP/s.tar" >"$TMP/s.tar.gz"
	run irt verify "$TMP/s.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "unchecked 'fs/var/sparse/b': sparse, 43998"
	assert_contains "$output" " bytes of holes past the budget of verify"
}

@test "an archive of more than 65,535 members verifies" {
	python3 - "$TMP/many.tar.gz" <<'PY'
import gzip, hashlib, io, json, sys, tarfile
out = io.BytesIO()
jsonl, sums = [], []
with tarfile.open(fileobj=out, mode='w', format=tarfile.PAX_FORMAT) as t:
    def add(name, data):
        m = tarfile.TarInfo(name)
        m.size = len(data)
        t.addfile(m, io.BytesIO(data))
        return hashlib.sha256(data).hexdigest()
    for i in range(70000):
        name = 'fs/var/log/m/%05d' % i
        h = add(name, b'%d\n' % i)
        jsonl.append(json.dumps({'path': name[2:], 'archive_path': name,
                                 'type': 'file', 'sha256': h, 'status': 'ok'}))
        sums.append('%s  %s' % (h, name))
    j = ('\n'.join(jsonl) + '\n').encode()
    sums.append('# irt: this file lists every member of the archive but itself')
    sums.append('%s  irt/manifest.jsonl' % add('irt/manifest.jsonl', j))
    add('irt/manifest.sha256', ('\n'.join(sums) + '\n').encode())
open(sys.argv[1], 'wb').write(gzip.compress(out.getvalue(), 6))
PY
	(cd "$TMP" && sha256sum many.tar.gz >many.tar.gz.sha256)
	run timeout 300 "$IRT" verify "$TMP/many.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "ok: 70002 entries, 140001 hashes match"
}

@test "a FIFO or a device given as the archive is refused at once" {
	mkfifo "$TMP/fifo"
	run timeout 20 "$IRT" verify "$TMP/fifo"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: '$TMP/fifo' is not a regular file"
	run timeout 20 "$IRT" verify /dev/zero
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: '/dev/zero' is not a regular file"
}
