#!/bin/sh
# Benchmark of irt collect against what responders do by hand: tar -czf of
# a tree followed by sha256sum of every file.  Builds a test tree of some
# 20,000 files of mixed sizes and content (1 GiB in all), times both on the
# same tree with a warm page cache, and prints the times, the ratios and
# irt's peak RSS (from /usr/bin/time -v), for irt's default gzip level and
# for level 6, the level of tar -czf.
#
# usage: scripts/bench/collect.sh [WORKDIR]
#   IRT=path/to/irt   use this binary (default: a release build in
#                     build-bench/)
#   FILES=20000 TOTAL_MIB=1024   size of the tree
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d /tmp/irt-bench.XXXXXX)}
files=${FILES:-20000}
total=${TOTAL_MIB:-1024}
mkdir -p "$work"

if [ -z "${IRT:-}" ]; then
	if [ ! -f "$top/build-bench/build.ninja" ]; then
		meson setup "$top/build-bench" -Dbuildtype=release -Dtests=false \
		    -Dfuzz=disabled >/dev/null
	fi
	meson compile -C "$top/build-bench" >/dev/null
	IRT=$top/build-bench/cmd/irt
fi

tree=$work/tree
if [ ! -f "$work/tree.done" ]; then
	rm -rf "$tree"
	python3 - "$tree" "$files" "$total" <<'PY'
import os, random, sys
root, nfiles, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) << 20
rnd = random.Random(1)
# Content pools: random bytes (incompressible, like binaries and
# archives) and log-like text (compressible).
noise = os.urandom(8 << 20)
words = ['sshd', 'accepted', 'publickey', 'for', 'root', 'from', 'port',
         'session', 'opened', 'closed', 'user', 'kernel:', 'audit:', 'cron',
         'CMD', 'error', 'warning', 'connection', 'reset', 'by', 'peer']
lines = []
for i in range(60000):
    lines.append('Nov 27 21:%02d:%02d web01 %s[%d]: %s\n' % (
        i % 60, (i * 7) % 60, rnd.choice(words), rnd.randrange(1, 65535),
        ' '.join(rnd.choice(words) for _ in range(rnd.randrange(4, 14)))))
text = ''.join(lines).encode()
# Sizes: most files small, some medium, a few large, scaled to the total.
sizes = []
for i in range(nfiles):
    r = rnd.random()
    if r < 0.80:
        sizes.append(rnd.randrange(200, 16 << 10))
    elif r < 0.97:
        sizes.append(rnd.randrange(16 << 10, 512 << 10))
    else:
        sizes.append(rnd.randrange(512 << 10, 8 << 20))
scale = total / sum(sizes)
sizes = [max(1, int(s * scale)) for s in sizes]
for i, size in enumerate(sizes):
    d = os.path.join(root, 'd%02d' % (i % 50), 's%03d' % (i % 400))
    os.makedirs(d, exist_ok=True)
    pool = noise if i % 3 == 0 else text
    out = bytearray()
    while len(out) < size:
        off = rnd.randrange(0, len(pool) - 1)
        out += pool[off:off + size - len(out)]
    with open(os.path.join(d, 'f%05d.%s' % (i, 'bin' if i % 3 == 0 else 'log')), 'wb') as f:
        f.write(out)
PY
	touch "$work/tree.done"
fi
nf=$(find "$tree" -type f | wc -l)
bytes=$(du -sb "$tree" | cut -f1)

# Warm the page cache for both.
cat $(find "$tree" -type f) >/dev/null 2>&1 || find "$tree" -type f -exec cat {} + >/dev/null

printf 'file /**\n' >"$work/bench.profile"
rm -f "$work/base.tar.gz" "$work/irt.tar.gz"* "$work/irt6.tar.gz"*

now() { date +%s.%N; }

t0=$(now)
tar -czf "$work/base.tar.gz" -C "$tree" .
(cd "$tree" && find . -type f -print0 | xargs -0 sha256sum >"$work/base.sha256")
t1=$(now)
/usr/bin/time -v -o "$work/irt.time" "$IRT" collect --root "$tree" \
    --profile "$work/bench.profile" --no-live -o "$work/irt.tar.gz" \
    >/dev/null 2>&1
t2=$(now)
# the same gzip level as tar -czf, for a like-for-like figure
/usr/bin/time -v -o "$work/irt6.time" "$IRT" collect --root "$tree" \
    --profile "$work/bench.profile" --no-live --level 6 \
    -o "$work/irt6.tar.gz" >/dev/null 2>&1
t3=$(now)

rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/irt.time")
rss6=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/irt6.time")
python3 - "$t0" "$t1" "$t2" "$t3" "$rss" "$rss6" "$nf" "$bytes" \
    "$(stat -c %s "$work/base.tar.gz")" "$(stat -c %s "$work/irt.tar.gz")" \
    "$(stat -c %s "$work/irt6.tar.gz")" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5])
rss, rss6, nf, size, bsz, isz, i6sz = map(int, sys.argv[5:12])
base, irt, irt6 = t1 - t0, t2 - t1, t3 - t2
print('tree: %d files, %.1f MiB' % (nf, size / 2**20))
print('tar -czf + sha256sum:     %6.2f s (archive %.1f MiB)' % (base, bsz / 2**20))
print('irt collect:              %6.2f s (archive %.1f MiB, gzip level 4)' % (irt, isz / 2**20))
print('irt collect --level 6:    %6.2f s (archive %.1f MiB)' % (irt6, i6sz / 2**20))
print('ratio: %.2fx (level 6: %.2fx)' % (base / irt, base / irt6))
print('irt peak RSS: %.1f MiB (level 6: %.1f MiB)' % (rss / 1024, rss6 / 1024))
print('load average: %s' % open('/proc/loadavg').read().split()[0])
PY
gzip -t "$work/irt.tar.gz" "$work/irt6.tar.gz"
