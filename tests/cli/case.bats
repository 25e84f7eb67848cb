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

@test "case init rejects a bad TLP, severity or id in one line and creates nothing" {
	run irt case init c1 --id INC-1 --title t --tlp purple
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "invalid TLP 'purple'"
	[ ! -e c1 ]
	run irt case init c1 --id INC-1 --title t --severity urgent
	[ "$status" -eq 1 ]
	assert_contains "$output" "invalid severity 'urgent'"
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
	f=$(shard notes "$id" .md)
	echo tampered >>"case/$f"
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "work tree: '$f' modified"
	git -C case checkout -q -- .
	touch case/stray
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "'stray' not committed"
}

@test "case verify detects a corrupted object" {
	make_case
	id=$(irt note add -m "the original text of the note")
	blob=$(git -C case rev-parse "HEAD:$(shard notes "$id" .md)")
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

@test "new objects are stored loose at the case's core.looseCompression, 1 by default as git" {
	make_case
	# text that each zlib level deflates to another size
	awk 'BEGIN { srand(7); for (i = 0; i < 3000; i++)
		printf "%s ", substr("alpha bravo charlie delta echo foxtrot", 1 + int(rand() * 30), 1 + int(rand() * 8)) }' >text
	# the zlib header of the loose object (78 01: level 1, 78 9c: 6,
	# 78 da: 7 to 9), the size of its file and of its content
	object() {
		obj=$(git -C case rev-parse "HEAD:$(shard notes "$1" .md)")
		file="case/.git/objects/${obj:0:2}/${obj:2}"
		echo "$(od -An -tx1 -N2 "$file" | tr -d ' ') $(stat -c %s "$file")"
	}
	id=$(irt note add -F text)
	read -r hdr1 size1 <<<"$(object "$id")"
	[ "$hdr1" = 7801 ]
	git -C case cat-file -p "HEAD:$(shard notes "$id" .md)" | cmp - "case/$(shard notes "$id" .md)"

	git -C case config core.looseCompression 9
	id=$(irt note add -F text)
	read -r hdr9 size9 <<<"$(object "$id")"
	[ "$hdr9" = 78da ]
	[ "$size9" -lt "$size1" ]
	git -C case cat-file -p "HEAD:$(shard notes "$id" .md)" | cmp - "case/$(shard notes "$id" .md)"

	# core.compression when core.looseCompression is not set; -1 is
	# zlib's default, 6
	git -C case config --unset core.looseCompression
	git -C case config core.compression -1
	id=$(irt note add -F text)
	read -r hdr size <<<"$(object "$id")"
	[ "$hdr" = 789c ]
	# core.looseCompression wins; 0, which libgit2 cannot write, is 1
	git -C case config core.looseCompression 0
	id=$(irt note add -F text)
	read -r hdr size <<<"$(object "$id")"
	[ "$hdr" = 7801 ]

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
	f=$(shard notes "$id" .md)
	printf 'garbage without header\n' >"case/$f"
	git -C case commit -qam "edited by hand"
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "record $f:1: expected 'Field: value'"
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

# A case as an irt before format 2 left it: every record flat, format 1.
flatten_case() {
	local f
	(
		cd "$1" || exit 1
		for f in $(git ls-files notes custody runs); do
			case $f in
			runs/*) new="runs/$(basename "$(dirname "$f")")/$(basename "$f")" ;;
			*) new="${f%%/*}/$(basename "$f")" ;;
			esac
			mkdir -p "$(dirname "$new")"
			git mv "$f" "$new"
		done
		sed -i 's/^format = .*/format = 1/' case.conf
		git add case.conf
		git commit -qm "as an older irt left it"
	)
}

@test "a flat case of format 1 reads as it is, and case upgrade shards it by day in one commit" {
	make_case
	a=$(irt note add -t old -m "first finding")
	e=$(irt evidence add "$IRT")
	irt run -- true >/dev/null 2>&1
	flatten_case case
	[ -f "case/notes/$a.md" ]
	[ -f "case/custody/$e.record" ]
	# every reader takes the flat layout
	run irt note list
	[ "$status" -eq 0 ]
	assert_contains "$output" "first finding"
	run irt note show "${a:0:20}"
	[ "$status" -eq 0 ]
	run irt evidence show "$e"
	[ "$status" -eq 0 ]
	irt note edit "$a" -m "first finding, edited" >/dev/null
	[ -f "case/notes/$a.md" ]
	b=$(irt note add -m "a note of the new layout")
	[ -f "case/$(shard notes "$b" .md)" ]
	run irt case show --json
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["notes"] == 2 and d["evidence"] == 1 and d["runs"] == 1, d'
	run irt case verify
	[ "$status" -eq 0 ]

	run irt case upgrade
	[ "$status" -eq 0 ]
	assert_contains "$output" "upgraded case INC-TEST to format 2: 3 records moved"
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Action: case-upgrade"
	assert_contains "$output" "Irt-Moved: 3"
	# moved: a note, a record, the three files of a run; and case.conf
	[ "$(git -C case diff --no-renames --name-only HEAD~1 HEAD | wc -l)" -eq 11 ]
	[ -z "$(find case/notes case/custody case/runs -mindepth 1 -maxdepth 1 ! -name '20[0-9][0-9]')" ]
	[ -f "case/$(shard notes "$a" .md)" ]
	[ -f "case/$(shard custody "$e" .record)" ]
	grep -qx 'format = 2' case/case.conf
	[ -z "$(git -C case status --porcelain)" ]
	run irt case verify
	[ "$status" -eq 0 ]
	# the history of a note follows it: added, edited, not moved
	run irt note log --json "$a"
	echo "$output" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert [r["action"] for r in rows] == ["note-edit", "note-add"], rows'
	head=$(git -C case rev-parse HEAD)
	run irt case upgrade
	[ "$status" -eq 0 ]
	assert_contains "$output" "is up to date"
	[ "$(git -C case rev-parse HEAD)" = "$head" ]
}

@test "case upgrade refuses a work tree with changes and changes nothing" {
	make_case
	a=$(irt note add -m one)
	flatten_case case
	echo changed >>"case/notes/$a.md"
	head=$(git -C case rev-parse HEAD)
	run irt case upgrade
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "'notes/$a.md' is changed in the work tree"
	[ "$(git -C case rev-parse HEAD)" = "$head" ]
}

@test "pull refuses a history with a symbolic link; verify reports one plain git brought" {
	git init -q --bare --initial-branch=main remote.git
	mkdir outside
	make_case
	irt case push "file://$TMP/remote.git" >/dev/null
	git clone -q remote.git mallory
	(cd mallory && ln -s "$TMP/outside" notes && git add notes &&
	    git commit -qm link && git push -q origin main)
	head=$(git -C case rev-parse HEAD)
	run irt case pull "file://$TMP/remote.git"
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "refusing to pull: commit"
	assert_contains "$output" "has 'notes', which is a symbolic link"
	assert_contains "$output" "nothing changed"
	[ "$(git -C case rev-parse HEAD)" = "$head" ]
	[ ! -L case/notes ]
	# plain git takes it; irt reports it and does not write through it
	git -C case pull -q "$TMP/remote.git" main
	[ -L case/notes ]
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "'notes' is a symbolic link"
	run irt note add -m "must not land outside"
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	[ -z "$(ls -A outside)" ]
	[ "$(git -C case rev-list --count HEAD)" -eq 2 ]
}

@test "a folder of the work tree turned into a link is not written through" {
	make_case
	irt note add -m one >/dev/null
	mkdir outside
	rm -rf case/notes
	ln -s "$TMP/outside" case/notes
	head=$(git -C case rev-parse HEAD)
	run irt note add -m two
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "$TMP/case/notes' is a symbolic link"
	[ -z "$(ls -A outside)" ]
	[ "$(git -C case rev-parse HEAD)" = "$head" ]
}

@test "case clone checks out a case from a bare repository made by plain git init --bare" {
	git init -q --bare plain.git
	[ "$(git -C plain.git symbolic-ref HEAD)" = refs/heads/master ]
	make_case
	id=$(irt note add -m "in the pushed case")
	run irt case push "file://$TMP/plain.git"
	[ "$status" -eq 0 ]
	assert_contains "$output" "clone it with: irt case clone file://$TMP/plain.git"
	assert_contains "$output" "git clone -b main file://$TMP/plain.git"
	# what plain git makes of it: nothing checked out
	git clone -q plain.git naive 2>/dev/null
	[ ! -e naive/case.conf ]
	run irt case clone "file://$TMP/plain.git"
	[ "$status" -eq 0 ]
	assert_contains "$output" "cloned case INC-TEST into $TMP/plain"
	run irt -C plain note show "$id"
	[ "$status" -eq 0 ]
	assert_contains "$output" "in the pushed case"
	[ "$(git -C plain symbolic-ref HEAD)" = refs/heads/main ]
	[ "$(git -C plain rev-parse --abbrev-ref '@{upstream}')" = origin/main ]
	[ -z "$(git -C plain status --porcelain)" ]
	run irt -C plain case verify
	[ "$status" -eq 0 ]
	# the clone pushes back to where it came from
	irt -C plain note add -m "from the clone" >/dev/null
	irt -C plain case push >/dev/null
	run irt case pull "file://$TMP/plain.git"
	[ "$status" -eq 0 ]
	assert_contains "$output" "fast-forward"
	# into DIR, which must be empty
	mkdir full && touch full/x
	run irt case clone "file://$TMP/plain.git" full
	[ "$status" -eq 1 ]
	assert_contains "$output" "'full' is not empty"
	[ "$(ls -A full)" = x ]
	run irt case clone "$TMP/plain.git" second
	[ "$status" -eq 0 ]
	[ -f second/case.conf ]
}

@test "case clone refuses what is not a case, or a history with a link, and leaves no folder" {
	git init -q --bare other.git
	git init -q work
	(cd work && echo x >README && git add README && git commit -qm x &&
	    git push -q "$TMP/other.git" HEAD:main)
	run irt case clone "file://$TMP/other.git" c1
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "holds no irt case"
	[ ! -e c1 ]
	git init -q --bare linked.git
	make_case
	irt case push "file://$TMP/linked.git" >/dev/null
	git clone -q -b main linked.git m
	(cd m && ln -s /etc runs && git add runs && git commit -qm link &&
	    git push -q origin main)
	mkdir c2
	run irt case clone "file://$TMP/linked.git" c2
	[ "$status" -eq 1 ]
	assert_contains "$output" "refusing to clone"
	assert_contains "$output" "'runs', which is a symbolic link"
	[ -d c2 ]
	[ -z "$(ls -A c2)" ]
}

@test "case verify of a malformed case.conf in HEAD reports it in one line and exits 1" {
	make_case
	cp case/case.conf good.conf
	printf 'id = INC-TEST\ntitle = t\nthis line has no equals sign\n' >case/case.conf
	git -C case commit -qam "broken by hand"
	cp good.conf case/case.conf
	# under the sanitizers a leak would end it with another status
	run irt case verify
	[ "$status" -eq 1 ]
	assert_contains "$output" "record case.conf:3: expected 'key = value'"
	# a work tree case.conf that does not parse: one line
	cp case/case.conf good.conf
	printf 'id = X\n\033[2J\n' >case/case.conf
	run irt case verify
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "case.conf:2: expected 'key = value'"
}
