#!/bin/sh
# Benchmark of irt collect against what responders do by hand: tar of a
# tree followed by sha256sum of every file.  The tree compresses like a
# real host: copies of the ELF binaries and libraries of this machine's
# /usr, and text logs of the kinds /var/log holds (syslog, auth, web
# access, audit, journal exports), some rotated and gzipped already.
#
# Every contender runs REPEATS times, in turns, on the same tree with a
# warm page cache, timed the same way (wall clock from start to the last
# byte written and hashed); the median counts.  At the same gzip level 6:
#   irt collect --level 6        (threads: online CPUs, at most 8)
#   tar -I 'pigz -6' + sha256sum (threads: online CPUs)
#   tar -czf + sha256sum         (gzip -6, one thread)
# and irt at its default level (4) against both.  Prints the times, the
# archive sizes, the ratios and irt's peak RSS (/usr/bin/time -v).
#
# usage: scripts/bench/collect.sh [WORKDIR]
#   IRT=path/to/irt   use this binary (default: a release build in
#                     build-bench/)
#   TOTAL_MIB=1024    size of the tree (60% binaries, 40% logs)
#   REPEATS=3         runs of each contender
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d /tmp/irt-bench.XXXXXX)}
total=${TOTAL_MIB:-1024}
repeats=${REPEATS:-3}
mkdir -p "$work"
for tool in pigz tar gzip sha256sum python3 /usr/bin/time; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "bench: $tool is missing (scripts/bootstrap installs it)" >&2
		exit 1
	}
done

if [ -z "${IRT:-}" ]; then
	if [ ! -f "$top/build-bench/build.ninja" ]; then
		meson setup "$top/build-bench" -Dbuildtype=release -Dtests=false \
		    -Dfuzz=disabled >/dev/null
	fi
	meson compile -C "$top/build-bench" >/dev/null
	IRT=$top/build-bench/cmd/irt
fi

tree=$work/tree
if [ ! -f "$work/tree.done" ] || [ "$(cat "$work/tree.done")" != "$total" ]; then
	rm -rf "$tree"
	python3 - "$tree" "$total" <<'PY'
import gzip, os, random, shutil, sys
root, total = sys.argv[1], int(sys.argv[2]) << 20
rnd = random.Random(1)

# Binaries: real ELF files of /usr, in a fixed order, 60% of the tree.
want = total * 6 // 10
have = 0
for top in ('/usr/bin', '/usr/sbin', '/usr/libexec', '/usr/lib'):
    for d, dirs, files in sorted(os.walk(top)):
        dirs.sort()
        for f in sorted(files):
            src = os.path.join(d, f)
            if have >= want or os.path.islink(src) or not os.path.isfile(src):
                continue
            try:
                with open(src, 'rb') as fp:
                    if fp.read(4) != b'\x7fELF':
                        continue
                size = os.path.getsize(src)
            except OSError:
                continue
            if size > 64 << 20:
                continue
            dst = os.path.join(root, src.lstrip('/'))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
            have += size

# Logs: the rest, as a host writes them.
hosts = ['web01', 'web02', 'db01']
users = ['root', 'ann', 'bob', 'deploy', 'www-data', 'postgres', 'backup']
procs = ['sshd', 'CRON', 'systemd', 'kernel', 'nginx', 'sudo', 'dhclient',
         'systemd-logind', 'postfix/smtpd', 'dockerd', 'containerd']
paths = ['/', '/index.html', '/login', '/api/v1/items', '/api/v1/orders',
         '/static/app.js', '/static/app.css', '/images/logo.png',
         '/wp-login.php', '/.env', '/admin', '/search']
agents = ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
          'curl/7.88.1', 'python-requests/2.31.0', 'Go-http-client/1.1',
          'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)']

def ip():
    return '%d.%d.%d.%d' % (rnd.choice([10, 172, 192, 198, 203, 45, 185]),
                            rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))

def stamp(t):
    return '%s %2d %02d:%02d:%02d' % (['Nov', 'Dec'][t // 2592000 % 2],
                                       1 + t // 86400 % 28, t // 3600 % 24,
                                       t // 60 % 60, t % 60)

def syslog(t):
    p = rnd.choice(procs)
    msgs = {
        'sshd': lambda: rnd.choice([
            'Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%032x' % (rnd.choice(users), ip(), rnd.randrange(1024, 65535), rnd.getrandbits(128)),
            'Failed password for invalid user %s from %s port %d ssh2' % (rnd.choice(users + ['admin', 'test', 'oracle']), ip(), rnd.randrange(1024, 65535)),
            'pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)' % (rnd.choice(users), rnd.randrange(0, 2000)),
            'Disconnected from %s port %d [preauth]' % (ip(), rnd.randrange(1024, 65535))]),
        'CRON': lambda: '(%s) CMD (%s)' % (rnd.choice(users), rnd.choice(['/usr/lib/php/sessionclean', 'run-parts --report /etc/cron.hourly', 'test -x /usr/sbin/anacron || run-parts /etc/cron.daily', '/opt/backup/run.sh --full'])),
        'kernel': lambda: '[%d.%06d] %s' % (rnd.randrange(1, 900000), rnd.randrange(10 ** 6), rnd.choice(['IN=eth0 OUT= MAC=52:54:00:%02x:%02x:%02x SRC=%s DST=%s LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=%d DF PROTO=TCP SPT=%d DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0' % (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256), ip(), ip(), rnd.randrange(65535), rnd.randrange(1024, 65535)), 'audit: type=1400 audit(%d.%03d:%d): apparmor="DENIED" operation="open" profile="/usr/sbin/nginx" name="/etc/shadow" pid=%d comm="nginx"' % (1700000000 + t, rnd.randrange(1000), rnd.randrange(10 ** 5), rnd.randrange(1, 99999))])),
    }
    m = msgs.get(p, lambda: rnd.choice(['Started Session %d of User %s.' % (rnd.randrange(10 ** 5), rnd.choice(users)), 'Reloading.', 'DHCPACK of %s from %s' % (ip(), ip()), 'message repeated %d times: [ Failed password for root from %s port %d ssh2]' % (rnd.randrange(2, 9), ip(), rnd.randrange(1024, 65535)), 'container %064x: exited with code %d' % (rnd.getrandbits(256), rnd.randrange(3))]))()
    return '%s %s %s[%d]: %s\n' % (stamp(t), rnd.choice(hosts), p, rnd.randrange(1, 99999), m)

def access(t):
    return '%s - %s [%02d/Nov/2026:%02d:%02d:%02d +0000] "%s %s%s HTTP/1.1" %d %d "%s" "%s"\n' % (
        ip(), rnd.choice(['-', '-', '-', rnd.choice(users)]), 1 + t // 86400 % 28,
        t // 3600 % 24, t // 60 % 60, t % 60, rnd.choice(['GET', 'GET', 'GET', 'POST', 'HEAD']),
        rnd.choice(paths), rnd.choice(['', '', '?id=%d' % rnd.randrange(10 ** 6), '?q=%x&page=%d' % (rnd.getrandbits(32), rnd.randrange(50))]),
        rnd.choice([200, 200, 200, 304, 404, 301, 500, 403]), rnd.randrange(0, 200000),
        rnd.choice(['-', 'https://example.org/', 'https://www.google.com/']), rnd.choice(agents))

def audit(t):
    return 'type=SYSCALL msg=audit(%d.%03d:%d): arch=c000003e syscall=%d success=%s exit=%d a0=%x a1=%x a2=%x a3=%x items=%d ppid=%d pid=%d auid=%d uid=%d gid=%d euid=%d suid=%d fsuid=%d egid=%d sgid=%d fsgid=%d tty=%s ses=%d comm="%s" exe="%s" key="%s"\n' % (
        1700000000 + t, rnd.randrange(1000), rnd.randrange(10 ** 6), rnd.choice([2, 59, 257, 42, 49]),
        rnd.choice(['yes', 'no']), rnd.randrange(-13, 20), rnd.getrandbits(48), rnd.getrandbits(32), rnd.getrandbits(16), rnd.getrandbits(16),
        rnd.randrange(3), rnd.randrange(1, 99999), rnd.randrange(1, 99999), rnd.randrange(0, 2000), 0, 0, 0, 0, 0, 0, 0, 0,
        rnd.choice(['(none)', 'pts0', 'pts1']), rnd.randrange(1, 9999),
        rnd.choice(['bash', 'sshd', 'nginx', 'python3', 'curl', 'cron']),
        rnd.choice(['/usr/bin/bash', '/usr/sbin/sshd', '/usr/sbin/nginx', '/usr/bin/python3.11', '/usr/bin/curl']),
        rnd.choice(['exec', 'identity', 'sshd_config', '(null)']))

def journal(t):
    return '{"__REALTIME_TIMESTAMP":"%d","_HOSTNAME":"%s","SYSLOG_IDENTIFIER":"%s","_PID":"%d","_UID":"%d","_BOOT_ID":"%032x","PRIORITY":"%d","MESSAGE":"%s"}\n' % (
        (1700000000 + t) * 10 ** 6 + rnd.randrange(10 ** 6), rnd.choice(hosts), rnd.choice(procs),
        rnd.randrange(1, 99999), rnd.randrange(0, 2000), rnd.getrandbits(128), rnd.randrange(8),
        syslog(t).split(': ', 1)[1].strip().replace('"', "'"))

kinds = [('syslog', syslog), ('auth.log', syslog), ('nginx/access.log', access),
         ('audit/audit.log', audit), ('journal/export.json', journal)]
left = total - have
n = 0
while left > 0:
    name, gen = kinds[n % len(kinds)]
    size = min(left, rnd.randrange(2 << 20, 24 << 20))
    t0 = rnd.randrange(0, 5000000)
    lines, got = [], 0
    while got < size:
        line = gen(t0 + got // 200)
        lines.append(line)
        got += len(line)
    data = ''.join(lines).encode()
    rot = n // len(kinds)
    dst = os.path.join(root, 'var/log', name + ('.%d' % rot if rot else ''))
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if rot >= 2 and n % 3 == 0:
        # an older rotation, gzipped by logrotate
        data = gzip.compress(data, 6)
        dst += '.gz'
    with open(dst, 'wb') as f:
        f.write(data)
    left -= len(data)
    n += 1
PY
	echo "$total" >"$work/tree.done"
fi
nf=$(find "$tree" -type f | wc -l)
bytes=$(du -sb "$tree" | cut -f1)
elf=$(du -sb "$tree/usr" | cut -f1)

printf 'file /**\n' >"$work/bench.profile"
now() { date +%s.%N; }

# one run of contender $1; prints its wall time in seconds
run() {
	rm -f "$work/out.tar.gz" "$work/out.tar.gz.sha256" "$work/out.sha256"
	t0=$(now)
	case $1 in
	gzip)
		tar -czf "$work/out.tar.gz" -C "$tree" .
		(cd "$tree" && find . -type f -print0 | xargs -0 sha256sum >"$work/out.sha256")
		;;
	pigz)
		tar -I 'pigz -6' -cf "$work/out.tar.gz" -C "$tree" .
		(cd "$tree" && find . -type f -print0 | xargs -0 sha256sum >"$work/out.sha256")
		;;
	irt6)
		/usr/bin/time -v -o "$work/irt6.time" "$IRT" collect --root "$tree" \
		    --profile "$work/bench.profile" --no-live --level 6 \
		    -o "$work/out.tar.gz" >/dev/null 2>&1
		;;
	irt)
		/usr/bin/time -v -o "$work/irt.time" "$IRT" collect --root "$tree" \
		    --profile "$work/bench.profile" --no-live \
		    -o "$work/out.tar.gz" >/dev/null 2>&1
		;;
	esac
	t1=$(now)
	gzip -t "$work/out.tar.gz"
	stat -c %s "$work/out.tar.gz" >"$work/$1.size"
	echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}'
}

# a warm page cache for everyone
find "$tree" -type f -exec cat {} + >/dev/null

: >"$work/times"
i=0
while [ "$i" -lt "$repeats" ]; do
	for c in gzip pigz irt6 irt; do
		echo "$c $(run "$c")" >>"$work/times"
	done
	i=$((i + 1))
done

python3 - "$work" "$nf" "$bytes" "$elf" "$repeats" <<'PY'
import os, statistics, sys
work, nf, size, elf, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
times = {}
for line in open(os.path.join(work, 'times')):
    c, t = line.split()
    times.setdefault(c, []).append(float(t))
med = {c: statistics.median(v) for c, v in times.items()}
sz = {c: int(open(os.path.join(work, c + '.size')).read()) for c in times}
rss = {}
for c in ('irt', 'irt6'):
    for line in open(os.path.join(work, c + '.time')):
        if 'Maximum resident set size' in line:
            rss[c] = int(line.split(':')[1]) / 1024
cpus = os.cpu_count()
print('tree: %d files, %.1f MiB (%.0f%% ELF binaries from /usr, the rest logs)' % (
    nf, size / 2**20, 100 * elf / size))
print('%d CPUs, median of %d runs each, warm page cache' % (cpus, repeats))
rows = [('gzip', 'tar -czf + sha256sum (gzip -6, 1 thread)'),
        ('pigz', "tar -I 'pigz -6' + sha256sum (%d threads)" % cpus),
        ('irt6', 'irt collect --level 6 (%d threads)' % min(cpus, 8)),
        ('irt', 'irt collect, default level 4 (%d threads)' % min(cpus, 8))]
for c, label in rows:
    print('%-46s %7.2f s  archive %7.1f MiB  (runs: %s)' % (
        label, med[c], sz[c] / 2**20, ', '.join('%.2f' % t for t in times[c])))
print('level 6:  irt vs tar|pigz -6: %.2fx   irt vs tar -czf: %.2fx' % (
    med['pigz'] / med['irt6'], med['gzip'] / med['irt6']))
print('level 4:  irt vs tar|pigz -6: %.2fx   irt vs tar -czf: %.2fx' % (
    med['pigz'] / med['irt'], med['gzip'] / med['irt']))
print('(ratio above 1: irt is faster)')
print('irt peak RSS: %.1f MiB at level 4, %.1f MiB at level 6' % (rss['irt'], rss['irt6']))
print('load average: %s' % open('/proc/loadavg').read().split()[0])
PY
