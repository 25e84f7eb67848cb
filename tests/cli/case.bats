#!/usr/bin/env bats
# irt case: init, show, log, verify, push, pull.

load helper

setup() { setup_common; }
teardown() { teardown_common; }

@test "case init creates a git repository with case.conf and one commit" {
	run irt case init c1 --id INC-1 --title "Web server intrusion" \
	    --lead "Ann Analyst" --tlp amber+strict --severity high
	[ "$status" -eq 0 ]
	[ -d c1/.git ]
	run cat c1/case.conf
	assert_contains "$output" "id = INC-1"
	assert_contains "$output" "title = Web server intrusion"
	assert_contains "$output" "lead = Ann Analyst"
	assert_contains "$output" "tlp = amber+strict"
	assert_contains "$output" "severity = high"
	[ "$(git -C c1 rev-list --count HEAD)" -eq 1 ]
	run git -C c1 log -1 --format=%B
	assert_contains "$output" "Irt-Action: case-init"
	[ -z "$(git -C c1 status --porcelain)" ]
	git -C c1 fsck --strict
}

@test "case init refuses an existing case and a non-empty directory" {
	irt case init c1 --id INC-1 --title t >/dev/null
	run irt case init c1 --id INC-2 --title t
	[ "$status" -eq 1 ]
	assert_contains "$output" "already a case"
	mkdir full && touch full/x
	run irt case init full --id INC-2 --title t
	[ "$status" -eq 1 ]
	assert_contains "$output" "is not empty"
	[ ! -e full/.git ]
	mkdir empty
	run irt case init empty --id INC-3 --title t
	[ "$status" -eq 0 ]
}

@test "case init rejects a bad TLP, severity or id and creates nothing" {
	# the levels are values of the options: a usage error naming them
	run irt case init c1 --id INC-1 --title t --tlp purple
	[ "$status" -eq 2 ]
	assert_contains "$output" "--tlp: unknown level 'purple' (one of: clear, green, amber, amber+strict, red)"
	[ ! -e c1 ]
	run irt case init c1 --id INC-1 --title t --severity urgent
	[ "$status" -eq 2 ]
	assert_contains "$output" "--severity: unknown level 'urgent'"
	[ ! -e c1 ]
	run irt case init c1 --id "bad id" --title t
	[ "$status" -eq 1 ]
	assert_contains "$output" "invalid case id"
	run irt case init c1 --title t
	[ "$status" -eq 2 ]
}

@test "case init into an unwritable directory fails in one line" {
	mkdir ro && chmod 555 ro
	if [ "$(id -u)" -eq 0 ]; then
		run setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    "$IRT" case init ro/c1 --id INC-1 --title t
	else
		run irt case init ro/c1 --id INC-1 --title t
	fi
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	[ ! -e ro/c1 ]
}

@test "case show prints metadata, counts and HEAD, and --json" {
	make_case
	irt note add -m one >/dev/null
	irt note add -m two >/dev/null
	run irt case show
	[ "$status" -eq 0 ]
	assert_contains "$output" "INC-TEST"
	assert_contains "$output" "notes       2"
	run irt case show --json
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys, subprocess, os
d = json.load(sys.stdin)
assert d["id"] == "INC-TEST", d
assert d["notes"] == 2 and d["evidence"] == 0 and d["checklists"] == 0
head = subprocess.check_output(["git", "-C", os.environ["IRT_CASE"], "rev-parse", "HEAD"]).decode().strip()
assert d["head"] == head
'
}

@test "case log shows one row per commit with time, author, action and subject" {
	make_case
	irt note add -m "first finding" >/dev/null
	run irt case log
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^[0-9a-f]{12}\ \ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\ \ note-add ]]
	assert_contains "${lines[0]}" "Test Responder <responder@example.org>"
	assert_contains "${lines[0]}" "note: first finding"
	assert_contains "${lines[1]}" "case-init"
	run irt case log --json
	echo "$output" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert [r["action"] for r in rows] == ["note-add", "case-init"], rows
assert rows[0]["time"].endswith("Z")
'
}

@test "case verify passes on a healthy case and reports the head" {
	make_case
	irt note add -m x >/dev/null
	run irt case verify
	[ "$status" -eq 0 ]
	assert_contains "$output" "verified: 2 commits"
	head=$(git -C case rev-parse HEAD)
	run irt case verify --expect "$head"
	[ "$status" -eq 0 ]
	run irt case verify --expect "${head:0:10}"
	[ "$status" -eq 0 ]
}

@test "case verify fails on an uncommitted change in the work tree" {
	make_case
	id=$(irt note add -m original)
	echo tampered >>"case/notes/$id.md"
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "work tree: 'notes/$id.md' modified"
	git -C case checkout -q -- .
	touch case/stray
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "'stray' not committed"
}

@test "case verify detects a corrupted object" {
	make_case
	id=$(irt note add -m "the original text of the note")
	blob=$(git -C case rev-parse "HEAD:notes/$id.md")
	obj="case/.git/objects/${blob:0:2}/${blob:2}"
	chmod u+w "$obj"
	# a different valid blob stored under the old name
	printf 'blob 5\0evil\n' | python3 -c '
import sys, zlib
sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read()))' >"$obj"
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "$blob"
}

@test "new objects are stored loose uncompressed, or at the case's core.looseCompression" {
	make_case
	yes "the same line of a note, again and again" | head -n 200 >text
	# the size of the object's file, and of its content
	sizes() {
		obj=$(git -C case rev-parse "$1")
		file="case/.git/objects/${obj:0:2}/${obj:2}"
		echo "$(stat -c %s "$file") $(git -C case cat-file -s "$obj")"
	}
	id=$(irt note add -F text)
	read -r stored size <<<"$(sizes "HEAD:notes/$id.md")"
	[ "$size" -gt 8000 ]
	# zlib at level 0 keeps every byte, and adds its headers
	[ "$stored" -gt "$size" ]
	git -C case cat-file -p "HEAD:notes/$id.md" | cmp - "case/notes/$id.md"
	read -r stored size <<<"$(sizes HEAD:notes)"
	[ "$stored" -gt "$size" ]
	git -C case cat-file -p HEAD:notes >/dev/null

	git -C case config core.looseCompression 9
	id=$(irt note add -F text)
	read -r stored size <<<"$(sizes "HEAD:notes/$id.md")"
	[ "$stored" -lt "$((size / 10))" ]
	git -C case cat-file -p "HEAD:notes/$id.md" | cmp - "case/notes/$id.md"

	# core.compression when core.looseCompression is not set
	git -C case config --unset core.looseCompression
	git -C case config core.compression 9
	id=$(irt note add -F text)
	read -r stored size <<<"$(sizes "HEAD:notes/$id.md")"
	[ "$stored" -lt "$((size / 10))" ]
	# core.looseCompression wins
	git -C case config core.looseCompression 0
	id=$(irt note add -F text)
	read -r stored size <<<"$(sizes "HEAD:notes/$id.md")"
	[ "$stored" -gt "$size" ]

	git -C case fsck --strict
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "case verify --expect detects a rewritten history" {
	make_case
	irt note add -m one >/dev/null
	old=$(git -C case rev-parse HEAD)
	irt note add -m two >/dev/null
	git -C case reset -q --hard HEAD~2
	GIT_AUTHOR_NAME=x GIT_AUTHOR_EMAIL=x@x GIT_COMMITTER_NAME=x \
	    GIT_COMMITTER_EMAIL=x@x git -C case commit -q --allow-empty -m forged
	run irt case verify --expect "$old"
	[ "$status" -eq 1 ]
	assert_contains "$output" "not an ancestor of HEAD"
	run irt case verify --expect 0123456789abcdef0123456789abcdef01234567
	[ "$status" -eq 1 ]
	assert_contains "$output" "not in the history"
}

@test "case verify detects a record that does not parse" {
	make_case
	id=$(irt note add -m x)
	printf 'garbage without header\n' >"case/notes/$id.md"
	git -C case commit -qam "edited by hand"
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "record notes/$id.md"
}

@test "plain git works on a case and a clone is a working case" {
	make_case
	id=$(irt note add -t ioc -m "203.0.113.7 seen in auth.log")
	git -C case log --oneline >/dev/null
	git -C case show HEAD >/dev/null
	git -C case fsck --strict
	git clone -q case clone
	run irt -C clone note show "$id"
	[ "$status" -eq 0 ]
	assert_contains "$output" "203.0.113.7"
	irt -C clone note add -m "from the clone" >/dev/null
	run irt -C clone case verify
	[ "$status" -eq 0 ]
}

@test "two responders exchange notes through a bare remote with push and pull" {
	git init -q --bare --initial-branch=main remote.git
	make_case
	irt note add -m "alpha 1" >/dev/null
	irt case push "file://$TMP/remote.git"
	git clone -q remote.git bob
	irt -C bob note add -m "bob 1" >/dev/null
	irt -C bob note add -m "bob 2" >/dev/null
	irt note add -m "alpha 2" >/dev/null
	# alice pushes first; bob must pull (merge) before he can push
	irt case push "file://$TMP/remote.git"
	run irt -C bob case push origin
	[ "$status" -eq 1 ]
	assert_contains "$output" "pull"
	run irt -C bob case pull
	[ "$status" -eq 0 ]
	assert_contains "$output" "merged"
	irt -C bob case push
	run irt case pull "file://$TMP/remote.git"
	[ "$status" -eq 0 ]
	assert_contains "$output" "fast-forward"
	for d in case bob; do
		run irt -C "$d" note list
		[ "${#lines[@]}" -eq 4 ]
		run irt -C "$d" case verify
		[ "$status" -eq 0 ]
	done
	[ "$(git -C case rev-parse HEAD)" = "$(git -C bob rev-parse HEAD)" ]
	run irt case pull "file://$TMP/remote.git"
	assert_contains "$output" "up to date"
}

@test "a pull that would conflict stops and changes nothing" {
	git init -q --bare --initial-branch=main remote.git
	make_case
	irt case push "file://$TMP/remote.git"
	git clone -q remote.git bob
	(cd case && echo "lead = Ann" >>case.conf && git commit -qam "lead ann")
	(cd bob && echo "lead = Bob" >>case.conf && git commit -qam "lead bob")
	irt case push "file://$TMP/remote.git"
	before=$(git -C bob rev-parse HEAD)
	run irt -C bob case pull
	[ "$status" -eq 1 ]
	assert_contains "$output" "conflict in 'case.conf'; nothing changed"
	[ "$(git -C bob rev-parse HEAD)" = "$before" ]
	[ -z "$(git -C bob status --porcelain)" ]
}

@test "push to an unknown remote name fails in one line" {
	make_case
	run irt case push nosuchremote
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "no remote 'nosuchremote'"
}
