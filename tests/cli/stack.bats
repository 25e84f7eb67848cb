#!/usr/bin/env bats
# irt stack and the case-wide irt timeline: three hosts collected from
# fixture roots into one case, one of them the odd one out.

load helper
bats_require_minimum_version 1.5.0

# A fixture root for host $1: the same crontab, unit and root key on every
# host, a dpkg log whose one line is at second $2.
make_root() {
	local r=$TMP/roots/$1
	mkdir -p "$r/etc/cron.d" "$r/etc/systemd/system" "$r/root/.ssh" \
	    "$r/var/log" "$r/usr/local/bin"
	echo "$1" >"$r/etc/hostname"
	printf '17 * * * * root cd / && run-parts --report /etc/cron.hourly\n' \
	    >"$r/etc/crontab"
	printf '[Unit]\nDescription=web\n' >"$r/etc/systemd/system/web.service"
	echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAadmin admin@corp' \
	    >"$r/root/.ssh/authorized_keys"
	echo "2026-01-05 10:00:0$2 status installed pkg-$1:amd64 1.0" \
	    >"$r/var/log/dpkg.log"
	printf '#!/bin/sh\n' >"$r/usr/local/bin/tool"
	chmod 755 "$r/usr/local/bin/tool"
}

# collect host $1 into $TMP/$1.tar.gz, outside any case
collect_host() {
	env -u IRT_CASE "$IRT" -q collect --root "$TMP/roots/$1" \
	    --profile "$PROFILE" -o "$TMP/$1.tar.gz"
}

setup() {
	setup_common
	chmod 755 "$TMP"
	PROFILE=$TMP/fixture.profile
	printf '%s\n' 'file /etc/**' 'file /root/.ssh/authorized_keys*' \
	    'file /var/log/**' 'file /usr/local/bin/**' >"$PROFILE"
	make_root web01 1
	make_root web02 2
	make_root web03 3
	# web02 is the odd one: a key of its own, a SUID file, a cron job
	echo 'ssh-rsa AAAAB3NzaC1yc2EAAAAevil attacker@203.0.113.9' \
	    >>"$TMP/roots/web02/root/.ssh/authorized_keys"
	chmod 4755 "$TMP/roots/web02/usr/local/bin/tool"
	echo '* * * * * root /usr/local/bin/tool' \
	    >"$TMP/roots/web02/etc/cron.d/tool"
	make_case
	# web01 collected into the case (a collection record), the other
	# two collected elsewhere and added with irt evidence add
	"$IRT" -q collect --root "$TMP/roots/web01" --profile "$PROFILE" \
	    >/dev/null
	W01=$(echo "$TMP"/case/evidence/web01-*.tar.gz)
	[ -f "$W01" ]
	collect_host web02 >/dev/null
	collect_host web03 >/dev/null
	"$IRT" evidence add "$TMP/web02.tar.gz" >/dev/null
	"$IRT" evidence add "$TMP/web03.tar.gz" >/dev/null
}

teardown() {
	teardown_common
}

@test "--list names every field" {
	run irt stack --list
	[ "$status" -eq 0 ]
	for f in process-hash listening-port authorized-key cron systemd-unit \
	    kernel-module suid; do
		assert_contains "$output" "$f "
	done
	run irt stack --list --json
	[ "$status" -eq 0 ]
	printf '%s' "$output" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert [f["field"] for f in v] == ["process-hash", "listening-port",
    "authorized-key", "cron", "systemd-unit", "kernel-module", "suid"], v
'
}

@test "FIELD completes to the fields" {
	run irt __complete -- stack s
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "suid" ]
	[ "${lines[1]}" = "systemd-unit" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "the odd host's key comes first, the common one last" {
	run --separate-stderr irt stack authorized-key
	[ "$status" -eq 0 ]
	[ "$stderr" = "irt: stack: authorized-key: 2 values; hosts: 3; archives read: 3" ]
	[ "${lines[0]}" = "COUNT  VALUE	HOSTS" ]
	[ "${lines[1]}" = "    1  root: ssh-rsa AAAAB3NzaC1yc2EAAAAevil attacker@203.0.113.9	web02" ]
	[ "${lines[2]}" = "    3  root: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAadmin admin@corp	web01,web02,web03" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "--json: values rarest first with their hosts" {
	run irt stack suid --json
	[ "$status" -eq 0 ]
	printf '%s' "$output" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert v["field"] == "suid" and v["hosts"] == 3, v
assert len(v["values"]) == 1, v
r = v["values"][0]
assert r["value"].startswith("/usr/local/bin/tool 4755 "), r
assert r["count"] == 1 and r["hosts"] == ["web02"], r
assert v["not_collected"] == [], v
'
	run irt stack cron --json
	[ "$status" -eq 0 ]
	printf '%s' "$output" | python3 -c '
import json, sys
v = json.load(sys.stdin)
first, last = v["values"][0], v["values"][-1]
assert first["value"] == "/etc/cron.d/tool: * * * * * root /usr/local/bin/tool", first
assert first["hosts"] == ["web02"], first
assert last["count"] == 3, last
assert [r["count"] for r in v["values"]] == sorted(r["count"] for r in v["values"])
'
}

@test "a field the archives lack is 'not collected', not absent" {
	# fixture roots have no live response: no sockets, no modules
	run irt stack listening-port --json
	[ "$status" -eq 0 ]
	printf '%s' "$output" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert v["values"] == [], v
assert v["not_collected"] == ["web01", "web02", "web03"], v
'
	run irt stack kernel-module
	[ "$status" -eq 0 ]
	assert_contains "$output" "    3  (not collected)	web01,web02,web03"
}

@test "--host and ARCHIVE operands narrow the hosts" {
	run irt stack authorized-key --host web01 --host web03 --json
	[ "$status" -eq 0 ]
	printf '%s' "$output" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert v["hosts"] == 2 and len(v["values"]) == 1, v
assert v["values"][0]["hosts"] == ["web01", "web03"], v
'
	run irt stack authorized-key --json "$TMP/web02.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"hosts":1,'
	run irt stack cron --host nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "irt: no archive of the hosts given" ]
}

@test "bad FIELD and no FIELD are usage errors" {
	run irt stack ports
	[ "$status" -eq 2 ]
	assert_contains "$output" "unknown field 'ports'"
	run irt stack
	[ "$status" -eq 2 ]
	cd /
	run env -u IRT_CASE "$IRT" stack cron
	[ "$status" -eq 2 ]
	assert_contains "$output" "not inside an irt case"
}

# An archive with host.json $1 and, when $2 is given, fs/etc/hostname $2.
hostile() {
	local d=$TMP/hostile
	rm -rf "$d"
	mkdir -p "$d/irt" "$d/fs/etc"
	printf '%s' "$1" >"$d/irt/host.json"
	echo '* * * * * root x' >"$d/fs/etc/crontab"
	[ -z "${2:-}" ] || printf '%s\n' "$2" >"$d/fs/etc/hostname"
	tar -C "$d" -czf "$TMP/hostile.tar.gz" irt fs
}

@test "hostile archives: no host.json, a lying one, escapes; the others still count" {
	mkdir -p "$TMP/h/fs/etc"
	echo x >"$TMP/h/fs/etc/crontab"
	tar -C "$TMP/h" -czf "$TMP/none.tar.gz" fs
	run irt stack cron "$TMP/none.tar.gz" "$TMP/web02.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: '$TMP/none.tar.gz': no irt/host.json: not an archive of irt collect"
	# web02 was counted all the same
	assert_contains "$output" "/etc/cron.d/tool: * * * * * root /usr/local/bin/tool	web02"

	hostile '{"hostname":"web01"}' db09
	run irt stack cron "$TMP/hostile.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt/host.json names 'web01' but fs/etc/hostname says 'db09'"

	hostile '{"hostname":"web\u001b]0;pwned\u0007"}'
	run irt stack cron "$TMP/hostile.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "bad host name 'web\\e]0;pwned\\x07'"
	assert_not_contains "$output" $'\033'

	hostile '{"hostname":"web/../x"}'
	run irt stack cron --json "$TMP/hostile.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "bad host name 'web/../x'"

	# not an archive at all, and a FIFO where an archive should be
	head -c 3000 /dev/urandom >"$TMP/junk.tar.gz"
	mkfifo "$TMP/fifo.tar.gz"
	run timeout 20 "$IRT" stack cron "$TMP/junk.tar.gz" "$TMP/fifo.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "'$TMP/fifo.tar.gz' is not a regular file"
	assert_contains "$output" "irt: '$TMP/junk.tar.gz': "
}

@test "an archive whose host.json disagrees with its custody record is refused" {
	# the collection record of web01 says web01; the file now holds web03
	cp "$TMP/web03.tar.gz" "$W01"
	run irt stack authorized-key
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: '$W01': irt/host.json names 'web03' but its custody record says 'web01'"
	run irt timeline -q --format jsonl
	[ "$status" -eq 1 ]
	assert_contains "$output" "custody record says 'web01', left out"
	assert_contains "$output" '"host":"web02"'
}

@test "timeline in the case: every host's events, with their host, in time order" {
	run irt timeline -q --format jsonl
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin if l.strip()]
dpkg = [e for e in ev if e["type"] == "dpkg:log"]
assert [(e["host"], e["message"].split()[2]) for e in dpkg] == [
    ("web01", "pkg-web01:amd64"), ("web02", "pkg-web02:amd64"),
    ("web03", "pkg-web03:amd64")], dpkg
assert {e["host"] for e in ev} == {"web01", "web02", "web03"}
ns = [e["ns"] for e in ev]
assert ns == sorted(ns)
'
	run irt timeline -q --format timesketch-csv
	[ "$status" -eq 0 ]
	assert_contains "$output" ',web02,'
	# mactime has no host column: the name carries it
	run irt timeline -q --format mactime
	[ "$status" -eq 0 ]
	assert_contains "$output" 'web03:'
}

@test "timeline --host: only the archives of the hosts given" {
	run irt timeline -q --format jsonl --host web02 --host web03
	[ "$status" -eq 0 ]
	assert_contains "$output" '"host":"web02"'
	assert_contains "$output" '"host":"web03"'
	assert_not_contains "$output" '"host":"web01"'
	run irt timeline -q --format jsonl --host nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "irt: no evidence archive of host 'nosuch' in the case" ]
}

@test "timeline: an archive with a lying host.json is left out, the rest merged" {
	hostile '{"hostname":"web01"}' db09
	cp "$TMP/hostile.tar.gz" "$TMP/case/evidence/zz.tar.gz"
	run irt timeline --format jsonl
	[ "$status" -eq 1 ]
	assert_contains "$output" "zz.tar.gz': irt/host.json names 'web01' but fs/etc/hostname says 'db09', left out"
	assert_contains "$output" '"host":"web03"'
	# a source given on the command line gets the host it names
	run irt timeline -q --format jsonl "$TMP/web02.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"host":"web02"'
	assert_not_contains "$output" '"host":"web01"'
}
