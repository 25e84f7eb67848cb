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
# Both sides: the same archive, the same runs (BENCH_RUNS, default 3),
# each timed alone with /usr/bin/time: the best wall time and the least
# CPU time of each side, and their ratios.
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

# the best wall time and the least CPU time (user + system, threads and
# child processes included) of $runs runs of a shell command line: on a
# loaded machine the CPU time is the steadier figure
best() {
	cmd=$1 bw= bc=
	for _ in $(seq "$runs"); do
		/usr/bin/time -f '%e %U %S' -o "$dir/time" sh -c "$cmd" \
		    >/dev/null 2>&1 || true
		# the last line (a failing status comes first)
		set -- $(tail -n 1 "$dir/time")
		w=$1
		c=$(echo "$2 + $3" | bc)
		if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc)" -eq 1 ]; then
			bw=$w
		fi
		if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc)" -eq 1 ]; then
			bc=$c
		fi
	done
	echo "$bw $bc"
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
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
set -- $(best "'$IRT' hunt --no-record --content --ioc '$dir/iocs.csv' '$dir/a.tar.gz'")
iw=$1 ic=$2
set -- $(best "tar -xzOf '$dir/a.tar.gz' | grep -F -c -f '$dir/strings.txt'")
gw=$1 gc=$2
echo "content: irt hunt --content ${iw}s (${ic}s CPU), tar -xzOf | grep -F -c -f ${gw}s (${gc}s CPU); grep/irt $(echo "scale=2; $gw / $iw" | bc)x wall, $(echo "scale=2; $gc / $ic" | bc)x CPU"
set -- $(best "'$IRT' hunt --no-record --yara '$dir/rules.yar' '$dir/a.tar.gz'")
iw=$1 ic=$2
set -- $(best "rm -rf '$dir/x' && mkdir '$dir/x' && bsdtar -xf '$dir/a.tar.gz' -C '$dir/x' && yara -r '$dir/rules.yar' '$dir/x'; rm -rf '$dir/x'")
yw=$1 yc=$2
echo "yara: irt hunt --yara ${iw}s (${ic}s CPU), bsdtar -x + yara -r ${yw}s (${yc}s CPU); (bsdtar+yara)/irt $(echo "scale=2; $yw / $iw" | bc)x wall, $(echo "scale=2; $yc / $ic" | bc)x CPU"
