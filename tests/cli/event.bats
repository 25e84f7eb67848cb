#!/usr/bin/env bats
# irt event: the incident timeline.

load helper

setup() {
	setup_common
	make_case
}

teardown() {
	teardown_common
}

@test "event add: one record, one commit; list sorts by the time it happened" {
	run irt event add --at 2026-11-27T21:02:11Z --host web01 --technique T1059.004 -m "implant started from cron"
	[ "$status" -eq 0 ]
	late=$output
	f="$TMP/case/$(shard events "$late" .event)"
	grep -qx 'at = 2026-11-27T21:02:11Z' "$f"
	grep -qx 'technique = T1059.004' "$f"
	grep -qx 'status = active' "$f"
	git -C "$TMP/case" log -1 --format=%B | grep -qx 'Irt-Action: event-add'
	git -C "$TMP/case" log -1 --format=%B | grep -qx "Irt-Event: $late"
	early=$(irt event add --at "2026-11-27 20:00:00+01:00" --technique T1190 -m "exploit of the upload form")
	run irt event list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	assert_contains "${lines[0]}" "2026-11-27T19:00:00Z  $early  -  T1190 (Initial Access)  exploit of the upload form"
	assert_contains "${lines[1]}" "$late  web01  T1059.004 (Execution)"
	run irt event list --json
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[1]["techniques"][0]["tactic"], d[1]["techniques"][0]["name"], d[0]["at"])')" = "Execution Unix Shell 2026-11-27T19:00:00Z" ]
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "event add: techniques checked for form, the time and text required" {
	run irt event add --at 2026-11-27 --technique T59 -m x
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: invalid ATT&CK technique 'T59' (T1234 or T1234.001)"
	run irt event add --at 2026-11-27 --technique T1059.04 -m x
	[ "$status" -eq 1 ]
	run irt event add -m "no time"
	[ "$status" -eq 2 ]
	assert_contains "$output" "--at TIME"
	run irt event add --at yesterday -m x
	[ "$status" -eq 2 ]
	run irt event add --at 2026-11-27
	[ "$status" -eq 2 ]
	run irt event add --at 2026-11-27 --ioc $'a\nb' -m x
	[ "$status" -eq 1 ]
	assert_contains "$output" "invalid IOC id 'a\\nb'"
	[ "$(git -C "$TMP/case" rev-list --count HEAD)" -eq 1 ]
	# a technique irt does not know is kept, without a tactic
	run irt event add --at 2026-11-27 --technique T9999.001 -m x
	[ "$status" -eq 0 ]
	run irt event list
	assert_contains "$output" "  T9999.001  x"
}

@test "event edit and retire keep the history" {
	id=$(irt event add --at 2026-11-27T21:00:00Z -m "first guess")
	run irt event edit --at 2026-11-27T20:55:00Z --technique T1078 -m "valid account used" "${id:0:18}"
	[ "$status" -eq 0 ]
	run irt event show "$id"
	assert_contains "$output" "at          2026-11-27T20:55:00Z"
	assert_contains "$output" "technique   T1078 (Initial Access)"
	assert_contains "$output" "edited      "
	git -C "$TMP/case" log -p -1 | grep -qx -- '-text = first guess'
	run irt event retire "$id"
	[ "$status" -eq 2 ]
	run irt event retire -m "it was the admin" "$id"
	[ "$status" -eq 0 ]
	run irt event list
	[ -z "$output" ]
	run irt event list --all
	assert_contains "$output" "[retired]"
	run irt event retire -m again "$id"
	[ "$status" -eq 1 ]
	[ "$(git -C "$TMP/case" log --format=%B | grep -c '^Irt-Action: event-')" -eq 3 ]
	run irt event show nosuch
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: no event 'nosuch' in the case"
}

@test "event add --from-hit: time, host and IOC from a recorded hunt hit" {
	printf 'Nov 27 21:14:39 web01 sshd[812]: Accepted publickey for backdoor from 198.51.100.23 port 4242 ssh2\n' >"$TMP/auth.log"
	ioc=$(irt ioc add 198.51.100.23)
	irt hunt "syslog:$TMP/auth.log" >/dev/null 2>&1
	run irt event hits
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	hit=${lines[0]%% *}
	[[ "$hit" == *:1 ]]
	run irt event add --from-hit "$hit" --technique T1021.004
	[ "$status" -eq 0 ]
	run irt event show --json "$output"
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["at"][4:], d["host"], d["iocs"][0], d["hits"][0])')" = "-11-27T21:14:39Z web01 $ioc $hit" ]
	run irt event add --from-hit "${hit%:1}:9"
	[ "$status" -eq 1 ]
	assert_contains "$output" "has no hit 9"
	run irt event add --from-hit nohunt:1
	[ "$status" -eq 1 ]
	assert_contains "$output" "no hunt 'nohunt' in the case"
}

@test "event list: hostile text is escaped on the terminal" {
	irt event add --at 2026-11-27 --host web01 -m $'ran \e]0;owned\a and \e[2J' >/dev/null
	run irt event list
	[ "$status" -eq 0 ]
	assert_not_contains "$output" $'\e'
	assert_contains "$output" 'ran \e]0;owned\x07 and \e[2J'
}
