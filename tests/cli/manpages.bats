#!/usr/bin/env bats
# Every command has a man page, and its --help options are in it.

load helper

setup() { setup_common; }
teardown() { teardown_common; }

commands() {
	"$IRT" help | awk '/^commands:/ {on = 1; next} on && /^   [a-z]/ {print $1}'
}

# The page that documents a command: irt-CMD.1, or irt.1 for help and
# version.
page_of() {
	if [ -f "$IRT_SRC/man/irt-$1.1" ]; then
		echo "$IRT_SRC/man/irt-$1.1"
	else
		echo "$IRT_SRC/man/irt.1"
	fi
}

@test "every command is listed in irt(1)" {
	for c in $(commands); do
		grep -q "^\.It Cm $c\$" "$IRT_SRC/man/irt.1" || {
			echo "irt(1) does not list '$c'" >&2
			return 1
		}
	done
}

@test "every command but help and version has its own man page" {
	for c in $(commands); do
		case "$c" in help | version) continue ;; esac
		[ -f "$IRT_SRC/man/irt-$c.1" ] || {
			echo "no man/irt-$c.1" >&2
			return 1
		}
	done
}

@test "every option in a command's --help is documented in its man page" {
	bad=0
	for c in $(commands); do
		page=$(page_of "$c")
		opts=$("$IRT" "$c" --help | grep -oE '(^|[[[:space:]|])--?[a-zA-Z][a-zA-Z0-9-]*' |
		    sed -E 's/^[[[:space:]|]+//' | sort -u)
		for o in $opts; do
			name=${o#-}
			name=${name#-}
			# mdoc writes --name as "Fl -name" (or "Fl \-name")
			# and -x as "Fl x"
			if [ "${o#--}" != "$o" ]; then
				pat="Fl \\\\?-$name"
			else
				pat="Fl $name"
			fi
			if ! grep -qE "(^\.?|[[:space:]])${pat}([[:space:]]|\$)" "$page"; then
				echo "$c: option $o of --help is not in $(basename "$page")" >&2
				bad=1
			fi
		done
	done
	[ "$bad" -eq 0 ]
}

@test "every man page passes mandoc -Tlint" {
	run mandoc -Tlint -Wwarning "$IRT_SRC"/man/*.[0-9]
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
