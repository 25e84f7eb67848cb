#!/bin/sh
# Runs a libFuzzer harness briefly over its seed corpus.  New inputs go
# to a temporary directory, so the corpus in the source tree is unchanged.
# usage: run-fuzz.sh HARNESS CORPUS [RUNS]
set -eu
harness=$1
corpus=$2
runs=${3:-2000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/irt-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$harness" -runs="$runs" -seed=1 -max_len=65536 "$tmp" "$corpus"
