#!/usr/bin/env bats
# irt run: commands run without a shell, recorded in the case.

load helper
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	make_case
}
teardown() { teardown_common; }

# The folder of the newest run, from the last commit's trailer.
run_dir() {
	echo "case/$(shard runs "$(git -C case log -1 --format='%(trailers:key=Irt-Run,valueonly)' | head -n 1)")"
}

@test "run shows output live, stores stdout, stderr and a record in one commit" {
	run irt run -m "list the case" -- sh -c 'echo out; echo err >&2; exit 3'
	[ "$status" -eq 3 ]
	assert_contains "$output" "out"
	assert_contains "$output" "err"
	d=$(run_dir)
	[ "$(cat "$d/stdout")" = "out" ]
	[ "$(cat "$d/stderr")" = "err" ]
	rec="$d/record"
	grep -qx 'argv = sh' "$rec"
	grep -qx 'argv = -c' "$rec"
	grep -qx 'exit = 3' "$rec"
	grep -qx 'result = exited' "$rec"
	grep -qx "cwd = $TMP" "$rec"
	grep -qx "user = $(id -un)" "$rec"
	grep -qx 'message = list the case' "$rec"
	grep -Eq '^start = [0-9-]{10}T[0-9:]{8}\.[0-9]{9}Z$' "$rec"
	grep -Eq '^end = ' "$rec"
	grep -qx "stdout_sha256 = $(sha256sum <"$d/stdout" | cut -d' ' -f1)" "$rec"
	grep -qx "stderr_sha256 = $(sha256sum <"$d/stderr" | cut -d' ' -f1)" "$rec"
	[ "$(git -C case rev-list --count HEAD)" -eq 2 ]
	run git -C case log -1 --format=%B
	assert_contains "$output" "Irt-Action: run"
	assert_contains "$output" "Irt-Exit: 3"
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "run uses no shell: arguments are passed as they are" {
	irt run -- printf '%s|' 'a b' '$(id)' '*' >/dev/null
	[ "$(cat "$(run_dir)/stdout")" = 'a b|$(id)|*|' ]
}

@test "run exits with the command's status and records a signal" {
	run irt run -- sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	grep -qx 'signal = 15' "$(run_dir)/record"
	grep -qx 'result = signalled' "$(run_dir)/record"
}

@test "run --timeout kills the command and its children and records it" {
	n=$((RANDOM + 100000))	# a command line no other process has
	start=$(date +%s)
	run irt run --timeout 1 -- sh -c "sleep $n & sleep $n"
	end=$(date +%s)
	[ "$status" -eq 137 ]
	[ $((end - start)) -lt 10 ]
	grep -qx 'result = timeout' "$(run_dir)/record"
	assert_contains "$output" "killed after 1 seconds"
	run ! pgrep -f "sleep $n" >/dev/null
}

@test "a command that does not exist is recorded and exits 127" {
	run -127 irt run -- no-such-command-here
	assert_contains "$output" "command not found: 'no-such-command-here'"
	grep -qx 'result = not-found' "$(run_dir)/record"
}

@test "run stdin is /dev/null, so it never waits for input" {
	run timeout 10 "$IRT" run -- cat
	[ "$status" -eq 0 ]
}

@test "run needs a case and a command" {
	run irt run
	[ "$status" -eq 2 ]
	run irt run --timeout abc -- true
	[ "$status" -eq 2 ]
	unset IRT_CASE
	run irt run -- true
	[ "$status" -eq 1 ]
	assert_contains "$output" "not inside an irt case"
}

@test "binary output is stored byte-exact" {
	head -c 4096 /dev/urandom >random
	irt run -- cat random >out
	cmp out random
	cmp "$(run_dir)/stdout" random
	irt run -- printf '\000\001\377' >/dev/null
	[ "$(od -An -tx1 "$(run_dir)/stdout" | tr -d ' ')" = "0001ff" ]
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "a program that exists and cannot be run is recorded with the reason and exits 126" {
	printf '#!/bin/sh\necho hi\n' >noexec
	chmod 644 noexec
	run -126 irt run -- ./noexec
	assert_contains "$output" "irt: cannot run './noexec': Permission denied (recorded as run "
	rec="$(run_dir)/record"
	grep -qx 'result = exec-failed' "$rec"
	grep -qx 'error = Permission denied (EACCES)' "$rec"
	grep -qx 'exit = 126' "$rec"
	run git -C case log -1 --format=%s
	assert_contains "$output" "run: ./noexec (exec failed: Permission denied, exit 126)"
	# an argument longer than the kernel takes
	printf 'run -- true %s\n' "$(head -c 200000 /dev/zero | tr '\0' a)" >pb
	run irt shell pb
	[ "$status" -eq 126 ]
	assert_contains "$output" "cannot run 'true': Argument list too long"
	grep -qx 'error = Argument list too long (E2BIG)' "$(run_dir)/record"
	run irt case verify
	[ "$status" -eq 0 ]
}
