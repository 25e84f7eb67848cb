#!/usr/bin/env bats
# Completion: the engine behind "irt __complete" (used by irt shell and
# by the bash completion script), and irt-completion.bash itself.

load helper

setup() { setup_common; }
teardown() { teardown_common; }

# The candidates for the words after "irt" (the last one is completed),
# on one line, without the directive.
comp() {
	"$IRT" __complete -- "$@" | sed '$d' | tr '\n' ' ' | sed 's/ $//'
}

directive() {
	"$IRT" __complete -- "$@" | tail -n 1
}

# Completes a command line with the bash script, as bash would: COMP_*
# set from the line, _irt called; prints COMPREPLY sorted on one line.
bash_comp() {
	bash -c '
		source "$IRT_SRC/cmd/irt-completion.bash"
		irt() { "$IRT" "$@"; }
		PATH="$(dirname "$IRT"):$PATH"
		COMP_LINE=$1
		COMP_POINT=${#1}
		COMP_WORDBREAKS="\"'"'"'><=;|&(:"
		# bash splits at blanks and at = and :
		read -ra COMP_WORDS <<<"$(printf "%s" "$1" | sed -e "s/=/ = /g")"
		[[ $1 == *" " || $1 == *= ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_irt
		printf "%s\n" "${COMPREPLY[@]}" | sort -u | tr "\n" " " | sed "s/ $//"
	' bash "$1"
}

@test "__complete is hidden from help" {
	run irt help
	assert_not_contains "$output" "__complete"
	run comp ""
	assert_not_contains "$output" "__complete"
}

@test "commands come from the command table, as irt help lists them" {
	run comp ""
	[ "$status" -eq 0 ]
	want=$(irt help | sed -n 's/^   \([a-z][a-z]*\) .*/\1/p' | tr '\n' ' ' |
	    sed 's/ $//')
	[ "$output" = "$want" ]
	run comp n
	[ "$output" = "note" ]
	run comp zz
	[ "$output" = "" ]
}

@test "subcommands come from the command's table" {
	run comp note ""
	[ "$output" = "add edit grep list log show" ]
	run comp case ""
	[ "$output" = "clone init log pull push show upgrade verify" ]
	run comp case s
	[ "$output" = "show" ]
	run comp note bogus ""
	[ "$output" = "" ]
}

@test "options come from the usage strings" {
	run comp note list --
	[ "$output" = "--help --host --json --since --tag --until" ]
	run comp note add -
	[ "$output" = "--help --host -F -h -m -t" ]
	run comp run --t
	[ "$output" = "--timeout" ]
	run comp --
	assert_contains "$output" "--author"
	assert_contains "$output" "--json"
	run comp -
	assert_contains "$output" "-C"
}

@test "option values: choices, with --opt VALUE and --opt=VALUE" {
	run comp case init x --tlp ""
	[ "$output" = "amber amber+strict clear green red" ]
	run comp case init x --severity h
	[ "$output" = "high" ]
	run comp case init x --tlp=am
	[ "$output" = "--tlp=amber --tlp=amber+strict" ]
	# the argument of an option is not a positional
	run comp case init x --id ""
	[ "$output" = "" ]
}

@test "note ids, tags and hosts come from the case" {
	make_case
	a=$(irt note add -t ssh --host web01 -m one)
	b=$(irt note add -t lateral -m two)
	run comp note show ""
	[ "$output" = "$(printf '%s\n' "$a" "$b" | sort | tr '\n' ' ' | sed 's/ $//')" ]
	run comp note edit "$a"
	[ "$output" = "$a" ]
	run comp note log --json "${b%??????}"
	assert_contains "$output" "$b"
	run comp note list --tag ""
	[ "$output" = "lateral ssh" ]
	run comp note list --host w
	[ "$output" = "web01" ]
	# only one ID: the second positional completes nothing
	run comp note show "$a" ""
	[ "$output" = "" ]
	# -C names the case, as for any command
	cd /
	unset IRT_CASE
	run comp note show ""
	[ "$output" = "" ]
	run comp -C "$TMP/case" note show "$a"
	[ "$output" = "$a" ]
}

@test "files, directories and programs" {
	make_case
	run directive note add -F ""
	[ "$output" = ":1" ]
	run directive case init ""
	[ "$output" = ":1" ]
	run directive -C ""
	[ "$output" = ":1" ]
	run directive note show ""
	[ "$output" = ":0" ]
	run comp run slee
	assert_contains "$output" "sleep"
	run comp run -- slee
	assert_contains "$output" "sleep"
	# after the command: its own arguments, not irt's options
	run comp run sleep -
	[ "$output" = "" ]
	run directive run sleep -
	[ "$output" = ":1" ]
	run comp help n
	[ "$output" = "note" ]
}

@test "the shell mode adds its builtins and !COMMAND" {
	run "$IRT" __complete --shell -- ""
	assert_contains "$output" "exit"
	assert_contains "$output" "quit"
	assert_not_contains "$output" "shell"
	run "$IRT" __complete --shell -- '!slee'
	assert_contains "$output" "!sleep"
	run "$IRT" __complete --shell -- '!' slee
	assert_contains "$output" "sleep"
}

@test "bash completion offers what the shell completes" {
	make_case
	a=$(irt note add -t ssh -m one)
	irt note add -t lateral -m two >/dev/null
	for line in "irt " "irt n" "irt note " "irt note l" "irt note list --" \
	    "irt note list --tag " "irt note show " "irt note show ${a%??????}" \
	    "irt case init x --tlp " "irt case init x --tlp=a" "irt run sle" \
	    "irt -C $TMP/case note show " "irt --json note list --h" \
	    "irt help "; do
		words=${line#irt }
		read -ra w <<<"$words"
		[[ $line == *" " ]] && w+=("")
		# the shell stays in its case: no -C there
		mode=--shell
		[[ $line == "irt -C "* ]] && mode=--
		shell=$("$IRT" __complete $mode -- "${w[@]}" | sed '$d' |
		    grep -vx -e exit -e quit | sort -u | tr '\n' ' ' |
		    sed 's/ $//')
		if [ "$words" = "" ] || [ "$words" = "help " ]; then
			shell=$(printf '%s\n' $shell shell | sort -u |
			    tr '\n' ' ' | sed 's/ $//')
		fi
		got=$(bash_comp "$line")
		want=$shell
		case $line in
		*=a) want=$(printf '%s\n' $shell | sed 's/^--tlp=//' |
		    tr '\n' ' ' | sed 's/ $//') ;;
		esac
		[ -n "$want" ] || {
			echo "nothing to compare for '$line'" >&2
			false
		}
		[ "$got" = "$want" ] || {
			echo "line: '$line'" >&2
			echo "bash:  '$got'" >&2
			echo "shell: '$want'" >&2
			false
		}
	done
}

@test "bash completion completes file names where the engine says so" {
	make_case
	mkdir "$TMP/dir"
	touch "$TMP/dir/evidence-file.txt"
	cd "$TMP/dir"
	run bash_comp "irt note add -F ev"
	[ "$output" = "evidence-file.txt" ]
	run bash_comp "irt note show ev"
	[ "$output" = "" ]
}

@test "meson installs the bash completion script" {
	grep -q "irt-completion.bash" "$IRT_SRC/cmd/meson.build"
	grep -q "bash-completion" "$IRT_SRC/cmd/meson.build"
	bash -n "$IRT_SRC/cmd/irt-completion.bash"
	run bash -c 'source "$IRT_SRC/cmd/irt-completion.bash"; complete -p irt'
	assert_contains "$output" "-F _irt irt"
}
