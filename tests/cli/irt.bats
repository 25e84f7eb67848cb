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

@test "irt help lists every command" {
	run irt help
	[ "$status" -eq 0 ]
	for c in case help note run version; do
		assert_contains "$output" "   $c "
	done
}

@test "irt help COMMAND falls back to the usage text" {
	run irt help note
	[ "$status" -eq 0 ]
	assert_contains "$output" "usage: irt note add"
}

@test "every command answers -h and --help with its usage on stdout" {
	for c in case note run help version; do
		run irt "$c" --help
		[ "$status" -eq 0 ]
		assert_contains "$output" "usage: irt $c"
		run irt "$c" -h
		[ "$status" -eq 0 ]
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
