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
