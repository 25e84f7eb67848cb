#!/usr/bin/env bats
# irt note: add, list, show, edit, log, grep; concurrency and recovery.

load helper

setup() {
	setup_common
	make_case
}
teardown() { teardown_common; }

@test "note add writes notes/<id>.md with its header in one commit with trailers" {
	run irt note add -t ssh -t lateral --host web01 -m "key login from 203.0.113.7"
	[ "$status" -eq 0 ]
	id=$output
	[[ "$id" =~ ^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$ ]]
	f="case/notes/$id.md"
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
	# a bad value of an option is a usage error, as for every option
	run irt note list --since yesterday
	[ "$status" -eq 2 ]
	assert_contains "$output" "--since: invalid time 'yesterday'"
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
	run cat "case/notes/$id.md"
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
	[ "$(ls case/notes | wc -l)" -eq 400 ]
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
	for i in $(seq 1 20); do
		"$IRT" note add -m "victim $i" >/dev/null 2>&1 &
		pid=$!
		# kill at varying points of the commit
		sleep "0.00$((i % 10))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	run irt note add -m "after the kills"
	[ "$status" -eq 0 ]
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
	sum=$(sha1sum <"case/notes/$id.md")
	printf 'Id: x\n' >case/notes/20260101T000000Z-000000.md
	# the last line, "notes", is a folder of HEAD, and was cut short
	printf 'notes/20260101T000000Z-000000.md\nnotes' >case/.git/irt-pending
	run irt note add -m second
	[ "$status" -eq 0 ]
	id2=$output
	[ "$(sha1sum <"case/notes/$id.md")" = "$sum" ]
	[ -f "case/notes/$id2.md" ]
	[ ! -e case/notes/20260101T000000Z-000000.md ]
	[ "$(ls case/notes | wc -l)" -eq 2 ]
	[ "$(ls case/.git/irt/recovered | wc -l)" -eq 1 ]
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Recovered: kept uncommitted notes/20260101T000000Z-000000.md"
	[ -z "$(git -C case status --porcelain)" ]
	[ ! -s case/.git/irt-pending ]

	# cut short alone: nothing at all is done
	printf 'notes' >case/.git/irt-pending
	run irt note add -m third
	[ "$status" -eq 0 ]
	[ "$(ls case/notes | wc -l)" -eq 3 ]
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
	[ -f "case/notes/$id.md" ]
	[ "$(ls case/notes | wc -l)" -eq 2 ]
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
	sum=$(sha1sum <"case/notes/$id.md")
	# what a writer killed between its commit and the index leaves
	git -C case rm -q --cached "notes/$id.md"
	printf 'notes/%s.md\n' "$id" >case/.git/irt-pending
	run irt note add -m second
	[ "$status" -eq 0 ]
	[ "$(sha1sum <"case/notes/$id.md")" = "$sum" ]
	[ ! -e case/.git/irt/recovered ]
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Recovered: finished an interrupted commit"
	[ -z "$(git -C case status --porcelain)" ]
	[ ! -s case/.git/irt-pending ]
}

@test "a committed file changed before the index was written is restored, the change kept aside" {
	id=$(irt note add -m first)
	sum=$(sha1sum <"case/notes/$id.md")
	printf 'changed\n' >"case/notes/$id.md"
	printf 'notes/%s.md\n' "$id" >case/.git/irt-pending
	run irt note add -m second
	[ "$status" -eq 0 ]
	[ "$(sha1sum <"case/notes/$id.md")" = "$sum" ]
	[ "$(cat case/.git/irt/recovered/*)" = "changed" ]
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Recovered: kept uncommitted notes/$id.md"
	assert_contains "$output" "; restored notes/$id.md from HEAD"
	[ -z "$(git -C case status --porcelain)" ]
}
