#!/usr/bin/env bats
# irt shell: playbooks, one-line notes, !COMMAND, and the interactive
# shell driven in a real terminal (tmux).

load helper

setup() {
	setup_common
	SOCK="$TMP/tmux.sock"
}

teardown() {
	if [ -S "${SOCK:-}" ]; then
		tmux -S "$SOCK" kill-server 2>/dev/null || true
	fi
	teardown_common
}

@test "irt shell -h prints the usage; a bad option exits 2" {
	run irt shell -h
	[ "$status" -eq 0 ]
	assert_contains "$output" "usage: irt shell"
	run irt shell --bogus
	[ "$status" -eq 2 ]
	run irt shell a b
	[ "$status" -eq 2 ]
}

@test "a playbook runs line by line, skipping comments and blank lines" {
	make_case
	cat >pb <<'EOF'
# triage playbook

note add -t ssh -m "first note"
   # an indented comment
note list --tag ssh
EOF
	run irt shell pb
	[ "$status" -eq 0 ]
	assert_contains "$output" "first note"
	[ "$(find "$TMP/case/notes" -name '*.md' | wc -l)" -eq 1 ]
}

@test "a playbook stops at the first failure with FILE:LINE and its status" {
	make_case
	printf 'note add -m one\nnote show nope\nnote add -m two\n' >pb
	run irt shell pb
	[ "$status" -eq 1 ]
	assert_contains "$output" "pb:2:"
	assert_contains "$output" "note show nope"
	[ "$(find "$TMP/case/notes" -name '*.md' | wc -l)" -eq 1 ]
	# the status is the failing command's own
	printf 'note add -m one\n!sh -c "exit 7"\nnote add -m two\n' >pb2
	run irt shell pb2
	[ "$status" -eq 7 ]
	assert_contains "$output" "pb2:2:"
	[ "$(find "$TMP/case/notes" -name '*.md' | wc -l)" -eq 2 ]
}

@test "--keep-going runs every line and exits with the last failure" {
	make_case
	printf 'note show nope\n# c\n\n!sh -c "exit 5"\nnote add -m after\n' >pb
	run irt shell --keep-going pb
	[ "$status" -eq 5 ]
	assert_contains "$output" "pb:1:"
	assert_not_contains "$output" "pb:2:"
	assert_not_contains "$output" "pb:3:"
	assert_contains "$output" "pb:4:"
	[ "$(find "$TMP/case/notes" -name '*.md' | wc -l)" -eq 1 ]
	run irt shell -k pb
	[ "$status" -eq 5 ]
}

@test "standard input that is not a terminal is a playbook too" {
	make_case
	run sh -c 'printf "note add -m from-stdin\n\nnote show nope\nnote add -m never\n" | "$IRT" shell'
	[ "$status" -eq 1 ]
	assert_contains "$output" "stdin:3:"
	run irt note list
	assert_contains "$output" "from-stdin"
	assert_not_contains "$output" "never"
}

@test "commands of a playbook on stdin cannot read the rest of it" {
	make_case
	run sh -c 'printf "note add -\nnote add -m second\n" | "$IRT" shell -k'
	[ "$status" -ne 0 ]
	assert_contains "$output" "stdin:1:"
	run irt note list
	assert_contains "$output" "second"
}

@test "note TEXT adds a note of the rest of the line, as typed" {
	make_case
	cat >pb <<'EOF'
note attacker's key on web01: "deploy" #ssh
note "one quoted text"
note -- list of hosts to check
EOF
	run irt shell pb
	[ "$status" -eq 0 ]
	run irt note grep -i .
	assert_contains "$output" ":1:attacker's key on web01: \"deploy\" #ssh"
	assert_contains "$output" ":1:one quoted text"
	assert_contains "$output" ":1:list of hosts to check"
	# one commit per note, as irt note add makes
	[ "$(git -C "$TMP/case" log --oneline | wc -l)" -eq 4 ]
	# a subcommand is still a subcommand
	echo "note list" | irt shell >out
	[ "$(find "$TMP/case/notes" -name '*.md' | wc -l)" -eq 3 ]
}

@test "!COMMAND runs without a shell and is recorded as irt run does" {
	make_case
	printf '%s\n' '!printf "%s|" "a b" $HOME' >pb
	run irt shell pb
	[ "$status" -eq 0 ]
	assert_contains "$output" 'a b|$HOME|'
	[ "$(ls "$TMP/case/runs" | wc -l)" -eq 1 ]
	run git -C "$TMP/case" log -1 --format=%B
	assert_contains "$output" "Irt-Action: run"
	# the same record as irt run makes
	irt run -- printf x >/dev/null 2>&1
	a=$(find "$TMP/case/runs" -name record | sort | head -1)
	b=$(find "$TMP/case/runs" -name record | sort | tail -1)
	[ "$a" != "$b" ]
	[ "$(ls "${a%/record}")" = "$(ls "${b%/record}")" ]
	echo '!' >pb2
	run irt shell pb2
	[ "$status" -eq 2 ]
}

@test "quotes and backslashes split words; an open quote continues the line" {
	make_case
	printf '%s\n' 'note add -m "two' 'lines" -t it\'"'"'s' \
	    'note add -m one\ word' >pb
	run irt shell pb
	[ "$status" -eq 0 ]
	run irt note list --json
	assert_contains "$output" '"tags":["it'"'"'s"]'
	run irt note grep lines
	assert_contains "$output" ":2:lines"
	run irt note grep "one word"
	[ "$status" -eq 0 ]
	printf 'note add -m "never closed\n' >pb2
	run irt shell pb2
	[ "$status" -eq 2 ]
	assert_contains "$output" "pb2:1: unterminated quote"
}

@test "options of one line do not outlive it" {
	make_case
	irt note add -m x >/dev/null
	printf '%s\n' '--json note list' 'note list' \
	    '--author "Other One <other@example.org>" note add -m y' \
	    'note add -m z' >pb
	run irt shell pb
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == '{"id":'* ]]
	[[ "${lines[1]}" != '{'* ]]
	run git -C "$TMP/case" log --format=%an
	[ "${lines[0]}" = "Test Responder" ]
	[ "${lines[1]}" = "Other One" ]
	printf '%s\n' '-C /tmp note list' >pb2
	run irt shell pb2
	[ "$status" -eq 2 ]
}

@test "exit STATUS stops a playbook; shell inside the shell is refused" {
	make_case
	printf 'note add -m a\nexit 3\nnote add -m b\n' >pb
	run irt shell pb
	[ "$status" -eq 3 ]
	[ "$(find "$TMP/case/notes" -name '*.md' | wc -l)" -eq 1 ]
	echo shell >pb2
	run irt shell pb2
	[ "$status" -eq 2 ]
	assert_contains "$output" "already in the shell"
	echo 'exit nope' >pb3
	run irt shell pb3
	[ "$status" -eq 2 ]
}

@test "-x traces each command with its line" {
	make_case
	printf '# c\nnote list\n' >pb
	run irt shell -x pb
	[ "$status" -eq 0 ]
	assert_contains "$output" "+ pb:2: note list"
}

@test "a NUL byte in a playbook line fails with FILE:LINE, as a failing line" {
	make_case
	printf 'note add -m one\nnote add -m "two\0 and the rest"\nnote add -m three\n' >pb
	run irt shell pb
	[ "$status" -eq 2 ]
	assert_contains "$output" "pb:2: NUL byte in the line (column 17); not run"
	run irt note list
	assert_contains "$output" "one"
	assert_not_contains "$output" "two"
	assert_not_contains "$output" "three"
	# --keep-going goes on after it, and exits with its status
	run irt shell -k pb
	[ "$status" -eq 2 ]
	run irt note list
	assert_not_contains "$output" "two"
	assert_contains "$output" "three"
	# inside a quote that continues a line, the whole command is dropped
	printf 'note add -m "first\nsecond\0"\nnote add -m after\n' >pb2
	run irt shell -k pb2
	[ "$status" -eq 2 ]
	assert_contains "$output" "pb2:2: NUL byte"
	run irt note grep -i first
	[ "$status" -eq 1 ]
	run irt note grep after
	[ "$status" -eq 0 ]
	# and on standard input as well
	run sh -c 'printf "note add -m x\\0y\n" | "$IRT" shell'
	[ "$status" -eq 2 ]
	assert_contains "$output" "stdin:1: NUL byte"
}

@test "a playbook line without end stops the playbook; /dev/zero does not hang" {
	make_case
	{
		echo 'note add -m before'
		head -c 1100000 /dev/zero | tr '\0' a
		echo
		echo 'note add -m after'
	} >pb
	run irt shell -k pb
	[ "$status" -eq 2 ]
	assert_contains "$output" "pb:2: line longer than 1048576 bytes; not run"
	run irt note list
	assert_contains "$output" "before"
	assert_not_contains "$output" "after"
	run timeout 60 "$IRT" shell /dev/zero
	[ "$status" -eq 2 ]
	assert_contains "$output" "/dev/zero:1: line longer than"
}

@test "a missing playbook file fails" {
	run irt shell "$TMP/none"
	[ "$status" -eq 1 ]
	assert_contains "$output" "cannot open"
}

# --- the interactive shell, in a terminal --------------------------------

tm() {
	tmux -S "$SOCK" "$@"
}

# The visible pane, without trailing blank lines.
screen() {
	tm capture-pane -p -t irt | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# Waits (up to 10 s) until the pane shows the fixed string $1.
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "timed out waiting for: $1" >&2
	screen >&2
	return 1
}

# Waits until the last line of the pane is $1 (trailing blanks aside:
# capture-pane drops them).
wait_last() {
	local i want
	want=$(printf '%s' "$1" | sed 's/ *$//')
	for ((i = 0; i < 100; i++)); do
		[ "$(screen | tail -n 1 | sed 's/ *$//')" = "$want" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for the last line: '$1'" >&2
	screen >&2
	return 1
}

@test "interactive: prompt, completion, history, Ctrl-C and exit in tmux" {
	make_case
	id=$(irt note add -m "tmux-note-text")
	# The shell runs twice: left with Ctrl-D, then with exit.  bash, not
	# dash, runs the script: dash would die of the Ctrl-C sent to irt.
	cat >"$TMP/run.sh" <<EOF
cd "$TMP"
export HOME="$HOME" IRT_CASE="$IRT_CASE" IRT_NO_MAN=1
export IRT_AUTHOR="$IRT_AUTHOR" GIT_CONFIG_NOSYSTEM=1
export ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS"
"$IRT" shell
echo "EXITED \$?"
"$IRT" shell
echo "EXITED-AGAIN \$?"
sleep 60
EOF
	tm new-session -d -s irt -x 200 -y 50 "bash $TMP/run.sh"
	p='irt[INC-TEST]> '
	wait_last "$p"

	# completion of a command, a subcommand and a note id
	tm send-keys -t irt 'no' Tab
	wait_last "${p}note"
	tm send-keys -t irt 'sh' Tab
	wait_last "${p}note show"
	tm send-keys -t irt Tab
	wait_last "${p}note show $id"
	tm send-keys -t irt Enter
	wait_for "tmux-note-text"
	wait_last "$p"

	# an empty line and a comment do nothing, and are not history
	tm send-keys -t irt Enter
	tm send-keys -t irt '# just a comment' Enter
	wait_for "${p}# just a comment"
	wait_last "$p"

	# history recall
	tm send-keys -t irt Up
	wait_last "${p}note show $id"

	# Ctrl-C cancels the line, not the shell
	tm send-keys -t irt C-c
	wait_last "$p"
	screen | grep -qE "note show $id ?\^C"
	tm send-keys -t irt 'case sh' Tab
	wait_last "${p}case show"
	tm send-keys -t irt Enter
	wait_for "INC-TEST"
	wait_last "$p"

	# Ctrl-C during a running command kills it and keeps the shell.  The
	# command runs in its own process group, out of reach of the
	# terminal's SIGINT: it is irt that kills it, with SIGKILL.
	tm send-keys -t irt '!sleep 30' Enter
	pane=$(tm list-panes -t irt -F '#{pane_pid}')
	sleeper=
	for ((i = 0; i < 100; i++)); do
		shell=$(pgrep -P "$pane" | head -1)
		[ -n "$shell" ] && sleeper=$(pgrep -x -P "$shell" sleep) &&
		    [ -n "$sleeper" ] && break
		sleep 0.1
	done
	[ -n "$sleeper" ]
	[ "$(ps -o pgid= -p "$sleeper" | tr -d ' ')" = "$sleeper" ]
	tm send-keys -t irt C-c
	wait_for "'sleep' interrupted (recorded as run"
	wait_last "$p"
	# the sleep is gone (not merely left behind), the shell is not
	for ((i = 0; i < 100; i++)); do
		kill -0 "$sleeper" 2>/dev/null || break
		sleep 0.1
	done
	run ! kill -0 "$sleeper"
	kill -0 "$shell"
	# runs/YYYY/MM/DD/<id>/record: one run recorded
	[ "$(find "$TMP/case/runs" -name record | wc -l)" -eq 1 ]
	rec=$(find "$TMP/case/runs" -name record)
	grep -qx 'result = signalled' "$rec"
	grep -qx 'signal = 9' "$rec"

	# a note in one line, then Ctrl-D
	tm send-keys -t irt "note typed in the shell, it's here" Enter
	wait_last "$p"
	tm send-keys -t irt C-d
	wait_for "EXITED 0"
	irt note list | grep -qF "typed in the shell, it's here"

	# the history is kept per case, outside git: Up recalls it after a
	# restart, and the case stays clean and valid
	wait_last "$p"
	tm send-keys -t irt Up
	wait_last "${p}note typed in the shell, it's here"
	tm send-keys -t irt C-c
	wait_last "$p"
	tm send-keys -t irt 'exit 4' Enter
	wait_for "EXITED-AGAIN 4"
	grep -qF "note show $id" "$TMP/case/.git/irt/shell_history"
	[ -z "$(git -C "$TMP/case" status --porcelain)" ]
	irt case verify >/dev/null
}

@test "interactive: an open quote continues on a second prompt" {
	make_case
	cat >"$TMP/run.sh" <<EOF
cd "$TMP"
export HOME="$HOME" IRT_CASE="$IRT_CASE" IRT_NO_MAN=1
export IRT_AUTHOR="$IRT_AUTHOR" GIT_CONFIG_NOSYSTEM=1
export ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS"
"$IRT" shell
echo "EXITED \$?"
sleep 60
EOF
	tm new-session -d -s irt -x 200 -y 50 "bash $TMP/run.sh"
	p='irt[INC-TEST]> '
	wait_last "$p"
	tm send-keys -t irt 'note add -m "first line' Enter
	wait_last "> "
	tm send-keys -t irt 'second line"' Enter
	wait_last "$p"
	tm send-keys -t irt 'note add -m "dropped' Enter
	wait_last "> "
	tm send-keys -t irt C-c
	wait_last "$p"
	tm send-keys -t irt 'exit' Enter
	wait_for "EXITED 0"
	run irt note grep line
	assert_contains "$output" ":1:first line"
	assert_contains "$output" ":2:second line"
	run irt note list
	assert_not_contains "$output" "dropped"
}
