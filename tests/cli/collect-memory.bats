#!/usr/bin/env bats
# irt collect --process-memory: the maps and the readable mappings of a
# marker process of the test's own, the index, the cap, processes that
# do not exist or are stopped, and the options refused.

load helper
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	PROFILE=$TMP/small.profile
	printf 'file /etc/hostname\n' >"$PROFILE"
	PIDS=""
}

teardown() {
	local p
	for p in $PIDS; do
		kill -CONT "$p" 2>/dev/null || true
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	teardown_common
}

wait_for() {
	local i
	for i in $(seq 1 600); do
		"$@" && return 0
		sleep 0.05
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

# A process holding a random marker in its heap (never in its argv or
# environment), which lets any process read its memory where Yama
# restricts ptrace; $MARKPID, the marker in $MARKER.
start_marker() {
	python3 -c '
import ctypes, os, sys, time
try:
    ctypes.CDLL(None).prctl(0x59616d61, ctypes.c_ulong(-1), 0, 0, 0)
except Exception:
    pass
marker = bytearray(b"IRT-MARKER-" + os.urandom(16).hex().encode())
with open(sys.argv[1] + ".tmp", "wb") as f:
    f.write(bytes(marker))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    time.sleep(1)
' "$TMP/marker" &
	MARKPID=$!
	PIDS="$PIDS $MARKPID"
	wait_for test -s "$TMP/marker"
	MARKER=$(cat "$TMP/marker")
}

memcollect() {
	run "$IRT" collect --no-live --profile "$PROFILE" -o "$TMP/out.tar.gz" \
	    "$@"
}

extract() {
	mkdir -p "$TMP/x"
	tar -xzf "$TMP/out.tar.gz" -C "$TMP/x"
}

@test "the memory of a process: its marker, hashes, the index" {
	start_marker
	memcollect --process-memory "$MARKPID"
	[ "$status" -eq 0 ]
	extract
	d=$TMP/x/live/proc/$MARKPID
	# maps stored verbatim (the process did not change its mappings)
	[ -s "$d/maps" ]
	grep -q python "$d/maps"
	# the marker is in some mapping's bytes
	run grep -rlF "$MARKER" "$d/mem"
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	# every member hashed in the manifest, the archive verifies
	(cd "$TMP/x" && sha256sum -c --quiet irt/manifest.sha256)
	run "$IRT" verify "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	# the index: one line per line of maps, then the summary; the
	# stored sizes sum to the bytes of the members and match their hashes
	python3 - "$d" "$TMP/x/irt/manifest.jsonl" <<-'PY'
	import hashlib, json, os, sys
	d = sys.argv[1]
	lines = [json.loads(l) for l in open(d + "/mem.jsonl")]
	maps = open(d + "/maps", "rb").read().decode("utf-8", "replace")
	summary = lines[-1]
	lines = lines[:-1]
	assert summary["summary"] is True, summary
	assert summary["cap_reached"] is False, summary
	assert summary["error"] is None, summary
	assert len(lines) == len(maps.splitlines()), (len(lines), len(maps.splitlines()))
	bins = sorted(os.listdir(d + "/mem"))
	stored = [l for l in lines if l.get("archive_path")]
	assert len(bins) == len(stored) > 0, (bins, stored)
	total = 0
	manifest = {}
	for m in map(json.loads, open(sys.argv[2])):
	    manifest[m["path"]] = m
	for l in lines:
	    for k in ("start", "end", "perms", "offset", "dev", "inode", "path",
	              "stored", "unreadable", "sha256", "truncated", "error"):
	        assert k in l, (k, l)
	    if l["archive_path"] is None:
	        assert l["stored"] == 0 and l["error"].startswith("not read"), l
	        continue
	    name = "%s-%s.bin" % (l["start"], l["end"])
	    assert l["archive_path"].endswith("/mem/" + name), l
	    data = open(d + "/mem/" + name, "rb").read()
	    assert len(data) == l["stored"], l
	    assert l["stored"] == int(l["end"], 16) - int(l["start"], 16), l
	    assert hashlib.sha256(data).hexdigest() == l["sha256"], l
	    assert manifest[l["archive_path"]]["sha256"] == l["sha256"]
	    assert l["perms"][0] == "r", l
	    total += l["stored"]
	assert total == summary["stored"], (total, summary)
	# [vvar] and unreadable mappings are listed, not read
	assert not any(l["path"] == "[vvar]" and l["archive_path"] for l in lines)
	assert manifest["live/proc/%s/mem.jsonl" % os.path.basename(d)]["status"] == "ok"
	PY
	# the log says what was stored
	grep -q "process memory $MARKPID: " "$TMP/x/irt/collection.log"
}

@test "--max-process-memory caps each process and says so" {
	start_marker
	memcollect --process-memory "$MARKPID" --max-process-memory 64K
	[ "$status" -eq 0 ]
	assert_contains "$output" "process memory of PID $MARKPID: the cap of 65536 bytes is reached"
	extract
	d=$TMP/x/live/proc/$MARKPID
	python3 - "$d" "$TMP/x/irt/manifest.jsonl" <<-'PY'
	import json, os, sys
	d = sys.argv[1]
	lines = [json.loads(l) for l in open(d + "/mem.jsonl")]
	summary = lines.pop()
	assert summary["cap_reached"] is True and summary["cap"] == 65536, summary
	stored = sum(l.get("stored", 0) for l in lines)
	assert stored == summary["stored"] == 65536, (stored, summary)
	size = sum(os.path.getsize(d + "/mem/" + n) for n in os.listdir(d + "/mem"))
	assert size == stored, (size, stored)
	assert any(l.get("truncated") for l in lines)
	cut = [m for m in map(json.loads, open(sys.argv[2]))
	       if m["status"] == "truncated" and "/mem/" in m["path"]]
	assert len(cut) == 1 and "--max-process-memory" in cut[0]["reason"], cut
	PY
	run "$IRT" verify "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
}

@test "a process that does not exist: a warning, the rest goes on" {
	start_marker
	sleep 300 &
	gone=$!
	kill "$gone"
	wait "$gone" || true
	memcollect --process-memory "$gone" --process-memory "$MARKPID" \
	    --process-memory "$MARKPID" --json
	[ "$status" -eq 0 ]
	assert_contains "$output" "warning: process memory of PID $gone: no such process"
	[ -s "$TMP/out.tar.gz" ]
	extract
	# the failure is in the archive; the other process is stored
	tail -n 1 "$TMP/x/live/proc/$gone/mem.jsonl" | python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
assert s["summary"] and s["error"] == "no such process" and s["stored"] == 0, s'
	[ ! -e "$TMP/x/live/proc/$gone/maps" ]
	run grep -rlF "$MARKER" "$TMP/x/live/proc/$MARKPID/mem"
	[ "$status" -eq 0 ]
	grep -q "\"path\":\"live/proc/$gone/mem.jsonl\".*\"status\":\"changed\"" \
	    "$TMP/x/irt/manifest.jsonl"
	# a PID given twice is read once
	run grep -c "^{\"path\":\"live/proc/$MARKPID/mem.jsonl\"" "$TMP/x/irt/manifest.jsonl"
	[ "$output" = 1 ]
	run ! grep -q '"status":"error"' "$TMP/x/irt/manifest.jsonl"
}

@test "a zombie has no memory: a warning, the index says so" {
	sh -c 'sleep 0 & echo $! >"$1"; exec sleep 300' sh "$TMP/zombie" &
	PIDS="$PIDS $!"
	wait_for test -s "$TMP/zombie"
	z=$(cat "$TMP/zombie")
	wait_for grep -q '^State:.*Z' "/proc/$z/status"
	memcollect --process-memory "$z"
	[ "$status" -eq 0 ]
	assert_contains "$output" "warning: process memory of PID $z: no memory ("
	extract
	[ "$(wc -l <"$TMP/x/live/proc/$z/mem.jsonl")" -eq 1 ]
	grep -q '"summary":true,.*"mappings":0,.*"error":"no memory (' \
	    "$TMP/x/live/proc/$z/mem.jsonl"
	grep -q "\"path\":\"live/proc/$z/mem.jsonl\".*\"status\":\"skipped\"" \
	    "$TMP/x/irt/manifest.jsonl"
}

@test "the process memory --json result" {
	start_marker
	run --separate-stderr "$IRT" --json collect --no-live --profile "$PROFILE" \
	    -o "$TMP/out.tar.gz" --process-memory "$MARKPID"
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
o = json.loads(sys.argv[1])
(p,) = o["process_memory"]
assert p["pid"] == int(sys.argv[2]) and p["status"] == "ok", p
assert p["stored"] > 0 and p["read"] > 0 and p["reason"] is None, p' \
	    "$output" "$MARKPID"
}

@test "a stopped process does not hang the collection" {
	start_marker
	kill -STOP "$MARKPID"
	wait_for grep -q '^State:.*T' "/proc/$MARKPID/status"
	run timeout 300 "$IRT" collect --no-live --profile "$PROFILE" \
	    -o "$TMP/out.tar.gz" --process-memory "$MARKPID" --timeout 5
	[ "$status" -eq 0 ]
	# not attached, not resumed: still stopped
	grep -q '^State:.*T' "/proc/$MARKPID/status"
	extract
	run grep -rlF "$MARKER" "$TMP/x/live/proc/$MARKPID/mem"
	[ "$status" -eq 0 ]
}

@test "memory irt may not read: one warning naming the PID" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run irt as another user"
	command -v setpriv >/dev/null || skip "no setpriv"
	start_marker
	chmod 755 "$TMP"
	mkdir -m 777 "$TMP/out"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$IRT" collect --no-live --profile "$PROFILE" \
	    -o "$TMP/out/out.tar.gz" --process-memory "$MARKPID"
	[ "$status" -eq 0 ]
	[ "$(grep -c "warning: process memory of PID $MARKPID" <<<"$output")" -eq 1 ]
	assert_contains "$output" "Permission denied"
	tar -xzf "$TMP/out/out.tar.gz" -C "$TMP/out"
	tail -n 1 "$TMP/out/live/proc/$MARKPID/mem.jsonl" | python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
assert "Permission denied" in s["error"] and s["stored"] == 0, s'
	grep -q "\"path\":\"live/proc/$MARKPID/mem.jsonl\".*\"status\":\"error\"" \
	    "$TMP/out/irt/manifest.jsonl"
}

@test "--process-memory: bad values and other roots are refused" {
	run "$IRT" collect --root / --no-live --profile "$PROFILE" \
	    -o "$TMP/a.tar.gz" --process-memory 0
	[ "$status" -eq 2 ]
	run "$IRT" collect --process-memory 4194305 -o "$TMP/a.tar.gz"
	[ "$status" -eq 2 ]
	run "$IRT" collect --process-memory abc -o "$TMP/a.tar.gz"
	[ "$status" -eq 2 ]
	mkdir "$TMP/root"
	run "$IRT" collect --root "$TMP/root" --process-memory 1 \
	    -o "$TMP/a.tar.gz"
	[ "$status" -eq 2 ]
	assert_contains "$output" "not with --root"
	run "$IRT" collect --bodyfile "$TMP/body" --process-memory 1
	[ "$status" -eq 2 ]
	assert_contains "$output" "--bodyfile does not take --process-memory"
	run "$IRT" collect --max-process-memory 1M -o "$TMP/a.tar.gz"
	[ "$status" -eq 2 ]
	assert_contains "$output" "needs --process-memory"
	[ ! -e "$TMP/a.tar.gz" ]
	[ ! -e "$TMP/body" ]
}
