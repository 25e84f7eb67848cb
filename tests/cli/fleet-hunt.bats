#!/usr/bin/env bats
# irt fleet hunt, for real: three network namespaces, each with its own
# sshd, driven by the real ansible-playbook with the hunt playbook irt
# ships, and a fourth host that does not answer.  An IOC is planted on
# host2 only: a line of its log (under its irt_root) and a socket in its
# namespace.  Its own namespaces, links and addresses (FLEET_TAG,
# FLEET_NET 100 to 149), never those of fleet.bats (200 to 249) nor of
# fleet-isolate.bats (150 to 199).  Run as root; needs the static irt
# that scripts/test builds.

load helper
load fleet-hosts

# addresses of documentation ranges no other test hunts for
IOC=198.51.100.73
OTHER=198.51.100.74

setup_file() {
	export FLEET_DIR=$BATS_FILE_TMPDIR/fleet
	export FLEET_TAG=h$$ FLEET_NET=$((100 + $$ % 50))
	mkdir -p "$FLEET_DIR"
	chmod 755 "$BATS_FILE_TMPDIR" "$FLEET_DIR"
	local i
	for i in 1 2 3; do
		mkdir -p "$FLEET_DIR/roots/host$i/etc" "$FLEET_DIR/roots/host$i/var/log"
		echo "host$i" >"$FLEET_DIR/roots/host$i/etc/hostname"
		echo "Nov 27 10:0$i:00 host$i sshd[$i]: Accepted publickey for root from 10.0.0.$i port 50$i" \
		    >"$FLEET_DIR/roots/host$i/var/log/auth.log"
	done
	echo "Nov 27 10:09:00 host2 sshd[77]: Accepted password for root from $IOC port 4022" \
	    >>"$FLEET_DIR/roots/host2/var/log/auth.log"
	fleet_hosts_up 3
	# a socket on the address in host2's namespace, by a process whose
	# command line does not name it (every host sees every process)
	ip -n "irt$FLEET_TAG-2" addr add "$IOC/32" dev lo
	IRT_T_ADDR=$IOC ip netns exec "irt$FLEET_TAG-2" python3 -c '
import os, socket, sys, time
s = socket.socket()
s.bind((os.environ["IRT_T_ADDR"], 4444))
s.listen()
open(sys.argv[1], "w").close()
time.sleep(3600)' "$FLEET_DIR/listening" >/dev/null 2>&1 3>&- &
	echo $! >>"$FLEET_DIR/pids"
	for i in $(seq 1 600); do
		[ -e "$FLEET_DIR/listening" ] && break
		sleep 0.05
	done
	[ -e "$FLEET_DIR/listening" ]
}

teardown_file() {
	fleet_hosts_down
}

setup() {
	setup_common
	BIN=${IRT_STATIC_BIN:-$IRT_SRC/build-static/cmd/irt}
	if [ ! -x "$BIN" ]; then
		echo "no static irt at '$BIN': scripts/test builds it" \
		    "(meson setup build-static -Dstatic=enabled)" >&2
		return 1
	fi
	make_case
	export ANSIBLE_LOCAL_TEMP=$TMP/ansible-tmp ANSIBLE_RETRY_FILES_ENABLED=0
	INV=$FLEET_DIR/inventory
}

teardown() { teardown_common; }

commits() { git -C "$TMP/case" rev-list --count HEAD; }

# A static stand-in for irt that answers irt hunt with what a hostile
# host may send: the file $FLEET_DIR/hostile/NAME for --host NAME.
fake_irt() {
	[ -x "$FLEET_DIR/fake-irt" ] && return 0
	cat >"$TMP/fake.c" <<-EOF
		#include <stdio.h>
		#include <string.h>
		int main(int argc, char **argv) {
			char path[4096], buf[65536];
			size_t n;
			FILE *f;
			int i;
			for (i = 1; i < argc; i++)
				if (strcmp(argv[i], "--version") == 0) {
					puts("irt 0.0");
					return 0;
				}
			for (i = 1; i + 1 < argc; i++)
				if (strcmp(argv[i], "--host") == 0)
					break;
			if (i + 1 >= argc)
				return 2;
			snprintf(path, sizeof path, "%s/hostile/%s", "$FLEET_DIR", argv[i + 1]);
			if ((f = fopen(path, "rb")) == NULL)
				return 2;
			while ((n = fread(buf, 1, sizeof buf, f)) > 0)
				fwrite(buf, 1, n, stdout);
			fclose(f);
			return 0;
		}
	EOF
	${CC:-cc} -static -O1 -o "$FLEET_DIR/fake-irt" "$TMP/fake.c"
}

@test "fleet hunt needs an inventory, and something to hunt with" {
	run irt fleet hunt
	[ "$status" -eq 2 ]
	assert_contains "$output" "missing -i INVENTORY"
	run irt fleet hunt --binary "$BIN" -i "$INV"
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: nothing to hunt with: the case has no IOCs nor rules"
	run irt fleet hunt --binary "$BIN" -i "$INV" --ioc "$TMP/nosuch"
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: cannot open '$TMP/nosuch'"
	irt ioc add "$IOC" >/dev/null
	before=$(commits)
	run irt fleet hunt -i "$TMP/nosuch"
	[ "$status" -eq 2 ]
	assert_contains "$output" "irt: cannot open inventory '$TMP/nosuch'"
	[ "$(commits)" -eq "$before" ]
}

@test "fleet hunt finds the IOC on host2 only, records the hits by host, and names the host that does not answer" {
	irt ioc add "$IOC" >/dev/null
	printf '%s\n' "$OTHER" >"$TMP/more.txt"
	run --separate-stderr irt --json fleet hunt --binary "$BIN" -i "$INV" \
	    --ioc "$TMP/more.txt" --forks 4
	echo "$stderr" >&2
	# a host failed: the sweep is not complete
	[ "$status" -eq 2 ]
	doc=$output
	[ "$(jq -r .action <<<"$doc")" = hunt ]
	for i in 1 2 3; do
		[ "$(jq -r ".hosts[] | select(.host == \"host$i\") | .outcome" <<<"$doc")" = ok ]
		[ "$(jq -r ".hosts[] | select(.host == \"host$i\") | .verified" <<<"$doc")" = true ]
	done
	[ "$(jq -r '.hosts[] | select(.host == "host1") | .hits' <<<"$doc")" -eq 0 ]
	[ "$(jq -r '.hosts[] | select(.host == "host3") | .hits' <<<"$doc")" -eq 0 ]
	[ "$(jq -r '.hosts[] | select(.host == "host2") | .hits' <<<"$doc")" -ge 2 ]
	[ "$(jq -r '.hosts[] | select(.host == "host4") | .outcome' <<<"$doc")" = unreachable ]
	jq -r '.hosts[] | select(.host == "host4") | .reason' <<<"$doc" |
	    grep -q 'Failed to connect to the host via ssh.*Connection refused'
	assert_contains "$stderr" "irt: host4: unreachable: reach the host: Failed to connect to the host via ssh"
	id=$(jq -r .id <<<"$doc")
	# the hits of the case, each of host2: the log line and the socket
	run irt --json event hits
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.[].record.host] | unique | join(",")' <<<"$output")" = host2 ]
	log=$FLEET_DIR/roots/host2/var/log/auth.log
	[ "$(jq -r '[.[].record.source] | sort | unique | join(",")' <<<"$output")" = \
	    "live:sockets,syslog:$log" ]
	jq -r '.[] | select(.record.field == "message") | .record.location' <<<"$output" |
	    grep -qx "$log"
	jq -r '.[] | select(.record.source == "live:sockets") | .record.match' <<<"$output" |
	    grep -q "$IOC"
	# what the host sent is what the case holds
	n=$(jq -r '.hosts[] | select(.host == "host2") | .hits' <<<"$doc")
	[ "$(irt --json event hits | jq length)" -eq "$n" ]
	run irt --json case show
	[ "$(jq -r .hunts <<<"$output")" -eq 3 ]
	[ "$(jq -r .hunt_hits <<<"$output")" -eq "$n" ]
	irt report --format md -o "$TMP/report.md"
	sed -n '/By host/,$p' "$TMP/report.md" | grep -qx "| host2 | $n |"
	# one commit: the action, and the hunt of each host that answered
	c=$(git -C "$TMP/case" log --format=%H --grep "^Irt-Fleet: $id$")
	[ "$(wc -w <<<"$c")" -eq 1 ]
	git -C "$TMP/case" log -1 --format=%B "$c" | grep -qx 'Irt-Action: fleet-hunt'
	[ "$(git -C "$TMP/case" show --name-only --format= "$c" | grep -c '^hunts/.*/record$')" -eq 3 ]
	[ "$(git -C "$TMP/case" show --name-only --format= "$c" | grep -c '^hunts/.*/hits.jsonl$')" -eq 3 ]
	[ "$(git -C "$TMP/case" show --name-only --format= "$c" | grep -c '^fleet/.*\.record$')" -eq 1 ]
	# the run of ansible-playbook before it
	git -C "$TMP/case" log --format=%B | grep -qx 'Irt-Fleet-Action: fleet-hunt'
	# and the hosts of the case
	run irt host list
	for i in 1 2 3; do assert_contains "$output" "host$i"; done
	rec=$(shard "$TMP/case/fleet" "$id" .record)
	grep -qx 'action = hunt' "$rec"
	grep -qx 'hosts = 4' "$rec"
	grep -qx "inventory_sha256 = $(sha256sum <"$INV" | cut -d' ' -f1)" "$rec"
	k=$(sed -n 's/^host\.\([0-9]*\)\.name = host2$/\1/p' "$rec")
	grep -qx "host.$k.count = $n" "$rec"
	hunt=$(sed -n "s/^host\.$k\.hunt = //p" "$rec")
	hrec=$(shard "$TMP/case/hunts" "$hunt" /record)
	grep -qx 'host = host2' "$hrec"
	grep -qx "fleet = $id" "$hrec"
	grep -qx "hits = $n" "$hrec"
	grep -qx 'case-iocs = 1' "$hrec"
	grep -qx "ioc-file = $TMP/more.txt" "$hrec"
	# the sha256 of the record is that of the hits as they came
	[ "$(sha256sum <"$(dirname "$hrec")/hits.jsonl" | cut -d' ' -f1)" = \
	    "$(jq -r '.hosts[] | select(.host == "host2") | .sha256' <<<"$doc")" ]
	# nothing left on the hosts
	for i in 1 2 3; do
		[ -z "$(ls -A "$FLEET_DIR/remote/host$i")" ]
	done
	run irt case verify
	[ "$status" -eq 0 ]
}

@test "fleet hunt exits 1 when every host answered and none has a hit, with the case's rules" {
	irt ioc add "$IOC" >/dev/null
	# a Sigma rule of the case: it goes to the hosts with irt, and a
	# rule irt could not read there would fail the host
	mkdir -p "$TMP/case/rules"
	cat >"$TMP/case/rules/sshd-password.yml" <<-'EOF'
		title: Password login of root
		id: 0e1b7f3c-5d2a-4c1e-9b8a-3f2d1c0b9a87
		status: test
		level: high
		logsource:
		  product: linux
		  service: sshd
		detection:
		  keywords:
		    - 'Accepted password for root'
		  condition: keywords
	EOF
	run --separate-stderr irt fleet hunt --binary "$BIN" -i "$INV" --limit host1,host3
	echo "$stderr" >&2
	[ "$status" -eq 1 ]
	assert_contains "${lines[0]}" "HOST"
	grep -Eq '^host1 +ok +0 +0 +[0-9a-f]{64} +yes$' <<<"$output"
	grep -Eq '^host3 +ok +0 +0 +[0-9a-f]{64} +yes$' <<<"$output"
	[ "${#lines[@]}" -eq 3 ]
	for h in "$TMP"/case/hunts/*/*/*/*/record; do
		grep -qx 'rules = rules' "$h"
		grep -qx 'hits = 0' "$h"
	done
	[ "$(ls "$TMP"/case/hunts/*/*/*/*/record | wc -l)" -eq 2 ]
}

@test "fleet hunt refuses what a hostile host sends, host by host, and keeps it" {
	fake_irt
	irt ioc add "$IOC" >/dev/null
	mkdir -p "$FLEET_DIR/hostile"
	# broken JSON; escapes in a hit that checks; a line of 2 MiB
	printf '{"kind":"ioc","host":"host1","title":\n' >"$FLEET_DIR/hostile/host1"
	printf '{"kind":"ioc","host":"host2","title":"ip \\u001b]0;pwned\\u0007","location":"/var/log/\\u001b[2J"}\n' \
	    >"$FLEET_DIR/hostile/host2"
	{
		printf '{"kind":"ioc","host":"host3","title":"'
		head -c $((2 << 20)) /dev/zero | tr '\0' a
		printf '"}\n'
	} >"$FLEET_DIR/hostile/host3"
	run --separate-stderr irt --json fleet hunt --binary "$FLEET_DIR/fake-irt" -i "$INV" \
	    --limit 'host1,host2,host3'
	echo "$stderr" >&2
	[ "$status" -eq 2 ]
	[ "$(jq -r '.hosts[] | select(.host == "host1") | .outcome' <<<"$output")" = rejected ]
	[ "$(jq -r '.hosts[] | select(.host == "host2") | .outcome' <<<"$output")" = ok ]
	[ "$(jq -r '.hosts[] | select(.host == "host2") | .hits' <<<"$output")" -eq 1 ]
	[ "$(jq -r '.hosts[] | select(.host == "host3") | .outcome' <<<"$output")" = rejected ]
	assert_contains "$stderr" "irt: host1: rejected: '"
	assert_contains "$stderr" "host1/hits.jsonl': line 1: not one JSON object"
	assert_contains "$stderr" "host3/hits.jsonl': line 1: longer than 1048576 bytes"
	# nothing of the rejected hosts in the case; their files stay in the stage
	run irt --json event hits
	[ "$(jq -r '[.[].record.host] | unique | join(",")' <<<"$output")" = host2 ]
	ls "$TMP"/case/evidence/fleet-*/host1/hits.jsonl
	ls "$TMP"/case/evidence/fleet-*/host3/hits.jsonl
	# the escapes: kept as sent, shown escaped
	run irt event hits
	[ "$status" -eq 0 ]
	assert_contains "$output" "host2  ioc ip \\e]0;pwned\\x07  /var/log/\\e[2J"
	[[ "$output" != *$'\e'* ]]
	run irt case verify
	[ "$status" -eq 0 ]
}
