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

