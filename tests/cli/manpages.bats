#!/usr/bin/env bats
# Every command has a man page, and the options of the pages and of the
# declared tables agree, both ways: the tables are read from the binary
# (irt __options, one line per form and per option), the pages from
# their SYNOPSIS and the .It lines of their option lists.

load helper

setup() { setup_common; }
teardown() { teardown_common; }

commands() {
	"$IRT" help | awk '/^commands:/ {on = 1; next} on && /^   [a-z]/ {print $1}'
}

# Reads man pages into lines "syn<TAB>PAGE<TAB>PATH<TAB>FLAG" (a form of
# the SYNOPSIS and each of its options; FLAG empty on the line that
# names the form) and "item<TAB>PAGE<TAB>FLAG" (the options of the .It
# lines, the option lists).  A form starts at .Nm, whose words (or the
# page's name) and the .Cm right after it are its path.  "Fl m" is -m,
# "Fl -host" and "Fl \-host" are --host; a bare "Fl" (standard input) and
# "Fl -" (the end of the options) are no option.
read_pages() {
	awk '
	function flags(line, out,   n, t, i, f) {
		gsub(/\\-/, "-", line)
		n = split(line, t, /[ \t]+/)
		for (i = 1; i < n; i++) {
			if (t[i] != "Fl" && t[i] != ".Fl")
				continue
			f = t[i + 1]
			if (f == "-" || f !~ /^-?[A-Za-z0-9]/)
				continue
			print out "-" f
		}
	}
	FNR == 1 { page = FILENAME; sub(/.*\//, "", page); on = 0; cm = 0 }
	/^\.Sh NAME/ { inname = 1; next }
	inname && /^\.Nm / { name = substr($0, 5); gsub(/"/, "", name); inname = 0 }
	/^\.Sh SYNOPSIS/ { on = 1; next }
	/^\.Sh/ { on = 0 }
	/^\.It / { flags($0, "item\t" page "\t") }
	!on { next }
	/^\.Nm/ {
		path = substr($0, 5); gsub(/"/, "", path)
		if (path == "") path = name
		cm = 1
		print "syn\t" page "\t" path "\t"
		next
	}
	cm && /^\.Cm / { path = path " " $2; print "syn\t" page "\t" path "\t"; next }
	{ cm = 0; flags($0, "syn\t" page "\t" path "\t") }
	' "$@"
}

# The forms of one page's SYNOPSIS, "PATH<TAB>FLAG"; its option lists.
synopsis() { read_pages "$1" | awk -F'\t' '$1 == "syn" { print $3 "\t" $4 }'; }
items() { read_pages "$1" | awk -F'\t' '$1 == "item" { print $3 }' | sort -u; }

# The listing and the pages, once: $TMP/options and $TMP/pages.
read_all() {
	"$IRT" __options >"$TMP/options"
	read_pages "$IRT_SRC"/man/*.1 >"$TMP/pages"
}

# Runs an awk program over the listing, with the pages read first:
# page[PATH] (the page of a form: irt-note.1 for "irt note add", irt.1
# for irt itself, help and version), items[PAGE, FLAG], syn[PAGE, PATH,
# FLAG], synpath[PAGE, PATH], the synopsis lines sflag[PAGE, i] ("PATH
# FLAG") and, from the listing as it is read, opt[PATH, FLAG] and
# name[PAGE, FLAG] of every declared option.
check_all() {
	awk -F'\t' '
	function page_of(path,   w, n) {
		n = split(path, w, " ")
		if (n > 1 && exists["irt-" w[2] ".1"])
			return "irt-" w[2] ".1"
		return "irt.1"
	}
	FNR == 1 { f = FILENAME; sub(/.*\//, "", f) }
	f == "pages" {
		exists[$2] = 1
		if ($1 == "item")
			items[$2, $3] = 1
		else {
			syn[$2, $3, $4] = 1
			synpath[$2, $3] = 1
			sflag[$2, ++nsyn[$2]] = $3 "\t" $4
		}
		next
	}
	$1 == "form" { page[$2] = page_of($2) }
	$1 == "option" {
		page[$2] = page_of($2)
		opt[$2, $3] = 1
		opt[$2, $4] = 1
		name[page[$2], $3] = 1
		name[page[$2], $4] = 1
	}
	'"$1" "$TMP/pages" "$TMP/options"
}

# Fails with the output of the last run, when there is any.
assert_silent() {
	[ "$status" -eq 0 ] && [ -z "$output" ] || {
		echo "$output" >&2
		return 1
	}
}

# Checks on the listing and the pages: every declared option is in its
# page's synopsis and option lists; every form has a synopsis and every
# option of a synopsis is declared; every option a page documents is
# declared by a form of its command.
CHECK_DECLARED='
$1 == "option" && $6 !~ /hidden/ && !($4 == "--help" && $6 == "implied") {
	p = page[$2]
	for (i = 3; i <= 4; i++)
		if ($i != "-" && !items[p, $i])
			print $2 ": " $i " is in no option list of " p
	# -h/--help: every command takes it, irt(1) says so; no synopsis
	# shows it
	if ($4 != "--help" && !syn[p, $2, $3] && !syn[p, $2, $4])
		print $2 ": " $3 " " $4 " is not in the synopsis of " p
}'
CHECK_SYNOPSES='
$1 == "form" && !synpath[page[$2], $2] {
	print $2 " has no synopsis in " page[$2]
}
END {
	for (p in nsyn)
		for (i = 1; i <= nsyn[p]; i++) {
			split(sflag[p, i], w, "\t")
			if (w[2] != "" && !opt[w[1], w[2]])
				print p ": the synopsis of \"" w[1] "\" has " w[2] ", which it does not declare"
		}
}'
CHECK_DOCUMENTED='
END {
	for (k in items) {
		split(k, w, SUBSEP)
		if (!name[w[1], w[2]])
			print w[1] " documents " w[2] ", which no form of it declares"
	}
}'

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

@test "irt __options lists every form and option, each option once" {
	"$IRT" __options >"$TMP/options"
	# every command, and irt itself
	for c in $(commands); do
		grep -qE "^form	irt $c( |	)" "$TMP/options" || {
			echo "no form of '$c' in irt __options" >&2
			return 1
		}
	done
	grep -q "^form	irt	COMMAND \[ARGS\]	" "$TMP/options"
	grep -qx "option	irt note add	-t	--tag	TAG	repeat	note-tag" \
	    "$TMP/options"
	grep -qx "option	irt note list	-	--json	-	implied	-" \
	    "$TMP/options"
	grep -qx "option	irt	-C	-	DIR	noshell,nolong	-" "$TMP/options"
	# no option twice in a form, by its long or its short name
	dup=$(awk -F'\t' '$1 == "option" {
		if ($3 != "-") print $2 " " $3
		if ($4 != "-") print $2 " " $4
	}' "$TMP/options" | sort | uniq -d)
	[ -z "$dup" ] || {
		echo "declared twice: $dup" >&2
		false
	}
	# hidden commands are in no help and no completion
	run ! grep -q "^form	irt __" "$TMP/options"
}

@test "every declared option is in its page's synopsis and option list" {
	read_all
	run check_all "$CHECK_DECLARED"
	assert_silent
}

@test "every form has a synopsis, and every option of a synopsis is declared" {
	read_all
	run check_all "$CHECK_SYNOPSES"
	assert_silent
}

@test "every option a page documents is declared by a form of its command" {
	read_all
	run check_all "$CHECK_DOCUMENTED"
	assert_silent
}

@test "the checks find a page and a table that disagree" {
	read_all
	# irt-run.1 as if it documented --frobnicate, in its option list
	# and its synopsis, and no longer --timeout
	grep -vxF "item	irt-run.1	--timeout" "$TMP/pages" >"$TMP/p"
	printf 'item\tirt-run.1\t--frobnicate\n' >>"$TMP/p"
	printf 'syn\tirt-run.1\tirt run\t--frobnicate\n' >>"$TMP/p"
	mv "$TMP/p" "$TMP/pages"
	run check_all "$CHECK_DECLARED"
	assert_contains "$output" "irt run: --timeout is in no option list of irt-run.1"
	run check_all "$CHECK_SYNOPSES"
	assert_contains "$output" 'irt-run.1: the synopsis of "irt run" has --frobnicate, which it does not declare'
	run check_all "$CHECK_DOCUMENTED"
	assert_contains "$output" "irt-run.1 documents --frobnicate, which no form of it declares"
	# and a form whose synopsis is gone
	grep -v "^syn	irt-note.1	irt note grep	" "$TMP/pages" >"$TMP/p"
	mv "$TMP/p" "$TMP/pages"
	run check_all "$CHECK_SYNOPSES"
	assert_contains "$output" "irt note grep has no synopsis in irt-note.1"
}

@test "the page readers see the options of synopses and option lists" {
	run items "$IRT_SRC/man/irt-checklist.1"
	assert_contains "$output" "--checklist"
	assert_contains "$output" "-c"
	run synopsis "$IRT_SRC/man/irt-note.1"
	assert_contains "$output" "irt note add	-t"
	assert_contains "$output" "irt note add	-F"
	assert_contains "$output" "irt note grep	-i"
	# a bare Fl (standard input) is no option
	run ! grep -qx "irt note add	-" <<<"$output"
	run synopsis "$IRT_SRC/man/irt.1"
	assert_contains "$output" "irt	--version"
	assert_contains "$output" "irt help	"
	# "Fl \-host" is --host, "Fl -" (the end of the options) is none
	run synopsis "$IRT_SRC/man/irt-timeline.1"
	assert_contains "$output" "irt timeline	--host"
	run synopsis "$IRT_SRC/man/irt-run.1"
	run ! grep -qx "irt run	--" <<<"$output"
}

@test "every man page passes mandoc -Tlint" {
	run mandoc -Tlint -Wwarning "$IRT_SRC"/man/*.[0-9]
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
