#!/usr/bin/env bats
# irt note: add, list, show, edit, log, grep; concurrency and recovery.

load helper

setup() {
	setup_common
	make_case
}
teardown() { teardown_common; }

# The file of note ID in the case.
nf() { echo "case/$(shard notes "$1" .md)"; }

# The number of note files in the case.
nnotes() { find case/notes -name '*.md' | wc -l; }

@test "note add writes notes/YYYY/MM/DD/<id>.md with its header in one commit with trailers" {
	run irt note add -t ssh -t lateral --host web01 -m "key login from 203.0.113.7"
	[ "$status" -eq 0 ]
	id=$output
	[[ "$id" =~ ^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$ ]]
	f="case/notes/${id:0:4}/${id:4:2}/${id:6:2}/$id.md"
	[ "$(sed -n 1p "$f")" = "Id: $id" ]
	[ "$(sed -n 2p "$f")" = "Author: Test Responder <responder@example.org>" ]
	[[ "$(sed -n 3p "$f")" =~ ^Date:\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z$ ]]
	[ "$(sed -n 4p "$f")" = "Tags: ssh, lateral" ]
	[ "$(sed -n 5p "$f")" = "Host: web01" ]
	[ "$(sed -n 6p "$f")" = "" ]
	[ "$(sed -n 7p "$f")" = "key login from 203.0.113.7" ]
	[ "$(git -C case rev-list --count HEAD)" -eq 2 ]
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Action: note-add"
	assert_contains "$output" "Irt-Note: $id"
	[ "$(git -C case log -1 --format=%an)" = "Test Responder" ]
	[ -z "$(git -C case status --porcelain)" ]
}

@test "note add reads -F FILE and - (standard input)" {
	printf 'from a file\nsecond line\n' >text.md
	id1=$(irt note add -F text.md)
	id2=$(printf 'from stdin\n' | irt note add -)
	run irt note show "$id1"
	assert_contains "$output" "second line"
	run irt note show "$id2"
	assert_contains "$output" "from stdin"
}

@test "note add without text and without a terminal is a usage error" {
	run irt note add </dev/null
	[ "$status" -eq 2 ]
	assert_contains "$output" "no text"
}

@test "note add opens the editor on a terminal; an empty text or a failing editor aborts" {
	command -v script >/dev/null || skip "script(1) not installed"
	printf '#!/bin/sh\necho "written in the editor" >"$1"\n' >ed-ok
	printf '#!/bin/sh\n: >"$1"\n' >ed-empty
	printf '#!/bin/sh\nexit 3\n' >ed-fail
	chmod +x ed-ok ed-empty ed-fail
	before=$(git -C case rev-parse HEAD)
	EDITOR="$TMP/ed-empty" run script -qec "$IRT note add" /dev/null
	assert_contains "$output" "empty note"
	EDITOR="$TMP/ed-fail" run script -qec "$IRT note add" /dev/null
	assert_contains "$output" "editor"
	assert_contains "$output" "failed"
	[ "$(git -C case rev-parse HEAD)" = "$before" ]
	VISUAL="$TMP/ed-ok" EDITOR=false run script -qec "$IRT note add" /dev/null
	run irt note list
	assert_contains "$output" "written in the editor"
}

@test "bad note input: NUL bytes, invalid UTF-8, empty text, bad tag: one line, exit 1, case unchanged" {
	before=$(git -C case rev-parse HEAD)
	printf 'abc\0def' >nul.txt
	run irt note add -F nul.txt
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "NUL byte"
	printf 'caf\xe9\n' >latin1.txt
	run irt note add -F latin1.txt
	[ "$status" -eq 1 ]
	assert_contains "$output" "not valid UTF-8"
	run irt note add -m "   "
	[ "$status" -eq 1 ]
	assert_contains "$output" "empty note"
	run irt note add -t "a,b" -m x
	[ "$status" -eq 1 ]
	assert_contains "$output" "invalid tag"
	run irt note add -F /nonexistent/file
	[ "$status" -eq 1 ]
	assert_contains "$output" "'/nonexistent/file'"
	[ "$(git -C case rev-parse HEAD)" = "$before" ]
	[ -z "$(git -C case status --porcelain)" ]
}

@test "note add into an unwritable case fails in one line and leaves the case unchanged" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to drop privileges"
	before=$(git -C case rev-parse HEAD)
	chmod -R a+rX "$TMP"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env HOME=/nonexistent "$IRT" note add -m "should not land"
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	[ "$(git -C case rev-parse HEAD)" = "$before" ]
	[ -z "$(git -C case status --porcelain)" ]
}

@test "note list filters by tag, host and time and prints --json" {
	irt note add -t ssh --host web01 -m "one" >/dev/null
	irt note add -t dns --host db01 -m "two" >/dev/null
	irt note add -t ssh --host db01 -m "three" >/dev/null
	run irt note list --tag ssh
	[ "${#lines[@]}" -eq 2 ]
	run irt note list --host db01
	[ "${#lines[@]}" -eq 2 ]
	run irt note list --tag ssh --host db01
	[ "${#lines[@]}" -eq 1 ]
	assert_contains "$output" "three"
	run irt note list --since 2000-01-01 --until 2000-01-02
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run irt note list --since "$(date -u +%Y-%m-%d)"
	[ "${#lines[@]}" -eq 3 ]
	run irt note list --since yesterday
	[ "$status" -eq 1 ]
	assert_contains "$output" "invalid time 'yesterday'"
	run irt note list --json
	echo "$output" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert [r["host"] for r in rows] == ["web01", "db01", "db01"], rows
assert rows[0]["tags"] == ["ssh"] and rows[0]["author"].startswith("Test Responder")
'
}

@test "note show accepts a unique prefix and refuses unknown or ambiguous ids" {
	id=$(irt note add -m "the note")
	run irt note show "$id"
	[ "$status" -eq 0 ]
	run irt note show "${id%-*}-${id##*-}"
	[ "$status" -eq 0 ]
	run irt note show "${id:0:20}"
	[ "$status" -eq 0 ]
	assert_contains "$output" "the note"
	irt note add -m "another" >/dev/null
	run irt note show 2
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "ambiguous"
	run irt note show 1999
	[ "$status" -eq 1 ]
	assert_contains "$output" "no note with id '1999'"
	run irt note show --json "$id"
	echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["text"] == "the note\n", d'
}

@test "note show escapes control characters on a terminal" {
	command -v script >/dev/null || skip "script(1) not installed"
	id=$(printf 'evil \033]0;title\007 name\n' | irt note add -)
	run script -qec "$IRT note show $id" /dev/null
	assert_contains "$output" '\e]0;title\x07'
}

@test "note edit makes a new commit and note log shows every version" {
	id=$(irt note add -m "first version")
	irt --author "Bob <bob@example.org>" note edit "${id:0:22}" -m "second version" >/dev/null
	run cat "$(nf "$id")"
	assert_contains "$output" "second version"
	assert_contains "$output" "Author: Test Responder"
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Action: note-edit"
	run irt note log "$id"
	[ "$status" -eq 0 ]
	assert_contains "$output" "second version"
	assert_contains "$output" "first version"
	assert_contains "$output" "Author: Bob <bob@example.org>"
	run irt note log --json "$id"
	echo "$output" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert [r["action"] for r in rows] == ["note-edit", "note-add"], rows
assert "first version" in rows[1]["content"]
'
	run irt note edit "$id" -m "second version"
	[ "$status" -eq 1 ]
	assert_contains "$output" "unchanged"
}

@test "note grep finds lines with their note id and line number" {
	a=$(irt note add -m "$(printf 'first line\nsaw 198.51.100.23 in nginx log')")
	irt note add -m "nothing here" >/dev/null
	run irt note grep '198\.51\.100\.[0-9]+'
	[ "$status" -eq 0 ]
	[ "$output" = "$a:2:saw 198.51.100.23 in nginx log" ]
	run irt note grep -i NGINX
	[ "$status" -eq 0 ]
	run irt note grep 'no such thing'
	[ "$status" -eq 1 ]
	run irt note grep '('
	[ "$status" -eq 2 ]
	assert_contains "$output" "invalid regular expression"
}

@test "two processes adding 200 notes each at once: all 400 land, git fsck --strict is clean" {
	add_many() {
		local i
		for i in $(seq 1 200); do
			"$IRT" note add -t "$1" -m "note $i from $1" >/dev/null || return 1
		done
	}
	add_many alpha & p1=$!
	add_many bravo & p2=$!
	wait $p1
	wait $p2
	[ "$(nnotes)" -eq 400 ]
	[ "$(git -C case rev-list --count HEAD)" -eq 401 ]
	run irt note list --tag alpha
	[ "${#lines[@]}" -eq 200 ]
	git -C case fsck --strict
	[ -z "$(git -C case status --porcelain)" ]
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "a stale git lock left by a killed writer is recovered and recorded" {
	irt note add -m before >/dev/null
	touch case/.git/index.lock case/.git/refs/heads/main.lock
	run irt note add -m after
	[ "$status" -eq 0 ]
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Recovered: removed stale lock .git/index.lock"
	assert_contains "$output" "refs/heads/main.lock"
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "writers killed with SIGKILL mid-commit leave a case the next note add uses" {
	# a note large enough that its commit takes a while to write
	head -c 4000000 /dev/zero | tr '\0' 'x' >big
	caught=0
	for i in $(seq 1 40); do
		"$IRT" note add -F big >/dev/null 2>&1 &
		pid=$!
		# kill it once it is inside its commit: .git/irt-pending names
		# the paths between the first write and the index
		while kill -0 "$pid" 2>/dev/null && [ ! -s case/.git/irt-pending ]; do
			:
		done
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		if [ -s case/.git/irt-pending ]; then
			caught=$((caught + 1))
			run irt note add -m "after kill $i"
			[ "$status" -eq 0 ]
			# the next commit finished or undid the killed one
			run git -C case log -1 --format=%B
			assert_contains "$output" "Irt-Recovered: "
			[ ! -s case/.git/irt-pending ]
			[ -z "$(git -C case status --porcelain)" ]
		fi
		[ "$caught" -lt 3 ] || break
	done
	# the writers must have been caught inside their commits
	[ "$caught" -eq 3 ]
	run irt case verify
	[ "$status" -eq 0 ]
	git -C case fsck --strict
}

@test "an interrupted commit is finished and its file kept aside, recorded in the next commit" {
	# what a writer killed after writing its file but before committing leaves
	mkdir -p case/notes
	printf 'Id: x\n' >case/notes/20260101T000000Z-000000.md
	printf 'notes/20260101T000000Z-000000.md\n' >case/.git/irt-pending
	run irt note add -m next
	[ "$status" -eq 0 ]
	[ ! -e case/notes/20260101T000000Z-000000.md ]
	ls case/.git/irt/recovered/ | grep -q 20260101T000000Z-000000.md
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Recovered: kept uncommitted notes/20260101T000000Z-000000.md"
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "a commit leaves .git/irt-pending empty, rewritten in place" {
	run irt note add -m one
	[ "$status" -eq 0 ]
	[ -f case/.git/irt-pending ]
	[ ! -s case/.git/irt-pending ]
	inode=$(stat -c %i case/.git/irt-pending)
	run irt note add -m two
	[ "$status" -eq 0 ]
	[ ! -s case/.git/irt-pending ]
	[ "$(stat -c %i case/.git/irt-pending)" = "$inode" ]
}

@test "a pending line cut short names nothing, the complete lines before it are recovered" {
	id=$(irt note add -m first)
	sum=$(sha1sum <"$(nf "$id")")
	printf 'Id: x\n' >case/notes/20260101T000000Z-000000.md
	# the last line, "notes", is a folder of HEAD, and was cut short
	printf 'notes/20260101T000000Z-000000.md\nnotes' >case/.git/irt-pending
	run irt note add -m second
	[ "$status" -eq 0 ]
	id2=$output
	[ "$(sha1sum <"$(nf "$id")")" = "$sum" ]
	[ -f "$(nf "$id2")" ]
	[ ! -e case/notes/20260101T000000Z-000000.md ]
	[ "$(nnotes)" -eq 2 ]
	[ "$(ls case/.git/irt/recovered | wc -l)" -eq 1 ]
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Recovered: kept uncommitted notes/20260101T000000Z-000000.md"
	[ -z "$(git -C case status --porcelain)" ]
	[ ! -s case/.git/irt-pending ]

	# cut short alone: nothing at all is done
	printf 'notes' >case/.git/irt-pending
	run irt note add -m third
	[ "$status" -eq 0 ]
	[ "$(nnotes)" -eq 3 ]
	[ "$(ls case/.git/irt/recovered | wc -l)" -eq 1 ]
	run git -C case log -1 --format=%B
	assert_not_contains "$output" "Irt-Recovered"
	[ ! -s case/.git/irt-pending ]
	run irt note add -m fourth
	[ "$status" -eq 0 ]
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "a pending line naming a folder of HEAD moves nothing" {
	id=$(irt note add -m first)
	printf 'notes\n' >case/.git/irt-pending
	run irt note add -m second
	[ "$status" -eq 0 ]
	[ -f "$(nf "$id")" ]
	[ "$(nnotes)" -eq 2 ]
	[ ! -e case/.git/irt/recovered ]
	run git -C case log -1 --format=%B
	assert_not_contains "$output" "kept uncommitted"
	assert_not_contains "$output" "restored"
	[ -z "$(git -C case status --porcelain)" ]
	[ ! -s case/.git/irt-pending ]
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "a pending line naming a folder outside HEAD moves nothing" {
	mkdir -p case/evidence/host1
	printf 'archive\n' >case/evidence/host1/a.tar.gz
	printf 'evidence\n' >case/.git/irt-pending
	run irt note add -m next
	[ "$status" -eq 0 ]
	[ -f case/evidence/host1/a.tar.gz ]
	[ ! -e case/.git/irt/recovered ]
	[ ! -s case/.git/irt-pending ]
}

@test "a commit killed before its index was written is finished by the next" {
	id=$(irt note add -m first)
	f=$(shard notes "$id" .md)
	sum=$(sha1sum <"case/$f")
	# what a writer killed between its commit and the index leaves
	git -C case rm -q --cached "$f"
	printf '%s\n' "$f" >case/.git/irt-pending
	run irt note add -m second
	[ "$status" -eq 0 ]
	[ "$(sha1sum <"case/$f")" = "$sum" ]
	[ ! -e case/.git/irt/recovered ]
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Recovered: finished an interrupted commit"
	[ -z "$(git -C case status --porcelain)" ]
	[ ! -s case/.git/irt-pending ]
}

@test "a committed file changed before the index was written is restored, the change kept aside" {
	id=$(irt note add -m first)
	f=$(shard notes "$id" .md)
	sum=$(sha1sum <"case/$f")
	printf 'changed\n' >"case/$f"
	printf '%s\n' "$f" >case/.git/irt-pending
	run irt note add -m second
	[ "$status" -eq 0 ]
	[ "$(sha1sum <"case/$f")" = "$sum" ]
	[ "$(cat case/.git/irt/recovered/*)" = "changed" ]
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Recovered: kept uncommitted $f"
	assert_contains "$output" "; restored $f from HEAD"
	[ -z "$(git -C case status --porcelain)" ]
}

@test "a note that does not parse is skipped with an escaped warning; the others are listed" {
	a=$(irt note add -m "a good note about 198.51.100.23")
	b=$(irt note add -m "soon broken")
	# a header field whose name holds terminal escapes, committed by hand
	printf 'Id: %s\nAuthor: x\nDate: 2026-01-01\n\033]0;pwned\007: v\n\nx\n' "$b" >"$(nf "$b")"
	git -C case commit -qam "broken by hand"
	run irt note list
	[ "$status" -eq 0 ]
	[[ "$output" != *$'\033'* && "$output" != *$'\007'* ]]
	assert_contains "$output" "$a"
	assert_contains "$output" "irt: warning: skipped note: $(shard notes "$b" .md):4: unknown or repeated field '\\e]0;pwned\\x07'"
	[ "$(printf '%s\n' "$output" | grep -c '^2')" -eq 1 ]
	run irt note grep '198\.51'
	[ "$status" -eq 0 ]
	assert_contains "$output" "$a:1:a good note"
	assert_contains "$output" "irt: warning: skipped note:"
	[[ "$output" != *$'\033'* ]]
	run irt note show "$b"
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	[[ "$output" != *$'\033'* ]]
}

@test "a note whose commit landed is reported with its id when the index cannot be written" {
	# the index cannot be locked: the step after the commit fails
	mkdir case/.git/index.lock
	run irt note add -m "it lands"
	[ "$status" -eq 0 ]
	id=${lines[0]}
	[[ "$id" =~ ^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$ ]]
	assert_contains "$output" "irt: warning: commit $(git -C case rev-parse --short=12 HEAD) landed, but the index was not updated"
	[ "$(git -C case log -1 --format=%s)" = "note: it lands" ]
	run irt note show "$id"
	[ "$status" -eq 0 ]
	# the note is committed: verify says so
	run irt case verify
	[ "$status" -eq 0 ]
	rmdir case/.git/index.lock
	irt note add -m next >/dev/null
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Recovered: finished an interrupted commit"
	[ -z "$(git -C case status --porcelain)" ]
	[ ! -s case/.git/irt-pending ]
}
