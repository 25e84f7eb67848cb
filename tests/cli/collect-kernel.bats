#!/usr/bin/env bats
# irt collect: the kernel builtin (modules hidden from lsmod or from
# /sys/module, taint flags) against a fixture root the tests build, and
# the kernel commands of the built-in profiles.

load helper
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	chmod 755 "$TMP"
	ROOT=$TMP/root
	mkdir -p "$ROOT/etc" "$ROOT/proc/sys/kernel" "$ROOT/sys/module"
	echo kernel-fixture >"$ROOT/etc/hostname"
	PROFILE=$TMP/kernel.profile
	printf 'live kernel.jsonl builtin=kernel\n' >"$PROFILE"
}

teardown() {
	teardown_common
}

collect() {
	run "$IRT" collect --root "$ROOT" --profile "$PROFILE" \
	    -o "$TMP/out.tar.gz" "$@"
}

# A loadable module in /sys/module: initstate, a sections folder and
# the attributes the builtin reports.
sys_module() {
	local d=$ROOT/sys/module/$1
	mkdir -p "$d/sections" "$d/parameters"
	echo live >"$d/initstate"
	echo 0 >"$d/refcnt"
	echo 16384 >"$d/coresize"
	echo "${2:-}" >"$d/taint"
	echo 0123456789ABCDEF01234567 >"$d/srcversion"
}

# One listed module, one hidden from /proc/modules, one listed without
# its folder in /sys/module, a built-in one; the kernel tainted P, O, E.
kernel_fixture() {
	sys_module nf_tables
	sys_module rootkit OE
	mkdir -p "$ROOT/sys/module/ext4/parameters"
	cat >"$ROOT/proc/modules" <<-'EOF'
	nf_tables 372736 1 nft_compat, Live 0xffffffffc0a00000
	ghost 16384 0 - Live 0x0000000000000000 (OE)
	EOF
	echo 12289 >"$ROOT/proc/sys/kernel/tainted"
}

kernel_jsonl() {
	tar -xzOf "$TMP/out.tar.gz" live/kernel.jsonl
}

manifest_line() {
	tar -xzOf "$TMP/out.tar.gz" irt/manifest.jsonl | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["path"] == sys.argv[1]:
        print(json.dumps(o, sort_keys=True))
' "$1"
}

@test "kernel: a module hidden from /proc/modules, one without /sys/module, the taint decoded" {
	kernel_fixture
	touch -a -d '2001-02-03 04:05:06' "$ROOT/proc/modules" \
	    "$ROOT/sys/module/rootkit/initstate" "$ROOT/proc/sys/kernel/tainted"
	before=$(stat -c %X "$ROOT/proc/modules" \
	    "$ROOT/sys/module/rootkit/initstate" "$ROOT/proc/sys/kernel/tainted")
	collect
	[ "$status" -eq 0 ]
	kernel_jsonl >"$TMP/k.jsonl"
	python3 - "$TMP/k.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
t = [o for o in lines if o["kind"] == "taint"]
assert len(t) == 1 and t[0]["value"] == 12289 and t[0]["tainted"], t
assert [(f["bit"], f["letter"], f["name"]) for f in t[0]["flags"]] == [
    (0, "P", "PROPRIETARY_MODULE"), (12, "O", "OOT_MODULE"),
    (13, "E", "UNSIGNED_MODULE")], t
assert "out-of-tree" in t[0]["flags"][1]["meaning"], t
mods = {o["name"]: o for o in lines if o["kind"] == "module"}
assert set(mods) == {"rootkit", "ghost"}, mods
r = mods["rootkit"]
assert r["hidden"] == "not_in_proc_modules", r
assert (r["initstate"], r["taint"], r["refcnt"], r["coresize"]) == (
    "live", "OE", "0", "16384"), r
assert r["srcversion"] == "0123456789ABCDEF01234567", r
g = mods["ghost"]
assert g["hidden"] == "not_in_sys_module", g
assert (g["state"], g["size"], g["taint"]) == ("Live", 16384, "OE"), g
s = lines[-1]
assert s["kind"] == "summary", s
assert (s["proc_modules"], s["sys_module_loadable"], s["hidden"],
        s["tainted_modules"], s["taint"], s["malformed"]) == (
    2, 2, 2, 1, 12289, 0), s
PY
	# listed and hashed like any member
	want=$(kernel_jsonl | sha256sum | cut -d' ' -f1)
	line=$(manifest_line live/kernel.jsonl)
	assert_contains "$line" "\"sha256\": \"$want\""
	assert_contains "$line" '"status": "ok"'
	assert_contains "$line" '"builtin": "kernel"'
	grep -q "^$want  live/kernel.jsonl\$" \
	    <(tar -xzOf "$TMP/out.tar.gz" irt/manifest.sha256)
	tar -xzOf "$TMP/out.tar.gz" irt/collection.log | grep -q \
	    'live kernel.jsonl: 2 modules in /proc/modules, 2 loadable in /sys/module, 2 hidden, 1 tainted, taint 12289, 0 malformed lines'
	# read without moving an access time
	[ "$(stat -c %X "$ROOT/proc/modules" \
	    "$ROOT/sys/module/rootkit/initstate" \
	    "$ROOT/proc/sys/kernel/tainted")" = "$before" ]
	run "$IRT" verify "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
}

@test "kernel: an untainted kernel and every module listed report nothing hidden" {
	sys_module nf_tables
	sys_module loop
	printf 'loop 40960 0 - Live 0x0\nnf_tables 372736 1 nft_compat, Live 0x0\n' \
	    >"$ROOT/proc/modules"
	echo 0 >"$ROOT/proc/sys/kernel/tainted"
	collect
	[ "$status" -eq 0 ]
	[ "$(kernel_jsonl)" = '{"kind":"taint","value":0,"tainted":false,"flags":[]}
{"kind":"summary","proc_modules":2,"sys_module_loadable":2,"hidden":0,"tainted_modules":0,"taint":0,"malformed":0}' ]
}

@test "kernel: hostile /proc/modules and tainted never crash and are named with their line" {
	sys_module rootkit
	sys_module listed
	{
		head -c 200000 /dev/zero | tr '\0' 'a'
		printf ' 1 0 - Live 0x0\n'
		printf '\001\002\377\376 binary\n'
		printf 'nf_tables 1 0 - Live 0x0 (%s)\n' "$(printf 'O%.0s' $(seq 1 100))"
		printf 'evil\033]0;title\007 1 0 - Live 0x0\n'
		printf 'listed 1 0 - Live 0x0'
	} >"$ROOT/proc/modules"
	printf '1\0x\n' >"$ROOT/proc/sys/kernel/tainted"
	collect
	[ "$status" -eq 0 ]
	kernel_jsonl >"$TMP/k.jsonl"
	python3 - "$TMP/k.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
bad = [(o["file"], o["line"]) for o in lines if o["kind"] == "malformed"]
assert bad == [("/proc/sys/kernel/tainted", 1), ("/proc/modules", 1),
               ("/proc/modules", 2), ("/proc/modules", 3),
               ("/proc/modules", 4)], bad
mods = [o for o in lines if o["kind"] == "module"]
assert [(m["name"], m["hidden"]) for m in mods] == [
    ("rootkit", "not_in_proc_modules")], mods
s = lines[-1]
assert (s["proc_modules"], s["hidden"], s["taint"], s["malformed"]) == (
    1, 1, None, 5), s
PY
	# no terminal escape of the host reaches the file raw
	run ! grep -q $'\033' "$TMP/k.jsonl"
}

@test "kernel: a FIFO, a link out of the root and a missing /sys/module never hang" {
	mkfifo "$ROOT/proc/sys/kernel/tainted"
	ln -s /etc/hostname "$ROOT/proc/modules"
	rmdir "$ROOT/sys/module"
	collect
	[ "$status" -eq 0 ]
	kernel_jsonl >"$TMP/k.jsonl"
	python3 - "$TMP/k.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
errs = {o["file"]: o["error"] for o in lines if o["kind"] == "error"}
assert set(errs) == {"/proc/sys/kernel/tainted", "/sys/module"}, lines
# the link resolved inside the root: its /etc/hostname, not a module list
bad = [o for o in lines if o["kind"] == "malformed"]
assert len(bad) == 1 and bad[0]["file"] == "/proc/modules", bad
s = lines[-1]
assert (s["sys_module_loadable"], s["taint"], s["hidden"]) == (
    None, None, 0), s
PY
}

@test "kernel: skipped with --no-live, and in every built-in profile with the kernel commands" {
	kernel_fixture
	collect --no-live
	[ "$status" -eq 0 ]
	line=$(manifest_line live/kernel.jsonl)
	assert_contains "$line" '"status": "skipped"'
	assert_contains "$line" '"reason": "--no-live"'
	for p in volatile triage full; do
		run "$IRT" collect --root "$ROOT" --profile "$p" --no-live \
		    -o "$TMP/$p.tar.gz"
		[ "$status" -eq 0 ]
		tar -xzOf "$TMP/$p.tar.gz" irt/manifest.jsonl |
		    python3 -c '
import json, sys
want = {"live/kernel.jsonl": None,
        "live/cmdline.txt": ["cat", "/proc/cmdline"],
        "live/bpftool-prog.json": ["bpftool", "prog", "show", "--json"],
        "live/ss-0bp.txt": ["ss", "-0bp"],
        "live/sysctl-a.txt": ["sysctl", "-a"],
        "live/auditctl-l.txt": ["auditctl", "-l"]}
got = {}
for line in sys.stdin:
    o = json.loads(line)
    if o["path"] in want:
        got[o["path"]] = o["argv"]
assert got == want, (sys.argv[1], got)
' "$p"
	done
}

@test "kernel: the live kernel's taint and modules" {
	run "$IRT" collect --profile "$PROFILE" -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	kernel_jsonl >"$TMP/k.jsonl"
	python3 - "$TMP/k.jsonl" "$(cat /proc/sys/kernel/tainted)" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
s = lines[-1]
assert s["kind"] == "summary" and s["taint"] == int(sys.argv[2]), s
assert s["malformed"] == 0, lines
PY
}

self_maps_summary() {
	tar -xzOf "$1" live/self-maps.jsonl | tail -n 1
}

@test "self-maps: a library preloaded into irt is flagged, nothing without it" {
	printf 'live self-maps.jsonl builtin=self-maps\n' >"$PROFILE"
	run --separate-stderr "$IRT" --json collect --root "$ROOT" \
	    --profile "$PROFILE" -o "$TMP/clean.tar.gz"
	[ "$status" -eq 0 ]
	[ "$(jq -c .self_maps <<<"$output")" = '{"unexpected":0,"paths":[]}' ]
	[ "$stderr" = '' ]
	s=$(self_maps_summary "$TMP/clean.tar.gz")
	[ "$(jq -r .unexpected <<<"$s")" = 0 ]
	static=$(jq -r .static <<<"$s")
	# a dynamic irt lists its libraries as linked, none preloaded
	if [ "$static" = false ]; then
		[ "$(tar -xzOf "$TMP/clean.tar.gz" live/self-maps.jsonl |
		    jq -r 'select(.kind == "object" and .loaded == "linked") | .path' |
		    wc -l)" -gt 0 ]
	fi
	run ! grep -q '"expected":false' \
	    <(tar -xzOf "$TMP/clean.tar.gz" live/self-maps.jsonl)

	printf 'int irt_probe_preloaded(void) { return 42; }\n' >"$TMP/probe.c"
	cc -shared -fPIC -o "$TMP/libprobe.so" "$TMP/probe.c"
	if [ "$static" = true ]; then
		# a static irt loads no preload: nothing to flag
		run --separate-stderr env LD_PRELOAD="$TMP/libprobe.so" \
		    "$IRT" --json collect --root "$ROOT" --profile "$PROFILE" \
		    -o "$TMP/preloaded.tar.gz"
		[ "$status" -eq 0 ]
		[ "$(jq -c .self_maps <<<"$output")" = '{"unexpected":0,"paths":[]}' ]
		return
	fi
	run --separate-stderr env LD_PRELOAD="$TMP/libprobe.so" \
	    ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
	    "$IRT" --json collect --root "$ROOT" --profile "$PROFILE" \
	    -o "$TMP/preloaded.tar.gz"
	[ "$status" -eq 0 ]
	[ "$(jq -c .self_maps <<<"$output")" = "{\"unexpected\":1,\"paths\":[\"$TMP/libprobe.so\"]}" ]
	[ "$stderr" = "irt: warning: irt's own process maps a library or file it did not ask for ('$TMP/libprobe.so'): a preload may see and change what irt reads" ]
	tar -xzOf "$TMP/preloaded.tar.gz" live/self-maps.jsonl >"$TMP/sm.jsonl"
	[ "$(jq -c "select(.path == \"$TMP/libprobe.so\") | [.kind, .loaded, .expected]" "$TMP/sm.jsonl")" = '["object","preloaded",false]' ]
	s=$(tail -n 1 "$TMP/sm.jsonl")
	[ "$(jq -r .unexpected <<<"$s")" = 1 ]
	[ "$(jq -r .LD_PRELOAD <<<"$s")" = "$TMP/libprobe.so" ]
	tar -xzOf "$TMP/preloaded.tar.gz" irt/collection.log |
	    grep -qF "live self-maps.jsonl: irt maps '$TMP/libprobe.so', which it did not ask for"
	# listed and hashed like any member
	want=$(sha256sum <"$TMP/sm.jsonl" | cut -d' ' -f1)
	grep -q "^$want  live/self-maps.jsonl\$" \
	    <(tar -xzOf "$TMP/preloaded.tar.gz" irt/manifest.sha256)
}
