# Shared set-up for the bats tests of the irt command line.
# $IRT is the binary under test, $IRT_SRC the source tree.

# run ! CMD (a negation that fails the test) needs bats 1.5.
bats_require_minimum_version 1.5.0

setup_common() {
	: "${IRT:?IRT must point at the irt binary}"
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/irt-cli.XXXXXX")
	export HOME="$TMP/home"
	mkdir -p "$HOME"
	export IRT_AUTHOR="Test Responder <responder@example.org>"
	export GIT_CONFIG_NOSYSTEM=1
	# for plain git commands in the tests (irt itself does not read these)
	export GIT_AUTHOR_NAME="Plain Git" GIT_AUTHOR_EMAIL="git@example.org"
	export GIT_COMMITTER_NAME="Plain Git" GIT_COMMITTER_EMAIL="git@example.org"
	export IRT_NO_MAN=1
	unset IRT_CASE VISUAL EDITOR
	cd "$TMP"
}

teardown_common() {
	cd /
	[ -n "${TMP:-}" ] && rm -rf "$TMP"
}

irt() {
	"$IRT" "$@"
}

# Creates a case in $TMP/case and exports IRT_CASE.
make_case() {
	"$IRT" case init "$TMP/case" --id INC-TEST --title "Test case" >/dev/null
	export IRT_CASE="$TMP/case"
}

# Fails with a message unless "$1" contains "$2".
assert_contains() {
	case "$1" in
	*"$2"*) return 0 ;;
	esac
	echo "expected to find: $2" >&2
	echo "in: $1" >&2
	return 1
}

assert_not_contains() {
	case "$1" in
	*"$2"*)
		echo "did not expect: $2" >&2
		echo "in: $1" >&2
		return 1
		;;
	esac
	return 0
}

# The output must be exactly one line.
assert_one_line() {
	[ "$(printf '%s' "$1" | wc -l)" -eq 0 ] || {
		echo "expected one line, got: $1" >&2
		return 1
	}
}

# The path of record ID of a folder sharded by day (irt-case(5)):
# shard notes ID .md gives notes/YYYY/MM/DD/ID.md.
shard() {
	local id=$2
	echo "$1/${id:0:4}/${id:4:2}/${id:6:2}/$id$3"
}
