#!/usr/bin/env bats
# irt host: the hosts of the incident and their compromise states.

load helper

setup() {
	setup_common
	make_case
}

teardown() {
	teardown_common
}

@test "host add: one record in the folder of its day, one commit" {
	run irt host add --ip 10.0.0.5 --ip 2001:db8::5 --role "web server" -m "IDS alert 4711" web01
	[ "$status" -eq 0 ]
	id=$output
	f="$TMP/case/$(shard hosts "$id" .host)"
	grep -qx 'name = web01' "$f"
	grep -qx 'ip = 10.0.0.5' "$f"
	grep -qx 'ip = 2001:db8::5' "$f"
	grep -qx 'state = unknown' "$f"
	grep -qx 'state.1.why = IDS alert 4711' "$f"
	[ "$(git -C "$TMP/case" log -1 --format=%s)" = "host: add web01" ]
	git -C "$TMP/case" log -1 --format=%B | grep -qx 'Irt-Action: host-add'
	git -C "$TMP/case" log -1 --format=%B | grep -qx 'Irt-Host: web01'
	[ "$(git -C "$TMP/case" rev-list --count HEAD)" -eq 2 ]
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "host add: a second host of the same name, a bad address, a bad name are refused" {
	irt host add web01 >/dev/null
	run irt host add web01
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: host 'web01' is already in the case"
	run irt host add --ip 10.0.0.300 web02
	[ "$status" -eq 1 ]
	assert_contains "$output" "invalid IP address '10.0.0.300'"
	run irt host add $'evil\e[31m'
	[ "$status" -eq 1 ]
	assert_contains "$output" "invalid host name 'evil\\e[31m'"
	run irt host add --state hacked web03
	[ "$status" -eq 2 ]
	[ "$(git -C "$TMP/case" rev-list --count HEAD)" -eq 2 ]
}

@test "host state: each change is a commit and the history is kept" {
	irt host add web01 >/dev/null
	irt host state web01 suspected -m "beacons seen"
	irt host state web01 compromised -m "implant in /var/tmp/.u"
	irt host state web01 contained -m "isolated"
	run irt host show web01
	[ "$status" -eq 0 ]
	assert_contains "$output" "state     contained"
	[ "$(echo "$output" | grep -c '  suspected  \|  compromised  \|  contained  ')" -eq 3 ]
	run irt host list --json
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(d["state"], len(d["history"]), d["history"][1]["state"], d["history"][1]["why"])')" = "contained 3 compromised implant in /var/tmp/.u" ]
	[ "$(git -C "$TMP/case" log --format=%s | head -1)" = "host: state web01 contained" ]
	[ "$(git -C "$TMP/case" rev-list --count HEAD)" -eq 5 ]
	git -C "$TMP/case" log -1 --format=%B | grep -qx 'Irt-Host-State: contained'
}

@test "host state: the reason is required, the state checked, the host must exist" {
	irt host add web01 >/dev/null
	run irt host state web01 compromised
	[ "$status" -eq 2 ]
	assert_contains "$output" "give the reason with -m WHY"
	run irt host state web01 pwned -m x
	[ "$status" -eq 2 ]
	assert_contains "$output" "invalid host state 'pwned'"
	run irt host state web02 compromised -m x
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: no host 'web02' in the case"
	[ "$(git -C "$TMP/case" rev-list --count HEAD)" -eq 2 ]
}

@test "host list: sorted by name, escaped on the terminal" {
	irt host add --role $'db\e]0;x\a' db01 >/dev/null
	irt host add --ip 10.0.0.5 app01 >/dev/null
	run irt host list
	[ "$status" -eq 0 ]
	[ "${lines[0]%% *}" = app01 ]
	[ "${lines[1]%% *}" = db01 ]
	assert_contains "${lines[1]}" 'db\e]0;x\x07'
	assert_not_contains "$output" $'\e'
}

@test "host: a broken record is reported and the others listed" {
	irt host add web01 >/dev/null
	id=$(irt host add web02)
	f="$TMP/case/$(shard hosts "$id" .host)"
	printf 'id = %s\nname = web02\nstate = owned\nadded = x\n' "$id" >"$f"
	git -C "$TMP/case" commit -qam "hand edit"
	run irt host list
	[ "$status" -eq 0 ]
	assert_contains "$output" "web01"
	assert_contains "$output" "unknown, repeated or invalid key 'state'"
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "$(shard hosts "$id" .host)"
}

@test "host: collect adds the host it collected, once" {
	mkdir -p "$TMP/root/etc"
	echo fixture-host >"$TMP/root/etc/hostname"
	printf 'file /etc/**\n' >"$TMP/fixture.profile"
	run irt collect --root "$TMP/root" --profile "$TMP/fixture.profile" --no-live -m "triage"
	[ "$status" -eq 0 ]
	run irt host list --json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d), d[0]["state"])')" = "1 unknown" ]
	name=$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["name"])')
	git -C "$TMP/case" log --format=%s | grep -qx "host: add $name"
	n=$(git -C "$TMP/case" rev-list --count HEAD)
	irt collect --root "$TMP/root" --profile "$TMP/fixture.profile" --no-live -m "again" >/dev/null 2>&1
	[ "$(git -C "$TMP/case" rev-list --count HEAD)" -eq $((n + 1)) ]
}

@test "host: finishing restore-services sets the host restored" {
	irt host add --state contained web01 >/dev/null
	run irt checklist start restore-services --host web01
	[ "$status" -eq 0 ]
	steps=$(sed -n 's/^- \[ \] \([a-z0-9-]*\):.*/\1/p' "$TMP/case/checklists/restore-services-web01.md")
	[ -n "$steps" ]
	for s in $steps; do
		irt checklist skip -c restore-services-web01 --reason "test" "$s"
	done
	run irt host show web01
	assert_contains "$output" "state     restored"
	assert_contains "$output" "checklist restore-services-web01 finished"
}
