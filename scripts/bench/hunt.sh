#!/bin/sh
# Benchmarks irt hunt on a collected archive of about 300 MB (copies of
# the binaries and libraries of /usr, real-looking text logs), made with
# irt collect --root on a prepared folder:
#  1. irt hunt --content with 10,000 string/IP/domain IOCs and 100,000
#     hashes, against tar -xzOf ARCHIVE | grep -F -c -f STRINGS on the
#     same archive (target: irt no slower; grep does less: no manifest,
#     logs, hashes, nor word boundaries);
#  2. irt hunt --yara against bsdtar -x into a temporary folder plus
#     yara -r over it (target: irt at least 2x faster, no temporary
#     files).
# Both sides: the same archive, the best of BENCH_RUNS runs (default 3),
# each timed alone with the same clock.
# Environment: IRT (the binary; default: a release build in build-bench/),
# BENCH_DIR (scratch space, default /tmp), BENCH_MB (default 300),
# BENCH_RUNS (default 3), BENCH_KEEP (set: keep the archive and IOCs).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${IRT:-}" ]; then
	if [ ! -f "$top/build-bench/build.ninja" ]; then
		meson setup "$top/build-bench" -Dbuildtype=release \
		    -Dtests=false -Dfuzz=disabled >/dev/null
	fi
	meson compile -C "$top/build-bench" >/dev/null
	IRT="$top/build-bench/cmd/irt"
fi
for t in yara bsdtar grep tar python3; do
	command -v $t >/dev/null || { echo "hunt.sh: needs $t" >&2; exit 1; }
done
dir=$(mktemp -d "${BENCH_DIR:-/tmp}/irt-bench.XXXXXX")
if [ -n "${BENCH_KEEP:-}" ]; then
	echo "hunt.sh: keeping $dir" >&2
else
	trap 'rm -rf "$dir"' EXIT INT TERM
fi
mb=${BENCH_MB:-300}
runs=${BENCH_RUNS:-3}

# the best wall time of $runs runs of a shell command line
best() {
	b=
	for _ in $(seq "$runs"); do
		s=$(date +%s.%N)
		sh -c "$1" >/dev/null 2>&1 || true
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" -eq 1 ]; then
			b=$t
		fi
	done
	echo "$b"
}

# the tree: binaries and libraries of /usr, then logs, up to $mb MB
root=$dir/root
mkdir -p "$root/usr" "$root/var/log"
python3 - "$root" "$mb" <<'PY'
import os, random, shutil, sys
root, mb = sys.argv[1], int(sys.argv[2])
budget = mb * 1024 * 1024 * 85 // 100
used = 0
for base in ("/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/lib", "/usr/sbin"):
    for dp, dn, fn in os.walk(base):
        for f in sorted(fn):
            p = os.path.join(dp, f)
            if not os.path.isfile(p) or os.path.islink(p):
                continue
            sz = os.path.getsize(p)
            if used + sz > budget or sz > 32 << 20:
                continue
            d = os.path.join(root, dp.lstrip("/"))
            os.makedirs(d, exist_ok=True)
            try:
                shutil.copyfile(p, os.path.join(d, f))
            except OSError:
                continue
            used += sz
random.seed(7)
hosts = ["web01", "db02"]
with open(os.path.join(root, "var/log/auth.log"), "w") as fp:
    while used < mb * 1024 * 1024:
        line = "Nov %2d %02d:%02d:%02d %s sshd[%d]: Accepted publickey for u%d from 10.%d.%d.%d port %d ssh2\n" % (
            random.randint(1, 28), random.randint(0, 23), random.randint(0, 59),
            random.randint(0, 59), random.choice(hosts), random.randint(100, 99999),
            random.randint(1, 500), random.randint(0, 255), random.randint(0, 255),
            random.randint(1, 254), random.randint(1024, 65535))
        fp.write(line)
        used += len(line)
PY
printf 'description bench\nfile /usr/**\nfile /var/log/**\n' >"$dir/p.profile"
"$IRT" collect --root "$root" --no-live --profile "$dir/p.profile" \
    -o "$dir/a.tar.gz" >/dev/null 2>&1
rm -rf "$root"
size=$(du -m "$dir/a.tar.gz" | cut -f1)
data=$(tar -tvzf "$dir/a.tar.gz" | awk '{ s += $3 } END { printf "%d", s / 1048576 }')

# the IOCs: 10,000 literals (domains, IPs, strings) and 100,000 hashes
python3 - "$dir" <<'PY'
import random, sys
d = sys.argv[1]
random.seed(11)
lit = set()
while len(lit) < 10000:
    k = len(lit) % 3
    if k == 0:
        lit.add("%s.%s.example" % ("".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(10)), random.choice(["evil", "c2", "cdn"])))
    elif k == 1:
        lit.add("203.%d.%d.%d" % (random.randint(0, 255), random.randint(0, 255), random.randint(1, 254)))
    else:
        lit.add("implant-%016x" % random.getrandbits(64))
with open(d + "/strings.txt", "w") as fp:
    fp.write("\n".join(sorted(lit)) + "\n")
with open(d + "/iocs.csv", "w") as fp:
    fp.write("type,value\n")
    for v in sorted(lit):
        t = "ipv4" if v.startswith("203.") else "string" if v.startswith("implant-") else "domain"
        fp.write("%s,%s\n" % (t, v))
    for _ in range(100000):
        fp.write("sha256,%064x\n" % random.getrandbits(256))
PY
# the rules: 20 string and hex rules
python3 - "$dir" <<'PY'
import random, sys
random.seed(13)
with open(sys.argv[1] + "/rules.yar", "w") as fp:
    for i in range(20):
        fp.write('rule r%d { strings: $a = "implant-config-%08x" $b = { %s } condition: any of them }\n' % (
            i, random.getrandbits(32), " ".join("%02x" % random.getrandbits(8) for _ in range(12))))
PY

echo "archive: $size MB compressed, $data MB of data; best of $runs runs"
irt1=$(best "'$IRT' hunt --no-record --content --ioc '$dir/iocs.csv' '$dir/a.tar.gz'")
grep1=$(best "tar -xzOf '$dir/a.tar.gz' | grep -F -c -f '$dir/strings.txt'")
echo "content: irt hunt --content ${irt1}s, tar -xzOf | grep -F -c -f ${grep1}s, grep/irt $(echo "scale=2; $grep1 / $irt1" | bc)x"
irt2=$(best "'$IRT' hunt --no-record --yara '$dir/rules.yar' '$dir/a.tar.gz'")
yara2=$(best "rm -rf '$dir/x' && mkdir '$dir/x' && bsdtar -xf '$dir/a.tar.gz' -C '$dir/x' && yara -r '$dir/rules.yar' '$dir/x'; rm -rf '$dir/x'")
echo "yara: irt hunt --yara ${irt2}s, bsdtar -x + yara -r ${yara2}s, (bsdtar+yara)/irt $(echo "scale=2; $yara2 / $irt2" | bc)x"
