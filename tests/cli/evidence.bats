#!/usr/bin/env bats
# irt evidence: custody records, one commit per custody event.

load helper

setup() {
	setup_common
	make_case
	head -c 100000 /dev/urandom >"$TMP/mem.lime"
}

teardown() { teardown_common; }

@test "evidence needs a case and a subcommand" {
	run irt evidence
	[ "$status" -eq 2 ]
	run irt evidence -h
	[ "$status" -eq 0 ]
	assert_contains "$output" "irt evidence transfer --to WHO [-m TEXT] ID"
	run irt evidence add
	[ "$status" -eq 2 ]
	run irt evidence transfer X
	[ "$status" -eq 2 ]
	unset IRT_CASE
	cd "$TMP"
	run irt evidence list
	[ "$status" -eq 1 ]
}

@test "evidence add hashes the file and commits one record" {
	# a host the case knows: evidence add does not add it again
	irt host add "$(hostname)" >/dev/null
	before=$(git -C "$TMP/case" rev-list --count HEAD)
	run irt evidence add -m "memory image of web01" "$TMP/mem.lime"
	[ "$status" -eq 0 ]
	id=$output
	[[ "$id" =~ ^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$ ]]
	[ "$(git -C "$TMP/case" rev-list --count HEAD)" -eq $((before + 1)) ]
	git -C "$TMP/case" log -1 --format=%B | grep -q '^Irt-Action: evidence-add$'
	git -C "$TMP/case" log -1 --format=%B | grep -q "^Irt-Evidence: $id$"
	run irt evidence show "$id"
	[ "$status" -eq 0 ]
	assert_contains "$output" "sha256       $(sha256sum <"$TMP/mem.lime" | cut -d' ' -f1)"
	assert_contains "$output" "md5          $(md5sum <"$TMP/mem.lime" | cut -d' ' -f1)"
	assert_contains "$output" "size         100000"
	assert_contains "$output" "holder       Test Responder <responder@example.org>"
	assert_contains "$output" "add      by Test Responder <responder@example.org>: memory image of web01"
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "evidence add refuses what is not a regular file" {
	run irt evidence add "$TMP/nosuch"
	[ "$status" -eq 1 ]
	assert_contains "$output" "cannot open"
	run irt evidence add "$TMP"
	[ "$status" -eq 1 ]
	assert_contains "$output" "is not a regular file"
}

@test "evidence transfer changes the holder in one commit" {
	id=$(irt evidence add "$TMP/mem.lime")
	run irt evidence transfer "${id:0:12}" --to "Lab Courier <lab@example.org>" -m "sealed bag 17"
	[ "$status" -eq 0 ]
	git -C "$TMP/case" log -1 --format=%B | grep -q '^Irt-Action: evidence-transfer$'
	run irt evidence show --json "$id"
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["holder"] == "Lab Courier <lab@example.org>", r
assert r["size"] == 100000
ev = r["events"]
assert [e["action"] for e in ev] == ["add", "transfer"], ev
assert ev[1]["to"] == "Lab Courier <lab@example.org>" and ev[1]["note"] == "sealed bag 17"
assert ev[1]["by"] == "Test Responder <responder@example.org>"
'
	# the holder cannot receive it twice in a row
	run irt evidence transfer "$id" --to "Lab Courier <lab@example.org>"
	[ "$status" -eq 1 ]
	run irt evidence transfer nosuch --to someone
	[ "$status" -eq 1 ]
	assert_contains "$output" "no evidence with id 'nosuch'"
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "evidence list shows every item, --json as JSON Lines" {
	a=$(irt evidence add "$TMP/mem.lime")
	echo pcap >"$TMP/net.pcap"
	b=$(irt evidence add "$TMP/net.pcap")
	run irt evidence list
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	assert_contains "$output" "$a"
	assert_contains "$output" "net.pcap"
	run irt evidence list --json
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
ids = [json.loads(l)["id"] for l in sys.stdin]
assert sorted(ids) == sorted(sys.argv[1:]), ids
' "$a" "$b"
}

@test "a tampered custody record fails irt case verify" {
	id=$(irt evidence add "$TMP/mem.lime")
	cd "$TMP/case"
	f=$(shard custody "$id" .record)
	sed -i 's/^holder = .*/holder = Mallory/' "$f"
	git -c user.name=m -c user.email=m@x commit -qam tamper
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "record $f: holder 'Mallory' is not the last recipient"
}

@test "hostile text in records is escaped on the terminal" {
	id=$(irt evidence add -m "$(printf 'note \033[31mred')" "$TMP/mem.lime")
	run irt evidence show "$id"
	[ "$status" -eq 0 ]
	[[ "$output" != *$'\033'* ]]
	assert_contains "$output" 'note \e[31mred'
}

@test "evidence list skips a record that does not pass its checks, with a warning" {
	a=$(irt evidence add "$TMP/mem.lime")
	b=$(irt evidence add "$TMP/mem.lime")
	f="$TMP/case/$(shard custody "$b" .record)"
	sed -i 's/^sha256 = .*/sha256 = not-a-hash/' "$f"
	git -C "$TMP/case" -c user.name=m -c user.email=m@x commit -qam tamper
	run irt evidence list
	[ "$status" -eq 0 ]
	assert_contains "$output" "$a"
	assert_contains "$output" "irt: warning: skipped evidence record: $(shard custody "$b" .record): invalid hash"
	[ "$(printf '%s\n' "$output" | grep -c "^$a")" -eq 1 ]
	run irt evidence show "$b"
	[ "$status" -eq 1 ]
}

@test "an evidence record whose commit landed is reported when the index cannot be written" {
	mkdir "$TMP/case/.git/index.lock"
	run irt evidence add "$TMP/mem.lime"
	[ "$status" -eq 0 ]
	id=${lines[0]}
	assert_contains "$output" "landed, but the index was not updated"
	git -C "$TMP/case" log -1 --format=%B --grep='^Irt-Evidence: ' | grep -q "^Irt-Evidence: $id$"
	rmdir "$TMP/case/.git/index.lock"
	run irt evidence show "$id"
	[ "$status" -eq 0 ]
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "irt collect does not write archives through an evidence folder that is a link" {
	mkdir -p "$TMP/root/etc" "$TMP/outside"
	echo fixture-host >"$TMP/root/etc/hostname"
	printf 'file /etc/**\n' >"$TMP/fixture.profile"
	ln -s "$TMP/outside" "$TMP/case/evidence"
	head=$(git -C "$TMP/case" rev-parse HEAD)
	run irt collect --root "$TMP/root" --profile "$TMP/fixture.profile" --no-live
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "'$TMP/case/evidence' is a symbolic link"
	[ -z "$(ls -A "$TMP/outside")" ]
	[ "$(git -C "$TMP/case" rev-parse HEAD)" = "$head" ]
	# a real folder is used as before
	rm "$TMP/case/evidence"
	run irt collect --root "$TMP/root" --profile "$TMP/fixture.profile" --no-live
	[ "$status" -eq 0 ]
	[ "$(find "$TMP/case/evidence" -name '*.tar.gz' | wc -l)" -eq 1 ]
	run irt case verify
	[ "$status" -eq 0 ]
}
