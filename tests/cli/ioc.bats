#!/usr/bin/env bats
# irt ioc: the case's register of indicators of compromise.

load helper

setup() {
	setup_common
	make_case
	DATA="$IRT_SRC/tests/data/hunt"
}

teardown() {
	teardown_common
}

@test "ioc add: defanged values are stored refanged, one file and one commit" {
	run irt ioc add -m "from the IDS" --tlp amber 'hxxp://evil[.]example/x' '203.0.113[.]9'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	id=${lines[0]}
	day=$(echo "$id" | sed -E 's/^(....)(..)(..).*/\1\/\2\/\3/')
	grep -qx 'value = http://evil.example/x' "$TMP/case/iocs/$day/$id.ioc"
	grep -qx 'tlp = amber' "$TMP/case/iocs/$day/$id.ioc"
	[ "$(git -C "$TMP/case" log -1 --format=%s)" = "ioc: add 2 IOCs" ]
	git -C "$TMP/case" log -1 --format=%B | grep -qx 'Irt-Action: ioc-add'
	[ "$(git -C "$TMP/case" rev-list --count HEAD)" -eq 2 ]
}

@test "ioc add: invalid and ambiguous values are refused with the reason, nothing added" {
	run irt ioc add evil.example 999.1.1.1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde backdoor
	[ "$status" -eq 1 ]
	assert_contains "$output" "'999.1.1.1' is not a valid ipv4 address: 999 is out of range"
	assert_contains "$output" "63 hex digits"
	assert_contains "$output" "cannot tell the type of 'backdoor': it could be a filename, a user or a string"
	[ "$(git -C "$TMP/case" rev-list --count HEAD)" -eq 1 ]
	run irt ioc add -t sha256 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde
	[ "$status" -eq 1 ]
	assert_contains "$output" "63 hex digits, 64 expected"
	run irt ioc add -t user backdoor
	[ "$status" -eq 0 ]
}

@test "ioc add: a value already registered keeps its id and makes no commit" {
	id=$(irt ioc add evil.example)
	[ "$(irt ioc add 'EVIL[.]example' 2>"$TMP/err")" = "$id" ]
	grep -q "1 of the values were already registered" "$TMP/err"
	[ "$(git -C "$TMP/case" rev-list --count HEAD)" -eq 2 ]
}

@test "ioc list, show, retire: a retired IOC stays in history" {
	id=$(irt ioc add --source report evil.example)
	irt ioc add -t string 'beacon_interval=60' >/dev/null
	run irt ioc list --defang
	[ "$status" -eq 0 ]
	assert_contains "$output" "$id  domain    evil[.]example"
	run irt ioc list --json -t domain
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d), d[0]["value"], d[0]["source"])')" = "1 evil.example report" ]
	run irt ioc retire "$id"
	[ "$status" -eq 2 ]
	run irt ioc retire -m "sinkholed" "${id:0:20}"
	[ "$status" -eq 0 ]
	run irt ioc list
	assert_not_contains "$output" "evil.example"
	run irt ioc list --all
	assert_contains "$output" "evil.example  [retired]"
	run irt ioc show --json "$id"
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["retired_why"])')" = "retired sinkholed" ]
	git -C "$TMP/case" log -1 --format=%B | grep -qx 'Irt-Action: ioc-retire'
	git -C "$TMP/case" log -1 --format=%B | grep -qx "Irt-Ioc: $id"
	run irt ioc show nosuchid
	[ "$status" -eq 1 ]
	assert_contains "$output" "no IOC 'nosuchid'"
}

@test "ioc import: MISP, STIX, IRIS CSV and plain; what cannot be used is named and skipped" {
	run irt ioc import "$DATA/misp-event.json"
	[ "$status" -eq 1 ]
	assert_contains "$output" "misp-event.json: \$.Event.Attribute[2]: 'not-a-hash'"
	assert_contains "$output" "imported 5 IOCs"
	git -C "$TMP/case" log -1 --format=%B | grep -qx 'Irt-Action: ioc-import'
	run irt ioc import "$DATA/stix-bundle.json"
	[ "$status" -eq 1 ]
	assert_contains "$output" "\$.objects[2].pattern: STIX pattern: AND"
	assert_contains "$output" "imported 4 IOCs"
	run irt ioc import "$DATA/iris-iocs.csv"
	assert_contains "$output" "iris-iocs.csv:4: '999.1.1.1'"
	assert_contains "$output" "imported 1 IOC from"
	assert_contains "$output" "(1 already in the case, 2 skipped)"
	run irt ioc import "$DATA/plain.txt"
	assert_contains "$output" "plain.txt:5:"
	run irt ioc list
	assert_contains "$output" "ann@evil.example"
	assert_contains "$output" "https://evil.example/login"
	printf 'evil2.example\n' >"$TMP/ok.txt"
	run irt ioc import "$TMP/ok.txt"
	[ "$status" -eq 0 ]
	printf '{"Event": [' >"$TMP/bad.json"
	run irt ioc import "$TMP/bad.json"
	[ "$status" -eq 1 ]
	assert_contains "$output" "bad.json: offset"
	run irt ioc import /dev/zero
	[ "$status" -eq 1 ]
	assert_contains "$output" "'/dev/zero' is not a regular file"
}

@test "ioc export: csv, misp and stix read back by import" {
	irt ioc add evil.example 203.0.113.9 >/dev/null
	irt ioc add -t path '/tmp/.x/*' >/dev/null
	for f in csv misp stix; do
		irt ioc export --format $f -o "$TMP/out.$f" 2>"$TMP/err"
		[ -s "$TMP/out.$f" ]
		irt case init "$TMP/c2-$f" --id C2 --title t >/dev/null
		IRT_CASE="$TMP/c2-$f" irt ioc import "$TMP/out.$f"
		run env IRT_CASE="$TMP/c2-$f" "$IRT" ioc list
		assert_contains "$output" "evil.example"
		assert_contains "$output" "203.0.113.9"
	done
	grep -q "1 IOC of types the format cannot carry left out" "$TMP/err"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["type"]=="bundle"; assert all(o["pattern_type"]=="stix" for o in d["objects"])' "$TMP/out.stix"
	run irt ioc export --format stix -o "$TMP/out.stix"
	[ "$status" -eq 1 ]
}

@test "case verify checks IOC records: a pulled record with a bad value is reported" {
	id=$(irt ioc add evil.example)
	run irt case verify
	[ "$status" -eq 0 ]
	f=$(git -C "$TMP/case" ls-files 'iocs/*')
	sed -i 's/^value = .*/value = 999.1.1.1/; s/^type = .*/type = ipv4/' "$TMP/case/$f"
	git -C "$TMP/case" commit -qam "tampered"
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "'999.1.1.1' is not a valid ipv4 address"
}
