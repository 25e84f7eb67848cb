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

# An archive collected "on another host": a fixture root named web02,
# collected outside the case, as irt fleet brings them back.
remote_archive() {
	local root=$TMP/remote
	mkdir -p "$root/etc" "$root/var/log"
	echo "${1:-web02}" >"$root/etc/hostname"
	echo 'Nov 27 sshd[1]: Accepted publickey' >"$root/var/log/auth.log"
	printf 'file /etc/**\nfile /var/log/**\n' >"$TMP/remote.profile"
	(unset IRT_CASE && cd "$TMP" && IRT_AUTHOR="Field Responder <field@example.org>" \
	    "$IRT" collect --root "$root" --profile "$TMP/remote.profile" \
	    -o "$TMP/web02.tar.gz" >/dev/null)
}

# Rebuilds the archive at $1 from the folder $2 it was extracted to,
# its manifests made to agree with what $2 holds: a consistent archive
# that says whatever irt/host.json now says, or lacks it.
repack() {
	local a=$1 d=$2 h s m
	m=$(tar -tzf "$a")
	if [ -f "$d/irt/host.json" ]; then
		h=$(sha256sum <"$d/irt/host.json" | cut -d' ' -f1)
		s=$(stat -c %s "$d/irt/host.json")
		jq -c --arg h "$h" --argjson s "$s" \
		    'if .path == "irt/host.json" then .sha256 = $h | .size = $s else . end' \
		    "$d/irt/manifest.jsonl" >"$d/m" && mv "$d/m" "$d/irt/manifest.jsonl"
	else
		jq -c 'select(.path != "irt/host.json")' "$d/irt/manifest.jsonl" >"$d/m"
		mv "$d/m" "$d/irt/manifest.jsonl"
		m=$(grep -vx 'irt/host.json' <<<"$m")
	fi
	(cd "$d" && {
		grep '^#' irt/manifest.sha256
		grep -vx 'irt/manifest.sha256' <<<"$m" | xargs sha256sum
	} >m && mv m irt/manifest.sha256)
	# shellcheck disable=SC2086
	(cd "$d" && tar -czf "$a" $m)
	(cd "$(dirname "$a")" && sha256sum "$(basename "$a")" >"$a.sha256")
}

commits() { git -C "$TMP/case" rev-list --count HEAD; }

@test "evidence import verifies the archive and records both custody events" {
	remote_archive
	sha=$(sha256sum <"$TMP/web02.tar.gz" | cut -d' ' -f1)
	before=$(commits)
	run irt evidence import --host web02 --via "ansible/ssh" -m "from the fleet" \
	    "$TMP/web02.tar.gz"
	[ "$status" -eq 0 ]
	id=${lines[0]}
	[[ "$id" =~ ^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$ ]]
	# the record, then the new host: two commits
	[ "$(commits)" -eq $((before + 2)) ]
	git -C "$TMP/case" log -1 --skip=1 --format=%B | grep -q '^Irt-Action: evidence-import$'
	run irt evidence show "$id"
	[ "$status" -eq 0 ]
	assert_contains "$output" "host         web02"
	assert_contains "$output" "sha256       $sha"
	assert_contains "$output" "verified     yes"
	assert_contains "$output" "via          ansible/ssh"
	assert_contains "$output" "collect  by Field Responder <field@example.org>: collected on web02"
	assert_contains "$output" "import   by Test Responder <responder@example.org>: received from web02 over ansible/ssh, verified"
	assert_contains "$output" "holder       Test Responder <responder@example.org>"
	run irt host list
	assert_contains "$output" "web02"
	run irt --json evidence show "$id"
	[ "$(jq -r .kind <<<"$output")" = collection ]
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "evidence import --json prints the imported item" {
	remote_archive
	run irt --json evidence import "$TMP/web02.tar.gz"
	[ "$status" -eq 0 ]
	[ "$(jq -r .host <<<"$output")" = web02 ]
	[ "$(jq -r .verified <<<"$output")" = true ]
	[ "$(jq -r .sha256 <<<"$output")" = "$(sha256sum <"$TMP/web02.tar.gz" | cut -d' ' -f1)" ]
	[ "$(jq -r .size <<<"$output")" -eq "$(stat -c %s "$TMP/web02.tar.gz")" ]
}

@test "evidence import refuses an archive that does not verify, and records nothing" {
	remote_archive
	before=$(commits)
	# one byte of the compressed stream changed
	size=$(stat -c %s "$TMP/web02.tar.gz")
	printf '\x55' | dd of="$TMP/web02.tar.gz" bs=1 seek=$((size / 2)) conv=notrunc status=none
	run irt evidence import "$TMP/web02.tar.gz"
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "irt: '$TMP/web02.tar.gz' does not verify"
	[ "$(commits)" -eq "$before" ]
	run irt evidence list
	[ -z "$output" ]
}

@test "evidence import refuses an archive without its sidecar" {
	remote_archive
	rm "$TMP/web02.tar.gz.sha256"
	before=$(commits)
	run irt evidence import "$TMP/web02.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt: '$TMP/web02.tar.gz' does not verify: sidecar: no '$TMP/web02.tar.gz.sha256'"
	[ "$(commits)" -eq "$before" ]
}

@test "evidence import refuses an archive whose host.json is missing" {
	remote_archive
	mkdir "$TMP/x"
	tar -C "$TMP/x" -xzf "$TMP/web02.tar.gz"
	rm "$TMP/x/irt/host.json"
	repack "$TMP/web02.tar.gz" "$TMP/x"
	run irt verify "$TMP/web02.tar.gz"
	[ "$status" -eq 0 ]
	before=$(commits)
	run irt evidence import "$TMP/web02.tar.gz"
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "'$TMP/web02.tar.gz': no irt/host.json"
	[ "$(commits)" -eq "$before" ]
}

@test "evidence import refuses a host.json that lies or holds garbage" {
	remote_archive
	before=$(commits)
	# a sound archive from web02, said to come from db01
	run irt evidence import --host db01 "$TMP/web02.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "'$TMP/web02.tar.gz': irt/host.json names host 'web02', not 'db01'"
	mkdir "$TMP/x"
	tar -C "$TMP/x" -xzf "$TMP/web02.tar.gz"
	# a host name with an escape in it, consistent with its manifest
	sed -i 's/"hostname":"web02"/"hostname":"web\\u001b[2Jx"/' "$TMP/x/irt/host.json"
	repack "$TMP/web02.tar.gz" "$TMP/x"
	run irt evidence import "$TMP/web02.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt/host.json names no valid host"
	assert_not_contains "$output" $'\e'
	# not JSON at all
	echo '{"hostname":' >"$TMP/x/irt/host.json"
	repack "$TMP/web02.tar.gz" "$TMP/x"
	run irt evidence import "$TMP/web02.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt/host.json is not a JSON object"
	# a time outside any range
	echo '{"hostname":"web02","clock":{"utc":"99999-01-01T00:00:00Z"}}' >"$TMP/x/irt/host.json"
	repack "$TMP/web02.tar.gz" "$TMP/x"
	run irt evidence import "$TMP/web02.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "irt/host.json has no valid clock.utc"
	[ "$(commits)" -eq "$before" ]
}

@test "evidence import refuses the same archive twice, a FIFO and a link" {
	remote_archive
	run irt evidence import "$TMP/web02.tar.gz"
	[ "$status" -eq 0 ]
	id=${lines[0]}
	before=$(commits)
	run irt evidence import "$TMP/web02.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "'$TMP/web02.tar.gz' is already evidence $id"
	mkfifo "$TMP/fifo"
	run timeout 20 "$IRT" evidence import "$TMP/fifo"
	[ "$status" -eq 1 ]
	assert_contains "$output" "is not a regular file"
	ln -s "$TMP/web02.tar.gz" "$TMP/link.tar.gz"
	run irt evidence import "$TMP/link.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "'$TMP/link.tar.gz' is not a regular file"
	[ "$(commits)" -eq "$before" ]
}
