#!/usr/bin/env bats
# The irt binary itself: global options, help, dispatch, case discovery.

load helper

setup() { setup_common; }
teardown() { teardown_common; }

@test "irt --version prints the version" {
	run irt --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^irt\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "irt with no command prints usage and exits 2" {
	run irt
	[ "$status" -eq 2 ]
	assert_contains "$output" "usage: irt"
}

@test "an unknown command exits 2 and suggests the closest name" {
	run irt nte list
	[ "$status" -eq 2 ]
	assert_contains "$output" "unknown command 'nte'"
	assert_contains "$output" "did you mean 'note'?"
}

@test "an unknown subcommand exits 2 and suggests the closest name" {
	run irt case shwo
	[ "$status" -eq 2 ]
	assert_contains "$output" "did you mean 'show'?"
}

# the commands, from their man pages (an oracle that irt does not write),
# and the two that have none
man_commands() {
	local f
	for f in "$IRT_SRC"/man/irt-*.1; do
		f=${f##*/irt-}
		echo "${f%.1}"
	done
	echo help
	echo version
}

@test "irt help lists every command" {
	local n=0
	run irt help
	[ "$status" -eq 0 ]
	for c in $(man_commands); do
		assert_contains "$output" "   $c "
		n=$((n + 1))
	done
	# as many commands listed as there are, no more
	[ "$(printf '%s\n' "$output" | grep -cE '^   [a-z]+ ')" -eq "$n" ]
	[ "$n" -ge 18 ]
}

@test "irt help COMMAND falls back to the usage text" {
	run irt help note
	[ "$status" -eq 0 ]
	assert_contains "$output" "usage: irt note add"
}

@test "every command answers -h and --help with its usage on stdout" {
	for c in $(man_commands); do
		run --separate-stderr irt "$c" --help
		[ "$status" -eq 0 ]
		assert_contains "$output" "usage: irt $c"
		[ -z "$stderr" ]
		run --separate-stderr irt "$c" -h
		[ "$status" -eq 0 ]
		assert_contains "$output" "usage: irt $c"
	done
}

@test "a command that needs a case and finds none says so and exits 1" {
	run irt note list
	[ "$status" -eq 1 ]
	assert_one_line "$output"
	assert_contains "$output" "not inside an irt case"
}

@test "case discovery: -C, then IRT_CASE, then the nearest parent" {
	irt case init "$TMP/a" --id A --title "case a" >/dev/null
	irt case init "$TMP/b" --id B --title "case b" >/dev/null
	mkdir -p "$TMP/a/deep/er"
	cd "$TMP/a/deep/er"
	run irt case show
	assert_contains "$output" "A"
	IRT_CASE="$TMP/b" run irt case show --json
	assert_contains "$output" '"id":"B"'
	IRT_CASE="$TMP/b" run irt -C "$TMP/a" case show --json
	assert_contains "$output" '"id":"A"'
	run irt -C "$TMP" case show
	[ "$status" -eq 1 ]
	assert_contains "$output" "is not an irt case"
}

@test "the author: --author, then IRT_AUTHOR, then git config, then user@host" {
	make_case
	irt --author "Ann Analyst <ann@example.org>" note add -m one >/dev/null
	irt note add -m two >/dev/null
	unset IRT_AUTHOR
	git config --global user.name "Git User"
	git config --global user.email "git@example.org"
	irt note add -m three >/dev/null
	rm -f "$HOME/.gitconfig"
	irt note add -m four >/dev/null
	run git -C "$TMP/case" log --format=%an%x09%ae
	[ "${lines[0]}" = "$(id -un)	$(id -un)@$(hostname)" ]
	[ "${lines[1]}" = "Git User	git@example.org" ]
	[ "${lines[2]}" = "Test Responder	responder@example.org" ]
	[ "${lines[3]}" = "Ann Analyst	ann@example.org" ]
}

@test "an invalid --author is refused" {
	make_case
	run irt --author "bad <x" note add -m x
	[ "$status" -eq 1 ]
	assert_contains "$output" "invalid author"
}

@test "irt help COMMAND on a terminal shows the man page" {
	command -v man >/dev/null || skip "man(1) is not installed"
	command -v script >/dev/null || skip "script(1) is not installed"
	unset IRT_NO_MAN
	MANPAGER=cat PAGER=cat MANWIDTH=80 run script -qec "$IRT help case" /dev/null
	[ "$status" -eq 0 ]
	assert_contains "$output" "IRT-CASE(1)"
	assert_contains "$output" "create, show, verify and exchange incident cases"
}

# --- options, declared once per command ----------------------------------

@test "every form answers -h with its usage and options on stdout" {
	"$IRT" __options >"$TMP/options"
	n=0
	while IFS='	' read -r kind path rest; do
		[ "$kind" = form ] || continue
		read -ra w <<<"${path#irt}"
		run irt "${w[@]}" -h
		[ "$status" -eq 0 ] || {
			echo "'$path -h' exits $status" >&2
			return 1
		}
		assert_contains "$output" "usage: $path"
		n=$((n + 1))
	done <"$TMP/options"
	[ "$n" -gt 30 ]
}

@test "a bad value names the option and is a usage error" {
	make_case
	run irt run --timeout nan -- true
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: run: --timeout: invalid duration 'nan'"
	run irt run --timeout 0 -- true
	[ "$status" -eq 2 ]
	assert_contains "$output" "--timeout: duration '0' is out of range"
	run irt run --timeout -5 -- true
	[ "$status" -eq 2 ]
	run irt timeline --memory 99999999999G "$TMP"
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: timeline: --memory: size '99999999999G' is too large"
	run irt collect --max-file-size 99999999999G
	[ "$status" -eq 2 ]
	assert_contains "$output" "--max-file-size: size '99999999999G' is too large"
	run irt timeline --year 99999999999999999999 "$TMP"
	[ "$status" -eq 2 ]
	assert_contains "$output" "--year: number '99999999999999999999' is out of range (1970 to 9999)"
	run irt collect --level 10
	[ "$status" -eq 2 ]
	assert_contains "$output" "--level: number '10' is out of range (1 to 9)"
	run irt timeline --format xml "$TMP"
	[ "$status" -eq 2 ]
	assert_contains "$output" "--format: unknown format 'xml' (one of: jsonl,"
	run irt note list --since 2026-13-01
	[ "$status" -eq 2 ]
	assert_contains "$output" "--since: invalid time '2026-13-01'"
	# nothing was run nor recorded
	[ ! -e "$TMP/case/runs" ] || [ -z "$(ls "$TMP/case/runs")" ]
}

@test "sizes are read alike everywhere: collect --max-file-size 64m" {
	mkdir -p "$TMP/root/etc"
	head -c 100 /dev/zero >"$TMP/root/etc/zeros"
	echo 'file /etc/zeros' >"$TMP/p.profile"
	run irt collect --max-file-size 64m --max-total 1g --root "$TMP/root" \
	    --profile "$TMP/p.profile" -o "$TMP/o.tar.gz"
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/o.tar.gz" fs/etc/zeros | cmp - "$TMP/root/etc/zeros"
	run irt timeline -q --memory 64m --format jsonl "$TMP/root"
	[ "$status" -eq 0 ]
	assert_contains "$output" '/root/etc/zeros","message"'
}

@test "--json where a command has no JSON output is a usage error" {
	make_case
	before=$(git -C "$TMP/case" rev-list --count HEAD)
	run irt --json note add -m x
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: note add: --json is not supported here: this command has no JSON output"
	run irt note add --json -m x
	[ "$status" -eq 2 ]
	run irt --json case push
	[ "$status" -eq 2 ]
	run irt checklist lint --json "$TMP"
	[ "$status" -eq 2 ]
	run irt --json ioc add evil.example
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: ioc add: --json is not supported here"
	[ "$(git -C "$TMP/case" rev-list --count HEAD)" -eq "$before" ]
	# where it has, either place works
	run irt --json case show
	[ "$status" -eq 0 ]
	[[ "$output" == '{"path":'* ]]
	run irt case show --json
	[[ "$output" == '{"path":'* ]]
	# the members, in the order they have always had
	printf '%s\n' "$output" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
want = ["path", "id", "title", "lead", "tlp", "severity", "created",
    "created_by", "notes", "evidence", "checklists", "runs", "hunts",
    "hunt_hits", "head"]
assert list(d) == want, list(d)
assert d["hunts"] == 0 and d["hunt_hits"] == 0, d'
}

@test "options that exclude each other, and required ones, are usage errors" {
	make_case
	echo text >"$TMP/t"
	run irt note add -m x -F "$TMP/t"
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: note add: -m/--message and -F/--file exclude each other"
	run irt note add -m x -
	[ "$status" -eq 2 ]
	assert_contains "$output" "'-' (standard input) and -m/--message exclude each other"
	run irt note add -m x extra
	[ "$status" -eq 2 ]
	assert_contains "$output" "unexpected argument 'extra'"
	run irt isolate plan --allow 10.0.0.1 --no-allow
	[ "$status" -eq 2 ]
	assert_contains "$output" "--allow and --no-allow exclude each other"
	run irt isolate plan
	[ "$status" -eq 2 ]
	assert_contains "$output" "missing --allow ADDR[/LEN][,...] or --no-allow"
	run irt case init "$TMP/c2" --title t
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: case init: missing --id ID"
	[ ! -e "$TMP/c2" ]
	run irt collect --list-profiles --root /
	[ "$status" -eq 2 ]
	assert_contains "$output" "--list-profiles goes alone, without --root"
	run irt --version -q
	[ "$status" -eq 2 ]
	[ "$(ls "$TMP/case/notes" 2>/dev/null | wc -l)" -eq 0 ]
	id=$(irt ioc add evil.example)
	run irt ioc retire "$id"
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: ioc retire: missing -m WHY"
	run irt ioc retire -m "" "$id"
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: ioc retire: -m/--message: give the reason"
	run irt ioc show "$id"
	assert_contains "$output" "status       active"
}

@test "options may follow operands; -- and the command of run end them" {
	make_case
	id=$(irt note add -m "from the options")
	run irt note show "$id" --json
	[ "$status" -eq 0 ]
	[[ "$output" == '{"id":"'"$id"'"'* ]]
	run irt note grep -- -x
	[ "$status" -eq 1 ]
	# after the command of run, -h and -m are its own
	run irt run -- sh -c 'echo "$0 $1"' -h -m
	[ "$status" -eq 0 ]
	assert_contains "$output" "-h -m"
	run irt run sh -c 'echo "$1"' x --timeout
	[ "$status" -eq 0 ]
	assert_contains "$output" "--timeout"
	# timeline: each source with the --host given before it
	printf '0|/a|1|r/rrwxrwxrwx|0|0|0|10|10|10|10\n' >"$TMP/a.body"
	printf '0|/b|2|r/rrwxrwxrwx|0|0|0|20|20|20|20\n' >"$TMP/b.body"
	run irt timeline -q --format jsonl bodyfile:"$TMP/a.body" --host web01 \
	    bodyfile:"$TMP/b.body"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
hosts = {r["path"]: r.get("host") for r in rows}
assert hosts["/a"] is None, hosts
assert hosts["/b"] == "web01", hosts'
}
