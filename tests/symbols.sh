#!/bin/sh
# libirt.so exports exactly the functions and variables that the public
# headers (lib/include/irt/*.h) declare with IRT_EXTERN: no internals
# (tl_*, irt_case__*, helpers of one module), and nothing declared public
# that the library leaves out.  Usage: symbols.sh LIBIRT.SO INCLUDEDIR
set -eu
so=$1
inc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' |
    sed -e "s/@.*//" -e "s/^__odr_asan\.//" | sort -u >"$tmp/exported"
# The identifier of each IRT_EXTERN declaration: the first name followed
# by "(" or "[" in the statement that starts with IRT_EXTERN.
awk '
	/^IRT_EXTERN / { decl = ""; on = 1 }
	on { decl = decl " " $0 }
	on && /;/ {
		if (match(decl, /[A-Za-z_][A-Za-z0-9_]*[ \t]*[(\[]/)) {
			name = substr(decl, RSTART, RLENGTH)
			sub(/[ \t]*[(\[]$/, "", name)
			print name
		}
		on = 0
	}
' "$inc"/*.h | sort -u >"$tmp/declared"

st=0
if [ ! -s "$tmp/declared" ]; then
	echo "no IRT_EXTERN declaration found under $inc" >&2
	exit 1
fi
extra=$(comm -23 "$tmp/exported" "$tmp/declared")
missing=$(comm -13 "$tmp/exported" "$tmp/declared")
if [ -n "$extra" ]; then
	echo "exported but not declared public:" >&2
	echo "$extra" >&2
	st=1
fi
if [ -n "$missing" ]; then
	echo "declared public but not exported:" >&2
	echo "$missing" >&2
	st=1
fi
[ $st -eq 0 ] && echo "ok: $(wc -l <"$tmp/exported") symbols exported, all declared public"
exit $st
