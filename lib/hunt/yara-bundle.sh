#!/bin/sh
# yara-bundle.sh OUT LIBYARA_A LIBJANSSON_A
# libyara.a calls jansson (its cuckoo module), whose json_object_get and
# friends clash with json-c's in a static link.  Links both into one
# relocatable object with jansson's symbols made local, so libyara's
# calls go to jansson and everyone else's to json-c.
set -eu
out=$1 yara=$2 jansson=$3
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
ld -r -o "$tmp/all.o" --whole-archive "$yara" "$jansson" --no-whole-archive
nm -g --defined-only "$jansson" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/syms"
objcopy --localize-symbols="$tmp/syms" "$tmp/all.o" "$tmp/yara.o"
rm -f "$out"
ar rcs "$out" "$tmp/yara.o"
rm -rf "$tmp"
